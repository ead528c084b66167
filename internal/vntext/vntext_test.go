package vntext

import "testing"

func TestFold(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Nguyễn Thị Thu Hằng", "nguyen thi thu hang"},
		{"  ĐẶNG   văn\tĐức ", "dang van duc"},
		{"Hoà", "hoa"}, {"Hòa", "hoa"}, {"Thuỷ", "thuy"}, {"Thủy", "thuy"},
		{"Nguye\u0302\u0303n", "nguyen"}, // NFD input
		{"Lê-Văn_An (2)", "le van an 2"},
		{"", ""}, {"!!!", ""},
	}
	for _, c := range cases {
		if got := Fold(c.in); got != c.want {
			t.Errorf("Fold(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Nguyễn", "Hoà", "\xff", "a\u0301\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if Fold(got) != got {
			t.Fatalf("Fold not idempotent on %q: %q → %q", s, got, Fold(got))
		}
		for _, r := range got {
			if r >= 0x300 && r <= 0x36f {
				t.Fatalf("combining mark left in %q", got)
			}
		}
	})
}
