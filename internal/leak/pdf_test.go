package leak_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"html/template"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"dais/internal/leak"
	"dais/internal/leak/leaktest"
	"dais/internal/pdfdoc"
)

var testCopy = leak.Copy{ID: 0x5c0ffee123, ReaderID: "u1", ReaderName: "Nguyễn Thị Hoa", Delegate: "214",
	DocumentID: "d1", Version: 3, Kind: leak.KindPDF, IssuedAt: time.Date(2026, 11, 25, 7, 3, 0, 0, time.UTC)}

// markedPDF is a restricted copy as internal/document makes it: pdfdoc pages, each
// marked first thing in the header.
func markedPDF(t testing.TB, c leak.Copy) []byte {
	t.Helper()
	doc := pdfdoc.New(pdfdoc.Options{Title: "Dự thảo Báo cáo chính trị", Created: c.IssuedAt})
	f := doc.PDF()
	m := leak.NewPDFMarker(f, c, "vi")
	m.Page()
	f.SetHeaderFunc(m.Page)
	doc.Title("Dự thảo Báo cáo chính trị")
	for range 12 {
		doc.Paragraph(strings.ReplaceAll(leaktest.Text, "\n", " "))
	}
	var b bytes.Buffer
	if err := doc.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestPDFExactChannel(t *testing.T) {
	pdf := markedPDF(t, testCopy)
	if ids := leak.PDFText(pdf); len(ids) != 1 || ids[0] != testCopy.ID {
		t.Fatalf("PDFText: %x, want %x", ids, testCopy.ID)
	}
	found, err := leak.TraceFile(context.Background(), pdf, leak.TraceOptions{})
	if err != nil || found.ID != testCopy.ID || found.Channel != leak.ChannelPDFText || found.Format != "pdf" {
		t.Fatalf("TraceFile: %+v %v", found, err)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "copy.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-raw", "-l", "2", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"DAIS-COPY:" + testCopy.Code(), "Nguyễn Thị Hoa · Đại biểu số 214 · 2026-11-25 14:03", "DỰ THẢO BÁO CÁO CHÍNH TRỊ"} {
		if !strings.Contains(text, want) {
			t.Errorf("page text lacks %q", want)
		}
	}
	if n := strings.Count(text, "\f"); n < 2 {
		t.Errorf("want several pages, got %d", n)
	}
}

// TestPDFRaster: a PDF copy rasterized (as a scan or a print to image would) still names
// its reader from the fingerprint, and a PDF re-made from that image — no text left —
// is traced by rasterizing it.
func TestPDFRaster(t *testing.T) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm not installed")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "copy.pdf")
	if err := os.WriteFile(file, markedPDF(t, testCopy), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "150", "-f", "2", "-l", "2", "-png", "-singlefile", file, filepath.Join(dir, "p2")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "p2.png"))
	if err != nil {
		t.Fatal(err)
	}
	found, err := leak.TraceFile(context.Background(), raw, leak.TraceOptions{})
	if err != nil || found.ID != testCopy.ID || found.Channel != leak.ChannelImage {
		t.Fatalf("page 2 image: %+v %v", found, err)
	}
	// Re-made PDF: the page image only.
	f := fpdf.New("P", "mm", "A4", "")
	f.AddPage()
	f.RegisterImageOptionsReader("scan", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(raw))
	f.ImageOptions("scan", 0, 0, 210, 297, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		t.Fatal(err)
	}
	found, err = leak.TraceFile(context.Background(), b.Bytes(), leak.TraceOptions{Pages: 1})
	if err != nil || found.ID != testCopy.ID || found.Channel != leak.ChannelPDFRaster || found.Page != 1 {
		t.Fatalf("re-made PDF: %+v %v", found, err)
	}
}

func TestHTMLOverlay(t *testing.T) {
	c := testCopy
	c.Kind = leak.KindHTML
	h := string(leak.HTML(c, "vi"))
	for _, want := range []string{`class="leak-overlay"`, `aria-hidden="true"`, "data:image/png;base64,",
		"Nguyễn Thị Hoa · Đại biểu số 214", "DAIS-COPY:" + c.Code()} {
		if !strings.Contains(h, want) {
			t.Errorf("overlay lacks %q", want)
		}
	}
	if strings.Contains(h, "style=") {
		t.Error("inline style breaks the Content-Security-Policy")
	}
	evil := c
	evil.ReaderName = `<script>alert(1)</script>`
	if h := leak.HTML(evil, "en"); strings.Contains(string(h), "<script>") {
		t.Error("reader name not escaped")
	}
	var _ template.HTML = leak.HTML(c, "en")
	if css, err := leak.Static.ReadFile("static/leak.css"); err != nil || !bytes.Contains(css, []byte(".leak-overlay")) {
		t.Errorf("leak.css: %v", err)
	}
}

// TestEPUBChannel: an EPUB whose chapter carries the overlay is traced from its text.
func TestEPUBChannel(t *testing.T) {
	c := testCopy
	c.Kind = leak.KindEPUB
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range map[string]string{"mimetype": "application/epub+zip",
		"OEBPS/ch1.xhtml": `<html xmlns="http://www.w3.org/1999/xhtml"><body><div class="leak-host"><p>Nội dung</p>` + string(leak.HTML(c, "vi")) + `</div></body></html>`} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	found, err := leak.TraceFile(context.Background(), b.Bytes(), leak.TraceOptions{})
	if err != nil || found.ID != c.ID || found.Channel != leak.ChannelEPUBText || found.Format != "epub" {
		t.Fatalf("EPUB: %+v %v", found, err)
	}
	// The overlay is well-formed XML, as EPUB's XHTML requires.
	dec := xml.NewDecoder(strings.NewReader(string(leak.HTML(c, "vi"))))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("overlay is not XML: %v", err)
		}
	}
}
