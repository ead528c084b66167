package imports

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"dais/internal/member"
)

var today = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// workbook writes an XLSX file with excelize, as Excel or an export would: a header row
// from the template, then whatever rows fills in.
func workbook(t testing.TB, header []string, fill func(f *excelize.File, sheet string)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	for j, h := range header {
		if err := f.SetCellStr(sheet, cellName(j, 1), h); err != nil {
			t.Fatal(err)
		}
	}
	fill(f, sheet)
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func cellName(col, row int) string { return fmt.Sprintf("%s%d", columnLetters(col), row) }

// col finds a template field's column in header.
func col(header []string, field string) int {
	for j, h := range header {
		if h == Columns[columnByField(field)].Header {
			return j
		}
	}
	panic(field)
}

// readAll opens b and returns its records (after a clean Check) or the Check report.
func readAll(t testing.TB, b []byte, opts Options) ([]member.Record, Report) {
	t.Helper()
	rd, err := Open(bytes.NewReader(b), int64(len(b)), "test", opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	rep, err := Check(context.Background(), rd, today, nil)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if !rep.OK() {
		return nil, rep
	}
	var recs []member.Record
	if err := Each(context.Background(), rd, func(row int, r member.Record) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatalf("Each: %v", err)
	}
	return recs, rep
}

func TestXLSX(t *testing.T) {
	h := templateHeader()
	b := workbook(t, h, func(f *excelize.File, s string) {
		dmy := "dd/mm/yyyy"
		dateStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dmy})
		builtin, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
		set := func(row int, field string, v any) {
			if err := f.SetCellValue(s, cellName(col(h, field), row), v); err != nil {
				t.Fatal(err)
			}
		}
		for row := 2; row <= 4; row++ {
			set(row, "gender", "Nam")
			set(row, "unit_code", "BN.HL01.CB01")
			set(row, "education", "12/12")
		}
		// Row 2: text everywhere, as typed by someone who formatted the sheet as Text.
		set(2, "full_name", "Nguyễn Văn Hùng")
		set(2, "card_number", "01234567")
		set(2, "id_number", "027068001234")
		set(2, "birth_date", "12/03/1968")
		set(2, "admission_date", "19/05/1990")
		set(2, "official_date", "1991-05-19")
		// Row 3: real date cells (excelize's default date-time style and a custom
		// dd/mm/yyyy one) and a card number stored as a number that lost its zero.
		set(3, "full_name", "Trần Thị Thu Hằng")
		set(3, "gender", "Nữ")
		set(3, "birth_date", time.Date(1975, 11, 5, 0, 0, 0, 0, time.UTC))
		set(3, "admission_date", 35829) // 3 February 1998
		f.SetCellStyle(s, cellName(col(h, "admission_date"), 3), cellName(col(h, "admission_date"), 3), dateStyle)
		set(3, "official_date", 36194) // 3 February 1999
		f.SetCellStyle(s, cellName(col(h, "official_date"), 3), cellName(col(h, "official_date"), 3), builtin)
		set(3, "card_number", 2345678)
		set(3, "id_number", 27175004567)
		set(3, "status", "Chính thức")
		// Row 4: an 8-digit numeric card (nothing lost), NFD text, a date as a General number.
		set(4, "full_name", "Le\u0302 Quang Minh")
		set(4, "card_number", 12345678)
		set(4, "birth_date", 30153) // 1982-07-21
		set(4, "admission_date", "02/09/2006")
		set(4, "official_date", "02/09/2007")
		set(4, "status", "official")
	})
	recs, rep := readAll(t, b, Options{})
	if !rep.OK() {
		t.Fatalf("problems: %v", rep.Problems)
	}
	want := []member.Record{
		{FullName: "Nguyễn Văn Hùng", Gender: "male", CardNumber: "01234567", IDNumber: "027068001234", BirthDate: "1968-03-12",
			AdmissionDate: "1990-05-19", OfficialDate: "1991-05-19"},
		{FullName: "Trần Thị Thu Hằng", Gender: "female", CardNumber: "02345678", IDNumber: "027175004567", BirthDate: "1975-11-05",
			AdmissionDate: "1998-02-03", OfficialDate: "1999-02-03"},
		{FullName: "Lê Quang Minh", Gender: "male", CardNumber: "12345678", BirthDate: "1982-07-21",
			AdmissionDate: "2006-09-02", OfficialDate: "2007-09-02"},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d", len(recs), len(want))
	}
	for i := range want {
		want[i].UnitCode, want[i].Education, want[i].Status = "BN.HL01.CB01", "12/12", member.StatusOfficial
		if recs[i] != want[i] {
			t.Errorf("row %d:\n got %+v\nwant %+v", i+2, recs[i], want[i])
		}
	}
	// The card and ID numbers that lost their leading zero are restored, with warnings.
	if rep.WarningCount != 2 || rep.Warnings[0].Row != 3 || rep.Warnings[0].Column != "Số CCCD" || rep.Warnings[1].Column != "Số thẻ đảng viên" {
		t.Errorf("warnings %v", rep.Warnings)
	}
}

