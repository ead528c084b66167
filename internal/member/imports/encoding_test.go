package imports

import (
	"bytes"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// vietnameseLetters returns the 67 lower-case and 67 upper-case precomposed Vietnamese
// letters (every vowel with every tone, and đ), built from their parts rather than typed.
func vietnameseLetters() (lower, upper []rune) {
	bases := []string{"a", "a\u0306", "a\u0302", "e", "e\u0302", "i", "o", "o\u0302", "o\u031b", "u", "u\u031b", "y"}
	tones := []string{"", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"}
	for _, b := range bases {
		for _, t := range tones {
			s := norm.NFC.String(b + t)
			if len([]rune(s)) != 1 {
				panic("not precomposed: " + s)
			}
			r := []rune(s)[0]
			if r < 0x80 {
				continue // a e i o u y themselves
			}
			lower = append(lower, r)
			upper = append(upper, unicode.ToUpper(r))
		}
	}
	return append(lower, 'đ'), append(upper, 'Đ')
}

// The capitals TCVN3 has no byte for (VN1 keeps them in the C0 control range).
const tcvn3NoByte = "ÚỤỪỬỮỨỰỲỶỸÝỴ"

func TestTCVN3Letters(t *testing.T) {
	lower, upper := vietnameseLetters()
	if len(lower) != 67 || len(upper) != 67 {
		t.Fatalf("built %d lower-case and %d upper-case letters, want 67 each", len(lower), len(upper))
	}
	for _, set := range [][]rune{lower, upper} {
		for _, r := range set {
			b, ok := encodeTCVN3(string(r))
			if !ok {
				t.Errorf("%c (%U) cannot be written in TCVN3", r, r)
				continue
			}
			switch single := len(b) == 1; {
			case strings.ContainsRune(tcvn3NoByte, r) && single:
				t.Errorf("%c has byte %#x, but TCVN3 has none for it", r, b[0])
			case !strings.ContainsRune(tcvn3NoByte, r) && !single:
				t.Errorf("%c is written % x, want one byte", r, b)
			}
			if got, bad := tcvn3Table.decode(b); got != string(r) || bad >= 0 {
				t.Errorf("%c → % x → %q", r, b, got)
			}
		}
	}
	// Each letter has exactly one byte: no two bytes decode to the same letter.
	seen := map[rune]int{}
	for i := 0x80; i < 0x100; i++ {
		if prev, dup := seen[tcvn3Table[i]]; dup {
			t.Errorf("bytes %#x and %#x both decode to %c", prev, i, tcvn3Table[i])
		}
		seen[tcvn3Table[i]] = i
	}
}

// latin1 returns the bytes whose Latin-1 reading is s: how TCVN3 text looks when opened
// without its font ("NguyÔn V¨n An"), the way people recognize it.
func latin1(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF {
			panic("not Latin-1: " + string(r))
		}
		b = append(b, byte(r))
	}
	return b
}

func TestTCVN3Decode(t *testing.T) {
	cases := []struct{ seen, want string }{
		{"NguyÔn V¨n An", "Nguyễn Văn An"},
		{"§¶ng Céng s¶n ViÖt Nam", "Đảng Cộng sản Việt Nam"},
		{"Hå ChÝ Minh", "Hồ Chí Minh"},
		{"Tr\u00adêng", "Trường"},
		{"Hä vµ tªn", "Họ và tên"},
		{"Ngµy sinh", "Ngày sinh"},
		{"Giíi tÝnh", "Giới tính"},
		{"Sè thÎ ®¶ng viªn", "Số thẻ đảng viên"},
		{"M· ®¬n vÞ", "Mã đơn vị"},
		{"Ngµy vµo §¶ng", "Ngày vào Đảng"},
		{"Quª qu¸n", "Quê quán"},
		{"N¬i ë hiÖn nay", "Nơi ở hiện nay"},
		{"D©n téc", "Dân tộc"},
		{"T«n gi¸o", "Tôn giáo"},
		{"Chøc vô", "Chức vụ"},
		{"Tr×nh ®é häc vÊn", "Trình độ học vấn"},
		{"Lý luËn chÝnh trÞ", "Lý luận chính trị"},
		{"Tr¹ng th¸i", "Trạng thái"},
		{"Th¾ng, H»ng, Ch½n, MÆt, Lùc, Mü, Kú, Hîp", "Thắng, Hằng, Chẵn, Mặt, Lực, Mỹ, Kỳ, Hợp"},
		{"KiÓm, §iÒu, XÐt, VÏ, KÑo, LÜ, Nh÷ng, Cña", "Kiểm, Điều, Xét, Vẽ, Kẹo, Lĩ, Những, Của"},
		{"Nam", "Nam"},
	}
	for _, c := range cases {
		got, bad := tcvn3Table.decode(latin1(c.seen))
		if got != c.want || bad >= 0 {
			t.Errorf("decode(%q) = %q, want %q", c.seen, got, c.want)
		}
		if b, ok := encodeTCVN3(c.want); !ok || !bytes.Equal(b, latin1(c.seen)) {
			t.Errorf("encode(%q) = %q, want %q", c.want, b, latin1(c.seen))
		}
	}
	// A capital TCVN3 lacks is written with a combining tone and comes back whole.
	b, ok := encodeTCVN3("ÚT Ỵ")
	if got, _ := tcvn3Table.decode(b); !ok || got != "ÚT Ỵ" {
		t.Errorf("ÚT Ỵ → % x → %q", b, got)
	}
}

func TestTCVN3EveryByte(t *testing.T) {
	for i := 0x20; i < 0x100; i++ {
		if i == 0x7F {
			continue
		}
		s, bad := tcvn3Table.decode([]byte{byte(i)})
		if bad >= 0 {
			t.Errorf("byte %#x is unassigned", i)
			continue
		}
		if b, ok := encodeTCVN3(s); !ok || !bytes.Equal(b, []byte{byte(i)}) {
			t.Errorf("byte %#x → %q → % x", i, s, b)
		}
	}
}

// encodeCP1258 writes NFC text in Windows-1258 the way Windows does: a precomposed letter
// where the code page has it, else the letter without its tone and a combining tone mark.
func encodeCP1258(t testing.TB, s string) []byte {
	b, ok := encodeWith(s, charmap.Windows1258.EncodeRune)
	if !ok {
		t.Fatalf("%q has no Windows-1258 spelling", s)
	}
	return b
}

func TestCP1258(t *testing.T) {
	lower, upper := vietnameseLetters()
	all := string(lower) + " " + string(upper) + " Nguyễn Thị Thuỷ, Đặng Hữu Phước"
	b := encodeCP1258(t, all)
	if bytes.IndexByte(b, 0xEC) < 0 || bytes.IndexByte(b, 0xDE) < 0 {
		t.Fatalf("test encoding has no combining tone marks: % x", b)
	}
	got, bad := cp1258Table.decode(b)
	if got != all || bad >= 0 {
		t.Errorf("cp1258 round trip:\n got %q\nwant %q", got, all)
	}
	if _, bad := cp1258Table.decode([]byte("a\x81b")); bad != 1 {
		t.Errorf("unassigned byte 0x81 not reported (bad = %d)", bad)
	}
}

func TestIsVietnameseWord(t *testing.T) {
	good := []string{"Nguyễn", "văn", "AN", "Hoà", "Hòa", "Thuỷ", "Thủy", "người", "Trường", "khuyến", "giường", "quốc", "Đảng", "ĐẢNG", "yến", "ngoẹo"}
	bad := []string{"Nguyờịn", "NguyÔn", "V¨n", "xyz", "Ha\u0301\u0300", "ĐảNG", "Ngu©n", "strč", "é€"}
	for _, w := range good {
		if !isVietnameseWord(w) {
			t.Errorf("%q should be a Vietnamese syllable", w)
		}
	}
	for _, w := range bad {
		if isVietnameseWord(w) {
			t.Errorf("%q should not be a Vietnamese syllable", w)
		}
	}
}

const vietnameseText = `Họ và tên,Giới tính,Quê quán
Nguyễn Văn Hùng,Nam,"Xã Phù Chẩn, Từ Sơn, Bắc Ninh"
Trần Thị Thu Hằng,Nữ,"Phường Đình Bảng, Từ Sơn"
Lê Quang Minh,Nam,"Xã Đông Thọ, Yên Phong"
Phạm Thị Hoà,Nữ,Hà Nội
`

func TestDetectEncoding(t *testing.T) {
	tcvn, ok := encodeTCVN3(vietnameseText)
	if !ok {
		t.Fatal("sample text not encodable in TCVN3")
	}
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"windows-1258", encodeCP1258(t, vietnameseText), EncodingCP1258},
		{"tcvn3", tcvn, EncodingTCVN3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if validUTF8Prefix(c.b) {
				t.Fatal("legacy sample is valid UTF-8")
			}
			got, err := detectLegacy(c.b)
			if err != nil || got != c.want {
				t.Errorf("detectLegacy = %q, %v; want %q", got, err, c.want)
			}
		})
	}
	if _, err := detectLegacy([]byte("\x01\x02 \xff\xfe\xfd \x80\x81\x82 \xa4\xa6")); err == nil {
		t.Error("binary noise detected as an encoding")
	}
	if !validUTF8Prefix([]byte("Nguyễn")[:7]) {
		t.Error("UTF-8 cut inside a rune should pass as a prefix")
	}
	if validUTF8Prefix([]byte("Nguy\xd4n")) {
		t.Error("TCVN3 byte accepted as UTF-8")
	}
}

