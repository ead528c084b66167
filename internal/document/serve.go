package document

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"html"
	"html/template"
	"image"
	_ "image/jpeg" // stored pictures are PNG or JPEG
	"image/png"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"dais/internal/leak"
	"dais/internal/pdfdoc"
	"dais/internal/store"
)

// Formats a served copy can take.
const (
	FormatEPUB     = "epub"
	FormatPDF      = "pdf"
	FormatOriginal = "original" // the uploaded PDF, or the re-encoded image
	FormatImage    = "image"    // an image document's picture, shown inline in the reader
)

// Reader is who a copy is made for.
type Reader struct {
	UserID   string
	Name     string
	Delegate string // delegate number in the document's meeting, "" if none
	At       time.Time
}

// Served is one copy of a document as it leaves the server.
type Served struct {
	Body        []byte
	ContentType string
	Filename    string
	Inline      bool
}

// zone is where the watermark's time is given.
var zone = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return l
	}
	return time.FixedZone("ICT", 7*3600)
}()

// Watermark is the visible line a restricted copy carries: who it was made for and when.
func Watermark(r Reader, lang string) string {
	at := r.At.In(zone).Format("15:04 02/01/2006")
	if lang == "en" {
		return fmt.Sprintf("RESTRICTED — copy for %s, made %s", r.Name, at)
	}
	return fmt.Sprintf("HẠN CHẾ — Bản của %s, tải lúc %s", r.Name, at)
}

// Allowed reports whether a format may be served for a document version: EPUB and PDF
// always (restricted ones watermarked); the original file only for PDFs and images that
// are not restricted (a restricted original would leave without its watermark).
func Allowed(d *Document, v *Version, format string) bool {
	switch format {
	case FormatEPUB, FormatPDF:
		return true
	case FormatOriginal:
		return (v.Kind == KindPDF || v.Kind.IsImage()) && d.Classification != Restricted
	case FormatImage:
		return v.Kind.IsImage()
	}
	return false
}

// Serve makes the copy of a version that p downloads in format, after checking that p
// may read the document and that the format is allowed for it.
func (s *Service) Serve(ctx context.Context, p *store.Principal, id string, version int, format, lang string) (Served, error) {
	d, v, err := s.Version(ctx, p, id, version)
	if err != nil {
		return Served{}, err
	}
	if !Allowed(&d, &v, format) {
		return Served{}, &store.Error{Code: store.EFORBIDDEN, Key: "doc.format_forbidden", Message: "this format is not available for this document"}
	}
	return s.renderFor(ctx, s.reader(ctx, p, &d), &d, &v, format, lang)
}

// DelegateNumbers is what an Audience may also tell: a reader's delegate number in a
// meeting, printed in the watermark of a restricted copy.
type DelegateNumbers interface {
	DelegateNumber(ctx context.Context, meetingID, userID string) (string, error)
}

// reader is who p is, as a restricted copy's marks name them.
func (s *Service) reader(ctx context.Context, p *store.Principal, d *Document) Reader {
	r := Reader{UserID: p.UserID, Name: p.Name, At: s.now()}
	if r.Name == "" {
		r.Name = p.Username
	}
	if dn, ok := s.audience.(DelegateNumbers); ok && d.MeetingID != "" {
		if n, err := dn.DelegateNumber(ctx, d.MeetingID, p.UserID); err == nil {
			r.Delegate = n
		} else {
			s.opts.Logger.Warn("delegate number for a watermark", "document", d.ID, "err", err)
		}
	}
	return r
}

// issueCopy records a restricted copy made for r (internal/leak): its ID is what the
// invisible fingerprint and the hidden PDF text carry, and `dais trace-leak` looks up.
func (s *Service) issueCopy(ctx context.Context, r Reader, d *Document, v *Version, kind string) (*leak.Copy, error) {
	if d.Classification != Restricted {
		return nil, nil
	}
	c, err := leak.Record(ctx, s.db, leak.Copy{ReaderID: r.UserID, ReaderName: r.Name, Delegate: r.Delegate,
		DocumentID: d.ID, Version: v.Version, Kind: kind, IssuedAt: r.At})
	if err != nil {
		return nil, fmt.Errorf("issue a restricted copy: %w", err)
	}
	return &c, nil
}

