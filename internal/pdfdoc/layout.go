package pdfdoc

import (
	"strings"
	"time"
	"unicode"
)

// Letterhead columns: the issuing committee on the left, the party's name and the date on
// the right (Hướng dẫn 36-HD/VPTW, "thể thức văn bản của Đảng").
const (
	letterLeftW  = 80.0
	letterRightX = MarginLeft + letterLeftW
	letterRightW = ContentWidth - letterLeftW
)

// PartyName is the heading of every party document.
const PartyName = "ĐẢNG CỘNG SẢN VIỆT NAM"

// Letterhead draws the two-column heading of a party document at the top of the page:
// on the left the superior committee (org), the issuing unit in bold, "*" and "Số docNo"
// (the document's number and symbol, e.g. "15-GGT/ĐU"; empty leaves the line out); on the
// right "ĐẢNG CỘNG SẢN VIỆT NAM" with a rule under it and the italic place and date line.
// Names are set in capitals; long ones wrap within their column.
func (d *Doc) Letterhead(org, unit, place string, date time.Time, docNo string) {
	f := d.f
	top := f.GetY()
	lh := lineHeight(13)

	// Left column.
	y := top
	d.font(Serif, "", 13)
	y = d.centered(upper(org), MarginLeft, letterLeftW, y, lh)
	d.font(Serif, "B", 13)
	y = d.centered(upper(unit), MarginLeft, letterLeftW, y, lh)
	d.font(Serif, "", 13)
	y = d.centered("*", MarginLeft, letterLeftW, y, lh)
	numberY := y
	if docNo = strings.TrimSpace(docNo); docNo != "" {
		y = d.centered("Số "+nfc(docNo), MarginLeft, letterLeftW, y+0.5, lh)
	}

	// Right column.
	d.font(Serif, "B", 13.5)
	ry := d.centered(PartyName, letterRightX, letterRightW, top, lh)
	tw := f.GetStringWidth(PartyName)
	cx := letterRightX + letterRightW/2
	f.SetLineWidth(0.3)
	f.Line(cx-tw/2, ry+0.3, cx+tw/2, ry+0.3)
	d.font(Serif, "I", 13)
	ry = d.centered(DateLine(place, date), letterRightX, letterRightW, max(ry+3, numberY+0.5), lh)

	f.SetY(max(y, ry) + 8)
	d.font(Serif, "", d.opts.BodySize)
}

// Title draws a document title: bold capitals, centred.
func (d *Doc) Title(s string) {
	d.font(Serif, "B", d.opts.BodySize+1)
	y := d.centered(upper(s), MarginLeft, ContentWidth, d.f.GetY(), lineHeight(d.opts.BodySize+1))
	d.f.SetY(y + 1)
	d.font(Serif, "", d.opts.BodySize)
}

// Subtitle draws a line under the title: italic, centred.
func (d *Doc) Subtitle(s string) {
	d.font(Serif, "I", d.opts.BodySize-1)
	y := d.centered(nfc(s), MarginLeft, ContentWidth, d.f.GetY(), lineHeight(d.opts.BodySize-1))
	d.f.SetY(y + 1)
	d.font(Serif, "", d.opts.BodySize)
}

// Paragraph draws body text, justified, its first line indented by 1 cm, with 6 pt after.
func (d *Doc) Paragraph(s string) { d.RichParagraph(Run{Text: s}) }

// RichParagraph is Paragraph with runs of several styles.
func (d *Doc) RichParagraph(runs ...Run) {
	d.flow(runs, 10, true)
	d.f.SetY(d.f.GetY() + 2)
}

// Field draws "label value" as one paragraph, the value in bold, e.g. a line of a form.
func (d *Doc) Field(label, value string) {
	d.flow([]Run{{Text: label}, {Text: value, Style: "B"}}, 0, false)
	d.f.SetY(d.f.GetY() + 1)
}

// Run is a stretch of text in one style: "" (regular), "B" (bold) or "I" (italic).
type Run struct {
	Text  string
	Style string
}

// Text draws runs of body text as one paragraph, left-aligned, without indent.
func (d *Doc) Text(runs ...Run) {
	d.flow(runs, 0, false)
	d.f.SetY(d.f.GetY() + 1)
}

// Signature is a signature block: who signs, in what capacity, and for whom.
type Signature struct {
	Authority string // on whose behalf, e.g. "T/M CHI ỦY"; empty for none
	Title     string // the signer's position, e.g. "BÍ THƯ"
	Hint      string // under the title; "" gives "(Ký, ghi rõ họ tên)", "-" none
	Name      string // the signer's full name
	// Recipients are listed under "Nơi nhận:" on the left; empty for none.
	Recipients []string
}

