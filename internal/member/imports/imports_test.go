package imports

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"

	"dais/internal/member"
	"dais/internal/store"
)

// The sample file documented in docs/import-template.md.
const samplePath = "../../../docs/import-sample.csv"

func TestSampleFile(t *testing.T) {
	b, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	recs, rep := readAll(t, b, Options{})
	if !rep.OK() || rep.WarningCount != 0 || len(recs) != 10 {
		t.Fatalf("%d records; problems %v; warnings %v", len(recs), rep.Problems, rep.Warnings)
	}
	first := member.Record{UnitCode: "BN.HL01.CB01", FullName: "Nguyễn Văn Hùng", Gender: "male", BirthDate: "1968-03-12",
		Hometown: "Xã Phù Chẩn, Từ Sơn, Bắc Ninh", Residence: "Phường Đình Bảng, Từ Sơn, Bắc Ninh", Ethnicity: "Kinh",
		Religion: "Không", IDNumber: "027068001234", CardNumber: "01234567", AdmissionDate: "1990-05-19", OfficialDate: "1991-05-19",
		Positions: "Bí thư chi bộ", Education: "12/12", ProfessionalLevel: "Đại học", TheoryLevel: "Cao cấp", Status: member.StatusOfficial}
	if recs[0] != first {
		t.Errorf("first record\n got %+v\nwant %+v", recs[0], first)
	}
	statuses := map[string]int{}
	for _, r := range recs {
		statuses[r.Status]++
	}
	if statuses[member.StatusProbationary] != 2 || statuses[member.StatusDeceased] != 1 || statuses[member.StatusOfficial] != 7 {
		t.Errorf("statuses %v", statuses)
	}
}

// TestEncodings reads the sample file written in every encoding the import accepts and
// expects the same records from each.
func TestEncodings(t *testing.T) {
	orig, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := readAll(t, orig, Options{})
	text := string(orig)
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(rewriteCSV(t, text, '\t', false))
	cases := []struct {
		name, encoding string
		b              []byte
		detected       string
	}{
		{"UTF-8 BOM", "", append([]byte("\xEF\xBB\xBF"), orig...), EncodingUTF8},
		{"NFD", "", []byte(norm.NFD.String(text)), EncodingUTF8},
		{"CRLF and semicolons", "", []byte(rewriteCSV(t, text, ';', true)), EncodingUTF8},
		{"Excel sep line", "", []byte("sep=;\n" + rewriteCSV(t, text, ';', false)), EncodingUTF8},
		{"Windows-1258 detected", "", encodeCP1258(t, text), EncodingCP1258},
		{"Windows-1258 chosen", "cp1258", encodeCP1258(t, text), EncodingCP1258},
		{"TCVN3 detected", "", mustTCVN3(t, text), EncodingTCVN3},
		{"TCVN3 chosen", "tcvn3", mustTCVN3(t, text), EncodingTCVN3},
		{"UTF-16 TSV", "", []byte(utf16), encodingUTF16LE},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rd, err := Open(bytes.NewReader(c.b), int64(len(c.b)), "x.csv", Options{Encoding: c.encoding})
			if err != nil {
				t.Fatal(err)
			}
			if rd.Encoding != c.detected {
				t.Errorf("encoding %q, want %q", rd.Encoding, c.detected)
			}
			got, rep := readAll(t, c.b, Options{Encoding: c.encoding})
			if !rep.OK() {
				t.Fatalf("problems %v", rep.Problems)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("records differ:\n got %+v\nwant %+v", got, want)
			}
		})
	}
	// A legacy file read as UTF-8 by force says which cells are not UTF-8.
	b := encodeCP1258(t, text)
	_, err = Open(bytes.NewReader(b), int64(len(b)), "x.csv", Options{Encoding: "utf-8"})
	if err == nil || !strings.HasPrefix(err.Error(), `row 1, column "A": is not valid UTF-8 text`) {
		t.Errorf("error %v", err)
	}
	b = append([]byte(header), encodeCP1258(t, "Hà,Nữ,01/01/1980,10000001,BN,01/01/2000,\n")...)
	_, rep := readAll(t, b, Options{Encoding: "utf-8"})
	if len(rep.Problems) != 2 || rep.Problems[0].String() != `row 2, column "full_name": is not valid UTF-8 text: the file was read as UTF-8 (choose its encoding: windows-1258 or tcvn3)` {
		t.Errorf("problems %v", rep.Problems)
	}
}

