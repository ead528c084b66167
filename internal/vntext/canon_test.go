package vntext

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestCanon(t *testing.T) {
	cases := []struct{ in, want string }{
		// The pairs the issue names: both spellings meet on the traditional one.
		{"Hoà", "Hòa"}, {"Hòa", "Hòa"},
		{"Thuỷ", "Thủy"}, {"Thủy", "Thủy"},
		{"Khoẻ", "Khỏe"}, {"Khỏe", "Khỏe"},
		{"Qúy", "Quý"}, {"Quý", "Quý"},
		{"hoá", "hóa"}, {"Hóa", "Hóa"},
		// A final consonant: the tone goes on the last vowel.
		{"Hòang", "Hoàng"}, {"Hoàng", "Hoàng"},
		{"Hùynh", "Huỳnh"}, {"Huỳnh", "Huỳnh"},
		{"tòan", "toàn"},
		// Quality marks win.
		{"Nguyêñ", "Nguyễn"}, {"Nguyễn", "Nguyễn"}, {"Ngũyên", "Nguyễn"},
		{"ngừơi", "người"}, {"rựơu", "rượu"}, {"Thụân", "Thuận"}, {"qúôc", "quốc"},
		{"thủơ", "thuở"}, {"cừu", "cừu"}, {"Tuyết", "Tuyết"}, {"Quỳnh", "Quỳnh"},
		// Three vowels, open: the middle one.
		{"ngòai", "ngoài"}, {"khuyủ", "khuỷu"}, {"xóay", "xoáy"},
		// Two vowels, open: the first one.
		{"maí", "mái"}, {"muà", "mùa"}, {"cuả", "của"}, {"Lụa", "Lụa"}, {"tuí", "túi"},
		// qu and gi initials.
		{"qủa", "quả"}, {"Qùang", "Quàng"}, {"gìa", "già"}, {"giữ", "giữ"}, {"gìn", "gìn"},
		{"Giàng", "Giàng"}, {"giếng", "giếng"},
		// Case is kept.
		{"HOÀ", "HÒA"}, {"THUỶ", "THỦY"}, {"NGUYÊÑ", "NGUYỄN"},
		// Whole names, NFD input, separators kept.
		{"Nguyễn Thị Hoà", "Nguyễn Thị Hòa"},
		{"Nguye\u0302\u0303n Tho\u0309a", "Nguyễn Thỏa"},
		{"Lê-Văn  Thuỷ (2)", "Lê-Văn  Thủy (2)"},
		// Left alone: no tone, foreign words, two tones, non-Vietnamese marks.
		{"", ""}, {"Nguyen Van An", "Nguyen Van An"}, {"H'Mông", "H'Mông"},
		{"Müller", "Müller"}, {"hoàá", "hoàá"}, {"Ksor", "Ksor"}, {"北京", "北京"},
		{"Oánh", "Oánh"}, {"Ý", "Ý"}, {"Yến", "Yến"},
	}
	for _, c := range cases {
		if got := Canon(c.in); got != c.want {
			t.Errorf("Canon(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCanonPairsMeet(t *testing.T) {
	pairs := [][2]string{{"Hoà", "Hòa"}, {"Thuỷ", "Thủy"}, {"Khoẻ", "Khỏe"}, {"Quý", "Qúy"}, {"Thuý", "Thúy"},
		{"Hoè", "Hòe"}, {"Loà", "Lòa"}, {"Xoà", "Xòa"}, {"Tuỳ", "Tùy"}, {"Luỹ", "Lũy"}}
	for _, p := range pairs {
		if a, b := Canon(p[0]), Canon(p[1]); a != b {
			t.Errorf("Canon(%q) = %q, Canon(%q) = %q: want equal", p[0], a, p[1], b)
		}
	}
}

func TestSyllables(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Nguyễn Văn-An", []string{"Nguyễn", "Văn", "An"}},
		{"  Nguye\u0302\u0303n\tThị ", []string{"Nguyễn", "Thị"}},
		{"H'Hen Niê", []string{"H", "Hen", "Niê"}},
		{"", nil}, {"!!", nil}, {"A1 b2", []string{"A1", "b2"}},
	}
	for _, c := range cases {
		if got := Syllables(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Syllables(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSplitTone(t *testing.T) {
	cases := []struct {
		in   string
		base string
		tone Tone
	}{
		{"Nguyễn", "nguyên", ToneTilde}, {"Hòa", "hoa", ToneGrave}, {"Hoà", "hoa", ToneGrave},
		{"Quý", "quy", ToneAcute}, {"Thủy", "thuy", ToneHook}, {"Lụa", "lua", ToneDot},
		{"Văn", "văn", ToneNone}, {"an", "an", ToneNone}, {"hoàá", "hoaa", ToneNone},
	}
	for _, c := range cases {
		base, tone := SplitTone(c.in)
		if base != c.base || tone != c.tone {
			t.Errorf("SplitTone(%q) = %q, %d; want %q, %d", c.in, base, tone, c.base, c.tone)
		}
	}
}

func FuzzCanon(f *testing.F) {
	for _, s := range []string{"Nguyễn Thị Hoà", "Thuỷ", "Qúy", "gìa", "ngừơi", "\xff", "a\u0301\u0301", "HOÀ", "e\u0323\u0302", "Ksor H'Hen"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Canon(s)
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Canon(%q) = %q: invalid UTF-8", s, got)
		}
		if Canon(got) != got {
			t.Fatalf("Canon not idempotent on %q: %q → %q", s, got, Canon(got))
		}
		if !utf8.ValidString(s) {
			return
		}
		if !norm.NFC.IsNormalString(got) {
			t.Fatalf("Canon(%q) = %q is not NFC", s, got)
		}
		// Moving a tone mark changes neither the letters nor the folded key.
		if Fold(got) != Fold(s) {
			t.Fatalf("Fold(Canon(%q)) = %q, Fold = %q", s, Fold(got), Fold(s))
		}
		if strings.ToLower(Canon(s)) != Canon(strings.ToLower(s)) && isLowerStable(s) {
			t.Fatalf("Canon and ToLower do not commute on %q", s)
		}
	})
}

// isLowerStable reports whether lower-casing s keeps its letters one to one (true for
// Vietnamese; false for a few letters such as 'İ' whose lower case is two runes).
func isLowerStable(s string) bool {
	return utf8.RuneCountInString(strings.ToLower(s)) == utf8.RuneCountInString(s) &&
		utf8.RuneCountInString(norm.NFD.String(strings.ToLower(s))) == utf8.RuneCountInString(norm.NFD.String(s))
}