func TestXLSXProblems(t *testing.T) {
	h := []string{"full_name", "gender", "birth_date", "card_number", "unit_code", "admission_date", "official_date", "education"}
	b := workbook(t, h, func(f *excelize.File, s string) {
		rows := [][]any{
			{"An", "Nam", "01/01/1980", 123456789, "BN", "01/01/2000", "", "12/12"}, // 9-digit numeric card: zeros may be lost
			{"Bình", "Nam", "01/01/1980", "10000001", "BN", "01/01/2000", "", time.Date(2026, 12, 12, 0, 0, 0, 0, time.UTC)},
			{"Chi", true, 1990, "10000002", "BN", "01/01/2000", "", "12/12"}, // a boolean gender, a bare year
		}
		for i, r := range rows {
			if err := f.SetSheetRow(s, cellName(0, i+2), &r); err != nil {
				t.Fatal(err)
			}
		}
		f.SetCellValue(s, "Z3", "stray") // a value in a column without a header
	})
	_, rep := readAll(t, b, Options{})
	want := []string{
		`row 2, column "card_number": was typed as a number (123456789), so its leading zeros may be lost: format the column as Text and type card numbers again`,
		`row 3, column "education": holds a date (2026-12-12) in the spreadsheet, not text: format the column as Text and type the value again`,
		`row 3, column "Z": has a value but the column has no header`,
		`row 4, column "gender": must be male or female (Nam/Nữ)`,
		`row 4, column "birth_date": is the number 1990, not a date: write dates as dd/mm/yyyy`,
	}
	var got []string
	for _, p := range rep.Problems {
		got = append(got, p.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rep.BadRows != 3 || rep.Rows != 3 {
		t.Errorf("rows %d, bad %d", rep.Rows, rep.BadRows)
	}
}

func TestXLSX1904AndHiddenSheet(t *testing.T) {
	h := []string{"full_name", "gender", "birth_date", "card_number", "unit_code", "admission_date", "official_date"}
	b := workbook(t, nil, func(f *excelize.File, s string) {
		yes := true
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
			t.Fatal(err)
		}
		f.SetSheetRow(s, "A1", &[]any{"ignored: a hidden sheet"})
		idx, _ := f.NewSheet("Members")
		f.SetActiveSheet(idx)
		f.SetSheetRow("Members", "A1", &h)
		f.SetSheetRow("Members", "A2", &[]any{"An", "Nam", time.Date(1980, 1, 2, 0, 0, 0, 0, time.UTC), "10000001", "BN", "01/01/2000", ""})
		f.SetSheetVisible(s, false)
	})
	recs, rep := readAll(t, b, Options{})
	if !rep.OK() || len(recs) != 1 || recs[0].BirthDate != "1980-01-02" {
		t.Fatalf("records %+v, problems %v", recs, rep.Problems)
	}
}

func TestXLSXFontTCVN3(t *testing.T) {
	// A workbook typed with .VnTime fonts: Excel holds the ANSI reading of TCVN3 bytes.
	font := func(s string) string { return string(charmapDecode(charmap.Windows1252, mustTCVN3(t, s))) }
	h := []string{font("Họ và tên"), font("Giới tính"), font("Ngày sinh"), font("Số thẻ đảng viên"), font("Mã đơn vị"), font("Ngày vào Đảng"), font("Ngày chính thức")}
	b := workbook(t, h, func(f *excelize.File, s string) {
		f.SetSheetRow(s, "A2", &[]any{font("Nguyễn Văn Hùng"), font("Nữ"), "01/01/1980", "10000001", "BN", "01/01/2000", ""})
	})
	rd, err := Open(bytes.NewReader(b), int64(len(b)), "old.xlsx", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rd.Encoding != EncodingTCVN3 || rd.Header[0] != "Họ và tên" {
		t.Fatalf("encoding %q, header %q", rd.Encoding, rd.Header)
	}
	recs, rep := readAll(t, b, Options{})
	if !rep.OK() || recs[0].FullName != "Nguyễn Văn Hùng" || recs[0].Gender != "female" {
		t.Fatalf("records %+v, problems %v", recs, rep.Problems)
	}
}

// deflateZeros returns a raw deflate stream of n MiB of zeros, built from one compressed
// MiB repeated (each copy refers only to the zeros before it), so that a stream of
// gigabytes costs milliseconds to make.
func deflateZeros(t testing.TB, n int) (stream []byte, crc uint32) {
	var one bytes.Buffer
	w, _ := flate.NewWriter(&one, flate.BestCompression)
	zeros := make([]byte, 1<<20)
	w.Write(zeros)
	w.Flush()
	stream = bytes.Repeat(one.Bytes(), n)
	stream = append(stream, 0x03, 0x00) // a final empty fixed-Huffman block
	c := crc32.NewIEEE()
	for range n {
		c.Write(zeros)
	}
	return stream, c.Sum32()
}

// bombXLSX writes a workbook whose sheet is the given raw deflate stream, declared as
// unpacking to size bytes.
func bombXLSX(t testing.TB, stream []byte, crc uint32, size uint64) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	small := map[string]string{
		"[Content_Types].xml":        `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"xl/workbook.xml":            `<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>`,
	}
	for name, body := range small {
		w, _ := zw.Create(name)
		io.WriteString(w, body)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(stream)), UncompressedSize64: size})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(stream)
	zw.Close()
	return buf.Bytes()
}

func TestZipBomb(t *testing.T) {
	stream, crc := deflateZeros(t, 4096) // 4 GiB of zeros in about 4 MB
	cases := []struct {
		name     string
		declared uint64
		opts     Options
		want     string
	}{
		{"declared over the limit", 4 << 30, Options{MaxBytes: 1 << 30}, "more than the limit"},
		{"ratio of a bomb", 4 << 30, Options{}, "times its packed size"},
		{"declared small, inflates past it", 64 << 10, Options{}, "damaged"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := bombXLSX(t, stream, crc, c.declared)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			rd, err := Open(bytes.NewReader(b), int64(len(b)), "bomb.xlsx", c.opts)
			if err == nil {
				var rep Report
				rep, err = Check(context.Background(), rd, today, nil)
				if err == nil && len(rep.Problems) > 0 {
					err = errors.New(rep.Problems[0].String())
				}
			}
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("allocated %d MiB refusing a %d KiB file", alloc>>20, len(b)>>10)
			}
		})
	}
}

func TestXLSXNotAWorkbook(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("content.xml")
	io.WriteString(w, "<office:document/>")
	zw.Close()
	cases := map[string][]byte{
		"a zip archive but not an Excel workbook": buf.Bytes(),
		"Excel 97–2003 workbook":                  []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest of an OLE file"),
		"a web page":                              []byte("<html><table><tr><td>Họ và tên</td></tr></table></html>"),
		"damaged":                                 []byte("PK\x03\x04 truncated"),
	}
	for want, b := range cases {
		_, err := Open(bytes.NewReader(b), int64(len(b)), "x.xls", Options{})
		var fe *FileError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want a FileError about %q", err, want)
		}
	}
}

// xmlTokens lists a document's tokens through xmlScanner, in a form comparable with
// encoding/xml's: local names, attributes in order, adjacent text merged, "\r\n" as "\n".
func xmlTokens(in string) ([]string, error) {
	sc := newXMLScanner(strings.NewReader(in), 1<<20)
	sc.buf = make([]byte, 16)
	sc.keepText = true
	var out []string
	text := ""
	flush := func() {
		if text != "" {
			out = append(out, "T"+text)
			text = ""
		}
	}
	for {
		err := sc.next()
		if err == io.EOF {
			flush()
			return out, nil
		}
		if err != nil {
			return out, err
		}
		switch sc.kind {
		case tokText:
			text += crlf(string(sc.text))
		case tokStart:
			flush()
			s := "S" + string(sc.name)
			for _, a := range sc.attrs {
				s += fmt.Sprintf(" %s=%q", sc.abuf[a.name[0]:a.name[1]], crlf(string(sc.abuf[a.value[0]:a.value[1]])))
			}
			out = append(out, s)
			if sc.selfClose {
				out = append(out, "E"+string(sc.name))
			}
		case tokEnd:
			flush()
			out = append(out, "E"+string(sc.name))
		}
	}
}

func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

func stdTokens(in string) ([]string, error) {
	d := xml.NewDecoder(strings.NewReader(in))
	var out []string
	text := ""
	flush := func() {
		if text != "" {
			out = append(out, "T"+text)
			text = ""
		}
	}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			flush()
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.CharData:
			text += crlf(string(tok))
		case xml.StartElement:
			flush()
			s := "S" + tok.Name.Local
			for _, a := range tok.Attr {
				s += fmt.Sprintf(" %s=%q", a.Name.Local, crlf(a.Value))
			}
			out = append(out, s)
		case xml.EndElement:
			flush()
			out = append(out, "E"+tok.Name.Local)
		}
	}
}

func TestXMLScanner(t *testing.T) {
	in := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE x [<!ENTITY e "v">]><!-- a comment with <tags> -->
<x:worksheet xmlns:x="urn:x"><x:sheetData><x:row r="1"><x:c r="A1" t='inlineStr'><x:is><x:t xml:space="preserve"> Họ &amp; tên &#x1EC7;&#233;</x:t></x:is></x:c>` +
		`<c r="B1" s="3"/><c r="C1"><v><![CDATA[4<2]]>5</v></c></x:row></x:sheetData></x:worksheet>`
	got, err := xmlTokens(in)
	if err != nil {
		t.Fatal(err)
	}
	want, err := stdTokens(in)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("tokens\n%q\nwant\n%q", got, want)
	}
	for _, bad := range []string{"<a", "<a b>", "<a b=c>", "<a>&bogus;</a>", "<a>&#0;</a>", "<!-- never closed", "<![CDATA[ x"} {
		if _, err := xmlTokens(bad); err == nil || errors.Is(err, io.EOF) {
			t.Errorf("%q accepted", bad)
		}
	}
	sc := newXMLScanner(strings.NewReader("<a>"+strings.Repeat("x", 5000)+"</a>"), 1000)
	sc.next()
	if err := sc.next(); !errors.As(err, new(*tokenTooLongError)) {
		t.Errorf("a 5000-byte text with a 1000-byte limit: %v", err)
	}
}

// FuzzXMLScanner checks the scanner against encoding/xml: any document encoding/xml
// reads, the scanner reads into the same elements, attributes and text.
func FuzzXMLScanner(f *testing.F) {
	f.Add(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`)
	f.Add(`<?xml version="1.0"?><a x='1' y="&lt;&#65;">t<![CDATA[<c>]]><b/></a>`)
	f.Add("<!DOCTYPE a [<!ELEMENT a ANY>]><a>\r\n</a><!---->")
	f.Fuzz(func(t *testing.T, in string) {
		want, err := stdTokens(in)
		if err != nil {
			xmlTokens(in) // must not panic
			return
		}
		got, err := xmlTokens(in)
		if err != nil {
			t.Fatalf("%q: scanner error %v; encoding/xml read %q", in, err, want)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("%q:\nscanner     %q\nencoding/xml %q", in, got, want)
		}
	})
}

// FuzzOpen feeds bytes through Open and Check: workbooks and CSV files are refused with
// a FileError or read, never a panic or an unbounded allocation.
func FuzzOpen(f *testing.F) {
	h := []string{"full_name", "gender", "birth_date", "card_number", "unit_code", "admission_date", "official_date"}
	f.Add(workbook(f, h, func(ef *excelize.File, s string) {
		ef.SetSheetRow(s, "A2", &[]any{"An", "Nam", time.Date(1980, 1, 2, 0, 0, 0, 0, time.UTC), 1234567, "BN", "01/01/2000", ""})
	}))
	f.Add([]byte(strings.Join(h, ",") + "\nAn,Nam,01/01/1980,10000001,BN,01/01/2000,\n"))
	f.Add([]byte("\xEF\xBB\xBF" + strings.Join(h, ";") + "\r\n\"A\"\"n\";Nam;1/1/1980;x;BN;;\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rd, err := Open(bytes.NewReader(b), int64(len(b)), "fuzz", Options{MaxFieldBytes: 4096})
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || len(fe.Problems) == 0 {
				t.Fatalf("Open error %v is not a FileError", err)
			}
			return
		}
		rep, err := Check(context.Background(), rd, today, func(string) bool { return true })
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		for _, p := range rep.Problems {
			if p.Message == "" || p.Row < 0 {
				t.Fatalf("problem %+v", p)
			}
		}
		n := 0
		err = Each(context.Background(), rd, func(int, member.Record) error { n++; return nil })
		if rep.OK() && (err != nil || n != rep.Rows) {
			t.Fatalf("Check passed %d rows but Each read %d: %v", rep.Rows, n, err)
		}
	})
}
