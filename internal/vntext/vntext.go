// Package vntext handles Vietnamese text the way search and import need it: folding
// (diacritics, đ, case and spacing removed, so that "Nguyễn Thị Hoà" and "nguyen thi hoa"
// meet), and — in canon.go — one canonical tone placement ("Hoà" and "Hòa" are one name).
package vntext

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold returns s without diacritics, with đ → d, lower-cased, every run of non-letters
// and non-digits turned into one space, trimmed: the key for diacritic-blind matching.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // a combining mark: tone or vowel quality
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			r = unicode.ToLower(r)
		default:
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
