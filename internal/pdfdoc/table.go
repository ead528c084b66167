package pdfdoc

// Column is a table column.
type Column struct {
	Header string
	// Width in mm; columns with 0 share what the others leave of the content width.
	Width float64
	// Align of the cells: "L" (default), "C" or "R". Headers are always centred.
	Align string
	// Fit keeps each cell on one line, in smaller type if need be, instead of wrapping:
	// for numbers and dates, which must not break.
	Fit bool
}

// Table cell padding in mm.
const (
	cellPadX = 1.2
	cellPadY = 1.0
)

// Table draws a ruled table across the content width: the header in bold, cell text
// wrapped within its column, rows kept whole, and the header drawn again at the top of
// every page the table continues on.
func (d *Doc) Table(cols []Column, rows [][]string) {
	if len(cols) == 0 {
		return
	}
	f := d.f
	widths := make([]float64, len(cols))
	fixed, free := 0.0, 0
	for i, c := range cols {
		widths[i] = c.Width
		fixed += c.Width
		if c.Width == 0 {
			free++
		}
	}
	for i := range widths {
		if widths[i] == 0 {
			widths[i] = max(ContentWidth-fixed, 10) / float64(free)
		}
	}
	size := d.opts.TableSize
	lh := lineHeight(size)
	_, ph := f.GetPageSize()
	bottom := ph - MarginBottom

	// Rows are placed by hand: fpdf's automatic break would split a row between pages.
	auto, margin := f.GetAutoPageBreak()
	f.SetAutoPageBreak(false, margin)
	defer f.SetAutoPageBreak(auto, margin)
	f.SetCellMargin(cellPadX)
	defer f.SetCellMargin(0)
	f.SetLineWidth(0.2)

	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = nfc(c.Header)
	}
	// measure wraps a row's cells and returns their lines and the row's height.
	measure := func(cells []string, style string, body bool) ([][]string, float64) {
		f.SetFont(Serif, style, size)
		lines := make([][]string, len(cols))
		n := 1
		for i := range cols {
			var s string
			if i < len(cells) {
				s = nfc(cells[i])
			}
			if body && cols[i].Fit {
				lines[i] = []string{s}
				continue
			}
			lines[i] = f.SplitText(s, widths[i])
			n = max(n, len(lines[i]))
		}
		return lines, float64(n)*lh + 2*cellPadY
	}
	// draw draws a measured row at the current y.
	draw := func(lines [][]string, h float64, style string, align func(int) string) {
		x, y := MarginLeft, f.GetY()
		for i := range cols {
			f.SetFont(Serif, style, size)
			if len(lines[i]) == 1 {
				if tw, room := f.GetStringWidth(lines[i][0]), widths[i]-2*cellPadX; tw > room {
					f.SetFontSize(size * room / tw) // a Fit cell too wide for its column
				}
			}
			f.Rect(x, y, widths[i], h, "D")
			ty := y + (h-float64(len(lines[i]))*lh)/2 // vertically centred
			for _, line := range lines[i] {
				f.SetXY(x, ty)
				f.CellFormat(widths[i], lh, line, "", 0, align(i), false, 0, "")
				ty += lh
			}
			x += widths[i]
		}
		f.SetXY(MarginLeft, y+h)
	}
	center := func(int) string { return "C" }
	cellAlign := func(i int) string {
		if a := cols[i].Align; a != "" {
			return a
		}
		return "L"
	}
	headLines, headH := measure(header, "B", false)
	first := headH
	if len(rows) > 0 {
		_, h := measure(rows[0], "", true)
		first += h
	}
	if f.GetY()+first > bottom { // never a header alone at the foot of a page
		f.AddPage()
	}
	draw(headLines, headH, "B", center)
	for _, r := range rows {
		lines, h := measure(r, "", true)
		if f.GetY()+h > bottom {
			// A row taller than a whole page is drawn anyway and runs off the bottom.
			f.AddPage()
			draw(headLines, headH, "B", center)
		}
		draw(lines, h, "", cellAlign)
	}
	f.SetFont(Serif, "", d.opts.BodySize)
	f.SetY(f.GetY() + 2)
}
