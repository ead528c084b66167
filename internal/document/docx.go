package document

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"strconv"
	"strings"
)

// Limits of the DOCX reader, against zip bombs and XML bombs: a Word file is a zip of XML
// parts, and each number here is far beyond a real congress document.
const (
	docxMaxEntries    = 2000
	docxMaxPart       = 64 << 20  // one part (word/document.xml) uncompressed
	docxMaxTotal      = 256 << 20 // every entry together, as declared
	docxMaxRatio      = 200       // uncompressed / compressed, for entries above 1 MB
	docxMaxDepth      = 256       // XML nesting
	docxMaxNumbering  = 4 << 20
	docxRatioFloorLen = 1 << 20
)

func docxBroken(format string, args ...any) error {
	return invalid("doc.docx_broken", "the DOCX file cannot be read: "+format, args...)
}

func docxBomb(format string, args ...any) error {
	return invalid("doc.docx_bomb", "the DOCX file expands too much to be a document: "+format, args...)
}

// readDOCX reads word/document.xml of a DOCX file into blocks: paragraphs, headings (by
// the Heading1…6 and Title styles or an outline level), list items (bulleted or
// numbered, from numbering.xml), bold, italic and underlined runs, line breaks and
// tables. Memory stays bounded: parts are streamed through the XML decoder with size,
// count, ratio and depth limits checked before and while reading.
func readDOCX(data []byte) ([]Block, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, docxBroken("%v", err)
	}
	if len(zr.File) > docxMaxEntries {
		return nil, docxBomb("%d entries", len(zr.File))
	}
	var total uint64
	parts := map[string]*zip.File{}
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > docxMaxTotal {
			return nil, docxBomb("more than %d MB uncompressed", docxMaxTotal>>20)
		}
		if f.UncompressedSize64 > docxRatioFloorLen && f.UncompressedSize64 > docxMaxRatio*max(f.CompressedSize64, 1) {
			return nil, docxBomb("%s is compressed %d:1", f.Name, f.UncompressedSize64/max(f.CompressedSize64, 1))
		}
		parts[f.Name] = f
	}
	if parts["word/vbaProject.bin"] != nil {
		return nil, invalid("doc.docx_macros", "documents with macros are not accepted")
	}
	ct, ok := parts["[Content_Types].xml"]
	if !ok {
		return nil, docxBroken("no [Content_Types].xml: not an Office document")
	}
	types, err := readPart(ct, 1<<20)
	if err != nil {
		return nil, err
	}
	if bytes.Contains(types, []byte("macroEnabled")) {
		return nil, invalid("doc.docx_macros", "documents with macros are not accepted")
	}
	if !bytes.Contains(types, []byte("wordprocessingml.document.main+xml")) {
		return nil, invalid("doc.type_unsupported", "the zip file is not a Word document")
	}
	doc, ok := parts["word/document.xml"]
	if !ok {
		return nil, docxBroken("no word/document.xml")
	}
	lists := map[string]string{}
	if nf, ok := parts["word/numbering.xml"]; ok {
		if lists, err = readNumbering(nf); err != nil {
			return nil, err
		}
	}
	rc, err := doc.Open()
	if err != nil {
		return nil, docxBroken("%v", err)
	}
	defer rc.Close()
	return parseDocumentXML(&limitReader{r: rc, n: docxMaxPart}, lists)
}

// limitReader is io.LimitReader that fails, rather than ends quietly, past its limit.
type limitReader struct {
	r io.Reader
	n int64
}

var errPartTooBig = errors.New("part too big")

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errPartTooBig
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

func readPart(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, docxBomb("%s is %d bytes", f.Name, f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, docxBroken("%v", err)
	}
	defer rc.Close()
	b, err := io.ReadAll(&limitReader{r: rc, n: limit})
	if err != nil {
		if errors.Is(err, errPartTooBig) {
			return nil, docxBomb("%s is larger than it says", f.Name)
		}
		return nil, docxBroken("%s: %v", f.Name, err)
	}
	return b, nil
}