func TestFontTCVN3(t *testing.T) {
	// Excel holds text typed in .VnTime fonts as the ANSI reading of TCVN3 bytes.
	typed := string(charmapDecode(charmap.Windows1252, mustTCVN3(t, "Nguyễn Văn Hùng")))
	if typed == "Nguyễn Văn Hùng" {
		t.Fatal("test text unchanged")
	}
	got, ok := fromANSIFontText(typed)
	if !ok || got != "Nguyễn Văn Hùng" {
		t.Errorf("fromANSIFontText(%q) = %q, %v", typed, got, ok)
	}
	if !fontTCVN3Likely([][]string{{typed, "Hä vµ tªn"}}) {
		t.Error("TCVN3 font text not recognized")
	}
	if fontTCVN3Likely([][]string{{"Nguyễn Văn Hùng", "Họ và tên", "Café"}}) {
		t.Error("Unicode text taken for TCVN3 font text")
	}
}

func mustTCVN3(t testing.TB, s string) []byte {
	b, ok := encodeTCVN3(s)
	if !ok {
		t.Fatalf("%q not encodable in TCVN3", s)
	}
	return b
}

func charmapDecode(cm *charmap.Charmap, b []byte) []byte {
	out, err := cm.NewDecoder().Bytes(b)
	if err != nil {
		panic(err)
	}
	return out
}

