package document

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Op is how a paragraph (or a word) of one version relates to the other.
type Op string

const (
	Same    Op = "same"
	Added   Op = "added"
	Removed Op = "removed"
	Changed Op = "changed"
)

// Word is a stretch of words inside a changed paragraph.
type Word struct {
	Op   Op     `json:"op"` // same, added or removed
	Text string `json:"text"`
}

// DiffPara is one row of a paragraph-level diff. From and To are 1-based paragraph
// numbers in each version (0 where the paragraph does not exist there).
type DiffPara struct {
	Op    Op     `json:"op"`
	From  int    `json:"from,omitempty"`
	To    int    `json:"to,omitempty"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
	Words []Word `json:"words,omitempty"`
}

// maxCells bounds the LCS table (cells of uint16): 4 M cells, 8 MB, for the part of two
// versions that differs once the common beginning and end are set aside.
const maxCells = 4 << 20

// normPara is what two paragraphs are compared by: NFC, lower case, spaces collapsed,
// so that a re-typed space or a changed case does not make a paragraph "changed".
func normPara(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(norm.NFC.String(s)), " "))
}

// Diff aligns two versions' paragraphs by their longest common subsequence (over
// normalized text), then pairs the removed and added paragraphs between two aligned ones
// into "changed" when they share enough words, with the word-level changes inside.
// ok is false when the differing middle is too large to align within maxCells; the
// result then lists it as removed and added paragraphs.
func Diff(a, b []string) (out []DiffPara, ok bool) {
	na, nb := make([]string, len(a)), make([]string, len(b))
	for i, s := range a {
		na[i] = normPara(s)
	}
	for i, s := range b {
		nb[i] = normPara(s)
	}
	pairs, ok := lcs(na, nb)
	i, j := 0, 0
	for _, p := range append(pairs, [2]int{len(a), len(b)}) {
		out = append(out, gap(a, b, na, nb, i, p[0], j, p[1])...)
		if p[0] < len(a) {
			out = append(out, DiffPara{Op: Same, From: p[0] + 1, To: p[1] + 1, Old: a[p[0]], New: b[p[1]]})
		}
		i, j = p[0]+1, p[1]+1
	}
	return out, ok
}

// gap turns the unaligned paragraphs a[i0:i1] and b[j0:j1] into rows: a removed and an
// added paragraph that are similar enough become one changed row.
func gap(a, b, na, nb []string, i0, i1, j0, j1 int) []DiffPara {
	var out []DiffPara
	i, j := i0, j0
	for i < i1 || j < j1 {
		switch {
		case i < i1 && j < j1 && similar(na[i], nb[j]):
			out = append(out, DiffPara{Op: Changed, From: i + 1, To: j + 1, Old: a[i], New: b[j], Words: wordDiff(a[i], b[j])})
			i++
			j++
		case i < i1 && (j >= j1 || !laterSimilar(nb, j, j1, na[i])):
			out = append(out, DiffPara{Op: Removed, From: i + 1, Old: a[i]})
			i++
		default:
			out = append(out, DiffPara{Op: Added, To: j + 1, New: b[j]})
			j++
		}
	}
	return out
}

// laterSimilar reports whether some b paragraph after j (before end) resembles s: then
// the b paragraphs before it are additions, and s waits for its partner.
func laterSimilar(nb []string, j, end int, s string) bool {
	for k := j + 1; k < end && k < j+8; k++ {
		if similar(s, nb[k]) {
			return true
		}
	}
	return false
}

// similar: the two paragraphs share at least 40% of their words (Dice coefficient).
func similar(x, y string) bool {
	wx, wy := strings.Fields(x), strings.Fields(y)
	if len(wx) == 0 || len(wy) == 0 {
		return false
	}
	count := map[string]int{}
	for _, w := range wx {
		count[w]++
	}
	common := 0
	for _, w := range wy {
		if count[w] > 0 {
			count[w]--
			common++
		}
	}
	return 2*common*10 >= 4*(len(wx)+len(wy))
}

// lcs returns the index pairs of a longest common subsequence of a and b. The common
// prefix and suffix are matched first; the middle goes through the DP table if it fits.
func lcs(a, b []string) ([][2]int, bool) {
	var pre [][2]int
	s := 0
	for s < len(a) && s < len(b) && a[s] == b[s] {
		pre = append(pre, [2]int{s, s})
		s++
	}
	ea, eb := len(a), len(b)
	var suf [][2]int
	for ea > s && eb > s && a[ea-1] == b[eb-1] {
		ea--
		eb--
		suf = append(suf, [2]int{ea, eb})
	}
	n, m := ea-s, eb-s
	ok := true
	var mid [][2]int
	if n > 0 && m > 0 {
		if n*m > maxCells || n >= 1<<16 || m >= 1<<16 {
			ok = false
		} else {
			mid = lcsTable(a[s:ea], b[s:eb])
			for k := range mid {
				mid[k][0] += s
				mid[k][1] += s
			}
		}
	}
	out := append(pre, mid...)
	for k := len(suf) - 1; k >= 0; k-- {
		out = append(out, suf[k])
	}
	return out, ok
}

// lcsTable is the classic dynamic programme, the table filled from the end so that the
// walk forward can read the pairs in order.
func lcsTable(a, b []string) [][2]int {
	n, m := len(a), len(b)
	w := m + 1
	t := make([]uint16, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				t[i*w+j] = t[(i+1)*w+j+1] + 1
			} else {
				t[i*w+j] = max(t[(i+1)*w+j], t[i*w+j+1])
			}
		}
	}
	var out [][2]int
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case a[i] == b[j]:
			out = append(out, [2]int{i, j})
			i++
			j++
		case t[(i+1)*w+j] >= t[i*w+j+1]:
			i++
		default:
			j++
		}
	}
	return out
}

// wordDiff is the word-level diff of two paragraphs: runs of same, removed and added
// words, compared case- and normalization-blind, shown as written in each version.
func wordDiff(x, y string) []Word {
	wx, wy := splitWords(x), splitWords(y)
	kx, ky := make([]string, len(wx)), make([]string, len(wy))
	for i, w := range wx {
		kx[i] = normWord(w)
	}
	for i, w := range wy {
		ky[i] = normWord(w)
	}
	pairs, ok := lcs(kx, ky)
	if !ok {
		return []Word{{Op: Removed, Text: x}, {Op: Added, Text: y}}
	}
	var out []Word
	add := func(op Op, s string) {
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += " " + s
			return
		}
		out = append(out, Word{Op: op, Text: s})
	}
	i, j := 0, 0
	for _, p := range append(pairs, [2]int{len(wx), len(wy)}) {
		for ; i < p[0]; i++ {
			add(Removed, wx[i])
		}
		for ; j < p[1]; j++ {
			add(Added, wy[j])
		}
		if p[0] < len(wx) {
			add(Same, wy[p[1]])
		}
		i, j = p[0]+1, p[1]+1
	}
	return out
}

func splitWords(s string) []string { return strings.FieldsFunc(norm.NFC.String(s), unicode.IsSpace) }

func normWord(w string) string { return strings.ToLower(w) }
