package imports

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/transform"
)

// csvScanner splits CSV text into records the way encoding/csv does (RFC 4180; "\r\n"
// read as "\n"; a quote only opens a quoted cell at its start), with what an import needs
// on top: records numbered as a spreadsheet numbers rows (a blank line is a row; a quoted
// line break is not), a limit on the size of a cell and on the number of cells, errors
// naming the row and cell, and no allocation per record.
type csvScanner struct {
	src      io.Reader
	buf      []byte
	pos, end int
	eof      bool
	rerr     error

	delim    byte
	special  [256]bool // bytes that end an unquoted run: the delimiter, '"', '\n'
	maxField int
	maxCells int

	row   int    // the current record's row number (1-based)
	rec   []byte // the current record's cells, one after another
	ends  []int  // where each cell ends in rec
	blank bool   // the current record was an empty line
}

const csvBufSize = 256 << 10

func newCSVScanner(src io.Reader, delim byte, maxField, maxCells int) *csvScanner {
	s := &csvScanner{src: src, buf: make([]byte, csvBufSize), delim: delim, maxField: maxField, maxCells: maxCells}
	s.special[delim], s.special['"'], s.special['\n'] = true, true, true
	return s
}

// fill makes sure buf[pos:end] holds at least one byte, reading more if needed; false at
// the end of the input.
func (s *csvScanner) fill() bool {
	for s.pos >= s.end {
		if s.eof {
			return false
		}
		n, err := s.src.Read(s.buf)
		s.pos, s.end = 0, n
		if err != nil {
			if err != io.EOF {
				s.rerr = err
			}
			s.eof = true
		}
	}
	return true
}

// cell returns the k-th cell of the current record.
func (s *csvScanner) cell(k int) []byte {
	start := 0
	if k > 0 {
		start = s.ends[k-1]
	}
	return s.rec[start:s.ends[k]]
}

func (s *csvScanner) fail(key, format string, args ...any) error {
	if s.rerr != nil {
		return s.rerr
	}
	return &rowError{Row: s.row, Col: len(s.ends), Key: key, Message: fmt.Sprintf(format, args...)}
}

// checkLen refuses a cell over the limit, or a row of more than maxRowCells cells' worth.
func (s *csvScanner) checkLen(start int) error {
	switch {
	case len(s.rec)-start > s.maxField:
		return s.fail("imp.cell_too_long", "is longer than %d bytes", s.maxField)
	case len(s.rec) > maxRowCells*s.maxField:
		return s.fail("imp.row_too_long", "ends a row longer than %d bytes", maxRowCells*s.maxField)
	}
	return nil
}

// next reads the next record; io.EOF after the last.
func (s *csvScanner) next() error {
	s.rec, s.ends, s.blank = s.rec[:0], s.ends[:0], false
	if !s.fill() {
		if s.rerr != nil {
			return s.rerr
		}
		return io.EOF
	}
	s.row++
	for {
		if len(s.ends) >= s.maxCells {
			return s.fail("imp.csv_cells", "has more than %d cells", s.maxCells)
		}
		start := len(s.rec)
		if s.fill() && s.buf[s.pos] == '"' {
			s.pos++
			done, err := s.quoted(start)
			if err != nil || done {
				return err
			}
			continue
		}
		// An unquoted cell runs to the delimiter or the end of the line.
		for {
			if !s.fill() {
				s.endCell(start, true)
				return s.rerr
			}
			chunk := s.buf[s.pos:s.end]
			i := 0
			for i < len(chunk) && !s.special[chunk[i]] {
				i++
			}
			s.rec = append(s.rec, chunk[:i]...)
			s.pos += i
			if err := s.checkLen(start); err != nil {
				return err
			}
			if i == len(chunk) {
				continue
			}
			s.pos++
			switch chunk[i] {
			case '"':
				return s.fail("imp.csv_bare_quote", "has a stray quote (\") inside an unquoted cell: quote the whole cell and double the quotes inside (\"\")")
			case '\n':
				s.endCell(start, true)
				return nil
			}
			s.endCell(start, false) // the delimiter
			break
		}
	}
}

// endCell closes the cell that began at start. At the end of a line (or of the input) one
// carriage return before it is dropped, and a line with nothing else is blank.
func (s *csvScanner) endCell(start int, eol bool) {
	if eol && len(s.rec) > start && s.rec[len(s.rec)-1] == '\r' {
		s.rec = s.rec[:len(s.rec)-1]
	}
	s.blank = eol && len(s.ends) == 0 && len(s.rec) == start
	s.ends = append(s.ends, len(s.rec))
}

