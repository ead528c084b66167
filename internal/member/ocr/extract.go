package ocr

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"dais/internal/vntext"
)

// Field is one value read from a form: parsed (dates YYYY-MM-DD, numbers as digits only),
// the text it was read from, and a confidence from 0 to 1.
type Field struct {
	Value string  `json:"value"`
	Raw   string  `json:"raw"`
	Conf  float64 `json:"conf"`
}

// Fields maps field names (member.Record's JSON names, and "unit_name" for the cell written
// on the form) to what was read.
type Fields map[string]Field

// LowConfidence is the confidence under which a field is flagged for the reviewer.
const LowConfidence = 0.8

// maxValue bounds a field's value: longer is not a form field but a misread paragraph.
const maxValue = 300

// fieldSpec is a field of the form: the labels it is printed under (folded) and how its
// value is parsed. parse returns the value and its validity: 1 for a well-formed value as
// read, less when it was corrected or looks wrong, 0 when nothing usable was read.
type fieldSpec struct {
	name   string
	labels []string
	parse  func(raw string) (string, float64)
}

// specs are the fields of the party member forms (Phiếu đảng viên, Lý lịch đảng viên) and
// of the common variants of their labels. Fields named "" are printed on the forms but not
// part of the record: knowing their labels keeps their values out of the neighbours'.
var specs = []fieldSpec{
	{"full_name", []string{"ho va ten", "ho ten", "ho va ten khai sinh", "ho ten khai sinh"}, parseName},
	{"other_names", []string{"ten goi khac", "ten khac", "bi danh"}, parseText},
	{"gender", []string{"gioi tinh", "nam nu"}, parseGender},
	{"birth_date", []string{"ngay sinh", "sinh ngay", "ngay thang nam sinh"}, parseDate},
	{"hometown", []string{"que quan", "nguyen quan"}, parseText},
	{"residence", []string{"noi o hien nay", "noi thuong tru", "cho o hien nay", "dia chi thuong tru", "noi cu tru", "noi o"}, parseText},
	{"ethnicity", []string{"dan toc"}, parseEthnicity},
	{"religion", []string{"ton giao"}, parseReligion},
	{"id_number", []string{"so cccd", "so can cuoc cong dan", "so can cuoc", "so cmnd", "so cccd cmnd", "so dinh danh ca nhan", "so dinh danh"}, parseIDNumber},
	{"card_number", []string{"so the dang vien", "so the dv", "so the"}, parseCardNumber},
	{"admission_date", []string{"ngay vao dang", "ngay ket nap", "ngay ket nap dang", "ngay vao dang cong san viet nam"}, parseDate},
	{"official_date", []string{"ngay chinh thuc", "ngay vao dang chinh thuc", "ngay tro thanh dang vien chinh thuc", "ngay cong nhan chinh thuc"}, parseDate},
	{"unit_name", []string{"chi bo", "sinh hoat tai chi bo", "chi bo sinh hoat", "don vi", "dang bo"}, parseText},
	{"positions", []string{"chuc vu", "chuc vu hien nay", "chuc vu dang", "chuc vu chinh quyen"}, parseText},
	{"education", []string{"giao duc pho thong", "trinh do giao duc pho thong", "trinh do van hoa", "van hoa"}, parseText},
	{"professional_level", []string{"chuyen mon nghiep vu", "trinh do chuyen mon", "chuyen mon"}, parseText},
	{"theory_level", []string{"ly luan chinh tri", "trinh do ly luan chinh tri", "ly luan"}, parseTheory},
	{"", []string{"noi sinh", "nghe nghiep", "ngay cap", "noi cap", "dien thoai", "so dien thoai", "ngay vao doan", "ngoai ngu", "tin hoc", "hoc ham", "hoc vi"}, nil},
}

// FieldNames lists the fields Extract may return, in form order.
var FieldNames = func() []string {
	var out []string
	for _, s := range specs {
		if s.name != "" {
			out = append(out, s.name)
		}
	}
	return out
}()