// rewriteCSV writes CSV text again with another delimiter and, if crlf, "\r\n" lines.
func rewriteCSV(t *testing.T, text string, delim rune, crlf bool) string {
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	w := csv.NewWriter(&sb)
	w.Comma, w.UseCRLF = delim, crlf
	w.WriteAll(recs)
	return sb.String()
}

var header = "full_name,gender,birth_date,card_number,unit_code,admission_date,official_date\n"

func TestBadRows(t *testing.T) {
	cases := []struct {
		name, body string
		want       []string // problems as printed
		stopped    bool
	}{
		{"clean", "An,Nam,01/01/1980,10000001,BN,01/01/2000,02/01/2001\n\n\nBình,Nữ,1981-02-03,10000002,BN,01/01/2000,\n", nil, false},
		{"header with empty cells at the end", "An,Nam,01/01/1980,10000001,BN,01/01/2000,,,\nBình,Nữ,1981-02-03,10000002,BN,01/01/2000,\n", nil, false},
		{"duplicate cards", "An,Nam,01/01/1980,10000001,BN,01/01/2000,\nBình,Nữ,01/01/1980,10000002,BN,01/01/2000,\nChi,Nữ,01/01/1980,10000001,BN,01/01/2000,\n",
			[]string{`row 4, column "card_number": 10000001 is also on row 2: a card number may appear only once`}, false},
		{"unknown unit", "An,Nam,01/01/1980,10000001,XX.01,01/01/2000,\n",
			[]string{`row 2, column "unit_code": XX.01 is not a unit you may import into (no such code, dissolved, or outside your units)`}, false},
		{"ragged", "An,Nam,01/01/1980,10000001,BN,01/01/2000\nBình,Nữ,01/01/1980,10000002,BN,01/01/2000,,x\nChi,Nữ,01/01/1980,10000003,BN,01/01/2000,,\n",
			[]string{`row 2: has 6 cells where the header has 7 (a delimiter missing or extra, or a quote that swallowed one?)`,
				`row 3: has 8 cells where the header has 7 (a delimiter missing or extra, or a quote that swallowed one?)`}, false},
		{"stray quote", "An,Nam,01/01/1980,10000001,BN,01/01/2000,\nBình \"Bé,Nữ,01/01/1980,10000002,BN,01/01/2000,\nChi,Nữ,01/01/1980,10000003,BN,01/01/2000,\n",
			[]string{`row 3, column "full_name": has a stray quote (") inside an unquoted cell: quote the whole cell and double the quotes inside ("")`}, true},
		{"quote never closed", "An,Nam,01/01/1980,10000001,BN,01/01/2000,\n\"Bình,Nữ,01/01/1980,10000002,BN,01/01/2000,\nChi,Nữ,01/01/1980,10000003,BN,01/01/2000,\n",
			[]string{`row 3, column "full_name": opens a quoted cell that never closes (a stray quote?): the rest of the file was read as this one cell`}, true},
		{"validation", "An2,Nam,31/02/1980,1234,BN,01/01/1990,\n",
			[]string{`row 2, column "full_name": must not contain digits`, `row 2, column "birth_date": is not a date ("31/02/1980": February 1980 has no day 31)`,
				`row 2, column "card_number": must be 6 to 12 digits`}, false},
		{"future and too young", "An,Nam,01/01/2000,10000001,BN,01/01/2010,\nBình,Nữ,01/01/1980,10000002,BN,01/01/2030,\n",
			[]string{`row 2, column "admission_date": is before the member's 18th birthday`, `row 3, column "admission_date": is in the future`}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := header
			if strings.Contains(c.name, "empty cells") {
				h = strings.TrimSuffix(header, "\n") + ",,\n"
			}
			b := []byte(h + c.body)
			rd, err := Open(bytes.NewReader(b), int64(len(b)), "x.csv", Options{})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Check(context.Background(), rd, today, func(code string) bool { return code == "BN" })
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range rep.Problems {
				got = append(got, p.String())
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			if rep.Stopped != c.stopped {
				t.Errorf("stopped = %v", rep.Stopped)
			}
			// Each refuses what Check refused, naming the row.
			err = Each(context.Background(), rd, func(int, member.Record) error { return nil })
			if (err != nil) != (len(c.want) > 0 && !strings.Contains(c.name, "dup") && !strings.Contains(c.name, "unit")) {
				t.Errorf("Each: %v", err)
			}
			if err != nil && (store.ErrorCode(err) != store.EINVALID || !strings.Contains(err.Error(), "import row")) {
				t.Errorf("Each error %v is not an EINVALID naming the row", err)
			}
		})
	}
}