// Signature draws the signature block in the right half of the page (and the recipients
// in the left half), moving to a new page first if the block would not fit.
func (d *Doc) Signature(s Signature) {
	f := d.f
	const (
		x    = MarginLeft + ContentWidth/2 - 5
		w    = ContentWidth/2 + 5
		sign = 24.0 // room for the signature and the seal
	)
	lh := lineHeight(13)
	hint := s.Hint
	switch hint {
	case "":
		hint = "(Ký, ghi rõ họ tên)"
		if d.opts.Lang == "en" {
			hint = "(Signature and full name)"
		}
	case "-":
		hint = ""
	}
	lines := 1 // name
	for _, t := range []string{s.Authority, s.Title, hint} {
		if t != "" {
			lines++
		}
	}
	need := float64(lines)*lh + sign + 6
	if n := len(s.Recipients); n > 0 {
		need = max(need, float64(n+1)*lineHeight(11)+6)
	}
	_, ph := f.GetPageSize()
	if f.GetY()+need > ph-MarginBottom {
		f.AddPage()
	}
	top := f.GetY() + 4

	y := top
	d.font(Serif, "B", 13)
	if s.Authority != "" {
		y = d.centered(upper(s.Authority), x, w, y, lh)
	}
	if s.Title != "" {
		y = d.centered(upper(s.Title), x, w, y, lh)
	}
	if hint != "" {
		d.font(Serif, "I", 12)
		y = d.centered(nfc(hint), x, w, y, lh)
	}
	d.font(Serif, "B", 13)
	y = d.centered(nfc(s.Name), x, w, y+sign, lh)

	ry := top
	if len(s.Recipients) > 0 {
		rh := lineHeight(11)
		d.font(Serif, "B", 12)
		label := "Nơi nhận:"
		if d.opts.Lang == "en" {
			label = "Recipients:"
		}
		f.SetXY(MarginLeft, ry)
		f.CellFormat(0, rh, label, "", 0, "L", false, 0, "")
		ry += rh
		d.font(Serif, "", 11)
		for _, r := range s.Recipients {
			for _, line := range f.SplitText("- "+nfc(r), x-MarginLeft-2) {
				f.SetXY(MarginLeft, ry)
				f.CellFormat(0, rh, line, "", 0, "L", false, 0, "")
				ry += rh
			}
		}
	}
	f.SetY(max(y, ry) + 2)
	d.font(Serif, "", d.opts.BodySize)
}

// centered draws s centred in [x, x+w) from y, wrapping as needed, and returns the y
// under it. The current font is used.
func (d *Doc) centered(s string, x, w, y, lh float64) float64 {
	for _, line := range d.f.SplitText(s, w) {
		d.f.SetXY(x, y)
		d.f.CellFormat(w, lh, line, "", 0, "C", false, 0, "")
		y += lh
	}
	return y
}

// piece is a stretch of one word in one style, with its width.
type piece struct {
	text, style string
	w           float64
}

// word is what a line may break after: one or more pieces written together (a run that
// starts without a space, "23/12/2026" then ".", continues the word before it), and the
// width of the space that follows it.
type word struct {
	pieces []piece
	w      float64
	space  float64
}

// flow lays out runs as a paragraph across the content width: greedy line filling by
// words measured in their own style, the first line indented, lines justified except the
// last. Page breaks happen between lines.
func (d *Doc) flow(runs []Run, indent float64, justify bool) {
	f := d.f
	size := d.opts.BodySize
	lh := lineHeight(size)
	var words []word
	glue := false // the next piece continues the last word
	for _, r := range runs {
		text := nfc(r.Text)
		if text == "" {
			continue
		}
		f.SetFont(Serif, r.Style, size)
		sp := f.GetStringWidth(" ")
		glue = glue && !startsSpace(text)
		for _, t := range strings.Fields(text) {
			// A word longer than a line is cut into pieces that fit.
			for f.GetStringWidth(t) > ContentWidth-indent {
				rs := []rune(t)
				n := len(rs) - 1
				for n > 1 && f.GetStringWidth(string(rs[:n])) > ContentWidth-indent {
					n--
				}
				p := piece{string(rs[:n]), r.Style, f.GetStringWidth(string(rs[:n]))}
				words = append(words, word{pieces: []piece{p}, w: p.w, space: sp})
				t = string(rs[n:])
			}
			p := piece{t, r.Style, f.GetStringWidth(t)}
			if glue && len(words) > 0 {
				last := &words[len(words)-1]
				last.pieces = append(last.pieces, p)
				last.w += p.w
				last.space = sp
			} else {
				words = append(words, word{pieces: []piece{p}, w: p.w, space: sp})
			}
			glue = false
		}
		glue = !endsSpace(text)
	}
	x0 := MarginLeft + indent
	width := ContentWidth - indent
	for len(words) > 0 {
		n, used := 0, 0.0
		for n < len(words) {
			add := words[n].w
			if n > 0 {
				add += words[n-1].space
			}
			if n > 0 && used+add > width {
				break
			}
			used += add
			n++
		}
		line := words[:n]
		words = words[n:]
		extra := 0.0
		if justify && len(words) > 0 && n > 1 {
			extra = (width - used) / float64(n-1)
		}
		_, ph := f.GetPageSize()
		if f.GetY()+lh > ph-MarginBottom {
			f.AddPage()
		}
		y := f.GetY()
		x := x0
		for i, wd := range line {
			for _, p := range wd.pieces {
				f.SetFont(Serif, p.style, size)
				f.SetXY(x, y)
				f.CellFormat(p.w, lh, p.text, "", 0, "L", false, 0, "")
				x += p.w
			}
			if i < len(line)-1 {
				x += wd.space + extra
			}
		}
		f.SetXY(MarginLeft, y+lh)
		x0, width = MarginLeft, ContentWidth
	}
	f.SetFont(Serif, "", size)
}

func startsSpace(s string) bool { return strings.TrimLeftFunc(s, unicode.IsSpace) != s }
func endsSpace(s string) bool   { return strings.TrimRightFunc(s, unicode.IsSpace) != s }