// readNumbering maps each numId to "ul" (bullets) or "ol" (numbers) by its level-0 format.
func readNumbering(f *zip.File) (map[string]string, error) {
	b, err := readPart(f, docxMaxNumbering)
	if err != nil {
		return nil, err
	}
	var n struct {
		Abstract []struct {
			ID     string `xml:"abstractNumId,attr"`
			Levels []struct {
				Ilvl string `xml:"ilvl,attr"`
				Fmt  struct {
					Val string `xml:"val,attr"`
				} `xml:"numFmt"`
			} `xml:"lvl"`
		} `xml:"abstractNum"`
		Nums []struct {
			ID       string `xml:"numId,attr"`
			Abstract struct {
				Val string `xml:"val,attr"`
			} `xml:"abstractNumId"`
		} `xml:"num"`
	}
	if err := xml.Unmarshal(b, &n); err != nil {
		return nil, docxBroken("numbering.xml: %v", err)
	}
	formats := map[string]string{}
	for _, a := range n.Abstract {
		for _, l := range a.Levels {
			if l.Ilvl == "0" {
				formats[a.ID] = l.Fmt.Val
			}
		}
	}
	out := map[string]string{}
	for _, num := range n.Nums {
		if f := formats[num.Abstract.Val]; f == "bullet" || f == "none" || f == "" {
			out[num.ID] = "ul"
		} else {
			out[num.ID] = "ol"
		}
	}
	return out, nil
}

// para collects one w:p.
type para struct {
	tag, list string
	html      strings.Builder
	text      strings.Builder
}

// run formatting inside a w:r.
type runFmt struct{ bold, italic, underline bool }

func (f runFmt) open() string {
	s := ""
	if f.bold {
		s += "<strong>"
	}
	if f.italic {
		s += "<em>"
	}
	if f.underline {
		s += "<u>"
	}
	return s
}

func (f runFmt) close() string {
	s := ""
	if f.underline {
		s += "</u>"
	}
	if f.italic {
		s += "</em>"
	}
	if f.bold {
		s += "</strong>"
	}
	return s
}

