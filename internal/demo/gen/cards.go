package gen

// cardSpace is the number of distinct 8-digit party card numbers.
const cardSpace = 100_000_000

// Cards hands out unique 8-digit party card numbers in a deterministic shuffled order.
//
// The n-th number is a keyed permutation of n over [0, 10^8): a six-round Feistel network on
// two 4-digit halves, so numbers look random but never repeat for the first 10^8 calls. A Cards
// is not safe for concurrent use.
type Cards struct {
	keys [6]uint64
	n    uint64
}

// NewCards returns a card number source; the same seed gives the same sequence.
func NewCards(seed uint64) *Cards {
	c := &Cards{}
	s := seed
	for i := range c.keys {
		c.keys[i] = splitmix64(&s)
	}
	return c
}

// Next returns the next card number, 8 ASCII digits, possibly with leading zeros.
// It panics after 10^8 numbers, when no unused number is left.
func (c *Cards) Next() string {
	if c.n >= cardSpace {
		panic("gen: Cards exhausted all 10^8 card numbers")
	}
	v := c.permute(c.n)
	c.n++
	var b [8]byte
	for i := 7; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[:])
}

// permute is a bijection on [0, 10^8): each round maps (l, r) to (r, l+F(r) mod 10^4), which
// is invertible whatever F is.
func (c *Cards) permute(x uint64) uint64 {
	const half = 10_000
	l, r := x/half, x%half
	for _, k := range c.keys {
		l, r = r, (l+mix64(r^k)%half)%half
	}
	return l*half + r
}

func splitmix64(s *uint64) uint64 {
	*s += 0x9e3779b97f4a7c15
	return mix64(*s)
}

func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
