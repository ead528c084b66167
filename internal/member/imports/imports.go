// Package imports reads member records from the files old systems and offices produce —
// CSV or TSV in UTF-8 (NFC or NFD, with or without BOM), UTF-16 with a BOM, Windows-1258
// or TCVN3, and XLSX workbooks — against the documented template (docs/import-template.md).
//
// Reading is in passes over an io.ReaderAt, never the whole file in memory: Open sniffs
// the format from the content and reads the header; Check reads every row, normalizes and
// validates it and reports every problem with its row and column; Each (and Import, which
// hands records to a Writer) reads the file again to stream the records out. A file with
// any problem should import nothing: callers run Check, and write only when it is clean,
// in one transaction.
package imports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"

	"dais/internal/member"
	"dais/internal/store"
)

// Options tune Open. The zero value is safe: every limit has a default.
type Options struct {
	Encoding      string // "" (detect), "utf-8", "windows-1258" or "tcvn3"; see ParseEncoding
	MaxRows       int    // data rows accepted; default 10,000,000
	MaxFieldBytes int    // bytes in one cell; default 64 KiB (a longer cell is an error, not a truncation)
	MaxBytes      int64  // bytes of text read: a CSV file's size, an XLSX sheet unpacked; default 4 GiB
	// Progress, if set, is called now and then during Check and Each with how much of the
	// file has been read, for a progress bar.
	Progress func(done, total int64)
}

// Defaults of Options.
const (
	DefaultMaxRows       = 10_000_000
	DefaultMaxFieldBytes = 64 << 10
	DefaultMaxBytes      = 4 << 30
	MaxProblems          = 1000 // problems (and warnings) a Report lists; all are counted
)

func (o Options) withDefaults() Options {
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.MaxFieldBytes <= 0 {
		o.MaxFieldBytes = DefaultMaxFieldBytes
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	return o
}

// Problem is one thing wrong with a file, a row or a cell.
type Problem struct {
	Row     int    `json:"row"`    // 1-based, as a spreadsheet shows it (the template's header is row 1); 0 for the whole file
	Column  string `json:"column"` // the column's header as written in the file (its letter if it has none); "" for a whole row
	Field   string `json:"field"`  // the record field (member.Record's JSON name), when there is one
	Key     string `json:"key"`    // message key for translation
	Message string `json:"message"`
	pos     int    // the file column, to list a row's problems from left to right
}

func (p Problem) String() string {
	switch {
	case p.Row == 0:
		return p.Message
	case p.Column == "":
		return fmt.Sprintf("row %d: %s", p.Row, p.Message)
	}
	return fmt.Sprintf("row %d, column %q: %s", p.Row, p.Column, p.Message)
}

// FileError is a file refused as a whole: not a spreadsheet, an encoding that cannot be
// read, a header that is not the template's. It unwraps to an EINVALID store.Error.
type FileError struct{ Problems []Problem }

func (e *FileError) Error() string {
	s := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		s[i] = p.String()
	}
	return strings.Join(s, "; ")
}

func (e *FileError) Unwrap() error {
	key := "imp.file"
	if len(e.Problems) > 0 {
		key = e.Problems[0].Key
	}
	return &store.Error{Code: store.EINVALID, Key: key, Message: e.Error()}
}

// rowError is a problem that stops the reading of a file at a row (a stray quote, a cell
// too long, a damaged sheet). Col is the 0-based cell, -1 for none.
type rowError struct {
	Row, Col     int
	Key, Message string
}

func (e *rowError) Error() string {
	return fmt.Sprintf("row %d, cell %d: %s", e.Row, e.Col+1, e.Message)
}

// cell is one cell as read: text, or a spreadsheet's typed value.
type cell struct {
	text string
	kind cellKind
}

type cellKind uint8

const (
	kindText    cellKind = iota
	kindNumber           // a numeric spreadsheet cell; text is the number as the file writes it
	kindDate             // a numeric cell with a date format; text is the serial number
	kindISODate          // a spreadsheet date cell stored as ISO 8601 text
	kindBool             // TRUE or FALSE
	kindError            // a formula error such as #N/A
	kindBad              // unreadable; text says why
)

// source reads the rows of one file format.
type source interface {
	// scan calls fn for every row with a non-blank cell, in order, with its row number.
	// cells are only valid during the call.
	scan(ctx context.Context, fn func(row int, cells []cell) error) error
}

