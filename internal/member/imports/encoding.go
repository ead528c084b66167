package imports

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// Text encodings of CSV files (Options.Encoding). UTF-16 is recognized by its byte-order
// mark only; the two legacy 8-bit encodings are those Vietnamese offices used before Unicode.
const (
	EncodingAuto    = ""             // detect: UTF-8 if the text is valid UTF-8, else the legacy encoding whose words read as Vietnamese
	EncodingUTF8    = "utf-8"        // with or without BOM, NFC or NFD
	EncodingCP1258  = "windows-1258" // Windows code page 1258: tone marks as combining characters
	EncodingTCVN3   = "tcvn3"        // TCVN 5712:1993 VN3, the "ABC" fonts (.VnTime)
	encodingUTF16LE = "utf-16le"     // reported when a BOM says so
	encodingUTF16BE = "utf-16be"
)

// ParseEncoding turns a user's name for an encoding into one of the Encoding constants.
func ParseEncoding(name string) (string, error) {
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(name), "_", "-")) {
	case "", "auto":
		return EncodingAuto, nil
	case "utf-8", "utf8", "unicode":
		return EncodingUTF8, nil
	case "windows-1258", "windows1258", "cp1258", "1258", "win1258":
		return EncodingCP1258, nil
	case "tcvn3", "tcvn-3", "tcvn", "abc", "vn3", "tcvn5712", "tcvn-5712":
		return EncodingTCVN3, nil
	}
	return "", fmt.Errorf("unknown encoding %q: use utf-8, windows-1258 or tcvn3", name)
}

// byteTable maps each byte of an 8-bit encoding to a rune; utf8.RuneError marks a byte
// the encoding leaves unassigned.
type byteTable [256]rune

// tcvn3Rows is the upper half of TCVN 5712:1993, eight bytes a row from 0x80.
//
// VN3 (the ABC fonts) assigns 0xA1–0xAE (Ă Â Ê Ô Ơ Ư Đ ă â ê ô ơ ư đ) and sixty
// lower-case toned vowels in 0xB5–0xFE; capitals with tones were drawn with separate
// ".VnTimeH" fonts on the lower-case codes. The bytes VN3 leaves free (0x80–0x9F, 0xAF,
// 0xBA, 0xBF, 0xC0–0xC5, 0xCD, 0xD9–0xDB, 0xE0, 0xF0, 0xFF) decode as in VN1, which puts
// capitals there, and 0xB0–0xB4 as VN1's combining tone marks; the twelve capitals VN1
// keeps in the C0 control range (Ú Ụ Ừ Ử Ữ Ứ Ự Ỳ Ỷ Ỹ Ý Ỵ) are not decoded, since those
// bytes are tab, newline and the like in a CSV file.
var tcvn3Rows = [16]string{
	"ÀẢÃÁẠẶẬÈ",                          // 0x80
	"ẺẼÉẸỆÌỈĨ",                          // 0x88
	"ÍỊÒỎÕÓỌỘ",                          // 0x90
	"ỜỞỠỚỢÙỦŨ",                          // 0x98
	"\u00a0ĂÂÊÔƠƯĐ",                     // 0xA0
	"ăâêôơưđẰ",                          // 0xA8
	"\u0300\u0309\u0303\u0301\u0323àảã", // 0xB0: grave, hook, tilde, acute, dot below
	"áạẲằẳẵắẴ",                          // 0xB8
	"ẮẦẨẪẤỀặầ",                          // 0xC0
	"ẩẫấậèỂẻẽ",                          // 0xC8
	"éẹềểễếệì",                          // 0xD0
	"ỉỄẾỒĩíịò",                          // 0xD8
	"Ổỏõóọồổỗ",                          // 0xE0
	"ốộờởỡớợù",                          // 0xE8
	"Ỗủũúụừửữ",                          // 0xF0
	"ứựỳỷỹýỵỐ",                          // 0xF8
}

