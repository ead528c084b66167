package imports

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"dais/internal/member"
	"dais/internal/vntext"
)

// cardDigits is the length of a party card number. A spreadsheet that stored a card as a
// number dropped its leading zeros; a shorter number is padded back to this length, with
// a warning.
const cardDigits = 8

// rows reads the data rows (those after the header) and converts each to a normalized
// record, with the problems found in it and warnings about values changed on the way.
// probs and warns are only valid during the call.
func (rd *Reader) rows(ctx context.Context, today time.Time, fn func(row int, rec *member.Record, probs, warns []Problem) error) error {
	rd.read.n = 0
	var (
		probs, warns []Problem
		rec          member.Record
		bad          = make([]bool, len(Columns))
		n            int
	)
	err := rd.src.scan(ctx, func(row int, cells []cell) error {
		if row <= rd.HeaderRow {
			return nil
		}
		if n++; n > rd.opts.MaxRows {
			return &rowError{Row: row, Col: -1, Key: "imp.too_many_rows", Message: fmt.Sprintf("is past the limit of %d rows", rd.opts.MaxRows)}
		}
		if n%8192 == 0 && rd.opts.Progress != nil {
			rd.opts.Progress(min(rd.read.n, rd.size), rd.size)
		}
		probs, warns, rec = probs[:0], warns[:0], member.Record{}
		clear(bad)
		rd.convert(row, cells, today, &rec, &probs, &warns, bad)
		return fn(row, &rec, probs, warns)
	})
	if err == nil && rd.opts.Progress != nil {
		rd.opts.Progress(rd.size, rd.size)
	}
	return err
}

func (rd *Reader) convert(row int, cells []cell, today time.Time, rec *member.Record, probs, warns *[]Problem, bad []bool) {
	// A CSV row has the header's cells; it may lack those under empty headers at the end.
	if rd.rect && len(cells) != len(rd.Header) {
		extra := false
		for _, c := range cells[min(len(cells), len(rd.Header)):] {
			extra = extra || c.kind == kindBad || !isBlank(c.text)
		}
		if len(cells) < rd.width || extra {
			*probs = append(*probs, Problem{Row: row, pos: -1, Key: "imp.row_cells",
				Message: fmt.Sprintf("has %d cells where the header has %d (a delimiter missing or extra, or a quote that swallowed one?)", len(cells), len(rd.Header))})
			return
		}
	}
	for j, c := range cells {
		ci := -1
		if j < len(rd.cols) {
			ci = rd.cols[j]
		}
		if ci < 0 {
			if c.kind == kindBad || !isBlank(c.text) {
				*probs = append(*probs, Problem{Row: row, Column: rd.columnName(j), pos: j, Key: "imp.cell_no_header", Message: "has a value but the column has no header"})
			}
			continue
		}
		col := &Columns[ci]
		v, warn, err := rd.value(col, c)
		if err != nil {
			bad[ci] = true
			*probs = append(*probs, Problem{Row: row, Column: rd.columnName(j), pos: j, Field: col.Field, Key: err.Key, Message: err.Message})
			continue
		}
		if warn != nil {
			*warns = append(*warns, Problem{Row: row, Column: rd.columnName(j), pos: j, Field: col.Field, Key: warn.Key, Message: warn.Message})
		}
		setField(rec, col.Field, v)
	}
	if code, ok := statusWords[vntext.Fold(rec.Status)]; ok {
		rec.Status = code
	}
	rec.Normalize()
	for _, fe := range rec.Validate(today) {
		if ci := columnByField(fe.Field); ci >= 0 && bad[ci] {
			continue
		}
		name, pos := rd.fieldColumn(fe.Field)
		*probs = append(*probs, Problem{Row: row, Column: name, pos: pos, Field: fe.Field, Key: fe.Key, Message: fe.Message})
	}
	slices.SortStableFunc(*probs, func(a, b Problem) int { return a.pos - b.pos })
}