// Reader is an opened import file: its format, encoding and header, ready for Check and
// Each. It reads the file afresh on each pass and holds no rows.
type Reader struct {
	Name      string   // the file's name, for messages
	Format    string   // "csv", "tsv" or "xlsx"
	Encoding  string   // the text encoding read (for XLSX, "utf-8", or "tcvn3" for text typed in TCVN3 fonts)
	Delimiter byte     // CSV and TSV
	Sheet     string   // XLSX: the sheet read (the workbook's first visible one)
	Header    []string // the header row's cells as written
	HeaderRow int

	opts    Options
	size    int64
	src     source
	cols    []int // per file column, index into Columns or -1
	pos     []int // per template column, its file column or -1
	rect    bool  // every row must have the header's number of cells (CSV)…
	width   int   // …or at least up to the last non-empty header
	read    *countingReaderAt
	today   time.Time // from the last Check, for Each's validation
	checked int       // data rows the last Check read
}

// errStop ends a scan early.
var errStop = errors.New("stop")

// Open sniffs the file's format from its content — an XLSX workbook (a zip with
// xl/workbook.xml) or delimited text — detects or applies the text encoding, and reads
// and checks the header. name is only used in messages. A *FileError says what is wrong
// with a file that cannot be imported at all.
func Open(r io.ReaderAt, size int64, name string, opts Options) (*Reader, error) {
	opts = opts.withDefaults()
	enc, err := ParseEncoding(opts.Encoding)
	if err != nil {
		return nil, &FileError{Problems: []Problem{{Key: "imp.encoding", Message: err.Error()}}}
	}
	if size <= 0 {
		return nil, fileError("the file is empty")
	}
	if size > opts.MaxBytes {
		return nil, fileError("the file has %d bytes, more than the limit of %d", size, opts.MaxBytes)
	}
	cr := &countingReaderAt{r: r}
	rd := &Reader{Name: name, opts: opts, size: size, read: cr}
	head := make([]byte, min(size, 8<<20)) // the sample for sniffing and encoding detection
	if _, err := r.ReadAt(head, 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06")):
		x, err := openXLSX(cr, size, opts)
		if err != nil {
			return nil, err
		}
		rd.Format, rd.Sheet, rd.Encoding, rd.src = "xlsx", x.sheetName, EncodingUTF8, x
		if err := rd.readHeader(func(sample [][]string) {
			if enc == EncodingTCVN3 || (enc == EncodingAuto && fontTCVN3Likely(sample)) {
				x.fontTCVN3, rd.Encoding = true, EncodingTCVN3
			}
		}); err != nil {
			return nil, err
		}
		return rd, nil
	case bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")):
		return nil, fileError("the file is an Excel 97–2003 workbook (.xls) or a password-protected one: save it as .xlsx (Excel Workbook) or CSV UTF-8")
	case bytes.HasPrefix(head, []byte("%PDF")):
		return nil, fileError("the file is a PDF, not a spreadsheet")
	}
	src := &csvSource{r: cr, size: size, maxField: opts.MaxFieldBytes}
	sample := head
	switch {
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		src.start, enc, sample = 3, EncodingUTF8, head[3:]
	case bytes.HasPrefix(head, []byte("\xFF\xFE")), bytes.HasPrefix(head, []byte("\xFE\xFF")):
		order := unicode.LittleEndian
		enc = encodingUTF16LE
		if head[0] == 0xFE {
			order, enc = unicode.BigEndian, encodingUTF16BE
		}
		src.start, src.utf16 = 2, unicode.UTF16(order, unicode.IgnoreBOM)
		if sample, err = src.utf16.NewDecoder().Bytes(head[2 : 2+(len(head)-2)&^1]); err != nil {
			return nil, fileError("the file starts like UTF-16 text but is not: %v", err)
		}
	}
	if bytes.IndexByte(sample[:min(len(sample), 64<<10)], 0) >= 0 {
		return nil, fileError("the file is not text (it holds NUL bytes): import CSV, TSV or XLSX files")
	}
	if lower := bytes.ToLower(bytes.TrimSpace(sample[:min(len(sample), 512)])); bytes.HasPrefix(lower, []byte("<html")) ||
		bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<table")) || bytes.HasPrefix(lower, []byte("<?xml")) {
		return nil, fileError("the file is a web page or XML saved under a spreadsheet's name: open it in Excel and save it as .xlsx or CSV UTF-8")
	}
	if enc == EncodingAuto {
		if validUTF8Prefix(sample) {
			enc = EncodingUTF8
		} else if enc, err = detectLegacy(sample); err != nil {
			return nil, &FileError{Problems: []Problem{{Key: "imp.encoding_unknown", Message: err.Error()}}}
		}
	}
	switch enc {
	case EncodingCP1258:
		src.table = &cp1258Table
	case EncodingTCVN3:
		src.table = &tcvn3Table
	}
	src.encName = enc
	src.delim, src.skipSep = sniffDelimiter(sample)
	rd.Format, rd.Encoding, rd.Delimiter, rd.src, rd.rect = "csv", enc, src.delim, src, true
	if src.delim == '\t' {
		rd.Format = "tsv"
	}
	if err := rd.readHeader(nil); err != nil {
		return nil, err
	}
	return rd, nil
}

