package ocr

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// linesOf makes OCR lines from text: one line per text line, words split on spaces, every
// word with the given confidence.
func linesOf(text string, conf float64) []Line {
	var out []Line
	for _, l := range strings.Split(text, "\n") {
		var ws []Word
		for _, w := range strings.Fields(l) {
			ws = append(ws, Word{Text: w, Conf: conf})
		}
		if len(ws) > 0 {
			out = append(out, Line{Words: ws})
		}
	}
	return out
}

func TestExtract(t *testing.T) {
	tests := []struct {
		name string
		text string
		want map[string]string
	}{
		{"the form as printed", testForms[0].text(), testForms[0].want},
		{"numbered labels, dot leaders, capitals",
			"1. Họ và tên: ....NGUYỄN THỊ HÒA....\n2. Ngày sinh: ngày 17 tháng 05 năm 1980\n3. Số thẻ đảng viên: 000 123 45",
			map[string]string{"full_name": "Nguyễn Thị Hòa", "birth_date": "1980-05-17", "card_number": "00012345"}},
		{"OCR noise in labels and digits",
			"Ho va tèn: Trần Văn Thưởng\nNgảy sinh: O2/11/l975\nSố thẽ đảng viên: 1O2O3O4O\nSo CCCD: 046 075 OO9 876\nGiói tính: Nam",
			map[string]string{"full_name": "Trần Văn Thưởng", "birth_date": "1975-11-02", "card_number": "10203040",
				"id_number": "046075009876", "gender": "male"}},
		{"colon read as semicolon, no space after it",
			"Họ và tên;Lò Thị Mỷ\nDân tộc:Thai\nTôn giáo: Khong",
			map[string]string{"full_name": "Lò Thị Mỷ", "ethnicity": "Thái", "religion": "Không"}},
		{"admission and official dates apart",
			"Ngày vào Đảng: 26/03/2005\nNgày vào Đảng chính thức: 26-3-2006",
			map[string]string{"admission_date": "2005-03-26", "official_date": "2006-03-26"}},
		{"three fields on one line",
			"Giới tính: Nữ   Dân tộc: Kinh   Tôn giáo: Phật giáo",
			map[string]string{"gender": "female", "ethnicity": "Kinh", "religion": "Phật giáo"}},
		{"a label without its colon",
			"Ngày sinh 17/05/1980",
			map[string]string{"birth_date": "1980-05-17"}},
		{"fields the record does not keep stay out of their neighbours",
			"Nơi sinh: Hà Nội   Quê quán: Bắc Ninh",
			map[string]string{"hometown": "Bắc Ninh"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Extract(linesOf(tt.text, 95))
			for k, want := range tt.want {
				if got[k].Value != want {
					t.Errorf("%s = %q (raw %q), want %q", k, got[k].Value, got[k].Raw, want)
				}
			}
			if tt.name == "fields the record does not keep stay out of their neighbours" && len(got) != 1 {
				t.Errorf("got %v, want hometown only", got)
			}
		})
	}
}

func TestExtractNothing(t *testing.T) {
	for _, text := range []string{"", "PHIẾU ĐẢNG VIÊN", "Lorem ipsum dolor sit amet", ": : :", "Họ và tên:"} {
		if got := Extract(linesOf(text, 90)); len(got) != 0 {
			t.Errorf("Extract(%q) = %v, want nothing", text, got)
		}
	}
}

func TestConfidence(t *testing.T) {
	sure := Extract(linesOf("Ngày sinh: 17/05/1980\nSố thẻ đảng viên: 00012345", 96))
	unsure := Extract(linesOf("Ngày sinh: 17/05/1980\nSố thẻ đảng viên: 00012345", 55))
	fixed := Extract(linesOf("Ngày sinh: l7/O5/1980\nSố thẻ đảng viên: OOO12345", 96))
	wrong := Extract(linesOf("Ngày sinh: 31/02/1980\nSố thẻ đảng viên: 12345", 96))
	for _, k := range []string{"birth_date", "card_number"} {
		if sure[k].Conf < LowConfidence {
			t.Errorf("%s read well: confidence %.2f, want ≥ %.2f", k, sure[k].Conf, LowConfidence)
		}
		for name, f := range map[string]Fields{"low word confidence": unsure, "invalid value": wrong} {
			if f[k].Conf >= LowConfidence {
				t.Errorf("%s with %s: confidence %.2f, want < %.2f", k, name, f[k].Conf, LowConfidence)
			}
		}
		if !(fixed[k].Conf < sure[k].Conf) {
			t.Errorf("%s corrected from look-alike letters: confidence %.2f, want below %.2f", k, fixed[k].Conf, sure[k].Conf)
		}
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"17/05/1980": "1980-05-17", "17-5-1980": "1980-05-17", "17.05.1980": "1980-05-17", "17 05 1980": "1980-05-17",
		"17051980": "1980-05-17", "ngày 17 tháng 5 năm 1980": "1980-05-17", "Ngày 1 tháng 12 năm 2001.": "2001-12-01",
		"l7/O5/198O": "1980-05-17", "29/02/2000": "2000-02-29",
	} {
		if got, v := parseDate(in); got != want || v < 0.8 {
			t.Errorf("parseDate(%q) = %q, %.2f; want %q", in, got, v, want)
		}
	}
	for _, in := range []string{"29/02/2001", "32/01/1980", "17/13/1980", "17/05/80", "không rõ", "", "1/1/1800"} {
		if _, v := parseDate(in); v > 0.3 {
			t.Errorf("parseDate(%q): validity %.2f, want low", in, v)
		}
	}
}

