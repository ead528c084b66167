package imports

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

type scanned struct {
	row    int
	fields []string
}

func (s scanned) String() string { return fmt.Sprintf("%d%q", s.row, s.fields) }

// scanCSV runs the scanner over input (read a few bytes at a time, to cross buffer
// boundaries everywhere) and returns its non-blank records.
func scanCSV(input string, delim byte, maxField int) ([]scanned, error) {
	sc := newCSVScanner(iotest.HalfReader(strings.NewReader(input)), delim, maxField, 64)
	sc.buf = make([]byte, 7)
	var out []scanned
	for {
		err := sc.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if sc.blank {
			continue
		}
		r := scanned{row: sc.row}
		for k := range sc.ends {
			r.fields = append(r.fields, string(sc.cell(k)))
		}
		out = append(out, r)
	}
}

func TestCSVScanner(t *testing.T) {
	cases := []struct {
		name, in string
		want     string // records as row"fields", joined by " "
		errKey   string
		errRow   int
		errCol   int
	}{
		{name: "plain", in: "a,b\nc,d\n", want: `1["a" "b"] 2["c" "d"]`},
		{name: "no final newline", in: "a,b\nc,d", want: `1["a" "b"] 2["c" "d"]`},
		{name: "CRLF", in: "a,b\r\nc,d\r\n", want: `1["a" "b"] 2["c" "d"]`},
		{name: "blank lines are rows", in: "a\n\n\r\nb\n\n", want: `1["a"] 4["b"]`},
		{name: "quoted", in: "\"a,b\",\"say \"\"hi\"\"\"\n", want: `1["a,b" "say \"hi\""]`},
		{name: "quoted line break is one row", in: "\"line 1\r\nline 2\",x\ny,z\n", want: `1["line 1\nline 2" "x"] 2["y" "z"]`},
		{name: "empty cells", in: ",,\n", want: `1["" "" ""]`},
		{name: "empty quoted", in: "\"\"\n", want: `1[""]`},
		{name: "trailing CR at EOF", in: "a,b\r", want: `1["a" "b"]`},
		{name: "lone CR is data", in: "a\rb,c\n", want: `1["a\rb" "c"]`},
		{name: "quoted then CRLF", in: "\"a\"\r\n\"b\"", want: `1["a"] 2["b"]`},
		{name: "UTF-8 kept", in: "Nguyễn Văn An,Nữ\n", want: `1["Nguyễn Văn An" "Nữ"]`},
		{name: "bare quote", in: "a,b\nc,d\"e\n", want: `1["a" "b"]`, errKey: "imp.csv_bare_quote", errRow: 2, errCol: 1},
		{name: "text after closing quote", in: "a\n\"b\"c,d\n", want: `1["a"]`, errKey: "imp.csv_quote", errRow: 2, errCol: 0},
		{name: "quote never closed", in: "a,b\nc,\"d\ne,f\n", want: `1["a" "b"]`, errKey: "imp.csv_quote_open", errRow: 2, errCol: 1},
		{name: "cell too long", in: "a,b\n1234567890123456789,x\n", want: `1["a" "b"]`, errKey: "imp.cell_too_long", errRow: 2, errCol: 0},
		{name: "quoted cell too long", in: "\"1234567890123456789\"\n", errKey: "imp.cell_too_long", errRow: 1, errCol: 0},
		{name: "too many cells", in: strings.Repeat(",", 64) + "\n", errKey: "imp.csv_cells", errRow: 1, errCol: 64},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			recs, err := scanCSV(c.in, ',', 16)
			var got []string
			for _, r := range recs {
				got = append(got, r.String())
			}
			if strings.Join(got, " ") != c.want {
				t.Errorf("records %s\n       want %s", strings.Join(got, " "), c.want)
			}
			var re *rowError
			switch {
			case c.errKey == "" && err != nil:
				t.Errorf("error %v", err)
			case c.errKey != "" && !errors.As(err, &re):
				t.Errorf("error %v, want %s", err, c.errKey)
			case c.errKey != "" && (re.Key != c.errKey || re.Row != c.errRow || re.Col != c.errCol):
				t.Errorf("error %s at row %d cell %d (%s), want %s at row %d cell %d", re.Key, re.Row, re.Col, re.Message, c.errKey, c.errRow, c.errCol)
			}
		})
	}
}

func TestSniffDelimiter(t *testing.T) {
	cases := []struct {
		in    string
		delim byte
		sep   bool
	}{
		{"a,b,c\n1;2", ',', false},
		{"a;b;c\n", ';', false},
		{"a\tb\tc", '\t', false},
		{"\"a;b\",c,d\n", ',', false},
		{"sep=;\r\na;b\n", ';', true},
		{"Họ và tên", ',', false},
	}
	for _, c := range cases {
		if d, sep := sniffDelimiter([]byte(c.in)); d != c.delim || sep != c.sep {
			t.Errorf("sniffDelimiter(%q) = %q, %v; want %q, %v", c.in, d, sep, c.delim, c.sep)
		}
	}
}

// FuzzCSVScanner compares the scanner with encoding/csv: wherever encoding/csv reads the
// input, the scanner reads the same records (it also numbers blank lines, which
// encoding/csv skips), and wherever encoding/csv refuses it, so does the scanner.
func FuzzCSVScanner(f *testing.F) {
	for _, s := range []string{"a,b\nc,d\n", "\"a\"\"b\",c\r\n", "a\n\n\"x\ny\"\n", "a,\"b\nc", "x\"y\n", "\"a\"b", ";;\r", "a\r\rb\n\r"} {
		f.Add(s, false)
	}
	f.Add("a;b\nc;d", true)
	f.Fuzz(func(t *testing.T, in string, semicolon bool) {
		delim := byte(',')
		if semicolon {
			delim = ';'
		}
		got, err := scanCSV(in, delim, 1<<20)
		cr := csv.NewReader(strings.NewReader(in))
		cr.Comma, cr.FieldsPerRecord = rune(delim), -1
		want, werr := cr.ReadAll()
		if (err != nil) != (werr != nil) {
			t.Fatalf("input %q: scanner error %v, encoding/csv error %v", in, err, werr)
		}
		if err != nil {
			return
		}
		if len(got) != len(want) {
			t.Fatalf("input %q: scanner %v, encoding/csv %q", in, got, want)
		}
		for i := range got {
			if fmt.Sprintf("%q", got[i].fields) != fmt.Sprintf("%q", want[i]) {
				t.Fatalf("input %q: record %d: scanner %q, encoding/csv %q", in, i, got[i].fields, want[i])
			}
			if i > 0 && got[i].row <= got[i-1].row {
				t.Fatalf("input %q: rows not increasing: %v", in, got)
			}
		}
		if n := len(got); n > 0 && got[n-1].row > strings.Count(in, "\n")+1 {
			t.Fatalf("input %q: row %d beyond the number of lines", in, got[n-1].row)
		}
	})
}

func TestCSVTenMegabyteCell(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 10<<20)
	in := "Họ và tên,Ngày sinh\nAn,01/01/1990\nBình," + string(big) + "\n"
	_, err := scanCSV(in, ',', DefaultMaxFieldBytes)
	var re *rowError
	if !errors.As(err, &re) || re.Row != 3 || re.Col != 1 || re.Key != "imp.cell_too_long" {
		t.Fatalf("error %v, want a too-long cell at row 3, cell 2", err)
	}
}
