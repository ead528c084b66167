package leak

import (
	"image"
	"image/draw"
)

// MarkImage returns a copy of an image document's picture with the fingerprint of c laid
// over it (cells of cellPx pixels; 0 → about 1/100 of the shorter side, at least 4), for
// restricted image documents served inline or downloaded. The visible line is the
// page's job (the overlay, or the PDF marker when the picture goes into a PDF).
func MarkImage(src image.Image, c Copy, cellPx int) *image.RGBA {
	b := src.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), src, b.Min, draw.Src)
	if cellPx <= 0 {
		cellPx = max(4, min(b.Dx(), b.Dy())/100)
	}
	tile := Tile(c.ID, cellPx, DefaultStrength)
	side := tile.Bounds().Dx()
	for y := 0; y < b.Dy(); y += side {
		for x := 0; x < b.Dx(); x += side {
			draw.Draw(out, image.Rect(x, y, x+side, y+side), tile, image.Point{}, draw.Over)
		}
	}
	return out
}
