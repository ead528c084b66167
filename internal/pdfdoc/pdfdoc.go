// Package pdfdoc is the shared plumbing for Dais's printable documents (minutes, letters,
// lists): an A4 page laid out as a Vietnamese party document — margins and type sizes of
// Hướng dẫn 36-HD/VPTW and Decree 30/2020/NĐ-CP, the two-column letterhead, a title, body
// text, tables that repeat their header on every page, a signature block and "Trang x/y".
//
// Text is drawn with Noto Serif and Noto Sans embedded from fonts/ (SIL OFL 1.1), so
// Vietnamese comes out right on any machine and pdftotext reads it back. A Doc collects the
// first error (fpdf's model) and Output reports it.
package pdfdoc

import (
	"embed"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/unicode/norm"
)

//go:embed fonts/*.ttf
var fontFS embed.FS

// Font families registered in every Doc.
const (
	Serif = "serif" // Noto Serif: Regular, Bold, Italic — body text, as the decree asks
	Sans  = "sans"  // Noto Sans: Regular, Bold — page numbers and small print
)

var fontFiles = []struct{ family, style, file string }{
	{Serif, "", "NotoSerif-Regular.ttf"},
	{Serif, "B", "NotoSerif-Bold.ttf"},
	{Serif, "I", "NotoSerif-Italic.ttf"},
	{Sans, "", "NotoSans-Regular.ttf"},
	{Sans, "B", "NotoSans-Bold.ttf"},
}

// Page geometry in millimetres: A4 portrait; margins within the decree's ranges
// (top 20–25, bottom 20–25, left 30–35, right 15–20).
const (
	PageWidth    = 210.0
	PageHeight   = 297.0
	MarginTop    = 20.0
	MarginBottom = 20.0
	MarginLeft   = 30.0
	MarginRight  = 15.0
	// ContentWidth is the width between the margins.
	ContentWidth = PageWidth - MarginLeft - MarginRight
)

// Options configure a document.
type Options struct {
	Title   string // PDF metadata title
	Subject string // PDF metadata subject
	Author  string // PDF metadata author, usually the issuing unit
	Lang    string // "vi" (default) or "en": the page label and the signature hint
	// Created is the creation and modification date written in the metadata; zero means
	// now. Fix it (tests, reproducible archives) and the same input gives the same bytes.
	Created time.Time
	// BodySize is the body text size in points; 0 means 14 (the decree allows 13–14).
	BodySize float64
	// TableSize is the table text size in points; 0 means 11.
	TableSize float64
}

// Doc is a document being built. Methods draw at the current position and move it down;
// the first error sticks and is returned by Output and Err.
type Doc struct {
	f    *fpdf.Fpdf
	opts Options
}

// New starts a document with the fonts registered and the first page added.
func New(opts Options) *Doc {
	if opts.Lang == "" {
		opts.Lang = "vi"
	}
	if opts.BodySize == 0 {
		opts.BodySize = 14
	}
	if opts.TableSize == 0 {
		opts.TableSize = 11
	}
	f := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	for _, ff := range fontFiles {
		b, err := fontFS.ReadFile("fonts/" + ff.file)
		if err != nil {
			f.SetError(fmt.Errorf("pdfdoc: font %s: %w", ff.file, err))
			continue
		}
		f.AddUTF8FontFromBytes(ff.family, ff.style, b)
	}
	f.SetMargins(MarginLeft, MarginTop, MarginRight)
	f.SetAutoPageBreak(true, MarginBottom)
	f.SetCellMargin(0)
	created := opts.Created
	if created.IsZero() {
		created = time.Now()
	}
	f.SetCatalogSort(true) // fonts and other resources in a stable order: same input, same bytes
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetTitle(nfc(opts.Title), true)
	f.SetSubject(nfc(opts.Subject), true)
	f.SetAuthor(nfc(opts.Author), true)
	f.SetCreator("Dais", true)
	f.SetProducer("Dais (go-pdf/fpdf)", true)
	f.SetLang(opts.Lang)
	f.AliasNbPages("{nb}")
	d := &Doc{f: f, opts: opts}
	f.SetFooterFunc(d.footer)
	f.AddPage()
	d.font(Serif, "", opts.BodySize)
	return d
}

// PDF returns the underlying fpdf document for drawing this package does not offer.
func (d *Doc) PDF() *fpdf.Fpdf { return d.f }

// Err returns the first error met while building the document.
func (d *Doc) Err() error { return d.f.Error() }

// Output writes the finished PDF to w.
func (d *Doc) Output(w io.Writer) error {
	if err := d.f.Output(w); err != nil {
		return fmt.Errorf("pdfdoc: %w", err)
	}
	return nil
}

// Space moves down by mm millimetres (no further than the page break).
func (d *Doc) Space(mm float64) {
	_, h := d.f.GetPageSize()
	y := min(d.f.GetY()+mm, h-MarginBottom)
	d.f.SetY(y)
}

func (d *Doc) footer() {
	d.f.SetY(-12)
	d.font(Sans, "", 9)
	label := "Trang"
	if d.opts.Lang == "en" {
		label = "Page"
	}
	d.f.CellFormat(0, 5, fmt.Sprintf("%s %d/{nb}", label, d.f.PageNo()), "", 0, "C", false, 0, "")
}

// font sets the family, style and size (points).
func (d *Doc) font(family, style string, size float64) { d.f.SetFont(family, style, size) }

// lineHeight is the line pitch in mm for a size in points (about 1.2 lines).
func lineHeight(pt float64) float64 { return pt * 1.2 * 25.4 / 72 }

// nfc returns s in NFC: Noto has the precomposed Vietnamese letters, and text typed or
// imported in NFD would otherwise draw its tone marks as separate glyphs.
func nfc(s string) string { return norm.NFC.String(s) }

// upper is Vietnamese upper case (Go's Unicode mapping covers đ→Đ, ơ→Ơ, ư→Ư…).
func upper(s string) string { return strings.ToUpper(nfc(s)) }

// DateVN formats t as dd/mm/yyyy; the zero time gives "".
func DateVN(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("02/01/2006")
}

// DateLine is the place and date line of a document, "Bắc Ninh, ngày 24 tháng 11 năm 2026":
// days below 10 and the months January and February with a leading zero, as the decree asks.
func DateLine(place string, t time.Time) string {
	day := fmt.Sprint(t.Day())
	if t.Day() < 10 {
		day = "0" + day
	}
	month := fmt.Sprint(int(t.Month()))
	if t.Month() < 3 {
		month = "0" + month
	}
	s := fmt.Sprintf("ngày %s tháng %s năm %d", day, month, t.Year())
	if place = strings.TrimSpace(place); place != "" {
		s = place + ", " + s
	}
	return nfc(s)
}
