package imports

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// cellError is a problem with one cell's value: a message key and English text that
// reads after the column's name ("Ngày sinh" "is not a date …").
type cellError struct {
	Key     string
	Message string
}

func (e *cellError) Error() string { return e.Message }

func cellErrorf(key, format string, args ...any) *cellError {
	return &cellError{Key: key, Message: fmt.Sprintf(format, args...)}
}

const dateHint = "write dates as dd/mm/yyyy"

// parseDate reads a date as people type it in Vietnam — day first: 15/05/1990, 5/5/1990,
// 15-05-1990, 15.05.1990 — or as ISO 8601 (1990-05-15), optionally followed by a midnight
// time (exports from databases add one), and returns it as YYYY-MM-DD. Two-digit years,
// bare years, eight digits without separators and dates that do not exist are refused:
// guessing a member's birth date is worse than asking.
func parseDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if i := strings.IndexAny(s, " T"); i > 0 && s[i-1] >= '0' && s[i-1] <= '9' && strings.Contains(s[i:], ":") {
		if !isMidnight(strings.TrimSpace(s[i+1:])) {
			return "", cellErrorf("imp.date_time", "is not a date (%q has a time of day): %s", s, dateHint)
		}
		s = s[:i]
	}
	digits := true
	for i := 0; i < len(s); i++ {
		digits = digits && s[i] >= '0' && s[i] <= '9'
	}
	if digits {
		switch len(s) {
		case 1, 2, 3, 4:
			return "", cellErrorf("imp.date_year", "is not a date (%q: only a year?): %s", s, dateHint)
		case 5:
			// A spreadsheet's date saved as a plain number: days since 1900 (1927–2173).
			return excelDate(float64(atoi(s)), false)
		default:
			return "", cellErrorf("imp.date_ambiguous", "is not a date (%q: day, month and year need separators): %s", s, dateHint)
		}
	}
	// Three runs of at most four digits, with one separator: / - or . between them.
	var parts [3]string
	n, start, sep := 0, 0, byte(0)
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			continue
		}
		if n == 3 || i == start || i-start > 4 {
			return "", cellErrorf("imp.date_invalid", "is not a date (%q): %s", s, dateHint)
		}
		parts[n], n, start = s[start:i], n+1, i+1
		if i == len(s) {
			break
		}
		c := s[i]
		if (c != '/' && c != '-' && c != '.') || (sep != 0 && c != sep) {
			return "", cellErrorf("imp.date_invalid", "is not a date (%q): %s", s, dateHint)
		}
		sep = c
	}
	if n != 3 {
		return "", cellErrorf("imp.date_invalid", "is not a date (%q): %s", s, dateHint)
	}
	var y, m, d int
	switch {
	case len(parts[0]) == 4 && len(parts[1]) <= 2 && len(parts[2]) <= 2:
		y, m, d = atoi(parts[0]), atoi(parts[1]), atoi(parts[2])
	case len(parts[2]) == 4 && len(parts[0]) <= 2 && len(parts[1]) <= 2:
		d, m, y = atoi(parts[0]), atoi(parts[1]), atoi(parts[2])
		if m > 12 && d <= 12 {
			return "", cellErrorf("imp.date_month", "is not a date (%q: there is no month %d; dates are day/month/year)", s, m)
		}
	case len(parts[2]) <= 2 && len(parts[0]) <= 2 && len(parts[1]) <= 2:
		return "", cellErrorf("imp.date_ambiguous", "is ambiguous (%q: a two-digit year): write the year in full, dd/mm/yyyy", s)
	default:
		return "", cellErrorf("imp.date_invalid", "is not a date (%q): %s", s, dateHint)
	}
	return ymd(s, y, m, d)
}

// atoi reads a string of at most a few ASCII digits (checked by the caller).
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func isMidnight(t string) bool {
	t = strings.TrimSuffix(strings.TrimSuffix(t, "Z"), "+00:00")
	switch t {
	case "0:00", "00:00", "0:00:00", "00:00:00", "00:00:00.000", "12:00:00 AM", "12:00 AM", "0:00:00.000":
		return true
	}
	return false
}

// ymd checks that y-m-d is a day of the calendar and formats it.
func ymd(orig string, y, m, d int) (string, error) {
	if y < 1000 || y > 9999 {
		return "", cellErrorf("imp.date_range", "is not a date (%q: year %d)", orig, y)
	}
	if m < 1 || m > 12 {
		return "", cellErrorf("imp.date_month", "is not a date (%q: there is no month %d)", orig, m)
	}
	if d < 1 || d > daysIn(y, m) {
		return "", cellErrorf("imp.date_day", "is not a date (%q: %s %d has no day %d)", orig, time.Month(m), y, d)
	}
	b := [10]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + m/10), byte('0' + m%10), '-', byte('0' + d/10), byte('0' + d%10)}
	return string(b[:]), nil
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// Excel's serial numbers: the 1900 system counts days from 31 December 1899 and, as Lotus
// 1-2-3 did, believes 1900 was a leap year (serial 60 is 29 February 1900, a day that never
// was), so from serial 61 on the count is one day ahead; the 1904 system (old Mac workbooks)
// counts days from 1 January 1904.
var (
	excel1900 = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	excel1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
)

const maxSerial = 2958465 // 9999-12-31 in the 1900 system

// excelDate turns a spreadsheet serial date (the time of day, a fraction, is dropped) into
// YYYY-MM-DD.
func excelDate(v float64, date1904 bool) (string, error) {
	if math.IsNaN(v) || v < 0 || v >= maxSerial+1 {
		return "", cellErrorf("imp.date_serial", "is not a date (spreadsheet serial %v is out of range)", v)
	}
	n := int(math.Floor(v))
	if date1904 {
		return excel1904.AddDate(0, 0, n).Format(time.DateOnly), nil
	}
	switch {
	case n == 0:
		return "", cellErrorf("imp.date_serial", "is not a date (serial 0 is the spreadsheet's 0 January 1900)")
	case n == 60:
		return "", cellErrorf("imp.date_serial", "is not a date (serial 60 is 29 February 1900, which never existed)")
	case n > 60:
		n--
	}
	return excel1900.AddDate(0, 0, n).Format(time.DateOnly), nil
}
