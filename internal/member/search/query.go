package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"dais/internal/store"
	"dais/internal/vntext"
)

// Query is one search. Text is a name (any diacritics, any tone placement, the last
// syllable possibly cut short), a party card number or a citizen ID number (digits,
// spaces, dots and dashes); the filters narrow it. Text may be empty when a filter is set.
type Query struct {
	Text      string `json:"q"`
	UnitCode  string `json:"unit_code,omitempty"`  // only this unit's subtree
	BirthYear int    `json:"birth_year,omitempty"` // 0: any
	Status    string `json:"status,omitempty"`     // "": any
	Limit     int    `json:"limit,omitempty"`      // 0: DefaultLimit
	Offset    int    `json:"offset,omitempty"`
}

// Limits of a query.
const (
	DefaultLimit = 20
	MaxLimit     = 200
	MaxOffset    = 10_000
	MaxTextRunes = 100
	MaxSyllables = 8
	MaxDigits    = 20
)

// normalize checks q and fills the defaults; errors are EINVALID with the field named.
func (q *Query) normalize() error {
	switch {
	case q.Limit == 0:
		q.Limit = DefaultLimit
	case q.Limit < 0 || q.Limit > MaxLimit:
		return store.Invalid("limit", "search.limit", "limit must be between 1 and %d", MaxLimit)
	}
	if q.Offset < 0 || q.Offset > MaxOffset {
		return store.Invalid("offset", "search.offset", "offset must be between 0 and %d", MaxOffset)
	}
	if q.BirthYear != 0 && (q.BirthYear < 1850 || q.BirthYear > 2200) {
		return store.Invalid("birth_year", "search.birth_year", "birth year must be between 1850 and 2200")
	}
	q.Status = strings.TrimSpace(q.Status)
	if len(q.Status) > 32 || strings.ContainsFunc(q.Status, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r == '_') }) {
		return store.Invalid("status", "search.status", "unknown status")
	}
	q.UnitCode = strings.ToUpper(strings.TrimSpace(q.UnitCode))
	if len(q.UnitCode) > 64 || !utf8.ValidString(q.UnitCode) || strings.ContainsFunc(q.UnitCode, unicode.IsControl) {
		return store.Invalid("unit_code", "search.unit_code", "invalid unit code")
	}
	if !utf8.ValidString(q.Text) || strings.ContainsFunc(q.Text, func(r rune) bool { return unicode.IsControl(r) && r != '\t' }) {
		return store.Invalid("q", "search.text_invalid", "the search text contains invalid characters")
	}
	if utf8.RuneCountInString(q.Text) > MaxTextRunes {
		return store.Invalid("q", "search.text_long", "the search text is too long (at most %d characters)", MaxTextRunes)
	}
	return nil
}

// qsyl is one syllable of a name query, at every level the index compares.
type qsyl struct {
	folded   string      // "nguyen"
	canon    string      // lower case, canonical tone placement: "nguyễn"
	toneless string      // canon without its tone: "nguyên"
	tone     vntext.Tone // ToneNone: not given
	marked   bool        // some letter carries a quality mark or is đ: compare letters
}

// diacritics reports whether the query syllable says more than its folded form.
func (q qsyl) diacritics() bool { return q.tone != vntext.ToneNone || q.marked }

// parsed is a query's text taken apart: a number, or name syllables, or nothing.
type parsed struct {
	number string
	syl    []qsyl
}

// parseText reads the text of a (normalized) query.
func parseText(text string) (parsed, error) {
	text = strings.TrimSpace(norm.NFC.String(text))
	if text == "" {
		return parsed{}, nil
	}
	digits, other := 0, false
	for _, r := range text {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '.' || r == '-' || r == '\t':
		default:
			other = true
		}
	}
	if !other {
		if digits > MaxDigits {
			return parsed{}, store.Invalid("q", "search.number_long", "a card or ID number has at most %d digits", MaxDigits)
		}
		return parsed{number: strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, text)}, nil
	}
	words := vntext.Syllables(text)
	if len(words) > MaxSyllables {
		return parsed{}, store.Invalid("q", "search.too_many_words", "at most %d words", MaxSyllables)
	}
	var p parsed
	for _, w := range words {
		c := strings.ToLower(vntext.Canon(w))
		f := vntext.Fold(c)
		if f == "" {
			continue
		}
		toneless, tone := vntext.SplitTone(c)
		p.syl = append(p.syl, qsyl{folded: f, canon: c, toneless: toneless, tone: tone, marked: toneless != f})
	}
	return p, nil
}

// agrees reports whether a member's syllable m (canonical) fits the diacritics the query
// syllable q gives: its tone, if any, and every letter written with a mark (a letter
// typed without one fits any). With prefix, q may be the start of m.
func agrees(q qsyl, m *canonSyl, prefix bool) bool {
	if q.tone != vntext.ToneNone && q.tone != m.tone {
		return false
	}
	if !q.marked {
		return true
	}
	mt := m.toneless
	for _, qr := range q.toneless {
		if mt == "" {
			return false
		}
		mr, n := utf8.DecodeRuneInString(mt)
		mt = mt[n:]
		if qr >= utf8.RuneSelf && qr != mr {
			return false
		}
	}
	return prefix || mt == ""
}