// token is a piece of a line: a word, or a colon standing between a label and its value.
type token struct {
	text  string
	conf  float64
	colon bool
}

// tokens splits a line's words at colons (and the semicolons OCR reads for them), keeping
// each word's confidence, and drops dot leaders (".......", "___").
func tokens(l Line) []token {
	var out []token
	for _, w := range l.Words {
		rest := w.Text
		for rest != "" {
			i := strings.IndexAny(rest, ":;")
			if i < 0 {
				out = appendWord(out, rest, w.Conf)
				break
			}
			out = appendWord(out, rest[:i], w.Conf)
			out = append(out, token{colon: true, conf: w.Conf})
			rest = rest[i+1:]
		}
	}
	return out
}

func appendWord(out []token, s string, conf float64) []token {
	s = strings.TrimFunc(s, isLeader)
	if s == "" {
		return out
	}
	return append(out, token{text: s, conf: conf})
}

// isLeader reports whether r is part of the dotted or underlined blank a form prints for
// the value to be written on.
func isLeader(r rune) bool { return r == '.' || r == '_' || r == '…' || r == '-' || r == '·' }

func joinTokens(ts []token) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		if t.colon {
			parts = append(parts, ":")
		} else {
			parts = append(parts, t.text)
		}
	}
	return strings.Join(parts, " ")
}

// labelMatch is the best label for some tokens: the field spec and how far the tokens
// were from it (edits per label character, 0 = exact).
type labelMatch struct {
	spec *fieldSpec
	dist float64
	n    int // tokens used
}

// matchLabel finds the label closest to the folded text, within maxDist edits per
// character. Ties go to the longer label (the more specific one).
func matchLabel(text string, maxDist float64) (labelMatch, bool) {
	f := vntext.Fold(text)
	if utf8.RuneCountInString(f) < 2 {
		return labelMatch{}, false
	}
	best, bestLen, found := labelMatch{dist: 2}, 0, false
	for i := range specs {
		for _, lab := range specs[i].labels {
			// Cheap bound first: the length difference alone is that many edits.
			if d := abs(len(f) - len(lab)); float64(d) > maxDist*float64(len(lab)) {
				continue
			}
			d := float64(levenshtein(f, lab)) / float64(len(lab))
			if d <= maxDist && (d < best.dist || d == best.dist && len(lab) > bestLen) {
				best, bestLen, found = labelMatch{spec: &specs[i], dist: d}, len(lab), true
			}
		}
	}
	return best, found
}

// maxLabelWords is the most words a label has ("ngay tro thanh dang vien chinh thuc": 7).
const maxLabelWords = 7

// Edit distance allowed per label character: before a colon the label's end is known;
// without one the label must be read more exactly to be believed.
const (
	distWithColon    = 0.25
	distWithoutColon = 0.15
)

// suffixLabel finds a label at the end of ts (before a colon): the best match over the
// last 1…7 tokens, so that a number or stray mark before the label ("1.", "a)") is left out.
func suffixLabel(ts []token) (labelMatch, bool) {
	var best labelMatch
	found := false
	for n := 1; n <= min(maxLabelWords, len(ts)); n++ {
		m, ok := matchLabel(joinTokens(ts[len(ts)-n:]), distWithColon)
		if ok && (!found || m.dist < best.dist || m.dist == best.dist && n > best.n) {
			m.n = n
			best, found = m, true
		}
	}
	return best, found
}

// prefixLabel finds a label at the start of a line that has no colon.
func prefixLabel(ts []token) (labelMatch, bool) {
	var best labelMatch
	found := false
	for n := 1; n <= min(maxLabelWords, len(ts)-1); n++ {
		m, ok := matchLabel(joinTokens(ts[:n]), distWithoutColon)
		if ok && (!found || m.dist < best.dist || m.dist == best.dist && n > best.n) {
			m.n = n
			best, found = m, true
		}
	}
	return best, found
}

// candidate is a label found on a line with the tokens of its value.
type candidate struct {
	label labelMatch
	value []token
}

