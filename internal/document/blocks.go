package document

import (
	"bytes"
	"fmt"
	"html"
	"strings"
	"unicode"

	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"
)

// Block is one numbered paragraph of a document's canonical form: a heading, a paragraph,
// a list item, a table, a quotation, preformatted text or an image. Readers' notes and
// bookmarks point at a block by its number; the diff aligns blocks.
type Block struct {
	Tag  string `json:"tag"`            // h1…h6, p, li, table, blockquote, pre, img
	List string `json:"list,omitempty"` // ul or ol, for li
	HTML string `json:"html"`           // inner HTML, sanitized (for img: empty)
	Text string `json:"text"`           // plain text, NFC, spaces collapsed
}

// policy is the one sanitizer every piece of HTML goes through before a reader sees it:
// structure and emphasis only. No scripts, no event handlers, no style, no forms, no
// frames; links only to http(s), mailto or fragments, and they open with noopener; images
// only as inline data: URIs (the CSP's img-src allows them), so a document can load
// nothing from anywhere.
var policy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "blockquote", "pre", "code",
		"b", "strong", "i", "em", "u", "s", "del", "ins", "sub", "sup", "mark", "small", "span", "div", "section", "article",
		"table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "figure", "figcaption", "dl", "dt", "dd", "abbr")
	p.AllowAttrs("colspan", "rowspan").Matching(bluemonday.Integer).OnElements("td", "th")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("title").OnElements("abbr")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(false)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowDataURIImages()
	p.AllowAttrs("alt").OnElements("img")
	p.AllowElements("a")
	return p
}()

// Sanitize returns s with everything but structure and emphasis removed (see policy).
func Sanitize(s string) string { return policy.Sanitize(s) }

// normText is s in NFC with runs of white space collapsed to one space and trimmed.
func normText(s string) string {
	return strings.Join(strings.FieldsFunc(norm.NFC.String(s), unicode.IsSpace), " ")
}

// blockTags are the elements that become one block each; containers are walked into.
var blockTags = map[atom.Atom]bool{
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.P: true, atom.Table: true, atom.Blockquote: true, atom.Pre: true, atom.Dl: true, atom.Figure: true,
}

var containerTags = map[atom.Atom]bool{
	atom.Div: true, atom.Section: true, atom.Article: true, atom.Body: true, atom.Html: true,
	atom.Main: true, atom.Header: true, atom.Footer: true, atom.Tbody: true,
}

// maxBlocks bounds a document: a congress report has hundreds of paragraphs, not millions.
const maxBlocks = 20000

// blocksFromHTML sanitizes an HTML document and cuts it into blocks. Inline content that
// stands between blocks is gathered into paragraphs.
func blocksFromHTML(src string) ([]Block, error) {
	clean := Sanitize(src)
	nodes, err := xhtml.ParseFragment(strings.NewReader(clean), &xhtml.Node{Type: xhtml.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		return nil, fmt.Errorf("parse html: %w", err)
	}
	var out []Block
	var loose []*xhtml.Node // inline nodes waiting to become a paragraph
	flush := func() {
		if len(loose) == 0 {
			return
		}
		var b bytes.Buffer
		var t strings.Builder
		for _, n := range loose {
			_ = xhtml.Render(&b, n)
			textOf(&t, n)
		}
		loose = loose[:0]
		if txt := normText(t.String()); txt != "" {
			out = append(out, Block{Tag: "p", HTML: strings.TrimSpace(b.String()), Text: txt})
		}
	}
	var walk func(n *xhtml.Node, list string)
	walk = func(n *xhtml.Node, list string) {
		switch {
		case n.Type == xhtml.ElementNode && containerTags[n.DataAtom]:
			flush()
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, list)
			}
			flush()
		case n.Type == xhtml.ElementNode && (n.DataAtom == atom.Ul || n.DataAtom == atom.Ol):
			flush()
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, n.Data)
			}
		case n.Type == xhtml.ElementNode && n.DataAtom == atom.Li:
			flush()
			if list == "" {
				list = "ul"
			}
			out = appendBlock(out, "li", list, n)
		case n.Type == xhtml.ElementNode && n.DataAtom == atom.Hr:
			flush()
		case n.Type == xhtml.ElementNode && blockTags[n.DataAtom]:
			flush()
			tag := n.Data
			if n.DataAtom == atom.Dl || n.DataAtom == atom.Figure {
				tag = "blockquote" // rare in documents; kept as a quoted block
			}
			out = appendBlock(out, tag, "", n)
		case n.Type == xhtml.ElementNode && n.DataAtom == atom.Br && len(loose) == 0:
		default:
			loose = append(loose, n)
		}
	}
	for _, n := range nodes {
		walk(n, "")
		if len(out) > maxBlocks {
			return nil, errTooManyBlocks()
		}
	}
	flush()
	if len(out) > maxBlocks {
		return nil, errTooManyBlocks()
	}
	return out, nil
}