// quoted reads a quoted cell after its opening quote. done reports the end of the record.
func (s *csvScanner) quoted(start int) (done bool, err error) {
	for {
		if !s.fill() {
			return true, s.fail("imp.csv_quote_open", "opens a quoted cell that never closes (a stray quote?): the rest of the file was read as this one cell")
		}
		chunk := s.buf[s.pos:s.end]
		i := bytes.IndexByte(chunk, '"')
		if i < 0 {
			s.rec = append(s.rec, chunk...)
			s.pos = s.end
			if err := s.checkLen(start); err != nil {
				return true, err
			}
			continue
		}
		s.rec = append(s.rec, chunk[:i]...)
		s.pos += i + 1
		if err := s.checkLen(start); err != nil {
			return true, err
		}
		if !s.fill() {
			s.closeQuoted(start)
			return true, s.rerr
		}
		switch c := s.buf[s.pos]; c {
		case '"':
			s.rec = append(s.rec, '"')
			s.pos++
			continue
		case s.delim:
			s.pos++
			s.closeQuoted(start)
			return false, nil
		case '\n':
			s.pos++
			s.closeQuoted(start)
			return true, nil
		case '\r':
			s.pos++
			if !s.fill() {
				s.closeQuoted(start)
				return true, s.rerr
			}
			if s.buf[s.pos] == '\n' {
				s.pos++
				s.closeQuoted(start)
				return true, nil
			}
		}
		return true, s.fail("imp.csv_quote", "has a stray quote (\"): after the closing quote of a quoted cell must come the delimiter or the end of the line")
	}
}

// closeQuoted ends a quoted cell, reading each "\r\n" inside it as "\n".
func (s *csvScanner) closeQuoted(start int) {
	if bytes.IndexByte(s.rec[start:], '\r') >= 0 {
		out := start
		for i := start; i < len(s.rec); i++ {
			if s.rec[i] == '\r' && i+1 < len(s.rec) && s.rec[i+1] == '\n' {
				continue
			}
			s.rec[out] = s.rec[i]
			out++
		}
		s.rec = s.rec[:out]
	}
	s.ends = append(s.ends, len(s.rec))
}

// csvSource reads the rows of a CSV or TSV file.
type csvSource struct {
	r        io.ReaderAt
	start    int64 // after the byte-order mark
	size     int64
	delim    byte
	utf16    encoding.Encoding // non-nil for UTF-16 text (known by its BOM)
	table    *byteTable        // nil for UTF-8
	encName  string
	skipSep  bool // the first line is Excel's "sep=;" hint, not a row
	maxField int
}

const (
	maxCells    = 1024 // cells in a row
	maxRowCells = 16   // a row holds at most this many cells of the largest size
)

func (s *csvSource) reader() io.Reader {
	var r io.Reader = io.NewSectionReader(s.r, s.start, s.size-s.start)
	if s.utf16 != nil {
		r = transform.NewReader(r, s.utf16.NewDecoder())
	}
	return r
}

func (s *csvSource) scan(ctx context.Context, fn func(row int, cells []cell) error) error {
	sc := newCSVScanner(s.reader(), s.delim, s.maxField, maxCells)
	var cells []cell
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		err := sc.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if e, ok := err.(*rowError); ok && s.skipSep {
				e.Row--
			}
			return err
		}
		row := sc.row
		if s.skipSep {
			if row == 1 {
				continue
			}
			row--
		}
		if sc.blank {
			continue
		}
		cells = cells[:0]
		empty := true
		line := string(sc.rec) // one allocation a row: cells are slices of it
		start := 0
		for _, end := range sc.ends {
			c := s.decode(line[start:end])
			start = end
			empty = empty && c.kind != kindBad && isBlank(c.text)
			cells = append(cells, c)
		}
		if empty {
			continue
		}
		if err := fn(row, cells); err != nil {
			return err
		}
	}
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\t' {
			return false
		}
	}
	return true
}

// decode turns a cell's text, as read from the file, into UTF-8. Legacy encodings come
// out NFC; UTF-8 stays as written (NFC or NFD): the text fields are made NFC by
// member.Record.Normalize, the others are codes, numbers and dates.
func (s *csvSource) decode(raw string) cell {
	if s.table != nil {
		t, bad := s.table.decode([]byte(raw))
		if bad >= 0 {
			return cell{kind: kindBad, text: fmt.Sprintf("has the byte 0x%02X, which is not a character in %s", raw[bad], s.encName)}
		}
		return cell{text: t}
	}
	if !utf8.ValidString(raw) {
		return cell{kind: kindBad, text: "is not valid UTF-8 text: the file was read as UTF-8 (choose its encoding: windows-1258 or tcvn3)"}
	}
	return cell{text: raw}
}

// sniffDelimiter picks the delimiter of the header line: the most frequent of tab,
// semicolon and comma outside quotes. It also recognizes Excel's "sep=X" first line.
func sniffDelimiter(sample []byte) (delim byte, sepLine bool) {
	sample = bytes.TrimLeft(sample, "\r\n")
	line := sample
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimRight(line, "\r")
	if len(line) == 5 && bytes.HasPrefix(bytes.ToLower(line), []byte("sep=")) && line[4] != '"' && line[4] < 0x80 {
		return line[4], true
	}
	var counts [256]int
	quoted := false
	for _, c := range sample {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			goto done
		default:
			counts[c]++
		}
	}
done:
	delim = ','
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[delim] {
			delim = c
		}
	}
	return delim, false
}