func TestTenMegabyteField(t *testing.T) {
	b := []byte(header + "An,Nam,01/01/1980,10000001,BN,01/01/2000,\n\"" + strings.Repeat("Nguyễn ", 10<<20/8) + "\",Nữ,01/01/1980,10000002,BN,01/01/2000,\n")
	_, rep := readAll(t, b, Options{})
	if len(rep.Problems) != 1 || rep.Problems[0].String() != `row 3, column "full_name": is longer than 65536 bytes` || !rep.Stopped {
		t.Errorf("problems %v", rep.Problems)
	}
}

func TestFileErrors(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"empty", "", "the file is empty"},
		{"only blank lines", "\n\r\n,,\n", "the file has no rows"},
		{"title row", "DANH SÁCH ĐẢNG VIÊN\n" + header, `row 1: is not the template's header row`},
		{"missing column", "full_name,gender\n", `row 1: the required column "Ngày sinh" (birth_date) is missing`},
		{"unknown column", strings.TrimSuffix(header, "\n") + ",Ghi chú\n", `row 1, column "Ghi chú": is not a column of the import template (column H)`},
		{"duplicate column", strings.TrimSuffix(header, "\n") + ",Họ và tên\n", `row 1, column "Họ và tên": appears twice (columns A and H)`},
		{"stray quote in header", "full\"name\n", `row 1, column "A": has a stray quote`},
		{"binary", "\x00\x01\x02", "not text"},
		{"unknown legacy", "\x80\x81\x82\x83 \x84\x85\x86,\x87\n", "reads as Vietnamese neither"},
		{"unknown encoding", "a", "unknown encoding"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := Options{}
			if c.name == "unknown encoding" {
				opts.Encoding = "vni"
			}
			_, err := Open(strings.NewReader(c.in), int64(len(c.in)), "x.csv", opts)
			var fe *FileError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want a FileError with %q", err, c.want)
			}
			if store.ErrorCode(err) != store.EINVALID {
				t.Errorf("code %s", store.ErrorCode(err))
			}
		})
	}
}

