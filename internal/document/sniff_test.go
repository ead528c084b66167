package document

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"image"
	"image/png"
	"strings"
	"testing"

	"dais/internal/store"
)

func tinyPNG(t testing.TB) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zipOf(t testing.TB, files map[string]string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	zw.Close()
	return b.Bytes()
}

const minimalPDF = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\nstartxref\n0\n%%EOF\n"

func errKey(err error) string {
	if e, ok := err.(*store.Error); ok {
		return e.Key
	}
	if err == nil {
		return ""
	}
	return "other: " + err.Error()
}

func TestSniff(t *testing.T) {
	docx := MakeDOCX([]DocxPara{{Runs: []string{"Xin chào"}}})
	pngData := tinyPNG(t)
	otherZip := zipOf(t, map[string]string{"a.txt": "x"})
	cases := []struct {
		name, file string
		data       []byte
		want       Kind
		key        string
	}{
		{"pdf", "a.pdf", []byte(minimalPDF), KindPDF, ""},
		{"docx", "a.docx", docx, KindDOCX, ""},
		{"markdown", "a.md", []byte("# Tiêu đề\n\nĐoạn văn."), KindMarkdown, ""},
		{"plain text is markdown", "", []byte("Đoạn văn thường."), KindMarkdown, ""},
		{"html", "a.html", []byte("<!doctype html><html><body><p>Chào</p></body></html>"), KindHTML, ""},
		{"html fragment", "", []byte("<section><p>Chào</p></section>"), KindHTML, ""},
		{"png", "a.png", pngData, KindPNG, ""},
		{"empty", "a.pdf", nil, "", "doc.empty"},
		{"too big", "a.md", bytes.Repeat([]byte("a"), 2000), "", "doc.too_big"},
		{"exe", "a.pdf", []byte("MZ\x90\x00\x03\x00\x00\x00binary"), "", "doc.type_unsupported"},
		{"latin-1 text", "a.md", []byte("Vi\xeat Nam"), "", "doc.type_unsupported"},
		{"nul in text", "a.md", []byte("abc\x00def"), "", "doc.type_unsupported"},
		{"old word", "a.doc", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"), "", "doc.old_office"},
		{"pdf named docx", "a.docx", []byte(minimalPDF), "", "doc.type_mismatch"},
		{"html named pdf", "a.pdf", []byte("<html><body>x</body></html>"), "", "doc.type_mismatch"},
		{"pdf header inside html", "a.html", []byte("<html>%PDF-1.4 <body>x</body></html>"), "", "doc.polyglot"},
		{"zip appended to pdf", "a.pdf", append([]byte(minimalPDF), otherZip...), "", "doc.polyglot"},
		{"data after pdf end", "a.pdf", []byte(minimalPDF + "<script>alert(1)</script>"), "", "doc.polyglot"},
		{"pdf without trailer", "a.pdf", []byte("%PDF-1.4\n1 0 obj<<>>endobj\n"), "", "doc.pdf_broken"},
		{"zip appended to png", "a.png", append(pngData, otherZip...), "", "doc.polyglot"},
		{"html after png", "a.png", append(pngData, []byte("<script>x</script>")...), "", "doc.polyglot"},
		{"docx with comment", "a.docx", append(docx[:len(docx)-2], 3, 0, 'a', 'b', 'c'), "", "doc.docx_broken"},
		{"data after docx", "a.docx", append(docx, []byte("trailing")...), "", "doc.docx_broken"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			limit := int64(1 << 20)
			if c.name == "too big" {
				limit = 1000
			}
			k, err := Sniff(c.data, c.file, limit)
			if errKey(err) != c.key || k != c.want {
				t.Errorf("Sniff = %q, %v; want %q, %q", k, err, c.want, c.key)
			}
		})
	}
}

func TestPDFActive(t *testing.T) {
	for _, c := range []struct {
		src  string
		want bool
	}{
		{"<< /Type /Catalog /Pages 2 0 R >>", false},
		{"<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>", true},
		{"<< /S /J#61vaScript >>", true},
		{"<< /Names << /EmbeddedFiles 3 0 R >> >>", true},
		{"<< /JSON 1 >>", false},
	} {
		if got := pdfActive([]byte(c.src)); got != c.want {
			t.Errorf("pdfActive(%q) = %v", c.src, got)
		}
	}
	// Hidden in a compressed object stream.
	var z bytes.Buffer
	zw := zlibWriter(&z)
	zw.Write([]byte("<< /S /Launch /F (cmd.exe) >>"))
	zw.Close()
	pdf := "%PDF-1.7\n5 0 obj << /Type /ObjStm /Filter /FlateDecode >>\nstream\n" + z.String() + "\nendstream\nendobj\n"
	if !pdfActive([]byte(pdf)) {
		t.Error("a /Launch inside a Flate stream was not found")
	}
	if pdfActive([]byte(strings.Replace(pdf, "stream\n", "stream\nxx", 1))) {
		t.Error("a broken stream must not count as active")
	}
}

// FuzzSniff: any bytes get a kind or an EINVALID error, never a panic or another error.
func FuzzSniff(f *testing.F) {
	f.Add([]byte(minimalPDF), "a.pdf")
	f.Add(MakeDOCX([]DocxPara{{Runs: []string{"x"}}}), "a.docx")
	f.Add([]byte("<html><p>x</p></html>"), "")
	f.Add([]byte("# x"), "x.md")
	f.Add(tinyPNG(f), "p.png")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		k, err := Sniff(data, name, 1<<20)
		if err != nil {
			if store.ErrorCode(err) != store.EINVALID {
				t.Fatalf("Sniff error %v is not EINVALID", err)
			}
			return
		}
		if k == "" {
			t.Fatal("no kind and no error")
		}
		pdfActive(data)
	})
}

func zlibWriter(b *bytes.Buffer) *zlib.Writer { return zlib.NewWriter(b) }