var (
	tcvn3Table  = buildTCVN3()
	cp1258Table = buildCharmap(charmap.Windows1258)
	// tcvn3Bytes is the inverse of tcvn3Table for the upper half.
	tcvn3Bytes = invert(&tcvn3Table)
	// ansiBytes maps a rune back to the byte a Windows ANSI code page (1252 or 1258) made
	// it from: spreadsheets typed with TCVN3 fonts hold TCVN3 bytes read as ANSI text.
	ansiBytes = func() map[rune]byte {
		w1252 := buildCharmap(charmap.Windows1252)
		m := invert(&w1252)
		for r, b := range invert(&cp1258Table) {
			if _, ok := m[r]; !ok {
				m[r] = b
			}
		}
		return m
	}()
)

func buildTCVN3() byteTable {
	var t byteTable
	for i := range 128 {
		t[i] = rune(i)
	}
	for row, s := range tcvn3Rows {
		rs := []rune(s)
		if len(rs) != 8 {
			panic(fmt.Sprintf("imports: TCVN3 row %#x has %d runes", 0x80+8*row, len(rs)))
		}
		for i, r := range rs {
			t[0x80+8*row+i] = r
		}
	}
	return t
}

func buildCharmap(cm *charmap.Charmap) byteTable {
	var t byteTable
	for i := range 256 {
		t[i] = cm.DecodeByte(byte(i))
	}
	return t
}

func invert(t *byteTable) map[rune]byte {
	m := make(map[rune]byte, 128)
	for i := 0x80; i < 256; i++ {
		if t[i] != utf8.RuneError {
			m[t[i]] = byte(i)
		}
	}
	return m
}

// decode turns bytes of the table's encoding into NFC text. bad is the index of the first
// byte the encoding leaves unassigned, or -1.
func (t *byteTable) decode(b []byte) (s string, bad int) {
	bad = -1
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b), -1
	}
	var sb strings.Builder
	sb.Grow(len(b) * 2)
	for i, c := range b {
		r := t[c]
		if r == utf8.RuneError && bad < 0 {
			bad = i
		}
		sb.WriteRune(r)
	}
	return norm.NFC.String(sb.String()), bad
}

// encodeTCVN3 is the inverse of the TCVN3 decoder for NFC text (see encodeWith). ok is
// false if some rune has no TCVN3 spelling.
func encodeTCVN3(s string) (b []byte, ok bool) {
	return encodeWith(s, func(r rune) (byte, bool) {
		if r < 0x80 {
			return byte(r), true
		}
		c, ok := tcvn3Bytes[r]
		return c, ok
	})
}

// encodeWith writes NFC text in an 8-bit encoding given by one (a rune's byte, if it has
// one). A letter without a byte is written as the letter without one of its combining
// marks, followed by that mark (Ú as U and a combining acute, ệ as ê and a combining dot
// below), choosing a mark that puts the letter back together once decoded and made NFC.
// ok is false if some rune cannot be spelled so.
func encodeWith(s string, one func(rune) (byte, bool)) (b []byte, ok bool) {
	ok = true
	for _, r := range norm.NFC.String(s) {
		var okr bool
		if b, okr = appendRune(b, r, one); !okr {
			ok = false
		}
	}
	return b, ok
}

func appendRune(b []byte, r rune, one func(rune) (byte, bool)) ([]byte, bool) {
	if c, ok := one(r); ok {
		return append(b, c), true
	}
	d := []rune(norm.NFD.String(string(r)))
	for i := len(d) - 1; i >= 1; i-- {
		mark, ok := one(d[i])
		if !ok {
			continue
		}
		head := norm.NFC.String(string(append(d[:i:i], d[i+1:]...)))
		if norm.NFC.String(head+string(d[i])) != string(r) {
			continue
		}
		// head decomposes into fewer code points than r: the recursion ends.
		var hb []byte
		okh := true
		for _, h := range head {
			if hb, okh = appendRune(hb, h, one); !okh {
				break
			}
		}
		if okh {
			return append(append(b, hb...), mark), true
		}
	}
	return b, false
}

func isToneMark(r rune) bool {
	return r == 0x300 || r == 0x301 || r == 0x303 || r == 0x309 || r == 0x323
}

// fromANSIFontText reverses what Excel did to text typed in a TCVN3 font: each rune back
// to its ANSI byte, then those bytes decoded as TCVN3. ok is false when a rune cannot have
// come from such a byte (the text is real Unicode).
func fromANSIFontText(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch c, found := ansiBytes[r]; {
		case r < 0x80:
			b = append(b, byte(r))
		case found:
			b = append(b, c)
		default:
			return s, false
		}
	}
	out, bad := tcvn3Table.decode(b)
	return out, bad < 0
}