// Overlay is the marks of a restricted reader page (visible line and fingerprint) for
// reader r, recorded as a served copy; "" for other documents.
func (s *Service) Overlay(ctx context.Context, p *store.Principal, d *Document, v *Version, lang string) (template.HTML, error) {
	c, err := s.issueCopy(ctx, s.reader(ctx, p, d), d, v, leak.KindHTML)
	if err != nil || c == nil {
		return "", err
	}
	return leak.HTML(*c, lang), nil
}

// renderFor is the one place where a copy of a document is made for a reader: every
// download and every inline image goes through it, so that marking a served copy (the
// visible watermark now; a per-reader fingerprint later) happens here and only here.
func (s *Service) renderFor(ctx context.Context, r Reader, d *Document, v *Version, format, lang string) (Served, error) {
	mark := ""
	if d.Classification == Restricted {
		mark = Watermark(r, lang)
	}
	base := fileBase(d.Title, v.Version)
	switch format {
	case FormatOriginal, FormatImage:
		body, err := s.blobs.Get(v.sha)
		if err != nil {
			return Served{}, err
		}
		ext := map[Kind]string{KindPDF: ".pdf", KindPNG: ".png", KindJPEG: ".jpg"}[v.Kind]
		if d.Classification == Restricted && v.Kind.IsImage() {
			// The picture leaves marked: the fingerprint over it, re-encoded as PNG.
			c, err := s.issueCopy(ctx, r, d, v, leak.KindImage)
			if err != nil {
				return Served{}, err
			}
			img, _, err := image.Decode(bytes.NewReader(body))
			if err != nil {
				return Served{}, fmt.Errorf("decode a stored picture: %w", err)
			}
			var out bytes.Buffer
			if err := png.Encode(&out, leak.MarkImage(img, *c, 0)); err != nil {
				return Served{}, err
			}
			return Served{Body: out.Bytes(), ContentType: "image/png", Filename: base + ".png", Inline: format == FormatImage}, nil
		}
		return Served{Body: body, ContentType: v.Kind.MediaType(), Filename: base + ext, Inline: format == FormatImage}, nil
	case FormatEPUB:
		var img []byte
		if v.Kind.IsImage() {
			var err error
			if img, err = s.blobs.Get(v.sha); err != nil {
				return Served{}, err
			}
		}
		c, err := s.issueCopy(ctx, r, d, v, leak.KindEPUB)
		if err != nil {
			return Served{}, err
		}
		body, err := buildEPUB(d, v, img, mark, lang, c)
		if err != nil {
			return Served{}, err
		}
		return Served{Body: body, ContentType: "application/epub+zip", Filename: base + ".epub"}, nil
	case FormatPDF:
		var img []byte
		if v.Kind.IsImage() {
			var err error
			if img, err = s.blobs.Get(v.sha); err != nil {
				return Served{}, err
			}
		}
		c, err := s.issueCopy(ctx, r, d, v, leak.KindPDF)
		if err != nil {
			return Served{}, err
		}
		body, err := buildPDF(d, v, img, mark, lang, r.At, c)
		if err != nil {
			return Served{}, err
		}
		return Served{Body: body, ContentType: "application/pdf", Filename: base + ".pdf"}, nil
	}
	return Served{}, store.Errorf(store.EINVALID, "unknown format %q", format)
}

// fileBase is a download's file name without extension: the title's letters and digits
// (Vietnamese kept), dashes between words.
func fileBase(title string, version int) string {
	var b strings.Builder
	for _, w := range strings.Fields(title) {
		w = strings.Map(func(r rune) rune {
			if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f && r != 0xfffd {
				return r
			}
			return -1
		}, w)
		if w == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		b.WriteString(w)
		if b.Len() > 80 {
			break
		}
	}
	if b.Len() == 0 {
		b.WriteString("tai-lieu")
	}
	return fmt.Sprintf("%s-v%d", b.String(), version)
}