// lineCandidates finds the labels on one line and their values. A line may hold several
// fields ("Giới tính: Nữ   Dân tộc: Kinh"): each colon ends a label, whose words are the
// tail of the text before it; the value runs to the next label.
func lineCandidates(l Line) []candidate {
	ts := tokens(l)
	var colons []int
	for i, t := range ts {
		if t.colon {
			colons = append(colons, i)
		}
	}
	if len(colons) == 0 {
		if m, ok := prefixLabel(ts); ok {
			return []candidate{{label: m, value: ts[m.n:]}}
		}
		return nil
	}
	var out []candidate
	start := 0 // where the text not yet given to a value begins
	for _, c := range colons {
		m, ok := suffixLabel(ts[start:c])
		if !ok {
			continue // a colon inside a value, or a label we do not know
		}
		if len(out) > 0 {
			prev := &out[len(out)-1]
			prev.value = ts[start : c-m.n]
		}
		out = append(out, candidate{label: m})
		start = c + 1
	}
	if len(out) > 0 {
		out[len(out)-1].value = ts[start:]
	}
	// Values keep no colons: one left inside is a misread mark, not a separator.
	for i := range out {
		v := out[i].value[:0:0]
		for _, t := range out[i].value {
			if !t.colon {
				v = append(v, t)
			}
		}
		out[i].value = v
	}
	return out
}

// Extract reads the form's fields from OCR lines. Each field is taken from the line where
// it was read with the highest confidence; fields not found are absent.
func Extract(lines []Line) Fields {
	out := Fields{}
	for _, l := range lines {
		for _, c := range lineCandidates(l) {
			if c.label.spec.name == "" || len(c.value) == 0 {
				continue
			}
			raw := joinTokens(c.value)
			if utf8.RuneCountInString(raw) > maxValue {
				raw = string([]rune(raw)[:maxValue])
			}
			value, validity := c.label.spec.parse(raw)
			f := Field{Value: value, Raw: raw, Conf: round2(validity * wordConf(c.value) * (1 - c.label.dist))}
			if prev, seen := out[c.label.spec.name]; !seen || f.Conf > prev.Conf {
				out[c.label.spec.name] = f
			}
		}
	}
	return out
}

// wordConf is Tesseract's confidence in some tokens, 0–1: their mean weighted by length.
func wordConf(ts []token) float64 {
	var sum, n float64
	for _, t := range ts {
		k := float64(utf8.RuneCountInString(t.text))
		sum += t.conf * k
		n += k
	}
	if n == 0 {
		return 0
	}
	return sum / n / 100
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// cleanText trims a value: NFC, single spaces, no leading or trailing punctuation.
func cleanText(raw string) string {
	s := strings.Join(strings.Fields(norm.NFC.String(raw)), " ")
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsPunct(r) && r != ')' && r != '"' || unicode.IsSymbol(r) || unicode.IsSpace(r)
	})
}

// plausible is the validity of free text: letters and digits should dominate; OCR noise
// is mostly marks and symbols.
func plausible(s string) float64 {
	if s == "" {
		return 0
	}
	var good, all int
	for _, r := range s {
		if r == ' ' {
			continue
		}
		all++
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == ',' || r == '/' || r == '.' || r == '-' || r == '(' || r == ')' {
			good++
		}
	}
	if all == 0 {
		return 0
	}
	if good == all {
		return 1
	}
	return 0.6 * float64(good) / float64(all)
}

func parseText(raw string) (string, float64) {
	s := cleanText(raw)
	return s, plausible(s)
}

// parseName reads a person's name: letters only, two to seven words, written in title case
// when the form printed it in capitals ("NGUYỄN THỊ HÒA" → "Nguyễn Thị Hòa").
func parseName(raw string) (string, float64) {
	s := cleanText(raw)
	if s == "" {
		return "", 0
	}
	if strings.ToUpper(s) == s {
		words := strings.Fields(strings.ToLower(s))
		for i, w := range words {
			r, n := utf8.DecodeRuneInString(w)
			words[i] = string(unicode.ToUpper(r)) + w[n:]
		}
		s = strings.Join(words, " ")
	}
	words := strings.Fields(s)
	v := 1.0
	if len(words) < 2 || len(words) > 7 {
		v = 0.5
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && r != ' ' && r != '\'' && r != '-' {
			v = 0.4
		}
	}
	return s, v
}