// readHeader takes the first non-blank row as the header. decide, if set, first sees the
// header and a sample of rows as text (to choose how to decode them).
func (rd *Reader) readHeader(decide func(sample [][]string)) error {
	var sample [][]string
	header := -1
	err := rd.src.scan(context.Background(), func(row int, cells []cell) error {
		texts := make([]string, len(cells))
		for i, c := range cells {
			if c.kind == kindText {
				texts[i] = c.text
			}
		}
		if header < 0 {
			header = row
			var bad []Problem
			for j, c := range cells {
				if c.kind == kindBad {
					bad = append(bad, Problem{Row: row, Column: columnLetters(j), Key: "imp.cell_unreadable", Message: c.text})
				}
			}
			if len(bad) > 0 {
				return &FileError{Problems: bad}
			}
			if decide == nil {
				rd.HeaderRow, rd.Header = row, texts
				return errStop
			}
		}
		sample = append(sample, texts)
		if len(sample) > 200 {
			return errStop
		}
		return nil
	})
	var re *rowError
	var fe *FileError
	switch {
	case errors.As(err, &re):
		return &FileError{Problems: []Problem{rd.rowProblem(re)}}
	case errors.As(err, &fe):
		return fe
	case err != nil && err != errStop:
		return err
	case header < 0:
		return fileError("the file has no rows")
	}
	if decide != nil {
		decide(sample)
		// Read the header again, decoded as decided.
		if err := rd.src.scan(context.Background(), func(row int, cells []cell) error {
			rd.HeaderRow, rd.Header = row, make([]string, len(cells))
			for i, c := range cells {
				if c.kind == kindText {
					rd.Header[i] = c.text
				}
			}
			return errStop
		}); err != nil && err != errStop {
			return err
		}
	}
	for i, h := range rd.Header {
		rd.Header[i] = norm.NFC.String(strings.TrimSpace(h))
	}
	cols, problems := matchHeader(rd.Header, rd.HeaderRow)
	if len(problems) > 0 {
		known := false
		for _, c := range cols {
			known = known || c >= 0
		}
		if !known {
			problems = append([]Problem{{Row: rd.HeaderRow, Key: "imp.no_header",
				Message: "is not the template's header row: none of its cells names a column (such as \"Họ và tên\" or \"full_name\"); see docs/import-template.md"}}, problems...)
		}
		return &FileError{Problems: problems}
	}
	rd.cols = cols
	for j, h := range rd.Header {
		if h != "" {
			rd.width = j + 1
		}
	}
	rd.pos = make([]int, len(Columns))
	for i := range rd.pos {
		rd.pos[i] = -1
	}
	for j, c := range cols {
		if c >= 0 {
			rd.pos[c] = j
		}
	}
	return nil
}

// fontTCVN3Likely reports whether spreadsheet text reads as Vietnamese only once taken
// for TCVN3 bytes shown in a TCVN3 font (such as .VnTime), as old workbooks hold it.
func fontTCVN3Likely(rows [][]string) bool {
	asIs, asFont, total := 0, 0, 0
	for _, row := range rows {
		for _, s := range row {
			for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r < 0x80 && !('a' <= r|0x20 && r|0x20 <= 'z') }) {
				if utf8.RuneCountInString(w) == len(w) || total >= 5000 {
					continue
				}
				total++
				if isVietnameseWord(w) {
					asIs++
				}
				if t, ok := fromANSIFontText(w); ok && isVietnameseWord(t) {
					asFont++
				}
			}
		}
	}
	return asFont > asIs && asFont*2 > total
}

