package vntext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Tone marks as combining characters (NFD). A Vietnamese syllable carries at most one.
const (
	toneGrave = '\u0300' // huyền
	toneAcute = '\u0301' // sắc
	toneTilde = '\u0303' // ngã
	toneHook  = '\u0309' // hỏi
	toneDot   = '\u0323' // nặng
)

// Vowel-quality marks: they make â ê ô (circumflex), ă (breve), ơ ư (horn).
const (
	markCircumflex = '\u0302'
	markBreve      = '\u0306'
	markHorn       = '\u031B'
)

// Tone is the tone of a syllable: 0 for none (thanh ngang), then huyền, sắc, hỏi, ngã, nặng.
type Tone uint8

// Tones of a Vietnamese syllable.
const (
	ToneNone Tone = iota
	ToneGrave
	ToneAcute
	ToneHook
	ToneTilde
	ToneDot
)

func toneOf(r rune) Tone {
	switch r {
	case toneGrave:
		return ToneGrave
	case toneAcute:
		return ToneAcute
	case toneHook:
		return ToneHook
	case toneTilde:
		return ToneTilde
	case toneDot:
		return ToneDot
	}
	return ToneNone
}

// Canon returns s in NFC with one canonical tone-mark placement per syllable, so that the
// two spellings in use meet: "Hoà" and "Hòa", "Thuỷ" and "Thủy", "Khoẻ" and "Khỏe", "Qúy"
// and "Quý" give the same string. Case and everything that is not a Vietnamese syllable
// are kept as they are.
//
// The placement is the traditional one, found in most official documents and names:
//   - on the vowel with a quality mark (â ê ô ơ ư ă), the last one when there are two
//     ("người", "rượu");
//   - otherwise, when a final consonant follows, on the last vowel ("hoàng", "huỳnh");
//   - otherwise, in an open syllable, on the first of two vowels ("hòa", "khỏe", "thủy",
//     "mái") and on the middle of three ("ngoài", "khuỷu").
//
// The u of "qu" and the i of "gi" (before another vowel) belong to the initial consonant,
// so "quý", "quả", "già", "giữ" carry the tone on the following vowel. A word with more than
// one tone mark, marks that are not Vietnamese, or letters outside the Vietnamese alphabet is
// only normalized to NFC.
func Canon(s string) string {
	if isASCII(s) {
		return s // no marks: nothing to place
	}
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d) + 4)
	for i := 0; i < len(d); {
		r, n := utf8.DecodeRuneInString(d[i:])
		if !unicode.IsLetter(r) {
			b.WriteString(d[i : i+n])
			i += n
			continue
		}
		j := i + n
		for j < len(d) {
			r2, n2 := utf8.DecodeRuneInString(d[j:])
			if !unicode.IsLetter(r2) && !unicode.Is(unicode.Mn, r2) {
				break
			}
			j += n2
		}
		canonWord(&b, d[i:j])
		i = j
	}
	return norm.NFC.String(b.String())
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// letter is one base letter of a word in NFD with its vowel-quality mark, if any.
type letter struct {
	base    rune // as written (case kept)
	lower   rune
	quality rune // 0, markCircumflex, markBreve or markHorn
}

func isVowel(r rune) bool {
	switch r {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

func isVietLetter(r rune) bool { return (r >= 'a' && r <= 'z') || r == 'đ' }

// canonWord writes one word (NFD: letters and combining marks) with its tone mark moved to
// the canonical vowel, or unchanged when it is not a syllable whose tone can be placed.
func canonWord(b *strings.Builder, w string) {
	var buf [16]letter
	letters := buf[:0]
	tone := rune(0)
	tones := 0
	for _, r := range w {
		if unicode.Is(unicode.Mn, r) {
			switch {
			case toneOf(r) != ToneNone:
				tone = r
				tones++
			case (r == markCircumflex || r == markBreve || r == markHorn) && len(letters) > 0 && letters[len(letters)-1].quality == 0:
				l := &letters[len(letters)-1]
				if !qualityFits(l.lower, r) {
					b.WriteString(w)
					return
				}
				l.quality = r
			default:
				b.WriteString(w) // a mark Vietnamese does not use, or two on one letter
				return
			}
			continue
		}
		lr := unicode.ToLower(r)
		if !isVietLetter(lr) {
			b.WriteString(w)
			return
		}
		letters = append(letters, letter{base: r, lower: lr})
	}
	at := -1
	if tones == 1 {
		at = tonePosition(letters)
	}
	if at < 0 {
		b.WriteString(w)
		return
	}
	for i, l := range letters {
		b.WriteRune(l.base)
		if l.quality != 0 {
			b.WriteRune(l.quality)
		}
		if i == at {
			b.WriteRune(tone)
		}
	}
}

func qualityFits(v, mark rune) bool {
	switch mark {
	case markCircumflex:
		return v == 'a' || v == 'e' || v == 'o'
	case markBreve:
		return v == 'a'
	case markHorn:
		return v == 'o' || v == 'u'
	}
	return false
}

// tonePosition returns the index of the letter that carries the tone, or -1 when the word
// is not shaped like one Vietnamese syllable (initial consonants, one to three vowels, final
// consonants).
func tonePosition(ls []letter) int {
	n := len(ls)
	i := 0
	for i < n && !isVowel(ls[i].lower) {
		i++
	}
	if i == n {
		return -1
	}
	// "qu": the u belongs to the initial when another vowel follows.
	if i > 0 && ls[i-1].lower == 'q' && ls[i].lower == 'u' && ls[i].quality == 0 && i+1 < n && isVowel(ls[i+1].lower) {
		i++
	}
	// "gi": the i belongs to the initial when another vowel follows ("gia", "giữ"), not in
	// "gì", "gìn".
	if i == 1 && ls[0].lower == 'g' && ls[1].lower == 'i' && i+1 < n && isVowel(ls[2].lower) {
		i++
	}
	j := i
	for j < n && isVowel(ls[j].lower) {
		j++
	}
	for k := j; k < n; k++ {
		if isVowel(ls[k].lower) {
			return -1 // vowels after consonants after vowels: not one syllable
		}
	}
	nucleus := j - i
	if nucleus > 3 {
		return -1
	}
	for k := j - 1; k >= i; k-- {
		if ls[k].quality != 0 {
			return k
		}
	}
	switch {
	case nucleus == 1:
		return i
	case j < n: // a final consonant follows
		return j - 1
	case nucleus == 2:
		return i
	}
	return i + 1
}

// Syllables returns the words of s in NFC: the runs of letters (with their marks) and digits,
// as Fold separates them. "Nguyễn Văn-An" → ["Nguyễn", "Văn", "An"].
func Syllables(s string) []string {
	s = norm.NFC.String(s)
	var out []string
	start := -1
	for i, r := range s {
		in := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, s[start:i])
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// SplitTone returns a syllable lower-cased, in NFC, without its tone mark (quality marks
// kept: "Nguyễn" → "nguyên"), and the tone it carried (ToneNone when it had none or more
// than one).
func SplitTone(s string) (string, Tone) {
	d := norm.NFD.String(strings.ToLower(s))
	tone, tones := ToneNone, 0
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if t := toneOf(r); t != ToneNone {
			tone = t
			tones++
			continue
		}
		b.WriteRune(r)
	}
	if tones != 1 {
		tone = ToneNone
	}
	return norm.NFC.String(b.String()), tone
}
