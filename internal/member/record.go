package member

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"dais/internal/store"
)

// Statuses of a member. A member is probationary (dự bị) for 12 months after admission,
// then official (chính thức); in_transit while an official transfer is on its way; the last
// three end membership.
const (
	StatusInTransit = "in_transit" // chuyển sinh hoạt: issued, not yet received
	StatusDeceased  = "deceased"   // từ trần
	StatusExpelled  = "expelled"   // khai trừ
	StatusRemoved   = "removed"    // xóa tên
)

// Statuses lists every status, for validation and pages.
var Statuses = []string{StatusProbationary, StatusOfficial, StatusInTransit, StatusDeceased, StatusExpelled, StatusRemoved}

// Record is a member's profile as entered by a person, an import file or an OCR review:
// every field a string as typed (dates YYYY-MM-DD once parsed), the unit by its code.
// Normalize and Validate it before saving.
type Record struct {
	UnitCode          string `json:"unit_code"`
	FullName          string `json:"full_name"`
	OtherNames        string `json:"other_names"`
	Gender            string `json:"gender"` // male | female
	BirthDate         string `json:"birth_date"`
	Hometown          string `json:"hometown"`
	Residence         string `json:"residence"`
	Ethnicity         string `json:"ethnicity"`
	Religion          string `json:"religion"`
	IDNumber          string `json:"id_number"` // citizen ID (CCCD, 12 digits; old CMND 9); sealed at rest
	CardNumber        string `json:"card_number"`
	AdmissionDate     string `json:"admission_date"`
	OfficialDate      string `json:"official_date"`
	Positions         string `json:"positions"`
	Education         string `json:"education"`          // trình độ giáo dục phổ thông, e.g. "12/12"
	ProfessionalLevel string `json:"professional_level"` // chuyên môn, e.g. "Đại học"
	TheoryLevel       string `json:"theory_level"`       // lý luận chính trị: Sơ cấp, Trung cấp, Cao cấp
	Status            string `json:"status"`             // empty: derived from OfficialDate
}

