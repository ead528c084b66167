package imports

import (
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	cases := []struct {
		in, want string
		key      string // expected error key; "" for success
	}{
		{"15/05/1990", "1990-05-15", ""},
		{"5/5/1990", "1990-05-05", ""},
		{" 05/5/1990 ", "1990-05-05", ""},
		{"15-05-1990", "1990-05-15", ""},
		{"15.05.1990", "1990-05-15", ""},
		{"1990-05-15", "1990-05-15", ""},
		{"1990/5/15", "1990-05-15", ""},
		{"29/02/2000", "2000-02-29", ""},
		{"15/05/1990 00:00:00", "1990-05-15", ""},
		{"1990-05-15T00:00:00Z", "1990-05-15", ""},
		{"1990-05-15 0:00", "1990-05-15", ""},
		{"32874", "1990-01-01", ""}, // a serial number saved as text
		{"", "", ""},
		{"29/02/1900", "", "imp.date_day"},
		{"29/02/2001", "", "imp.date_day"},
		{"31/04/1990", "", "imp.date_day"},
		{"00/05/1990", "", "imp.date_day"},
		{"15/13/1990", "", "imp.date_month"},
		{"05/13/1990", "", "imp.date_month"}, // month/day/year
		{"15/00/1990", "", "imp.date_month"},
		{"15/05/90", "", "imp.date_ambiguous"},
		{"5/6/07", "", "imp.date_ambiguous"},
		{"1990", "", "imp.date_year"},
		{"19900515", "", "imp.date_ambiguous"},
		{"15/05/1990 08:30", "", "imp.date_time"},
		{"15/05-1990", "", "imp.date_invalid"},
		{"15 tháng 5 1990", "", "imp.date_invalid"},
		{"15/05/0990", "", "imp.date_range"},
		{"mười lăm", "", "imp.date_invalid"},
		{"1990-5", "", "imp.date_invalid"},
		{"/05/1990", "", "imp.date_invalid"},
		{"15//1990", "", "imp.date_invalid"},
		{"1990-05-15-01", "", "imp.date_invalid"},
	}
	for _, c := range cases {
		got, err := parseDate(c.in)
		switch {
		case c.key == "" && (err != nil || got != c.want):
			t.Errorf("parseDate(%q) = %q, %v; want %q", c.in, got, err, c.want)
		case c.key != "" && err == nil:
			t.Errorf("parseDate(%q) = %q, want error %s", c.in, got, c.key)
		case c.key != "" && err.(*cellError).Key != c.key:
			t.Errorf("parseDate(%q): error %s (%v), want %s", c.in, err.(*cellError).Key, err, c.key)
		}
	}
}

func TestExcelDate(t *testing.T) {
	cases := []struct {
		serial float64
		d1904  bool
		want   string // "" for an error
	}{
		{1, false, "1900-01-01"},
		{59, false, "1900-02-28"},
		{60, false, ""}, // 29 February 1900, Lotus's leap-year bug
		{61, false, "1900-03-01"},
		{0, false, ""},
		{25569, false, "1970-01-01"},
		{32874, false, "1990-01-01"},
		{32874.75, false, "1990-01-01"}, // a time of day is dropped
		{45658, false, "2025-01-01"},
		{2958465, false, "9999-12-31"},
		{2958466, false, ""},
		{-1, false, ""},
		{0, true, "1904-01-01"},
		{31412, true, "1990-01-01"},
	}
	for _, c := range cases {
		got, err := excelDate(c.serial, c.d1904)
		if (c.want == "") != (err != nil) || got != c.want {
			t.Errorf("excelDate(%v, 1904=%v) = %q, %v; want %q", c.serial, c.d1904, got, err, c.want)
		}
	}
}

// FuzzParseDate checks that whatever parseDate accepts is a real calendar day written
// YYYY-MM-DD, and that it refuses with a message, never a panic.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"15/05/1990", "1990-05-15", "5.5.1990", "29/02/1900", "32874", "15/05/1990 00:00", "05/13/90", "", "9999-12-31T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseDate(s)
		if err != nil {
			if ce, ok := err.(*cellError); !ok || ce.Key == "" || !strings.HasPrefix(ce.Message, "is ") {
				t.Fatalf("parseDate(%q): error %#v", s, err)
			}
			return
		}
		if got == "" {
			if strings.TrimSpace(s) != "" {
				t.Fatalf("parseDate(%q) = empty", s)
			}
			return
		}
		d, perr := time.Parse(time.DateOnly, got)
		if perr != nil || d.Format(time.DateOnly) != got {
			t.Fatalf("parseDate(%q) = %q, not a date", s, got)
		}
		if again, err := parseDate(got); err != nil || again != got {
			t.Fatalf("parseDate(%q) = %q but parseDate(%q) = %q, %v", s, got, got, again, err)
		}
	})
}