// rowProblem turns a reading error into a problem naming the row and column.
func (rd *Reader) rowProblem(e *rowError) Problem {
	p := Problem{Row: e.Row, Key: e.Key, Message: e.Message}
	if e.Col >= 0 {
		p.Column = rd.columnName(e.Col)
	}
	return p
}

// columnName is the header of the j-th column as written, or its letter.
func (rd *Reader) columnName(j int) string {
	if j < len(rd.Header) && rd.Header[j] != "" {
		return rd.Header[j]
	}
	return columnLetters(j)
}

// Report is the outcome of Check.
type Report struct {
	Format       string    `json:"format"`
	Encoding     string    `json:"encoding"`
	Rows         int       `json:"rows"`          // data rows read
	BadRows      int       `json:"bad_rows"`      // rows with at least one problem
	Problems     []Problem `json:"problems"`      // the first MaxProblems problems, in file order
	ProblemCount int       `json:"problem_count"` // all of them
	Warnings     []Problem `json:"warnings"`      // things changed on the way in that a person should check
	WarningCount int       `json:"warning_count"`
	Stopped      bool      `json:"stopped"` // reading stopped early: the last problem made the rest unreadable
}

// OK reports whether the file can be imported.
func (r *Report) OK() bool { return r.ProblemCount == 0 }

// ProblemRows lists the distinct rows of the listed problems, in order.
func (r *Report) ProblemRows() []int {
	var rows []int
	for _, p := range r.Problems {
		if len(rows) == 0 || rows[len(rows)-1] != p.Row {
			rows = append(rows, p.Row)
		}
	}
	return rows
}

func (r *Report) problem(p Problem) {
	r.ProblemCount++
	if len(r.Problems) < MaxProblems {
		r.Problems = append(r.Problems, p)
	}
}

func (r *Report) warning(p Problem) {
	r.WarningCount++
	if len(r.Warnings) < MaxProblems {
		r.Warnings = append(r.Warnings, p)
	}
}

// Check reads every row of the file, normalizes and validates it as a member.Record
// (dates of birth and admission after today are refused), and finds card numbers that
// appear twice in the file and unit codes for which knownUnit (if not nil) says false.
// The error is for the reading itself (I/O, ctx); what is wrong with the file is in the
// Report.
func Check(ctx context.Context, rd *Reader, today time.Time, knownUnit func(code string) bool) (Report, error) {
	rd.today = today
	rep := Report{Format: rd.Format, Encoding: rd.Encoding}
	cards := map[uint64]int32{} // card number (packCard) → first row
	units := map[string]bool{}
	cardCol, cardPos := rd.fieldColumn("card_number")
	unitCol, unitPos := rd.fieldColumn("unit_code")
	err := rd.rows(ctx, today, func(row int, rec *member.Record, probs, warns []Problem) error {
		rep.Rows++
		bad := len(probs) > 0
		for _, p := range probs {
			rep.problem(p)
		}
		for _, w := range warns {
			rep.warning(w)
		}
		if !hasField(probs, "card_number") {
			if k, ok := packCard(rec.CardNumber); ok {
				if first, dup := cards[k]; dup {
					rep.problem(Problem{Row: row, Column: cardCol, pos: cardPos, Field: "card_number", Key: "imp.card_duplicate",
						Message: fmt.Sprintf("%s is also on row %d: a card number may appear only once", rec.CardNumber, first)})
					bad = true
				} else {
					cards[k] = int32(row)
				}
			}
		}
		if knownUnit != nil && rec.UnitCode != "" && !hasField(probs, "unit_code") {
			known, seen := units[rec.UnitCode]
			if !seen {
				known = knownUnit(rec.UnitCode)
				if len(units) < 100_000 {
					units[rec.UnitCode] = known
				}
			}
			if !known {
				rep.problem(Problem{Row: row, Column: unitCol, pos: unitPos, Field: "unit_code", Key: "imp.unit_unknown",
					Message: fmt.Sprintf("%s is not a unit you may import into (no such code, dissolved, or outside your units)", rec.UnitCode)})
				bad = true
			}
		}
		if bad {
			rep.BadRows++
		}
		return nil
	})
	var re *rowError
	var fe *FileError
	switch {
	case errors.As(err, &re):
		rep.problem(rd.rowProblem(re))
		rep.BadRows++
		rep.Stopped = true
		return rep, nil
	case errors.As(err, &fe):
		for _, p := range fe.Problems {
			rep.problem(p)
		}
		rep.Stopped = true
		return rep, nil
	}
	rd.checked = rep.Rows
	return rep, err
}