// FieldError is one problem with one field of a record.
type FieldError struct {
	Field   string `json:"field"`
	Key     string `json:"key"`     // message key for translation
	Message string `json:"message"` // English
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// Field limits (characters).
const (
	maxName  = 120
	maxPlace = 300
	maxShort = 100
)

var (
	cardRE = regexp.MustCompile(`^[0-9]{6,12}$`)
	idRE   = regexp.MustCompile(`^([0-9]{9}|[0-9]{12})$`)
)

// Normalize tidies a record in place: NFC text, single spaces, trimmed; codes upper-case;
// gender and status words mapped to their codes ("Nam" → male, "Nữ" → female).
func (r *Record) Normalize() {
	for _, f := range []*string{&r.FullName, &r.OtherNames, &r.Hometown, &r.Residence, &r.Ethnicity, &r.Religion,
		&r.Positions, &r.Education, &r.ProfessionalLevel, &r.TheoryLevel} {
		*f = strings.Join(strings.Fields(norm.NFC.String(*f)), " ")
	}
	r.UnitCode = strings.ToUpper(strings.TrimSpace(r.UnitCode))
	r.CardNumber = strings.TrimSpace(r.CardNumber)
	r.IDNumber = strings.Map(func(c rune) rune {
		if c == ' ' || c == '.' || c == '-' {
			return -1
		}
		return c
	}, r.IDNumber)
	switch strings.ToLower(norm.NFC.String(strings.TrimSpace(r.Gender))) {
	case "nam", "male", "m":
		r.Gender = "male"
	case "nữ", "nu", "female", "f":
		r.Gender = "female"
	}
	r.Status = strings.ToLower(strings.TrimSpace(r.Status))
	if r.Status == "" {
		r.Status = StatusOfficial
		if r.OfficialDate == "" {
			r.Status = StatusProbationary
		}
	}
}

// Validate checks a normalized record and returns every problem (not just the first), so
// an import can report them all. today bounds dates (no birth or admission in the future).
func (r *Record) Validate(today time.Time) []FieldError {
	var errs []FieldError
	add := func(field, key, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Key: key, Message: fmt.Sprintf(format, args...)})
	}
	text := func(field, v string, required bool, max int) {
		switch n := utf8.RuneCountInString(v); {
		case !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl):
			add(field, "mem.text_invalid", "contains invalid characters")
		case required && n == 0:
			add(field, "mem.required", "is required")
		case n > max:
			add(field, "mem.too_long", "is longer than %d characters", max)
		}
	}
	text("full_name", r.FullName, true, maxName)
	if strings.ContainsFunc(r.FullName, unicode.IsDigit) {
		add("full_name", "mem.name_digits", "must not contain digits")
	}
	text("other_names", r.OtherNames, false, maxName)
	for _, f := range []struct{ name, v string }{{"hometown", r.Hometown}, {"residence", r.Residence}, {"positions", r.Positions}} {
		text(f.name, f.v, false, maxPlace)
	}
	for _, f := range []struct{ name, v string }{{"ethnicity", r.Ethnicity}, {"religion", r.Religion}, {"education", r.Education},
		{"professional_level", r.ProfessionalLevel}, {"theory_level", r.TheoryLevel}} {
		text(f.name, f.v, false, maxShort)
	}
	if r.UnitCode == "" {
		add("unit_code", "mem.required", "is required")
	}
	if r.Gender != "male" && r.Gender != "female" {
		add("gender", "mem.gender_invalid", "must be male or female (Nam/Nữ)")
	}
	if !cardRE.MatchString(r.CardNumber) {
		add("card_number", "mem.card_invalid", "must be 6 to 12 digits")
	}
	if r.IDNumber != "" && !idRE.MatchString(r.IDNumber) {
		add("id_number", "mem.id_invalid", "must be 12 digits (citizen ID) or 9 digits (old ID card)")
	}
	birth, okB := r.date("birth_date", r.BirthDate, true, &errs)
	adm, okA := r.date("admission_date", r.AdmissionDate, true, &errs)
	off, okO := r.date("official_date", r.OfficialDate, false, &errs)
	limit := today.AddDate(0, 0, 1)
	if okB && (birth.Year() < 1890 || !birth.Before(limit)) {
		add("birth_date", "mem.date_range", "is out of range")
	}
	if okA && !adm.Before(limit) {
		add("admission_date", "mem.date_future", "is in the future")
	}
	if okB && okA && adm.Before(birth.AddDate(18, 0, 0)) {
		add("admission_date", "mem.admission_age", "is before the member's 18th birthday")
	}
	if okO && r.OfficialDate != "" {
		if okA && off.Before(adm) {
			add("official_date", "mem.official_before", "is before the admission date")
		}
		if !off.Before(limit) {
			add("official_date", "mem.date_future", "is in the future")
		}
	}
	valid := false
	for _, s := range Statuses {
		valid = valid || s == r.Status
	}
	switch {
	case !valid:
		add("status", "mem.status_invalid", "is not a known status")
	case r.Status == StatusOfficial && r.OfficialDate == "":
		add("official_date", "mem.official_missing", "is required for an official member")
	case r.Status == StatusInTransit:
		add("status", "mem.status_transit", "is set by transfers only")
	}
	return errs
}

func (r *Record) date(field, v string, required bool, errs *[]FieldError) (time.Time, bool) {
	if v == "" {
		if required {
			*errs = append(*errs, FieldError{Field: field, Key: "mem.required", Message: "is required"})
		}
		return time.Time{}, !required
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		*errs = append(*errs, FieldError{Field: field, Key: "mem.date_invalid", Message: "must be a date (YYYY-MM-DD)"})
		return t, false
	}
	return t, true
}

// AsError turns field errors into one EINVALID error naming the first field.
func AsError(errs []FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return &store.Error{Code: store.EINVALID, Key: errs[0].Key, Field: errs[0].Field, Message: strings.Join(msgs, "; ")}
}

// Get returns a field by its JSON name (templates loop over the fields).
func (r Record) Get(name string) string {
	switch name {
	case "unit_code":
		return r.UnitCode
	case "full_name":
		return r.FullName
	case "other_names":
		return r.OtherNames
	case "gender":
		return r.Gender
	case "birth_date":
		return r.BirthDate
	case "hometown":
		return r.Hometown
	case "residence":
		return r.Residence
	case "ethnicity":
		return r.Ethnicity
	case "religion":
		return r.Religion
	case "id_number":
		return r.IDNumber
	case "card_number":
		return r.CardNumber
	case "admission_date":
		return r.AdmissionDate
	case "official_date":
		return r.OfficialDate
	case "positions":
		return r.Positions
	case "education":
		return r.Education
	case "professional_level":
		return r.ProfessionalLevel
	case "theory_level":
		return r.TheoryLevel
	case "status":
		return r.Status
	}
	return ""
}