// parseGender maps "Nam"/"Nữ" (and near misses) to member.Record's codes.
func parseGender(raw string) (string, float64) {
	f := strings.Fields(vntext.Fold(raw))
	if len(f) == 0 {
		return "", 0
	}
	switch w := f[0]; {
	case w == "nam":
		return "male", 1
	case w == "nu":
		return "female", 1
	case levenshtein(w, "nam") == 1 && levenshtein(w, "nu") > 1:
		return "male", 0.7
	case levenshtein(w, "nu") == 1 && levenshtein(w, "nam") > 1:
		return "female", 0.7
	}
	return cleanText(raw), 0.2
}

// digitFixes are the letters OCR reads for digits in a field that holds only digits.
var digitFixes = map[rune]rune{
	'O': '0', 'o': '0', 'Q': '0', 'D': '0', 'U': '0', 'ơ': '0', 'ô': '0', 'ó': '0', 'ò': '0', 'Ô': '0', 'Ơ': '0',
	'I': '1', 'l': '1', 'i': '1', '|': '1', '!': '1', ']': '1', '[': '1', 'í': '1', 'ì': '1', 'L': '1', 'j': '1',
	'Z': '2', 'z': '2', 'S': '5', 's': '5', 'B': '8', 'G': '6', 'b': '6', 'g': '9', 'q': '9', 'A': '4', 'T': '7',
}

// digitsOnly keeps the digits of s, mapping look-alike letters to digits and dropping
// spaces, dots and dashes (printed "001 180 012 345" or "001.180.012.345"). fixed counts
// the letters mapped; bad counts the characters that are neither.
func digitsOnly(s string) (digits string, fixed, bad int) {
	var b strings.Builder
	for _, r := range norm.NFC.String(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == ',' || r == '/':
		default:
			if d, ok := digitFixes[r]; ok {
				b.WriteRune(d)
				fixed++
			} else {
				bad++
			}
		}
	}
	return b.String(), fixed, bad
}

func numberValidity(d string, fixed, bad int, lengthOK bool) float64 {
	switch {
	case d == "":
		return 0
	case !lengthOK || bad > 0:
		return 0.3
	case fixed > 0:
		return 0.85
	}
	return 1
}

// parseIDNumber reads a citizen ID: 12 digits (CCCD) or 9 (old CMND).
func parseIDNumber(raw string) (string, float64) {
	d, fixed, bad := digitsOnly(leadingNumber(raw))
	return d, numberValidity(d, fixed, bad, len(d) == 12 || len(d) == 9)
}

// parseCardNumber reads a party card number: 6–12 digits, leading zeros kept.
func parseCardNumber(raw string) (string, float64) {
	d, fixed, bad := digitsOnly(leadingNumber(raw))
	return d, numberValidity(d, fixed, bad, len(d) >= 6 && len(d) <= 12)
}

// leadingNumber finds the number in a value: the first run of words made only of digits
// and look-alike letters ("001 180 O12 345") that holds a real digit. Whatever follows on
// the line ("cấp ngày 1/1/2006") is not part of it.
func leadingNumber(s string) string {
	numeric := func(w string) bool {
		d, _, bad := digitsOnly(w)
		return bad == 0 && d != ""
	}
	var run []string
	hasDigit := false
	for _, w := range strings.Fields(s) {
		if numeric(w) {
			run = append(run, w)
			hasDigit = hasDigit || strings.ContainsAny(w, "0123456789")
			continue
		}
		if hasDigit {
			break
		}
		run = run[:0]
	}
	if !hasDigit {
		return ""
	}
	return strings.Join(run, " ")
}

