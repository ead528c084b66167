package imports

import (
	"fmt"
	"strings"

	"dais/internal/member"
	"dais/internal/vntext"
)

// Column is one column of the import template.
type Column struct {
	Field    string   // the member.Record field, as its JSON name
	Header   string   // the Vietnamese header the template uses
	Aliases  []string // other headers accepted, English first
	Required bool     // the header must be present (the value may still be optional)
	Date     bool     // the value is a date
}

// Columns is the import template, in its documented order. Headers are matched without
// regard to case, diacritics, spacing or punctuation ("HO VA TEN", "Họ và tên" and
// "ho_va_ten" are one header; so are "full_name" and "Full name").
var Columns = []Column{
	{Field: "full_name", Header: "Họ và tên", Aliases: []string{"full_name", "name", "Họ tên"}, Required: true},
	{Field: "other_names", Header: "Tên gọi khác", Aliases: []string{"other_names"}},
	{Field: "gender", Header: "Giới tính", Aliases: []string{"gender", "sex"}, Required: true},
	{Field: "birth_date", Header: "Ngày sinh", Aliases: []string{"birth_date", "date_of_birth", "Ngày tháng năm sinh"}, Required: true, Date: true},
	{Field: "hometown", Header: "Quê quán", Aliases: []string{"hometown"}},
	{Field: "residence", Header: "Nơi ở hiện nay", Aliases: []string{"residence", "Nơi ở", "Chỗ ở hiện nay"}},
	{Field: "ethnicity", Header: "Dân tộc", Aliases: []string{"ethnicity"}},
	{Field: "religion", Header: "Tôn giáo", Aliases: []string{"religion"}},
	{Field: "id_number", Header: "Số CCCD", Aliases: []string{"id_number", "CCCD", "Số căn cước", "Số căn cước công dân", "Số CMND/CCCD", "Số CMND"}},
	{Field: "card_number", Header: "Số thẻ đảng viên", Aliases: []string{"card_number", "Số thẻ Đảng", "Số thẻ"}, Required: true},
	{Field: "unit_code", Header: "Mã đơn vị", Aliases: []string{"unit_code", "unit"}, Required: true},
	{Field: "admission_date", Header: "Ngày vào Đảng", Aliases: []string{"admission_date"}, Required: true, Date: true},
	{Field: "official_date", Header: "Ngày chính thức", Aliases: []string{"official_date"}, Required: true, Date: true},
	{Field: "positions", Header: "Chức vụ", Aliases: []string{"positions", "position"}},
	{Field: "education", Header: "Trình độ học vấn", Aliases: []string{"education", "Trình độ giáo dục phổ thông", "Giáo dục phổ thông"}},
	{Field: "professional_level", Header: "Chuyên môn", Aliases: []string{"professional_level", "Trình độ chuyên môn"}},
	{Field: "theory_level", Header: "Lý luận chính trị", Aliases: []string{"theory_level", "Trình độ lý luận chính trị"}},
	{Field: "status", Header: "Trạng thái", Aliases: []string{"status"}},
}

// headerIndex maps a folded header to its index in Columns.
var headerIndex = func() map[string]int {
	m := map[string]int{}
	for i, c := range Columns {
		for _, h := range append([]string{c.Header, c.Field}, c.Aliases...) {
			k := vntext.Fold(h)
			if j, ok := m[k]; ok && j != i {
				panic("imports: header " + h + " names two columns")
			}
			m[k] = i
		}
	}
	return m
}()

// columnByField finds a template column by its field name; -1 if none.
func columnByField(field string) int {
	for i, c := range Columns {
		if c.Field == field {
			return i
		}
	}
	return -1
}

// matchHeader maps each cell of a header row to a template column (-1 for an empty
// cell) and returns every problem: unknown, duplicate and missing columns.
func matchHeader(cells []string, row int) (cols []int, problems []Problem) {
	cols = make([]int, len(cells))
	seen := make([]int, len(Columns)) // file column + 1 where each template column was found
	for j, h := range cells {
		cols[j] = -1
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		i, ok := headerIndex[vntext.Fold(h)]
		switch {
		case !ok:
			problems = append(problems, Problem{Row: row, Column: h, Key: "imp.column_unknown",
				Message: fmt.Sprintf("is not a column of the import template (column %s)", columnLetters(j))})
		case seen[i] > 0:
			problems = append(problems, Problem{Row: row, Column: h, Field: Columns[i].Field, Key: "imp.column_duplicate",
				Message: fmt.Sprintf("appears twice (columns %s and %s)", columnLetters(seen[i]-1), columnLetters(j))})
		default:
			seen[i], cols[j] = j+1, i
		}
	}
	for i, c := range Columns {
		if c.Required && seen[i] == 0 {
			problems = append(problems, Problem{Row: row, Field: c.Field, Key: "imp.column_missing",
				Message: fmt.Sprintf("the required column %q (%s) is missing", c.Header, c.Field)})
		}
	}
	return cols, problems
}

// columnLetters names the j-th column (0-based) as a spreadsheet does: A … Z, AA ….
func columnLetters(j int) string {
	var b []byte
	for j++; j > 0; j = (j - 1) / 26 {
		b = append([]byte{byte('A' + (j-1)%26)}, b...)
	}
	return string(b)
}

// setField stores v in the record field named by a template column.
func setField(r *member.Record, field, v string) {
	switch field {
	case "full_name":
		r.FullName = v
	case "other_names":
		r.OtherNames = v
	case "gender":
		r.Gender = v
	case "birth_date":
		r.BirthDate = v
	case "hometown":
		r.Hometown = v
	case "residence":
		r.Residence = v
	case "ethnicity":
		r.Ethnicity = v
	case "religion":
		r.Religion = v
	case "id_number":
		r.IDNumber = v
	case "card_number":
		r.CardNumber = v
	case "unit_code":
		r.UnitCode = v
	case "admission_date":
		r.AdmissionDate = v
	case "official_date":
		r.OfficialDate = v
	case "positions":
		r.Positions = v
	case "education":
		r.Education = v
	case "professional_level":
		r.ProfessionalLevel = v
	case "theory_level":
		r.TheoryLevel = v
	case "status":
		r.Status = v
	}
}

// statusWords maps the folded Vietnamese names of statuses to their codes.
var statusWords = map[string]string{
	"chinh thuc": member.StatusOfficial, "dang vien chinh thuc": member.StatusOfficial,
	"du bi": member.StatusProbationary, "dang vien du bi": member.StatusProbationary,
	"tu tran": member.StatusDeceased, "da tu tran": member.StatusDeceased, "tu tran da mat": member.StatusDeceased,
	"khai tru": member.StatusExpelled, "bi khai tru": member.StatusExpelled,
	"xoa ten": member.StatusRemoved, "bi xoa ten": member.StatusRemoved, "xoa ten khoi danh sach": member.StatusRemoved,
}