// onOff reads a WordprocessingML toggle (<w:b/>, <w:b w:val="0"/>…).
func onOff(se xml.StartElement) bool {
	for _, a := range se.Attr {
		if a.Name.Local == "val" {
			switch strings.ToLower(a.Value) {
			case "0", "false", "off", "none":
				return false
			}
		}
	}
	return true
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// parseDocumentXML streams word/document.xml. Elements are matched by local name (the
// w: namespace URI differs between Word's strict and transitional flavours).
func parseDocumentXML(r io.Reader, lists map[string]string) ([]Block, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = true
	dec.Entity = nil // only XML's five predefined entities: no entity expansion bombs
	var (
		out      []Block
		depth    int
		p        *para
		inRPr    bool
		inPPr    bool
		rf       runFmt
		inText   bool
		tables   []*tableBuf // open tables (nested tables flatten into their cell)
		numbered bool
		numID    string
	)
	finishPara := func() {
		if p == nil {
			return
		}
		txt := normText(p.text.String())
		h := strings.TrimSpace(strings.ReplaceAll(p.html.String(), "</strong><strong>", ""))
		if len(tables) > 0 {
			t := tables[len(tables)-1]
			if txt != "" {
				t.cell = append(t.cell, h)
				t.cellText = append(t.cellText, txt)
			}
		} else if txt != "" {
			tag, list := p.tag, ""
			if numbered && tag == "p" {
				tag, list = "li", lists[numID]
				if list == "" {
					list = "ul"
				}
			}
			out = append(out, Block{Tag: tag, List: list, HTML: h, Text: txt})
		}
		p, numbered, numID = nil, false, ""
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, errPartTooBig) {
				return nil, docxBomb("word/document.xml is larger than %d MB", docxMaxPart>>20)
			}
			return nil, docxBroken("word/document.xml: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > docxMaxDepth {
				return nil, docxBroken("nesting deeper than %d", docxMaxDepth)
			}
			switch t.Name.Local {
			case "p":
				if p != nil { // a paragraph inside a text box inside a paragraph: flatten
					break
				}
				p = &para{tag: "p"}
			case "pPr":
				inPPr = true
			case "pStyle":
				if p != nil && inPPr {
					p.tag = styleTag(attr(t, "val"), p.tag)
				}
			case "outlineLvl":
				if p != nil && inPPr {
					if n, err := strconv.Atoi(attr(t, "val")); err == nil && n >= 0 && n < 6 {
						p.tag = "h" + strconv.Itoa(n+1)
					}
				}
			case "numId":
				if inPPr {
					numID = attr(t, "val")
					numbered = numID != "" && numID != "0"
				}
			case "r":
				rf = runFmt{}
			case "rPr":
				inRPr = !inPPr
			case "b":
				if inRPr {
					rf.bold = onOff(t)
				}
			case "i":
				if inRPr {
					rf.italic = onOff(t)
				}
			case "u":
				if inRPr {
					rf.underline = attr(t, "val") != "none" && onOff(t)
				}
			case "t":
				inText = true
			case "tab":
				if p != nil && !inPPr {
					p.html.WriteString(" ")
					p.text.WriteString(" ")
				}
			case "br", "cr":
				if p != nil {
					p.html.WriteString("<br>")
					p.text.WriteString(" ")
				}
			case "tbl":
				finishPara()
				tables = append(tables, &tableBuf{})
			case "tr":
				if len(tables) > 0 {
					tables[len(tables)-1].rows = append(tables[len(tables)-1].rows, nil)
				}
			case "tc":
				if len(tables) > 0 {
					t := tables[len(tables)-1]
					t.cell, t.cellText = nil, nil
				}
			}
		case xml.EndElement:
			depth--
			switch t.Name.Local {
			case "p":
				if p != nil {
					finishPara()
				}
			case "pPr":
				inPPr = false
			case "rPr":
				inRPr = false
			case "t":
				inText = false
			case "tc":
				if len(tables) > 0 {
					tb := tables[len(tables)-1]
					if len(tb.rows) == 0 {
						tb.rows = append(tb.rows, nil)
					}
					tb.rows[len(tb.rows)-1] = append(tb.rows[len(tb.rows)-1], cellBuf{html: strings.Join(tb.cell, "<br>"), text: strings.Join(tb.cellText, " ")})
				}
			case "tbl":
				if len(tables) == 0 {
					break
				}
				tb := tables[len(tables)-1]
				tables = tables[:len(tables)-1]
				if len(tables) > 0 { // nested: its text joins the outer cell
					outer := tables[len(tables)-1]
					outer.cell = append(outer.cell, "<table>"+tb.html()+"</table>")
					outer.cellText = append(outer.cellText, tb.text())
				} else if b := tb.block(); b.Text != "" {
					out = append(out, b)
				}
			}
		case xml.CharData:
			if inText && p != nil {
				s := string(t)
				p.html.WriteString(rf.open() + html.EscapeString(s) + rf.close())
				p.text.WriteString(s)
			}
		}
		if len(out) > maxBlocks {
			return nil, errTooManyBlocks()
		}
	}
	return out, nil
}

// styleTag maps a paragraph style ID to a heading tag.
func styleTag(style, def string) string {
	s := strings.ToLower(strings.ReplaceAll(style, " ", ""))
	switch {
	case s == "title":
		return "h1"
	case s == "subtitle":
		return "h2"
	case strings.HasPrefix(s, "heading") && len(s) == len("heading")+1 && s[7] >= '1' && s[7] <= '6':
		return "h" + s[7:]
	}
	return def
}

type cellBuf struct{ html, text string }

type tableBuf struct {
	rows     [][]cellBuf
	cell     []string // paragraphs of the open cell
	cellText []string
}

func (t *tableBuf) html() string {
	var b strings.Builder
	for _, r := range t.rows {
		b.WriteString("<tr>")
		for _, c := range r {
			b.WriteString("<td>" + c.html + "</td>")
		}
		b.WriteString("</tr>")
	}
	return b.String()
}

func (t *tableBuf) text() string {
	var parts []string
	for _, r := range t.rows {
		for _, c := range r {
			if c.text != "" {
				parts = append(parts, c.text)
			}
		}
	}
	return normText(strings.Join(parts, " "))
}

func (t *tableBuf) block() Block {
	return Block{Tag: "table", HTML: "<tbody>" + t.html() + "</tbody>", Text: t.text()}
}

func errTooManyBlocks() error {
	return invalid("doc.too_many_paragraphs", "the document has more than %d paragraphs", maxBlocks)
}