func TestLimits(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(header)
	for i := range 20 {
		fmt.Fprintf(&sb, "An,Nam,01/01/1980,%08d,BN,01/01/2000,\n", 10000000+i)
	}
	b := []byte(sb.String())
	var progress [][2]int64
	rd, err := Open(bytes.NewReader(b), int64(len(b)), "x.csv", Options{MaxRows: 10, Progress: func(d, n int64) { progress = append(progress, [2]int64{d, n}) }})
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := Check(context.Background(), rd, today, nil)
	if !rep.Stopped || rep.Rows != 10 || rep.Problems[0].String() != "row 12: is past the limit of 10 rows" {
		t.Errorf("rows %d, problems %v", rep.Rows, rep.Problems)
	}
	if _, err := Open(bytes.NewReader(b), int64(len(b)), "x.csv", Options{MaxBytes: 100}); err == nil {
		t.Error("a file over MaxBytes opened")
	}
	rd, _ = Open(bytes.NewReader(b), int64(len(b)), "x.csv", Options{Progress: func(d, n int64) { progress = append(progress, [2]int64{d, n}) }})
	Check(context.Background(), rd, today, nil)
	if last := progress[len(progress)-1]; last[0] != int64(len(b)) || last[1] != int64(len(b)) {
		t.Errorf("progress %v", progress)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Check(ctx, rd, today, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Check with a cancelled context: %v", err)
	}
}

func TestProblemCap(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(header)
	for range MaxProblems + 500 {
		sb.WriteString("An,Nam,01/01/1980,1,BN,01/01/2000,\n")
	}
	_, rep := readAll(t, []byte(sb.String()), Options{})
	if len(rep.Problems) != MaxProblems || rep.ProblemCount != MaxProblems+500 || rep.BadRows != MaxProblems+500 {
		t.Errorf("listed %d, counted %d, bad rows %d", len(rep.Problems), rep.ProblemCount, rep.BadRows)
	}
	if rows := rep.ProblemRows(); len(rows) != MaxProblems || rows[0] != 2 {
		t.Errorf("problem rows %v…", rows[:3])
	}
}

// fakeWriter stands in for member.Importer: records keyed by card number.
type fakeWriter struct{ cards map[string]member.Record }

func (w *fakeWriter) PutBatch(_ context.Context, recs []member.Record) ([]string, error) {
	out := make([]string, len(recs))
	for i, r := range recs {
		old, ok := w.cards[r.CardNumber]
		w.cards[r.CardNumber] = r
		switch {
		case !ok:
			out[i] = "created"
		case old == r:
			out[i] = "unchanged"
		default:
			out[i] = "updated"
		}
	}
	return out, nil
}

func TestImport(t *testing.T) {
	b, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	w := &fakeWriter{cards: map[string]member.Record{}}
	for i, want := range []Counts{{Created: 10}, {Unchanged: 10}} {
		rd, err := Open(bytes.NewReader(b), int64(len(b)), "sample.csv", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep, err := Check(context.Background(), rd, today, nil); err != nil || !rep.OK() {
			t.Fatalf("check: %v %v", err, rep.Problems)
		}
		got, err := Import(context.Background(), rd, w)
		if err != nil || got != want {
			t.Errorf("import %d: %+v, %v; want %+v", i+1, got, err, want)
		}
	}
	// One changed row: one update.
	changed := bytes.Replace(b, []byte("Bí thư chi bộ,12/12,Đại học,Cao cấp"), []byte("Bí thư đảng uỷ,12/12,Đại học,Cao cấp"), 1)
	rd, _ := Open(bytes.NewReader(changed), int64(len(changed)), "sample.csv", Options{})
	if got, err := Import(context.Background(), rd, w); err != nil || got != (Counts{Updated: 1, Unchanged: 9}) {
		t.Errorf("import of a changed file: %+v, %v", got, err)
	}
	// A writer's error stops the import and names the row.
	rd, _ = Open(bytes.NewReader(b), int64(len(b)), "sample.csv", Options{})
	_, err = Import(context.Background(), rd, writerFunc(func(r member.Record) (string, error) {
		if r.CardNumber == "03456781" {
			return "", store.Errorf(store.ECONFLICT, "card %s belongs to another unit", r.CardNumber)
		}
		return "created", nil
	}))
	if store.ErrorCode(err) != store.ECONFLICT || !strings.Contains(err.Error(), "import row 5") {
		t.Errorf("error %v", err)
	}
}

type writerFunc func(member.Record) (string, error)

func (f writerFunc) PutBatch(_ context.Context, recs []member.Record) ([]string, error) {
	out := make([]string, len(recs))
	for i, r := range recs {
		var err error
		if out[i], err = f(r); err != nil {
			return nil, &member.RecordError{Index: i, Err: err}
		}
	}
	return out, nil
}