// buildEPUB writes an EPUB 3 book: the mimetype entry first and stored, the container,
// the package document, a navigation document from the headings, and one XHTML file.
func buildEPUB(d *Document, v *Version, img []byte, mark, lang string, c *leak.Copy) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	if err != nil {
		return nil, err
	}
	w.Write([]byte("application/epub+zip"))
	put := func(name, body string) error {
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		_, err = w.Write([]byte(body))
		return err
	}
	esc := html.EscapeString
	if err := put("META-INF/container.xml", `<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>`); err != nil {
		return nil, err
	}
	imgItem, cssLink := "", ""
	if c != nil {
		css, err := leak.Static.ReadFile("static/leak.css")
		if err != nil {
			return nil, err
		}
		if err := put("OEBPS/leak.css", string(css)); err != nil {
			return nil, err
		}
		imgItem, cssLink = `<item id="css" href="leak.css" media-type="text/css"/>`, `<link rel="stylesheet" href="leak.css"/>`
	}
	if img != nil {
		ext, mt := "png", "image/png"
		if v.Kind == KindJPEG {
			ext, mt = "jpg", "image/jpeg"
		}
		imgItem += fmt.Sprintf(`<item id="img" href="image.%s" media-type="%s"/>`, ext, mt)
		iw, err := zw.Create("OEBPS/image." + ext)
		if err != nil {
			return nil, err
		}
		if _, err := iw.Write(img); err != nil {
			return nil, err
		}
	}
	modified := v.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")
	if err := put("OEBPS/content.opf", `<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang="vi">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="uid">urn:uuid:`+esc(d.ID)+`</dc:identifier>
<dc:title>`+esc(d.Title)+`</dc:title>
<dc:language>vi</dc:language>
<dc:publisher>`+esc(d.UnitName)+`</dc:publisher>
<meta property="dcterms:modified">`+modified+`</meta>
</metadata>
<manifest>
<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
<item id="text" href="text.xhtml" media-type="application/xhtml+xml"/>
`+imgItem+`
</manifest>
<spine><itemref idref="text"/></spine>
</package>`); err != nil {
		return nil, err
	}
	var toc strings.Builder
	var body strings.Builder
	if mark != "" {
		body.WriteString(`<p class="watermark"><strong>` + esc(mark) + `</strong></p>`)
	}
	body.WriteString(`<h1 class="doc-title">` + esc(d.Title) + `</h1>`)
	open := ""
	for i, b := range v.Blocks {
		n := i + 1
		if open != "" && (b.Tag != "li" || b.List != open) {
			body.WriteString("</" + open + ">")
			open = ""
		}
		switch b.Tag {
		case "li":
			if open == "" {
				open = "ul"
				if b.List == "ol" {
					open = "ol"
				}
				body.WriteString("<" + open + ">")
			}
			fmt.Fprintf(&body, `<li id="p-%d">%s</li>`, n, toXHTML(b.HTML))
		case "img":
			if img != nil {
				src := "image.png"
				if v.Kind == KindJPEG {
					src = "image.jpg"
				}
				fmt.Fprintf(&body, `<p id="p-%d"><img src="%s" alt="%s"/></p>`, n, src, esc(b.Text))
			}
		case "table":
			fmt.Fprintf(&body, `<table id="p-%d">%s</table>`, n, toXHTML(b.HTML))
		default:
			tag := b.Tag
			if !validTag(tag) {
				tag = "p"
			}
			fmt.Fprintf(&body, `<%s id="p-%d">%s</%s>`, tag, n, toXHTML(b.HTML), tag)
			if tag[0] == 'h' {
				fmt.Fprintf(&toc, `<li><a href="text.xhtml#p-%d">%s</a></li>`, n, esc(b.Text))
			}
		}
	}
	if open != "" {
		body.WriteString("</" + open + ">")
	}
	if mark != "" {
		body.WriteString(`<p class="watermark"><strong>` + esc(mark) + `</strong></p>`)
	}
	if toc.Len() == 0 {
		toc.WriteString(`<li><a href="text.xhtml">` + esc(d.Title) + `</a></li>`)
	}
	head := func(title string) string {
		return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="vi" lang="vi">
<head><meta charset="utf-8"/><title>` + esc(title) + `</title>` + cssLink + `</head>
<body>`
	}
	contents := "Mục lục"
	if lang == "en" {
		contents = "Contents"
	}
	if err := put("OEBPS/nav.xhtml", head(d.Title)+`<nav epub:type="toc" id="toc"><h1>`+contents+`</h1><ol>`+toc.String()+`</ol></nav></body></html>`); err != nil {
		return nil, err
	}
	text := body.String()
	if c != nil {
		// The reader's marks over the whole text: visible line and fingerprint (an SVG
		// overlay, valid XHTML), positioned by leak.css.
		text = `<div class="leak-host">` + text + string(leak.HTML(*c, lang)) + `</div>`
	}
	if err := put("OEBPS/text.xhtml", head(d.Title)+text+`</body></html>`); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// toXHTML re-serializes sanitized HTML as well-formed XHTML (void elements closed,
// attributes quoted, text escaped for XML); images, which would point outside the book,
// become their alternative text.
func toXHTML(s string) string {
	nodes, err := xhtml.ParseFragment(strings.NewReader(Sanitize(s)), &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return html.EscapeString(s)
	}
	var b strings.Builder
	var walk func(n *xhtml.Node)
	walk = func(n *xhtml.Node) {
		switch n.Type {
		case xhtml.TextNode:
			b.WriteString(html.EscapeString(n.Data))
		case xhtml.ElementNode:
			if n.Data == "img" {
				for _, a := range n.Attr {
					if a.Key == "alt" {
						b.WriteString(html.EscapeString(a.Val))
					}
				}
				return
			}
			b.WriteString("<" + n.Data)
			for _, a := range n.Attr {
				if a.Namespace != "" || !xmlName(a.Key) {
					continue
				}
				fmt.Fprintf(&b, ` %s="%s"`, a.Key, html.EscapeString(a.Val))
			}
			if n.FirstChild == nil && (n.Data == "br" || n.Data == "hr") {
				b.WriteString("/>")
				return
			}
			b.WriteString(">")
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
			b.WriteString("</" + n.Data + ">")
		default:
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return b.String()
}

func xmlName(s string) bool {
	for i, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || i > 0 && (c >= '0' && c <= '9' || c == '-')) {
			return false
		}
	}
	return s != ""
}

// buildPDF lays out the canonical paragraphs with internal/pdfdoc; a restricted copy
// carries its watermark line at the top of every page.
func buildPDF(d *Document, v *Version, img []byte, mark, lang string, at time.Time, c *leak.Copy) ([]byte, error) {
	doc := pdfdoc.New(pdfdoc.Options{Title: d.Title, Subject: fmt.Sprintf("v%d", v.Version), Author: d.UnitName, Lang: lang, Created: v.CreatedAt})
	f := doc.PDF()
	var fp *leak.PDFMarker
	if c != nil {
		fp = leak.NewPDFMarker(f, *c, lang)
	}
	if mark != "" {
		drawMark := func() {
			if fp != nil {
				fp.Page() // fingerprint, diagonal line and hidden copy code, under the text
			}
			x, y := f.GetXY()
			f.SetFont(pdfdoc.Sans, "B", 9)
			f.SetTextColor(150, 20, 20)
			f.SetXY(pdfdoc.MarginLeft, 8)
			f.CellFormat(pdfdoc.ContentWidth, 5, mark, "", 0, "C", false, 0, "")
			f.SetTextColor(0, 0, 0)
			f.SetFont(pdfdoc.Serif, "", 14)
			f.SetXY(x, y)
		}
		drawMark()
		f.SetHeaderFunc(drawMark)
	}
	doc.Title(d.Title)
	doc.Space(4)
	num := 0
	for _, b := range v.Blocks {
		if b.Tag != "li" || b.List != "ol" {
			num = 0
		}
		switch b.Tag {
		case "h1":
			doc.Title(b.Text)
		case "h2", "h3", "h4", "h5", "h6":
			doc.Space(2)
			doc.Text(pdfdoc.Run{Text: b.Text, Style: "B"})
		case "li":
			prefix := "•  "
			if b.List == "ol" {
				num++
				prefix = fmt.Sprintf("%d. ", num)
			}
			doc.Text(pdfdoc.Run{Text: prefix + b.Text})
		case "blockquote":
			doc.Text(pdfdoc.Run{Text: b.Text, Style: "I"})
		case "img":
			if img != nil {
				drawImage(f, img, v.Kind)
			}
		default:
			doc.Paragraph(b.Text)
		}
	}
	if err := doc.Err(); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := doc.Output(&out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func drawImage(f *fpdf.Fpdf, img []byte, k Kind) {
	tp := "PNG"
	if k == KindJPEG {
		tp = "JPG"
	}
	opt := fpdf.ImageOptions{ImageType: tp, ReadDpi: false}
	info := f.RegisterImageOptionsReader("doc", opt, bytes.NewReader(img))
	if info == nil || f.Err() {
		return
	}
	w, h := info.Extent()
	scale := min(pdfdoc.ContentWidth/w, (pdfdoc.PageHeight-pdfdoc.MarginTop-pdfdoc.MarginBottom-30)/h)
	f.ImageOptions("doc", pdfdoc.MarginLeft, f.GetY(), w*scale, h*scale, true, opt, 0, "")
}