// parseDate reads "17/05/1980", "17-5-1980", "17.05.1980", "17 05 1980", "17051980" and
// "ngày 17 tháng 5 năm 1980", correcting look-alike letters, into "1980-05-17".
func parseDate(raw string) (string, float64) {
	var groups []string
	fixed := 0
	chunks := strings.FieldsFunc(norm.NFC.String(raw), func(r rune) bool {
		return unicode.IsSpace(r) || r == '/' || r == '-' || r == '.' || r == ','
	})
	for _, c := range chunks {
		// A chunk with a digit and nothing but digits and look-alikes is a number; any
		// other letter makes it a word ("ngày", "tháng", "năm") or noise.
		d, f, bad := digitsOnly(c)
		if bad > 0 || d == "" || f == len(d) {
			continue
		}
		groups = append(groups, d)
		fixed += f
	}
	if len(groups) == 1 && len(groups[0]) == 8 {
		g := groups[0]
		groups = []string{g[:2], g[2:4], g[4:]}
	}
	if len(groups) < 3 {
		return cleanText(raw), 0.2
	}
	// The first three groups: a date is followed by nothing that matters.
	d, m, y := groups[0], groups[1], groups[2]
	if len(d) > 2 || len(m) > 2 || len(y) != 4 {
		return cleanText(raw), 0.2
	}
	var day, month, year int
	fmt.Sscanf(d+" "+m+" "+y, "%d %d %d", &day, &month, &year)
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day || int(t.Month()) != month || year < 1890 || year > 2100 {
		return cleanText(raw), 0.2
	}
	v := 1.0
	if fixed > 0 || len(groups) > 3 {
		v = 0.85
	}
	return t.Format(time.DateOnly), v
}

// snap returns the known value closest to raw (folded, at most one edit per five
// letters), the validity 1 for an exact folded match and 0.85 for a near one; otherwise
// the cleaned text with validity 0.6 (it may be right and merely not in our list).
func snap(raw string, known []string) (string, float64) {
	s := cleanText(raw)
	f := vntext.Fold(s)
	if f == "" {
		return "", 0
	}
	best, bestD := "", 1<<30
	for _, k := range known {
		if d := levenshtein(f, vntext.Fold(k)); d < bestD {
			best, bestD = k, d
		}
	}
	switch {
	case bestD == 0:
		return best, 1
	case bestD*5 <= len(f):
		return best, 0.85
	}
	return s, 0.6 * plausible(s)
}

// ethnicities are the most common of Vietnam's 54 ethnic groups' names as forms write them.
var ethnicities = []string{"Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "H'Mông", "Dao", "Gia Rai", "Ê Đê",
	"Ba Na", "Sán Chay", "Chăm", "Cơ Ho", "Xơ Đăng", "Sán Dìu", "Hrê", "Ra Glai", "Mnông", "Thổ", "Stiêng", "Khơ Mú",
	"Bru - Vân Kiều", "Cơ Tu", "Giáy", "Tà Ôi", "Mạ", "Giẻ - Triêng", "Co", "Chơ Ro", "Xinh Mun", "Hà Nhì", "Chu Ru",
	"Lào", "La Chí", "Kháng", "Phù Lá", "La Hủ", "La Ha", "Pà Thẻn", "Lự", "Ngái", "Chứt", "Lô Lô", "Mảng", "Cơ Lao",
	"Bố Y", "Cống", "Si La", "Pu Péo", "Rơ Măm", "Brâu", "Ơ Đu"}

func parseEthnicity(raw string) (string, float64) { return snap(raw, ethnicities) }

// religions are the recognized religions as forms write them; "Không" is none.
var religions = []string{"Không", "Phật giáo", "Công giáo", "Tin lành", "Cao Đài", "Hòa Hảo", "Hồi giáo", "Bà-la-môn"}

func parseReligion(raw string) (string, float64) { return snap(raw, religions) }

// theoryLevels are the levels of political theory training.
var theoryLevels = []string{"Sơ cấp", "Trung cấp", "Cao cấp", "Cử nhân"}

func parseTheory(raw string) (string, float64) { return snap(raw, theoryLevels) }

// levenshtein is the edit distance between a and b, in runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
