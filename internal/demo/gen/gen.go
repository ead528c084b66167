// Package gen generates deterministic, realistic Vietnamese data for the Dais demo: the party
// organization tree (Province, NationalTree), party members (NewPerson) and unique party card
// numbers (Cards).
//
// Everything is deterministic for a given *rand.Rand (callers use rand.New(rand.NewPCG(a, b)))
// or seed, so a demo database can be rebuilt identically. All strings are NFC (precomposed) and
// use the modern spellings found in official documents ("Hòa", "Thủy").
package gen

import (
	"math/rand/v2"
	"strconv"
	"unicode"
)

// wp is one weighted item of a data table.
type wp struct {
	s string
	w uint32
}

// weighted picks strings with fixed relative weights. It is built once from package data and
// only read afterwards.
type weighted struct {
	items []string
	cum   []uint32 // cumulative weights; cum[len-1] is the total
}

func newWeighted(pairs []wp) *weighted {
	t := &weighted{items: make([]string, len(pairs)), cum: make([]uint32, len(pairs))}
	var sum uint32
	for i, p := range pairs {
		sum += p.w
		t.items[i] = p.s
		t.cum[i] = sum
	}
	return t
}

// index returns the index of a weighted random item.
func (t *weighted) index(r *rand.Rand) int {
	x := r.Uint32N(t.cum[len(t.cum)-1])
	lo, hi := 0, len(t.cum)-1
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if t.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

func (t *weighted) pick(r *rand.Rand) string { return t.items[t.index(r)] }

// uniform returns a uniformly chosen element of list.
func uniform(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// asciiFold maps every lowercase Vietnamese letter to its ASCII base letter.
var asciiFold = func() map[rune]byte {
	m := make(map[rune]byte)
	for base, group := range map[byte]string{
		'a': "aàáảãạăằắẳẵặâầấẩẫậ",
		'e': "eèéẻẽẹêềếểễệ",
		'i': "iìíỉĩị",
		'o': "oòóỏõọôồốổỗộơờớởỡợ",
		'u': "uùúủũụưừứửữự",
		'y': "yỳýỷỹỵ",
		'd': "dđ",
	} {
		for _, c := range group {
			m[c] = base
		}
	}
	return m
}()

// initials returns the uppercase ASCII initials of the words of a Vietnamese name:
// "Từ Sơn" → "TS", "Văn Miếu - Quốc Tử Giám" → "VMQTG".
func initials(name string) string {
	var b [16]byte
	n := 0
	start := true
	for _, c := range name {
		if c == ' ' {
			start = true
			continue
		}
		if !start {
			continue
		}
		start = false
		lc := unicode.ToLower(c)
		var a byte
		switch {
		case lc >= 'a' && lc <= 'z':
			a = byte(lc)
		default:
			a = asciiFold[lc]
		}
		if a != 0 && n < len(b) {
			b[n] = a - 'a' + 'A'
			n++
		}
	}
	if n == 0 {
		return "X"
	}
	return string(b[:n])
}

// num2 formats n with at least two digits: 3 → "03", 117 → "117".
func num2(n int) string {
	if n >= 0 && n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// split divides total into len(weights) non-negative parts proportional to weights that sum
// exactly to total (cumulative rounding).
func split(total int, weights []float64) []int {
	out := make([]int, len(weights))
	var sum float64
	for _, w := range weights {
		sum += w
	}
	if sum <= 0 || total <= 0 {
		return out
	}
	var acc float64
	prev := 0
	for i, w := range weights {
		acc += w
		cur := int(float64(total)*acc/sum + 0.5)
		if i == len(weights)-1 {
			cur = total
		}
		out[i] = cur - prev
		prev = cur
	}
	return out
}
