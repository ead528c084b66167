package pdfdoc

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var testDate = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// sample builds a document using every helper, with rows table rows.
func sample(t *testing.T, rows int) []byte {
	t.Helper()
	d := New(Options{Title: "Biên bản họp chi bộ", Author: "Chi bộ Thôn Đông", Created: testDate})
	d.Letterhead("Đảng bộ xã Tiên Du", "Chi bộ Thôn Đông", "Bắc Ninh", testDate, "15-BB/CB")
	d.Title("Biên bản sinh hoạt chi bộ")
	d.Subtitle("Kỳ họp tháng 11 năm 2026")
	d.Paragraph("Hôm nay, vào lúc 8 giờ 00 phút ngày 24 tháng 11 năm 2026, tại hội trường thôn Đông, " +
		"Chi bộ Thôn Đông tiến hành sinh hoạt thường kỳ. Đồng chí Nguyễn Thị Hòa, Bí thư chi bộ, chủ trì; " +
		"đồng chí Trần Văn Thuỷ làm thư ký. Có mặt 23/25 đảng viên, vắng 2 đồng chí có lý do.")
	d.Field("Người chủ trì: ", "Nguyễn Thị Hòa")
	d.Text(Run{Text: "Kết quả biểu quyết: "}, Run{Text: "23/23 tán thành", Style: "B"}, Run{Text: " (100%).", Style: "I"})
	cols := []Column{{Header: "STT", Width: 12, Align: "C"}, {Header: "Họ và tên"}, {Header: "Số thẻ", Width: 28, Align: "C"}, {Header: "Ghi chú", Width: 45}}
	var rs [][]string
	for i := range rows {
		rs = append(rs, []string{fmt.Sprint(i + 1), "Nguyễn Thị Hòa " + fmt.Sprint(i+1), fmt.Sprintf("%08d", i+1), "Ghi chú rất dài cần xuống dòng trong ô của bảng"})
	}
	d.Table(cols, rs)
	d.Signature(Signature{Authority: "T/M Chi ủy", Title: "Bí thư", Name: "Nguyễn Thị Hòa", Recipients: []string{"Đảng ủy xã (để b/c)", "Lưu chi bộ"}})
	var buf bytes.Buffer
	if err := d.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pdfText returns the text pdftotext reads from pdf (layout mode), skipping the test
// when poppler-utils is missing.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not installed (Debian poppler-utils; scripts/test installs it)")
	}
	p := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// render writes page 1 of pdf as a PNG to DAIS_PDF_PNG_DIR when that is set, for a person
// to look at the layout.
func render(t *testing.T, pdf []byte, name string) {
	dir := os.Getenv("DAIS_PDF_PNG_DIR")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(p, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "2", p, filepath.Join(dir, name)).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
}

func TestDocumentText(t *testing.T) {
	pdf := sample(t, 3)
	render(t, pdf, "pdfdoc")
	text := pdfText(t, pdf)
	for _, want := range []string{
		"ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG BỘ XÃ TIÊN DU", "CHI BỘ THÔN ĐÔNG", "Số 15-BB/CB",
		"Bắc Ninh, ngày 24 tháng 11 năm 2026", "BIÊN BẢN SINH HOẠT CHI BỘ", "Nguyễn Thị Hòa", "Thuỷ làm thư ký",
		"Người chủ trì: Nguyễn Thị Hòa", "23/23 tán thành (100%).", "Họ và tên", "00000003",
		"T/M CHI ỦY", "BÍ THƯ", "(Ký, ghi rõ họ tên)", "Nơi nhận:", "- Lưu chi bộ", "Trang 1/1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
}

func TestTablePaginates(t *testing.T) {
	pdf := sample(t, 120)
	text := pdfText(t, pdf)
	pages := strings.Split(text, "\f")
	if n := len(pages) - 1; n < 4 { // pdftotext ends every page with a form feed
		t.Fatalf("%d pages, want at least 4", n)
	}
	last := fmt.Sprintf("/%d", len(pages)-1)
	for i, p := range pages[:len(pages)-1] {
		if !strings.Contains(p, fmt.Sprintf("Trang %d%s", i+1, last)) {
			t.Errorf("page %d: no \"Trang %d%s\"", i+1, i+1, last)
		}
		if i > 0 && i < len(pages)-2 && !strings.Contains(p, "Họ và tên") {
			t.Errorf("page %d: the table header is not repeated", i+1)
		}
	}
	for i := 1; i <= 120; i++ {
		if n := strings.Count(text, fmt.Sprintf("%08d", i)); n != 1 {
			t.Fatalf("row %d appears %d times", i, n)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, b := sample(t, 5), sample(t, 5)
	if !bytes.Equal(a, b) {
		t.Fatal("same input, different bytes")
	}
	for _, want := range []string{"/Creator", "/CreationDate (D:20261124090000"} {
		if !bytes.Contains(a, []byte(want)) {
			t.Errorf("metadata: no %s", want)
		}
	}
}

func TestDateLine(t *testing.T) {
	for _, c := range []struct {
		date time.Time
		want string
	}{
		{testDate, "Bắc Ninh, ngày 24 tháng 11 năm 2026"},
		{time.Date(2026, 2, 5, 0, 0, 0, 0, time.UTC), "Bắc Ninh, ngày 05 tháng 02 năm 2026"},
		{time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), "Bắc Ninh, ngày 10 tháng 3 năm 2026"},
	} {
		if got := DateLine("Bắc Ninh", c.date); got != c.want {
			t.Errorf("DateLine(%v) = %q, want %q", c.date, got, c.want)
		}
	}
}