func appendBlock(out []Block, tag, list string, n *xhtml.Node) []Block {
	var b bytes.Buffer
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		_ = xhtml.Render(&b, c)
	}
	var t strings.Builder
	textOf(&t, n)
	txt := normText(t.String())
	if txt == "" && !strings.Contains(b.String(), "<img") {
		return out
	}
	return append(out, Block{Tag: tag, List: list, HTML: strings.TrimSpace(b.String()), Text: txt})
}

// textOf appends n's text, with a space between cells and block children.
func textOf(b *strings.Builder, n *xhtml.Node) {
	switch n.Type {
	case xhtml.TextNode:
		b.WriteString(n.Data)
		return
	case xhtml.ElementNode:
		switch n.DataAtom {
		case atom.Br, atom.Td, atom.Th, atom.Tr, atom.P, atom.Li, atom.Div:
			b.WriteByte(' ')
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		textOf(b, c)
	}
}

// textBlocks turns plain text (a PDF's extracted text, or a text file) into paragraphs:
// blank lines and form feeds separate them, lines inside one are joined.
func textBlocks(s string) []Block {
	var out []Block
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\f", "\n\n")
	for _, para := range strings.Split(s, "\n\n") {
		txt := normText(para)
		if txt == "" {
			continue
		}
		out = append(out, Block{Tag: "p", HTML: html.EscapeString(txt), Text: txt})
		if len(out) > maxBlocks {
			break
		}
	}
	return out
}

// renderBlocks writes the reader's article body: each block carries its number (id
// "p-N", 1-based) for notes, bookmarks, search and links; consecutive list items share a
// list. Block HTML is sanitized again on the way out: the store is not trusted to hold
// only what we put there.
func renderBlocks(blocks []Block, imageURL string, classes map[int]string) string {
	var b strings.Builder
	open := ""
	for i, bl := range blocks {
		n := i + 1
		attrs := fmt.Sprintf(`id="p-%d" data-n="%d"`, n, n)
		if c := classes[n]; c != "" {
			attrs += ` class="` + html.EscapeString(strings.TrimSpace(c)) + `"`
		}
		if open != "" && (bl.Tag != "li" || bl.List != open) {
			b.WriteString("</" + open + ">")
			open = ""
		}
		switch bl.Tag {
		case "li":
			if open == "" {
				open = bl.List
				if open != "ol" {
					open = "ul"
				}
				b.WriteString("<" + open + ">")
			}
			fmt.Fprintf(&b, `<li %s>%s</li>`, attrs, Sanitize(bl.HTML))
		case "img":
			fmt.Fprintf(&b, `<figure %s><img src="%s" alt="%s"></figure>`, attrs, html.EscapeString(imageURL), html.EscapeString(bl.Text))
		case "table":
			fmt.Fprintf(&b, `<div %s><div class="doc-table" tabindex="0">%s</div></div>`, attrs, Sanitize("<table>"+bl.HTML+"</table>"))
		default:
			tag := bl.Tag
			if !validTag(tag) {
				tag = "p"
			}
			fmt.Fprintf(&b, `<%s %s>%s</%s>`, tag, attrs, Sanitize(bl.HTML), tag)
		}
	}
	if open != "" {
		b.WriteString("</" + open + ">")
	}
	return b.String()
}

func validTag(t string) bool {
	switch t {
	case "h1", "h2", "h3", "h4", "h5", "h6", "p", "blockquote", "pre":
		return true
	}
	return false
}
