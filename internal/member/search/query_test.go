package search

import (
	"strings"
	"testing"
	"unicode/utf8"

	"dais/internal/vntext"
)

func TestParseText(t *testing.T) {
	tests := []struct {
		in     string
		number string
		folded []string
	}{
		{"Nguyễn Thị Hoà", "", []string{"nguyen", "thi", "hoa"}},
		{"  nguyen   VAN-an ", "", []string{"nguyen", "van", "an"}},
		{"00012345", "00012345", nil},
		{"001 080.012-345", "001080012345", nil},
		{"", "", nil},
		{"!!!", "", nil},
		{"An 1980", "", []string{"an", "1980"}},
	}
	for _, tt := range tests {
		p, err := parseText(tt.in)
		if err != nil {
			t.Fatalf("parseText(%q): %v", tt.in, err)
		}
		var folded []string
		for _, s := range p.syl {
			folded = append(folded, s.folded)
		}
		if p.number != tt.number || strings.Join(folded, " ") != strings.Join(tt.folded, " ") {
			t.Errorf("parseText(%q) = %q %q, want %q %q", tt.in, p.number, folded, tt.number, tt.folded)
		}
	}
	p, _ := parseText("Hoà Nguyen Đuc")
	if s := p.syl[0]; s.canon != "hòa" || s.toneless != "hoa" || s.tone == vntext.ToneNone || s.marked {
		t.Errorf("Hoà: %+v", s)
	}
	if s := p.syl[1]; s.diacritics() {
		t.Errorf("Nguyen should carry no diacritics: %+v", s)
	}
	if s := p.syl[2]; !s.marked || s.tone != vntext.ToneNone {
		t.Errorf("Đuc: %+v", s)
	}
}

func TestAgrees(t *testing.T) {
	tests := []struct {
		q, m   string
		prefix bool
		want   bool
	}{
		{"hòa", "hòa", false, true}, {"hoà", "hòa", false, true}, {"hòa", "hoa", false, false},
		{"hoa", "hóa", false, true}, {"đuc", "đức", false, true}, {"đuc", "dục", false, false},
		{"nguyên", "nguyễn", false, true}, {"nguyẽn", "nguyễn", false, true}, {"nguyèn", "nguyễn", false, false},
		{"thà", "thành", true, true}, {"thá", "thành", true, false}, {"tha", "thạnh", true, true},
	}
	for _, tt := range tests {
		p, _ := parseText(tt.q)
		toneless, tone := vntext.SplitTone(vntext.Canon(tt.m))
		if got := agrees(p.syl[0], &canonSyl{toneless: toneless, tone: tone}, tt.prefix); got != tt.want {
			t.Errorf("agrees(%q, %q, %v) = %v, want %v", tt.q, tt.m, tt.prefix, got, tt.want)
		}
	}
}

func TestWithin1(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"nguyen", "nguyen", true}, {"nguyen", "nguyn", true}, {"nguyen", "ngyuen", true}, {"nguyen", "nguyxn", true},
		{"nguyen", "nguyenx", true}, {"nguyen", "xnguyen", true}, {"nguyen", "ngyun", false}, {"hung", "dung", true},
		{"hung", "hugn", true}, {"hung", "uhgn", false}, {"", "a", true}, {"ab", "ba", true}, {"abc", "cab", false},
	} {
		if got := within1(c.a, c.b); got != c.want {
			t.Errorf("within1(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := within1(c.b, c.a); got != c.want {
			t.Errorf("within1(%q, %q) = %v, want %v", c.b, c.a, got, c.want)
		}
	}
}

func TestAssign(t *testing.T) {
	// Term 0 accepts syllables 0 and 1, term 1 only 0: a greedy pass would fail.
	accepts := [][]bool{{true, true}, {true, false}}
	var m [MaxSyllables]int
	if !assign(2, 2, func(i, j int) bool { return accepts[i][j] }, m[:]) || m[0] != 1 || m[1] != 0 {
		t.Errorf("assign = %v", m[:2])
	}
	if assign(2, 1, func(i, j int) bool { return true }, m[:]) {
		t.Error("two terms cannot share one syllable")
	}
}

func FuzzParseText(f *testing.F) {
	for _, s := range []string{"Nguyễn Thị Hoà", "00012345", "001 080-012.345", "Qúy", "a\u0301\u0301", "\xff", "H'Hen Niê", "  ", "1a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Query{Text: s}
		if err := q.normalize(); err != nil {
			return
		}
		p, err := parseText(q.Text)
		if err != nil {
			return
		}
		if p.number != "" && len(p.syl) > 0 {
			t.Fatalf("%q: both a number and a name", s)
		}
		if len(p.syl) > MaxSyllables || len(p.number) > MaxDigits {
			t.Fatalf("%q: over the limits: %d syllables, %d digits", s, len(p.syl), len(p.number))
		}
		for _, sy := range p.syl {
			if sy.folded == "" || sy.folded != vntext.Fold(sy.canon) || !utf8.ValidString(sy.canon) {
				t.Fatalf("%q: bad syllable %+v", s, sy)
			}
			if strings.ContainsAny(sy.folded, " \t") {
				t.Fatalf("%q: folded syllable with a space: %q", s, sy.folded)
			}
			if vntext.Canon(sy.canon) != sy.canon {
				t.Fatalf("%q: syllable %q is not canonical", s, sy.canon)
			}
		}
	})
}
