// Package export writes member lists as XLSX and CSV for spreadsheets, and as PDF under
// the unit's letterhead, plus the introduction letter of a transfer. Every spreadsheet
// cell is neutralized against formula injection (see Neutralize).
package export

import (
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"dais/internal/member"
)

// Neutralize makes a cell value safe to open in a spreadsheet (OWASP "CSV injection"):
// a value starting with = + - @, a tab or a carriage return — or their full-width forms,
// which some spreadsheet input methods turn into the ASCII ones — gets a leading single
// quote, so it is shown as text and never evaluated as a formula.
func Neutralize(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	switch r {
	case '=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠':
		return "'" + s
	}
	return s
}

// column is one column of the spreadsheet exports. The Vietnamese and English headers
// are those of the import template (member-record issue, bulk import), so an exported
// file can be edited and imported again.
type column struct {
	vi, en string
	width  float64 // Excel character widths
	text   bool    // digits that must stay text (leading zeros) or dates as text
	value  func(m *member.Member, lang string) string
}

var columns = []column{
	{"Họ và tên", "full_name", 28, false, func(m *member.Member, _ string) string { return m.FullName }},
	{"Tên gọi khác", "other_names", 16, false, func(m *member.Member, _ string) string { return m.OtherNames }},
	{"Giới tính", "gender", 9, false, func(m *member.Member, lang string) string { return gender(m.Gender, lang) }},
	{"Ngày sinh", "birth_date", 12, true, func(m *member.Member, _ string) string { return date(m.BirthDate) }},
	{"Số thẻ đảng viên", "card_number", 17, true, func(m *member.Member, _ string) string { return m.CardNumber }},
	{"Mã đơn vị", "unit_code", 14, true, func(m *member.Member, _ string) string { return m.UnitCode }},
	{"Đơn vị", "unit_name", 30, false, func(m *member.Member, _ string) string { return m.UnitName }},
	{"Ngày vào Đảng", "admission_date", 15, true, func(m *member.Member, _ string) string { return date(m.AdmissionDate) }},
	{"Ngày chính thức", "official_date", 16, true, func(m *member.Member, _ string) string { return date(m.OfficialDate) }},
	{"Dân tộc", "ethnicity", 10, false, func(m *member.Member, _ string) string { return m.Ethnicity }},
	{"Tôn giáo", "religion", 12, false, func(m *member.Member, _ string) string { return m.Religion }},
	{"Quê quán", "hometown", 30, false, func(m *member.Member, _ string) string { return m.Hometown }},
	{"Nơi ở hiện nay", "residence", 34, false, func(m *member.Member, _ string) string { return m.Residence }},
	{"Chức vụ", "positions", 28, false, func(m *member.Member, _ string) string { return m.Positions }},
	{"Giáo dục phổ thông", "education", 12, true, func(m *member.Member, _ string) string { return m.Education }},
	{"Chuyên môn", "professional_level", 18, false, func(m *member.Member, _ string) string { return m.ProfessionalLevel }},
	{"Lý luận chính trị", "theory_level", 16, false, func(m *member.Member, _ string) string { return m.TheoryLevel }},
	{"Trạng thái", "status", 18, false, func(m *member.Member, lang string) string { return status(m.Status, lang) }},
}

// header returns the column headers in lang ("en" or Vietnamese).
func header(lang string) []string {
	h := make([]string, len(columns))
	for i, c := range columns {
		h[i] = c.vi
		if lang == "en" {
			h[i] = c.en
		}
	}
	return h
}

// row returns m's cells, NFC and neutralized.
func row(m *member.Member, lang string) []string {
	r := make([]string, len(columns))
	for i, c := range columns {
		r[i] = cell(c.value(m, lang))
	}
	return r
}

func cell(s string) string { return Neutralize(norm.NFC.String(s)) }

// date turns a stored YYYY-MM-DD date into dd/mm/yyyy; anything else is returned as is.
func date(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t.Format("02/01/2006")
}

func gender(g, lang string) string {
	if lang == "en" {
		return g
	}
	switch g {
	case "male":
		return "Nam"
	case "female":
		return "Nữ"
	}
	return g
}

var statusVI = map[string]string{
	member.StatusProbationary: "Dự bị",
	member.StatusOfficial:     "Chính thức",
	member.StatusInTransit:    "Đang chuyển sinh hoạt",
	member.StatusDeceased:     "Từ trần",
	member.StatusExpelled:     "Khai trừ",
	member.StatusRemoved:      "Xóa tên",
}

func status(s, lang string) string {
	if v, ok := statusVI[s]; ok && lang != "en" {
		return v
	}
	return s
}