// value turns a cell into the text of a record field. warn reports a value changed on
// the way in that a person should check.
func (rd *Reader) value(col *Column, c cell) (v string, warn, err *cellError) {
	switch c.kind {
	case kindBad:
		return "", nil, &cellError{Key: "imp.cell_unreadable", Message: c.text}
	case kindError:
		return "", nil, cellErrorf("imp.cell_error", "holds the spreadsheet error %s", c.text)
	}
	if col.Date {
		v, e := rd.dateValue(c)
		if e != nil {
			return "", nil, asCellError(e)
		}
		return v, nil, nil
	}
	switch col.Field {
	case "card_number":
		return numberAsDigits(c, "a card number", map[int]int{cardDigits: cardDigits}, func(n int) int {
			if n < cardDigits {
				return cardDigits
			}
			return 0
		})
	case "id_number":
		// Citizen IDs (12 digits) all begin with 0, the province code's first digit; old
		// ID cards have 9. A number has lost that zero.
		return numberAsDigits(c, "an ID number", map[int]int{12: 12, 9: 9, 11: 12, 8: 9}, nil)
	}
	switch c.kind {
	case kindNumber:
		return formatNumber(c.text), nil, nil
	case kindDate, kindISODate:
		d, _ := rd.dateValue(c)
		return "", nil, cellErrorf("imp.cell_date", "holds a date (%s) in the spreadsheet, not text: format the column as Text and type the value again", d)
	}
	return c.text, nil, nil
}

func asCellError(err error) *cellError {
	if ce, ok := err.(*cellError); ok {
		return ce
	}
	return &cellError{Key: "imp.date_invalid", Message: err.Error()}
}

// numberAsDigits reads a card or ID number. Text is kept as typed (Validate checks it);
// a numeric cell has lost its leading zeros: widths maps the digit counts that can be
// trusted or restored to the width to pad to, and pad, if set, gives a width for others
// (0: refuse).
func numberAsDigits(c cell, what string, widths map[int]int, pad func(int) int) (string, *cellError, *cellError) {
	switch c.kind {
	case kindText:
		return c.text, nil, nil
	case kindNumber:
	default:
		return "", nil, cellErrorf("imp.cell_type", "is not %s (the spreadsheet holds %s): format the column as Text", what, kindName(c.kind))
	}
	d, ok := integerDigits(c.text)
	if !ok {
		return "", nil, cellErrorf("imp.number_invalid", "is the number %s, not %s", c.text, what)
	}
	w, ok := widths[len(d)]
	if !ok && pad != nil {
		w, ok = pad(len(d)), pad(len(d)) > 0
	}
	if !ok {
		return "", nil, cellErrorf("imp.number_zeros", "was typed as a number (%s), so its leading zeros may be lost: format the column as Text and type %ss again", d, what[strings.IndexByte(what, ' ')+1:])
	}
	if w == len(d) {
		return d, nil, nil
	}
	padded := strings.Repeat("0", w-len(d)) + d
	return padded, cellErrorf("imp.number_padded", "was a number in the spreadsheet (%s): read as %s, the leading zeros a number drops put back; check it", d, padded), nil
}

func kindName(k cellKind) string {
	switch k {
	case kindDate, kindISODate:
		return "a date"
	case kindBool:
		return "TRUE or FALSE"
	case kindNumber:
		return "a number"
	}
	return "text"
}

// integerDigits writes a non-negative whole number without exponent or decimals.
func integerDigits(s string) (string, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || f != math.Trunc(f) || f >= 1e15 {
		return "", false
	}
	return strconv.FormatFloat(f, 'f', -1, 64), true
}

// formatNumber writes a spreadsheet number as a person would type it.
func formatNumber(s string) string {
	if d, ok := integerDigits(s); ok {
		return d
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// dateValue reads a date cell: text in one of the accepted formats, or a spreadsheet's
// date (a serial number in the workbook's date system).
func (rd *Reader) dateValue(c cell) (string, error) {
	date1904 := false
	if x, ok := rd.src.(*xlsxSource); ok {
		date1904 = x.date1904
	}
	switch c.kind {
	case kindText:
		return parseDate(c.text)
	case kindDate:
		f, err := strconv.ParseFloat(c.text, 64)
		if err != nil {
			return "", cellErrorf("imp.date_serial", "is not a date (the spreadsheet holds %q)", c.text)
		}
		return excelDate(f, date1904)
	case kindNumber:
		f, err := strconv.ParseFloat(c.text, 64)
		if err != nil || f < 10000 {
			return "", cellErrorf("imp.date_number", "is the number %s, not a date: %s", c.text, dateHint)
		}
		return excelDate(f, date1904)
	case kindISODate:
		s := c.text
		if len(s) < 10 {
			return "", cellErrorf("imp.date_invalid", "is not a date (%q)", s)
		}
		for i := range 10 {
			if (i == 4 || i == 7) != (s[i] == '-') || (s[i] != '-' && (s[i] < '0' || s[i] > '9')) {
				return "", cellErrorf("imp.date_invalid", "is not a date (%q)", s)
			}
		}
		return ymd(s, atoi(s[:4]), atoi(s[5:7]), atoi(s[8:10]))
	}
	return "", cellErrorf("imp.cell_type", "is not a date (the spreadsheet holds %s): %s", kindName(c.kind), dateHint)
}
