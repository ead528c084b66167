package leak

import (
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"strings"
)

// HTMLCellPx is the fingerprint's cell size on screen, in CSS pixels: a 96-pixel tile,
// six cells to a centimetre on a typical laptop.
const HTMLCellPx = 6

// Static holds leak.css: serve it and link it from the reader page.
//
//go:embed static/leak.css
var Static embed.FS

// HTML is the overlay a restricted copy's reader page carries, to put as the last child
// of the element holding the document (give that element class "leak-host" and link
// leak.css). It is an inline SVG — no inline style, so the strict Content-Security-Policy
// holds — with two patterns over the whole element: the visible line, faint and
// diagonal, and the fingerprint tile as a PNG data URL (a few hundred bytes). It is
// hidden from assistive technology: the page states the watermark in words elsewhere.
func HTML(c Copy, lang string) template.HTML {
	code := c.Code()
	png := base64.StdEncoding.EncodeToString(TilePNG(c.ID, HTMLCellPx, DefaultStrength))
	side := TileCells * HTMLCellPx
	line := template.HTMLEscapeString(VisibleLine(c, lang))
	// The line's pattern: wide enough for the line, rows staggered by half a line.
	lw := 9*len([]rune(VisibleLine(c, lang))) + 60
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="leak-overlay" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg" data-copy="%s">`, code)
	fmt.Fprintf(&b, `<defs><pattern id="leak-line-%s" width="%d" height="240" patternUnits="userSpaceOnUse" patternTransform="rotate(-30)">`, code, lw)
	fmt.Fprintf(&b, `<text x="0" y="60" font-family="sans-serif" font-size="16" fill="#b42828" fill-opacity="0.2">%s</text>`, line)
	fmt.Fprintf(&b, `<text x="%d" y="180" font-family="sans-serif" font-size="16" fill="#b42828" fill-opacity="0.2">%s</text>`, -lw/2, line)
	fmt.Fprintf(&b, `<text x="%d" y="180" font-family="sans-serif" font-size="16" fill="#b42828" fill-opacity="0.2">%s</text></pattern>`, lw/2, line)
	fmt.Fprintf(&b, `<pattern id="leak-fp-%s" width="%d" height="%d" patternUnits="userSpaceOnUse">`, code, side, side)
	fmt.Fprintf(&b, `<image href="data:image/png;base64,%s" width="%d" height="%d" image-rendering="optimizeSpeed"/></pattern></defs>`, png, side, side)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="url(#leak-line-%s)"/>`, code)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="url(#leak-fp-%s)"/>`, code)
	fmt.Fprintf(&b, `<text x="0" y="0" fill-opacity="0" font-size="1">%s%s</text></svg>`, marker, code)
	return template.HTML(b.String())
}