// syllableRE is the shape of a Vietnamese syllable once folded (no diacritics, đ → d):
// an initial consonant, a vowel group and a final consonant, each optional but the vowel.
var syllableRE = regexp.MustCompile(`^(b|c|ch|d|g|gh|gi|h|k|kh|l|m|n|ng|ngh|nh|p|ph|qu|r|s|t|th|tr|v|x)?` +
	`(a|ai|ao|au|ay|e|eo|eu|i|ia|ie|ieu|iu|o|oa|oai|oao|oay|oe|oeo|oi|oo|u|ua|uai|uay|ue|ui|uo|uoi|uou|uu|uy|uya|uye|uyu|y|ya|ye|yeu)` +
	`(c|ch|m|n|ng|nh|p|t)?$`)

// isVietnameseWord reports whether w is a plausible Vietnamese syllable: only Vietnamese
// letters, vowel marks on the vowels that take them, at most one tone, no capital after a
// small letter, and the shape of syllableRE.
func isVietnameseWord(w string) bool {
	var folded []byte
	tones := 0
	var base rune // the letter the combining marks that follow sit on
	lower, upperAfterLower := false, false
	for _, r := range norm.NFD.String(w) {
		switch {
		case r < 0x80 && unicode.IsLetter(r), r == 'đ', r == 'Đ':
			if unicode.IsUpper(r) && lower {
				upperAfterLower = true
			}
			lower = lower || unicode.IsLower(r)
			base = unicode.ToLower(r)
			if base == 'đ' {
				folded = append(folded, 'd')
			} else {
				folded = append(folded, byte(base))
			}
		case isToneMark(r):
			if !strings.ContainsRune("aeiouy", base) {
				return false
			}
			tones++
		case r == 0x302: // circumflex: â ê ô
			if !strings.ContainsRune("aeo", base) {
				return false
			}
		case r == 0x306: // breve: ă
			if base != 'a' {
				return false
			}
		case r == 0x31b: // horn: ơ ư
			if base != 'o' && base != 'u' {
				return false
			}
		default:
			return false
		}
	}
	return tones <= 1 && !upperAfterLower && syllableRE.Match(folded)
}

// legacyScore decodes the non-ASCII words of sample with t and returns how many read as
// Vietnamese syllables, out of how many words were tried.
func legacyScore(sample []byte, t *byteTable) (good, total int) {
	isSep := func(c byte) bool { return c < 0x80 && !('a' <= c|0x20 && c|0x20 <= 'z') }
	for i := 0; i < len(sample) && total < 20000; {
		for i < len(sample) && isSep(sample[i]) {
			i++
		}
		j, high := i, false
		for j < len(sample) && !isSep(sample[j]) {
			high = high || sample[j] >= 0x80
			j++
		}
		if high && j-i <= 32 {
			w, bad := t.decode(sample[i:j])
			total++
			if bad < 0 && isVietnameseWord(w) {
				good++
			}
		}
		i = j
	}
	return good, total
}

// detectLegacy chooses between Windows-1258 and TCVN3 for text that is not UTF-8, by
// which one turns more of its words into Vietnamese syllables.
func detectLegacy(sample []byte) (string, error) {
	g1, n := legacyScore(sample, &cp1258Table)
	g2, _ := legacyScore(sample, &tcvn3Table)
	best, good := EncodingCP1258, g1
	if g2 > g1 {
		best, good = EncodingTCVN3, g2
	}
	if n == 0 || good*2 < n {
		return "", fmt.Errorf("the text is not UTF-8 and reads as Vietnamese neither in Windows-1258 (%d of %d words) nor in TCVN3 (%d of %d): save the file as CSV UTF-8 or choose the encoding", g1, n, g2, n)
	}
	return best, nil
}

// validUTF8Prefix reports whether b is valid UTF-8 except perhaps for a rune cut off at
// its end (b is a sample of a longer file).
func validUTF8Prefix(b []byte) bool {
	for k := 0; k < utf8.UTFMax && k < len(b); k++ {
		if utf8.Valid(b[:len(b)-k]) {
			return k == 0 || !utf8.FullRune(b[len(b)-k:])
		}
	}
	return utf8.Valid(b)
}