func TestParseNumbers(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		valid    bool
		parse    func(string) (string, float64)
	}{
		{"001180012345", "001180012345", true, parseIDNumber},
		{"001 180 012 345", "001180012345", true, parseIDNumber},
		{"OO118OO12345", "001180012345", true, parseIDNumber},
		{"123456789", "123456789", true, parseIDNumber},
		{"12345", "12345", false, parseIDNumber},
		{"00012345", "00012345", true, parseCardNumber},
		{"0001234S", "00012345", true, parseCardNumber},
		{"00012345 cấp ngày 1/1/2006", "00012345", true, parseCardNumber},
		{"abc", "", false, parseCardNumber},
	} {
		got, v := tt.parse(tt.in)
		if got != tt.want || (v >= 0.8) != tt.valid {
			t.Errorf("parse(%q) = %q, %.2f; want %q, valid %v", tt.in, got, v, tt.want, tt.valid)
		}
	}
}

func TestLevenshtein(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"Hòa", "Hoà", 2}, {"Nguyễn", "Nguyen", 1}} {
		if d := levenshtein(tt.a, tt.b); d != tt.d {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", tt.a, tt.b, d, tt.d)
		}
	}
}

func TestParseTSV(t *testing.T) {
	tsv := "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n" +
		"1\t1\t0\t0\t0\t0\t0\t0\t1654\t1000\t-1\t\n" +
		"5\t1\t1\t1\t1\t1\t10\t10\t50\t20\t96.5\tHọ\n" +
		"5\t1\t1\t1\t1\t2\t70\t10\t50\t20\t95\tvà\n" +
		"5\t1\t1\t1\t2\t1\t10\t40\t50\t20\t91\tNgày\n" +
		"5\t1\t1\t1\t2\t2\t10\t40\t50\t20\tx\tbroken\n" +
		"5\t1\t1\t1\t2\t3\t10\t40\t50\t20\t80\t \n"
	lines, err := parseTSV([]byte(tsv))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || lines[0].Text() != "Họ và" || lines[1].Text() != "Ngày" || lines[0].Words[0].Conf != 96.5 {
		t.Fatalf("parseTSV: %+v", lines)
	}
}

// FuzzExtract feeds arbitrary Tesseract output through the TSV parser and the extractor:
// no panic, and every value is valid UTF-8, bounded, with a confidence in [0, 1].
func FuzzExtract(f *testing.F) {
	f.Add([]byte(testForms[0].text()))
	f.Add([]byte("Họ và tên: Nguyễn Thị Hòa   Ngày sinh: l7/O5/198O   Số thẻ: OOO12345"))
	f.Add([]byte("5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\tHọ:\n5\t1\t1\t1\t1\t2\t0\t0\t1\t1\t-1\t::;;\n"))
	f.Add([]byte("Ngày vào Đảng chính thức:: ngày 31 tháng 02 năm 99999999999999999999"))
	f.Add([]byte("\xff\xfe: \x00 ; Dân tộc:\xc3"))
	f.Fuzz(func(t *testing.T, b []byte) {
		lines, err := parseTSV(b)
		if err != nil {
			return
		}
		// The same bytes read as plain text, too: TSV rarely parses from random input.
		lines = append(lines, linesOf(strings.ToValidUTF8(string(b), "?"), 77)...)
		for name, fl := range Extract(lines) {
			if !utf8.ValidString(fl.Value) || !utf8.ValidString(fl.Raw) {
				t.Fatalf("%s: invalid UTF-8 %q", name, fl.Value)
			}
			if utf8.RuneCountInString(fl.Raw) > maxValue || utf8.RuneCountInString(fl.Value) > maxValue {
				t.Fatalf("%s: value longer than %d", name, maxValue)
			}
			if fl.Conf < 0 || fl.Conf > 1 {
				t.Fatalf("%s: confidence %v", name, fl.Conf)
			}
			if strings.HasSuffix(name, "_date") && fl.Conf >= LowConfidence && !isoDateRE.MatchString(fl.Value) {
				t.Fatalf("%s: confident %q is not a date", name, fl.Value)
			}
		}
	})
}

func ExampleExtract() {
	fields := Extract(linesOf("Họ và tên: NGUYỄN THỊ HÒA\nNgày sinh: l7/05/1980\nSố thẻ đảng viên: 000 123 45", 92))
	for _, k := range []string{"full_name", "birth_date", "card_number"} {
		fmt.Printf("%s: %s (%.2f)\n", k, fields[k].Value, fields[k].Conf)
	}
	// Output:
	// full_name: Nguyễn Thị Hòa (0.92)
	// birth_date: 1980-05-17 (0.78)
	// card_number: 00012345 (0.92)
}
