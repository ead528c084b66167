package leak

import (
	"bytes"
	"fmt"
	"html"

	"github.com/go-pdf/fpdf"

	"dais/internal/pdfdoc"
)

// PDFCellMM is the fingerprint's cell size on paper: 1.5 mm, a 24 mm tile, about 8×12
// tiles on an A4 page. A photo of a third of a page still holds a dozen tiles.
const PDFCellMM = 1.5

// marker is the exact channel's text: "DAIS-COPY:" and the copy code.
const marker = "DAIS-COPY:"

// PDFMarker marks every page of one PDF copy. Make it right after the document is
// created (it registers the tile and writes the copy code into the keywords and XMP
// metadata) and call Page at the start of every page — first thing in the header
// function, and once for a first page added before the header function was set.
type PDFMarker struct {
	f        *fpdf.Fpdf
	c        Copy
	line     string
	img      string
	opt      fpdf.ImageOptions
	Font     string  // family for the visible line, registered in f; default pdfdoc.Sans
	Strength int     // fingerprint strength; default DefaultStrength
	CellMM   float64 // fingerprint cell size; default PDFCellMM
}

// NewPDFMarker prepares the marks of copy c (c.ID set by Issue) for f.
func NewPDFMarker(f *fpdf.Fpdf, c Copy, lang string) *PDFMarker {
	m := &PDFMarker{f: f, c: c, line: VisibleLine(c, lang), Font: pdfdoc.Sans, Strength: DefaultStrength, CellMM: PDFCellMM}
	m.img = "dais-fp-" + c.Code()
	m.opt = fpdf.ImageOptions{ImageType: "PNG"}
	f.RegisterImageOptionsReader(m.img, m.opt, bytes.NewReader(TilePNG(c.ID, 4, m.Strength)))
	// Keywords and XMP: read back by ReadPDFText without rendering anything.
	f.SetKeywords(marker+c.Code(), false)
	f.SetXmpMetadata([]byte(`<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">` +
		`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">` +
		`<dc:identifier>` + marker + c.Code() + `</dc:identifier><dc:rights>` + html.EscapeString(m.line) + `</dc:rights>` +
		`</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="r"?>`))
	return m
}

// Page draws the current page's marks: the fingerprint tiles over the whole page, the
// visible line diagonally across it (faint red, repeated), and the copy code as
// invisible text (render mode 3) that text extraction finds. It leaves the position as
// it found it; the font and colours are changed (fpdf restores them after a header).
func (m *PDFMarker) Page() {
	f := m.f
	x, y := f.GetXY()
	w, h := f.GetPageSize()
	// Fingerprint: tiles from the page's corner, so every page has the same grid.
	side := float64(TileCells) * m.CellMM
	if m.Strength != DefaultStrength {
		m.img = fmt.Sprintf("dais-fp-%s-%d", m.c.Code(), m.Strength)
		f.RegisterImageOptionsReader(m.img, m.opt, bytes.NewReader(TilePNG(m.c.ID, 4, m.Strength)))
	}
	for ty := 0.0; ty < h; ty += side {
		for tx := 0.0; tx < w; tx += side {
			f.ImageOptions(m.img, tx, ty, side, side, false, m.opt, 0, "")
		}
	}
	// The visible line, at 30°, every 60 mm down the page, staggered.
	f.SetFont(m.Font, "", 11)
	f.SetTextColor(180, 40, 40)
	f.SetAlpha(0.22, "Normal")
	f.TransformBegin()
	f.TransformRotate(30, w/2, h/2)
	lw := f.GetStringWidth(m.line) + 30
	for i, ly := 0, -h/2; ly < h*1.5; i, ly = i+1, ly+60 {
		for lx := -w/2 - float64(i%2)*lw/2; lx < w*1.5; lx += lw {
			f.Text(lx, ly, m.line)
		}
	}
	f.TransformEnd()
	f.SetAlpha(1, "Normal")
	// The exact channel: invisible text in a core font, so that the content stream holds
	// the code as plain characters.
	f.SetFont("Helvetica", "", 6)
	f.SetTextRenderingMode(3)
	f.Text(2, 4, marker+m.c.Code())
	f.Text(2, h-2, marker+m.c.Code())
	f.SetTextRenderingMode(0)
	f.SetTextColor(0, 0, 0)
	f.SetXY(x, y)
}

// meanDarkening is the mean luminance the fingerprint takes from white paper, out of 255.
func meanDarkening(id uint64, strength int) float64 {
	dark := 0
	for _, c := range Chips(id) {
		if c > 0 {
			dark++
		}
	}
	return float64(dark) / cellCount * float64(strength)
}