// Rows is the number of data rows the last Check read (0 before a Check).
func (rd *Reader) Rows() int { return rd.checked }

func hasField(probs []Problem, field string) bool {
	for _, p := range probs {
		if p.Field == field {
			return true
		}
	}
	return false
}

// packCard turns a card number of 6 to 12 digits into a map key (its length and value),
// so a file's millions of cards take 8 bytes each.
func packCard(s string) (uint64, bool) {
	if len(s) < 6 || len(s) > 12 {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + uint64(s[i]-'0')
	}
	return uint64(len(s))<<40 | v, true
}

// fieldColumn is the header of the field's column in the file, and its position; "", -1
// if the file has none.
func (rd *Reader) fieldColumn(field string) (string, int) {
	if i := columnByField(field); i >= 0 && rd.pos[i] >= 0 {
		return rd.columnName(rd.pos[i]), rd.pos[i]
	}
	return "", -1
}

// Each reads the file again and calls fn with every record, normalized and validated (as
// of the day given to the last Check, or today). It stops at the first row with a problem
// (run Check first to have them all) and at the first error fn returns, which it returns.
func Each(ctx context.Context, rd *Reader, fn func(row int, rec member.Record) error) error {
	today := rd.today
	if today.IsZero() {
		today = time.Now()
	}
	err := rd.rows(ctx, today, func(row int, rec *member.Record, probs, _ []Problem) error {
		if len(probs) > 0 {
			p := probs[0]
			return fmt.Errorf("import row %d, column %q: %w", row, p.Column, &store.Error{Code: store.EINVALID, Key: p.Key, Field: p.Field, Message: p.Message})
		}
		return fn(row, *rec)
	})
	var re *rowError
	if errors.As(err, &re) {
		p := rd.rowProblem(re)
		return fmt.Errorf("import row %d, column %q: %w", re.Row, p.Column, &store.Error{Code: store.EINVALID, Key: p.Key, Message: p.Message})
	}
	return err
}

// Writer stores imported records: member.Importer, inside the transaction of one import.
type Writer interface {
	// PutBatch writes records, keyed by their card numbers, and says what it did to each:
	// "created", "updated" or "unchanged". An error about one record wraps a
	// *member.RecordError naming its index.
	PutBatch(ctx context.Context, recs []member.Record) ([]string, error)
}

// Counts are the outcomes of an import.
type Counts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Import streams every record of the file to w, member.ImportRows at a time. Run Check
// first: Import stops at the first problem, and only w's transaction makes the import
// all-or-nothing.
func Import(ctx context.Context, rd *Reader, w Writer) (Counts, error) {
	var c Counts
	recs := make([]member.Record, 0, member.ImportRows)
	rows := make([]int, 0, member.ImportRows)
	put := func() error {
		if len(recs) == 0 {
			return nil
		}
		out, err := w.PutBatch(ctx, recs)
		if err != nil {
			var re *member.RecordError
			if errors.As(err, &re) && re.Index >= 0 && re.Index < len(rows) {
				return fmt.Errorf("import row %d: %w", rows[re.Index], re.Err)
			}
			return fmt.Errorf("import rows %d–%d: %w", rows[0], rows[len(rows)-1], err)
		}
		if len(out) != len(recs) {
			return fmt.Errorf("import rows %d–%d: the writer reported %d outcomes for %d records", rows[0], rows[len(rows)-1], len(out), len(recs))
		}
		for i, outcome := range out {
			switch outcome {
			case member.Created:
				c.Created++
			case member.Updated:
				c.Updated++
			case member.Unchanged:
				c.Unchanged++
			default:
				return fmt.Errorf("import row %d: the writer reported %q", rows[i], outcome)
			}
		}
		recs, rows = recs[:0], rows[:0]
		return nil
	}
	err := Each(ctx, rd, func(row int, rec member.Record) error {
		recs, rows = append(recs, rec), append(rows, row)
		if len(recs) < member.ImportRows {
			return nil
		}
		return put()
	})
	if err == nil {
		err = put()
	}
	return c, err
}

// countingReaderAt counts the bytes read in a pass, for progress.
type countingReaderAt struct {
	r io.ReaderAt
	n int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}
