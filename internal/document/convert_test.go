package document

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"dais/internal/store"
)

func TestReadDOCX(t *testing.T) {
	data := MakeDOCX([]DocxPara{
		{Style: "Title", Runs: []string{"Báo cáo"}},
		{Style: "Heading2", Runs: []string{"Phần một"}},
		{Runs: []string{"Đoạn có ", "**chữ đậm", " & ký tự <đặc biệt>."}},
		{List: "ul", Runs: []string{"Gạch đầu dòng"}},
		{List: "ol", Runs: []string{"Mục đánh số"}},
		{Runs: []string{"   "}},
	})
	bs, err := readDOCX(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []Block{
		{Tag: "h1", HTML: "Báo cáo", Text: "Báo cáo"},
		{Tag: "h2", HTML: "Phần một", Text: "Phần một"},
		{Tag: "p", HTML: "Đoạn có <strong>chữ đậm</strong> &amp; ký tự &lt;đặc biệt&gt;.", Text: "Đoạn có chữ đậm & ký tự <đặc biệt>."},
		{Tag: "li", List: "ul", HTML: "Gạch đầu dòng", Text: "Gạch đầu dòng"},
		{Tag: "li", List: "ol", HTML: "Mục đánh số", Text: "Mục đánh số"},
	}
	if len(bs) != len(want) {
		t.Fatalf("got %d blocks: %+v", len(bs), bs)
	}
	for i := range want {
		if bs[i] != want[i] {
			t.Errorf("block %d = %+v, want %+v", i, bs[i], want[i])
		}
	}
}

func TestReadDOCXTable(t *testing.T) {
	doc := `<w:document xmlns:w="w"><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Họ tên</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:rPr><w:i/></w:rPr><w:t>Chức vụ</w:t></w:r></w:p></w:tc></w:tr>` +
		`<w:tr><w:tc><w:p><w:r><w:t>An</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Bí thư</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:r><w:t>Sau bảng</w:t></w:r></w:p></w:body></w:document>`
	bs, err := parseDocumentXML(strings.NewReader(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 || bs[0].Tag != "table" || bs[0].Text != "Họ tên Chức vụ An Bí thư" || !strings.Contains(bs[0].HTML, "<td><em>Chức vụ</em></td>") || bs[1].Text != "Sau bảng" {
		t.Errorf("table blocks: %+v", bs)
	}
}

func TestDOCXRefusals(t *testing.T) {
	ct := `<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`
	many := map[string]string{"[Content_Types].xml": ct, "word/document.xml": "<w:document/>"}
	for i := range docxMaxEntries {
		many[strings.Repeat("x", 3)+string(rune('a'+i%26))+strings.Repeat("y", i/26)] = ""
	}
	// A bomb: a highly compressible part far beyond the ratio limit.
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.Create("[Content_Types].xml")
	w.Write([]byte(ct))
	w, _ = zw.Create("word/document.xml")
	w.Write([]byte("<w:document><w:body><w:p><w:r><w:t>"))
	w.Write(bytes.Repeat([]byte("a"), 8<<20))
	w.Write([]byte("</w:t></w:r></w:p></w:body></w:document>"))
	zw.Close()
	deep := "<w:document>" + strings.Repeat("<w:x>", docxMaxDepth+1) + strings.Repeat("</w:x>", docxMaxDepth+1) + "</w:document>"
	for _, c := range []struct {
		name string
		data []byte
		key  string
	}{
		{"too many entries", zipOf(t, many), "doc.docx_bomb"},
		{"bomb", bomb.Bytes(), "doc.docx_bomb"},
		{"macros", zipOf(t, map[string]string{"[Content_Types].xml": strings.Replace(ct, "document.main", "document.macroEnabled.main", 1), "word/document.xml": "<w:document/>"}), "doc.docx_macros"},
		{"vba", zipOf(t, map[string]string{"[Content_Types].xml": ct, "word/document.xml": "<w:document/>", "word/vbaProject.bin": "x"}), "doc.docx_macros"},
		{"spreadsheet", zipOf(t, map[string]string{"[Content_Types].xml": "<Types>spreadsheetml</Types>", "xl/workbook.xml": "x"}), "doc.type_unsupported"},
		{"no content types", zipOf(t, map[string]string{"word/document.xml": "<w:document/>"}), "doc.docx_broken"},
		{"no document", zipOf(t, map[string]string{"[Content_Types].xml": ct}), "doc.docx_broken"},
		{"bad xml", zipOf(t, map[string]string{"[Content_Types].xml": ct, "word/document.xml": "<w:document><w:p>"}), "doc.docx_broken"},
		{"entity", zipOf(t, map[string]string{"[Content_Types].xml": ct, "word/document.xml": `<!DOCTYPE d [<!ENTITY a "aaaa">]><w:document><w:p><w:r><w:t>&a;</w:t></w:r></w:p></w:document>`}), "doc.docx_broken"},
		{"deep", zipOf(t, map[string]string{"[Content_Types].xml": ct, "word/document.xml": deep}), "doc.docx_broken"},
		{"not a zip", []byte("PK\x03\x04garbage"), "doc.docx_broken"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := readDOCX(c.data)
			if errKey(err) != c.key {
				t.Errorf("readDOCX: %v, want %s", err, c.key)
			}
		})
	}
}

func FuzzReadDOCX(f *testing.F) {
	f.Add(MakeDOCX([]DocxPara{{Style: "Heading1", Runs: []string{"Tiêu đề"}}, {List: "ol", Runs: []string{"**a", "b"}}}))
	f.Add(zipOf(f, map[string]string{"[Content_Types].xml": "wordprocessingml.document.main+xml", "word/document.xml": "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"}))
	f.Fuzz(func(t *testing.T, data []byte) {
		bs, err := readDOCX(data)
		if err != nil {
			if store.ErrorCode(err) != store.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		checkSafe(t, renderBlocks(bs, "/img", nil))
	})
}

// FuzzParseDocumentXML feeds the XML reader directly (the zip layer would hide most inputs).
func FuzzParseDocumentXML(f *testing.F) {
	f.Add(`<w:document><w:body><w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>x</w:t></w:r></w:p></w:body></w:document>`)
	f.Add(`<w:tbl><w:tr><w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>&lt;script&gt;</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl>`)
	f.Fuzz(func(t *testing.T, doc string) {
		bs, err := parseDocumentXML(strings.NewReader(doc), map[string]string{"1": "ol"})
		if err != nil {
			if store.ErrorCode(err) != store.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		checkSafe(t, renderBlocks(bs, "/img", nil))
	})
}

// checkSafe parses rendered HTML and fails on anything that could run or load from
// elsewhere: dangerous elements, event handlers, styles, and links or sources outside
// http(s), mailto, our own paths and inline images.
func checkSafe(t *testing.T, out string) {
	t.Helper()
	nodes, err := xhtml.ParseFragment(strings.NewReader(out), &xhtml.Node{Type: xhtml.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		t.Fatalf("unparsable output: %v", err)
	}
	var walk func(n *xhtml.Node)
	walk = func(n *xhtml.Node) {
		if n.Type == xhtml.ElementNode {
			switch n.Data {
			case "script", "iframe", "object", "embed", "style", "svg", "math", "form", "input", "link", "meta", "base", "frame", "frameset", "template":
				t.Fatalf("unsafe element <%s> in output: %s", n.Data, out)
			}
			for _, a := range n.Attr {
				k, v := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
				switch {
				case strings.HasPrefix(k, "on") || k == "style" || k == "srcset" || k == "formaction":
					t.Fatalf("unsafe attribute %s in output: %s", k, out)
				case k == "href" && !(strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "mailto:") || strings.HasPrefix(v, "#")):
					t.Fatalf("unsafe link %q in output: %s", v, out)
				case k == "src" && !(strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") || strings.HasPrefix(v, "data:image/")):
					t.Fatalf("unsafe source %q in output: %s", v, out)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
}

func TestSanitizeHTML(t *testing.T) {
	src := `<html><head><style>body{}</style><script>alert(1)</script><link rel=stylesheet href="http://x/y.css"></head><body>
<h1 onclick="x()">Tiêu đề</h1>
<p style="color:red">Đoạn <b>một</b> <a href="javascript:alert(1)">xấu</a> <a href="https://example.org/">tốt</a></p>
<img src="http://tracker.example/p.gif" onerror="alert(1)">
<iframe src="https://evil.example"></iframe>
<ul><li>Mục <i>một</i></li><li>Mục hai</li></ul>
<div><p>Trong div</p>Chữ rời</div>
<svg><script>alert(2)</script></svg>
<form action="https://evil"><input name=x></form>
<table><tr><td colspan="2" onmouseover="x">Ô</td></tr></table>
</body></html>`
	bs, err := blocksFromHTML(src)
	if err != nil {
		t.Fatal(err)
	}
	out := renderBlocks(bs, "/img", nil)
	checkSafe(t, out)
	var texts []string
	for _, b := range bs {
		texts = append(texts, b.Tag+":"+b.Text)
	}
	want := []string{"h1:Tiêu đề", "p:Đoạn một xấu tốt", "li:Mục một", "li:Mục hai", "p:Trong div", "p:Chữ rời", "table:Ô"}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("blocks:\n got %q\nwant %q", texts, want)
	}
	for _, s := range []string{`<h1 id="p-1" data-n="1">Tiêu đề</h1>`, `<ul><li id="p-3" data-n="3">Mục <i>một</i></li><li id="p-4" data-n="4">Mục hai</li></ul>`,
		`href="https://example.org/"`, `rel="nofollow noreferrer noopener"`, `colspan="2"`} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %s:\n%s", s, out)
		}
	}
}

func FuzzHTMLImport(f *testing.F) {
	f.Add(`<p onclick=x>a<script>b</script><img src=x onerror=y></p>`)
	f.Add(`<ul><li>a<ol><li>b</li></ol></li></ul><table><tr><td>c</td></tr></table>`)
	f.Add(`<a href="jav&#x61;script:alert(1)">x</a><img src="data:image/png;base64,iVBORw0KGgo=">`)
	f.Add("# Markdown\n\n<script>x</script> [a](javascript:b)")
	f.Fuzz(func(t *testing.T, src string) {
		bs, err := blocksFromHTML(src)
		if err != nil {
			if store.ErrorCode(err) != store.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		checkSafe(t, renderBlocks(bs, "/img", map[int]string{1: "has-note"}))
		for _, b := range bs {
			checkSafe(t, toXHTML(b.HTML))
		}
		var md bytes.Buffer
		if markdown.Convert([]byte(src), &md) == nil {
			if bs, err := blocksFromHTML(md.String()); err == nil {
				checkSafe(t, renderBlocks(bs, "/img", nil))
			}
		}
	})
}

func TestClassification(t *testing.T) {
	for in, want := range map[string]string{"": Internal, "public": Public, "Nội bộ": Internal, "internal": Internal, "restricted": Restricted, "HẠN CHẾ": Restricted} {
		if got, err := ParseClassification(in); err != nil || got != want {
			t.Errorf("ParseClassification(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"confidential", "Mật", "TỐI MẬT", "tuyệt mật", "secret", "Top Secret", "mat"} {
		if _, err := ParseClassification(in); errKey(err) != "doc.confidential" {
			t.Errorf("ParseClassification(%q): %v, want doc.confidential", in, err)
		}
	}
	if _, err := ParseClassification("very public"); errKey(err) != "doc.classification_bad" {
		t.Errorf("unknown level: %v", err)
	}
}

func TestStamp(t *testing.T) {
	stamped := [][]string{
		{"ĐẢNG CỘNG SẢN VIỆT NAM", "MẬT", "Báo cáo"},
		{"Tỉnh ủy", "« TUYỆT MẬT »", "x"},
		{"Độ mật: Tối mật"},
		{"[ CONFIDENTIAL ]"},
	}
	for _, lines := range stamped {
		if err := checkStampLines(lines); errKey(err) != "doc.confidential_stamp" {
			t.Errorf("%q: %v", lines, err)
		}
	}
	clean := [][]string{
		{"Giữ gìn bí mật nhà nước là trách nhiệm của mọi đảng viên", "Mật độ dân số tăng"},
		append(make([]string, 0), strings.Split(strings.Repeat("đoạn\n", stampLines)+"MẬT", "\n")...),
	}
	for _, lines := range clean {
		if err := checkStampLines(lines); err != nil {
			t.Errorf("%q: %v", lines, err)
		}
	}
}

func TestPDFBlocks(t *testing.T) {
	txt := "BÁO CÁO TỔNG KẾT\nNăm qua chi bộ đã lãnh đạo\nthực hiện tốt nhiệm vụ.\nDòng tiếp theo\n\nĐoạn mới\f\nTrang hai."
	bs := pdfBlocks(txt)
	var got []string
	for _, b := range bs {
		got = append(got, b.Text)
	}
	want := []string{"BÁO CÁO TỔNG KẾT", "Năm qua chi bộ đã lãnh đạo thực hiện tốt nhiệm vụ.", "Dòng tiếp theo", "Đoạn mới", "Trang hai."}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("pdfBlocks = %q", got)
	}
}
