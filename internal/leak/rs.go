package leak

// Reed–Solomon over GF(2^8) (polynomial 0x11d, generator roots α^0 … α^(n-k-1)): the
// error-correcting code of the fingerprint. The 40-bit ID is 5 data bytes; 11 parity bytes
// make a 16-byte (128-bit) codeword that corrects any 5 wrong bytes and, beyond that,
// almost always reports failure instead of a wrong ID (a random word decodes with
// probability about 10^-11). Written here because the Go modules at hand offer erasure
// coding only (klauspost/reedsolomon), not error correction; the algorithm is the
// textbook one: syndromes, Berlekamp–Massey, Chien search, Forney.

var gfExp [512]byte
var gfLog [256]byte

func init() {
	x := 1
	for i := range 255 {
		gfExp[i] = byte(x)
		gfLog[x] = byte(i)
		x <<= 1
		if x&0x100 != 0 {
			x ^= 0x11d
		}
	}
	for i := 255; i < 512; i++ {
		gfExp[i] = gfExp[i-255]
	}
}

func gfMul(a, b byte) byte {
	if a == 0 || b == 0 {
		return 0
	}
	return gfExp[int(gfLog[a])+int(gfLog[b])]
}

func gfDiv(a, b byte) byte {
	if a == 0 {
		return 0
	}
	return gfExp[int(gfLog[a])+255-int(gfLog[b])]
}

// rsGenerator is ∏ (x - α^i) for i < nsym, highest degree first.
func rsGenerator(nsym int) []byte {
	g := []byte{1}
	for i := range nsym {
		next := make([]byte, len(g)+1)
		for j, c := range g {
			next[j] ^= c
			next[j+1] ^= gfMul(c, gfExp[i])
		}
		g = next
	}
	return g
}

// rsEncode returns msg followed by nsym parity bytes.
func rsEncode(msg []byte, nsym int) []byte {
	gen := rsGenerator(nsym)
	out := make([]byte, len(msg)+nsym)
	copy(out, msg)
	for i := range msg {
		c := out[i]
		if c == 0 {
			continue
		}
		for j := 1; j < len(gen); j++ {
			out[i+j] ^= gfMul(gen[j], c)
		}
	}
	copy(out, msg)
	return out
}

// rsDecode corrects up to nsym/2 byte errors in word (data then parity) and returns the
// data bytes and the number of bytes corrected, or ok=false when the word is too damaged.
func rsDecode(word []byte, nsym int) (data []byte, corrected int, ok bool) {
	n := len(word)
	if n <= nsym || n > 255 {
		return nil, 0, false
	}
	// Syndromes S_i = word(α^i), word read as a polynomial with word[0] the highest term.
	synd := make([]byte, nsym)
	clean := true
	for i := range nsym {
		var s byte
		for _, c := range word {
			s = gfMul(s, gfExp[i]) ^ c
		}
		synd[i] = s
		clean = clean && s == 0
	}
	if clean {
		return append([]byte(nil), word[:n-nsym]...), 0, true
	}
	// Berlekamp–Massey: the error locator Λ(x), lowest degree first.
	lambda := []byte{1}
	prev := []byte{1}
	l, m := 0, 1
	var b byte = 1
	for k := range nsym {
		d := synd[k]
		for i := 1; i <= l && i < len(lambda); i++ {
			d ^= gfMul(lambda[i], synd[k-i])
		}
		if d == 0 {
			m++
			continue
		}
		coef := gfDiv(d, b)
		next := append([]byte(nil), lambda...)
		for len(next) < len(prev)+m {
			next = append(next, 0)
		}
		for i, p := range prev {
			next[i+m] ^= gfMul(coef, p)
		}
		if 2*l <= k {
			prev = lambda
			l = k + 1 - l
			b = d
			m = 1
		} else {
			m++
		}
		lambda = next
	}
	for len(lambda) > 1 && lambda[len(lambda)-1] == 0 {
		lambda = lambda[:len(lambda)-1]
	}
	if l != len(lambda)-1 || 2*l > nsym {
		return nil, 0, false
	}
	// Chien search: position p (power n-1-p) is wrong when Λ(α^-(n-1-p)) = 0.
	var pos []int
	for p := range n {
		e := n - 1 - p
		xinv := gfExp[(255-e%255)%255]
		var v, xp byte = 0, 1
		for _, c := range lambda {
			v ^= gfMul(c, xp)
			xp = gfMul(xp, xinv)
		}
		if v == 0 {
			pos = append(pos, p)
		}
	}
	if len(pos) != l {
		return nil, 0, false
	}
	// Forney: Ω(x) = S(x)Λ(x) mod x^nsym; error value = X·Ω(X^-1) / Λ'(X^-1) for roots
	// starting at α^0.
	omega := make([]byte, nsym)
	for i := range nsym {
		for j := 0; j <= i && j < len(lambda); j++ {
			omega[i] ^= gfMul(lambda[j], synd[i-j])
		}
	}
	fixed := append([]byte(nil), word...)
	for _, p := range pos {
		e := n - 1 - p
		x := gfExp[e%255]
		xinv := gfExp[(255-e%255)%255]
		var num, xp byte = 0, 1
		for _, c := range omega {
			num ^= gfMul(c, xp)
			xp = gfMul(xp, xinv)
		}
		// Λ'(x): the odd terms (characteristic 2).
		var den byte
		xp = 1
		x2 := gfMul(xinv, xinv)
		for i := 1; i < len(lambda); i += 2 {
			den ^= gfMul(lambda[i], xp)
			xp = gfMul(xp, x2)
		}
		if den == 0 {
			return nil, 0, false
		}
		fixed[p] ^= gfMul(x, gfDiv(num, den))
	}
	// The corrected word must be a codeword: a check that catches miscorrection.
	for i := range nsym {
		var s byte
		for _, c := range fixed {
			s = gfMul(s, gfExp[i]) ^ c
		}
		if s != 0 {
			return nil, 0, false
		}
	}
	return fixed[:n-nsym], len(pos), true
}