func TestParseEncoding(t *testing.T) {
	for in, want := range map[string]string{"": "", "auto": "", "UTF8": EncodingUTF8, "cp1258": EncodingCP1258, "Windows-1258": EncodingCP1258, "TCVN3": EncodingTCVN3, "abc": EncodingTCVN3} {
		if got, err := ParseEncoding(in); err != nil || got != want {
			t.Errorf("ParseEncoding(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseEncoding("vni"); err == nil {
		t.Error("VNI accepted")
	}
}

// FuzzTCVN3 checks that decoding gives NFC text that encodes back to bytes decoding to
// the same text (the byte sequence itself may change: "a" + acute becomes "á").
func FuzzTCVN3(f *testing.F) {
	f.Add([]byte("NguyÔn V¨n An"))
	f.Add(latin1("§¶ng Céng s¶n ViÖt Nam"))
	f.Add([]byte("U\xb3 A\xb0\xb3 \xa0\xb4"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, bad := tcvn3Table.decode(b)
		if bad >= 0 {
			return
		}
		if !norm.NFC.IsNormalString(s) {
			t.Fatalf("decode(% x) = %q is not NFC", b, s)
		}
		if strings.ContainsRune(s, '\u034f') {
			return // over 30 marks in a row: NFC inserted a grapheme joiner, which has no byte
		}
		b2, ok := encodeTCVN3(s)
		if !ok {
			t.Fatalf("decode(% x) = %q cannot be encoded", b, s)
		}
		if s2, _ := tcvn3Table.decode(b2); s2 != s {
			t.Fatalf("% x → %q → % x → %q", b, s, b2, s2)
		}
	})
}

// FuzzCP1258 checks the same of Windows-1258.
func FuzzCP1258(f *testing.F) {
	f.Add([]byte("Nguy\xeann V\xe3n"))
	f.Add([]byte("a\xcc\xec e\xde"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, bad := cp1258Table.decode(b)
		if bad >= 0 {
			return
		}
		if !norm.NFC.IsNormalString(s) {
			t.Fatalf("decode(% x) = %q is not NFC", b, s)
		}
		if strings.ContainsRune(s, '\u034f') {
			return // over 30 marks in a row: NFC inserted a grapheme joiner, which has no byte
		}
		b2, ok := encodeWith(s, charmap.Windows1258.EncodeRune)
		if !ok {
			t.Fatalf("decode(% x) = %q, which Windows-1258 cannot spell", b, s)
		}
		if s2, _ := cp1258Table.decode(b2); s2 != s {
			t.Fatalf("% x → %q → % x → %q", b, s, b2, s2)
		}
	})
}
