package ocr

import (
	"image"
	"image/draw"
	"math"
)

// toGray converts any image to 8-bit luma (a copy; gray input is copied too, so callers
// may change the result).
func toGray(img image.Image) *image.Gray {
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	if src, ok := img.(*image.Gray); ok {
		for y := 0; y < b.Dy(); y++ {
			copy(g.Pix[y*g.Stride:y*g.Stride+b.Dx()], src.Pix[(y+b.Min.Y-src.Rect.Min.Y)*src.Stride+(b.Min.X-src.Rect.Min.X):])
		}
		return g
	}
	if src, ok := img.(*image.YCbCr); ok {
		// A JPEG: its Y plane is the luma already (draw would convert every pixel to RGB
		// and back).
		for y := 0; y < b.Dy(); y++ {
			i := src.YOffset(b.Min.X, b.Min.Y+y)
			copy(g.Pix[y*g.Stride:y*g.Stride+b.Dx()], src.Y[i:i+b.Dx()])
		}
		return g
	}
	draw.Draw(g, g.Rect, img, b.Min, draw.Src)
	return g
}

// otsu returns the gray level that best separates ink from paper (Otsu's method:
// the threshold maximizing the between-class variance of the histogram).
func otsu(g *image.Gray) uint8 {
	var hist [256]int
	w, h := g.Rect.Dx(), g.Rect.Dy()
	for y := 0; y < h; y++ {
		for _, v := range g.Pix[y*g.Stride : y*g.Stride+w] {
			hist[v]++
		}
	}
	total := w * h
	var sum float64
	for i, n := range hist {
		sum += float64(i * n)
	}
	var sumB float64
	var wB int
	best, bestVar := 127, -1.0
	for t := 0; t < 256; t++ {
		wB += hist[t]
		if wB == 0 {
			continue
		}
		wF := total - wB
		if wF == 0 {
			break
		}
		sumB += float64(t * hist[t])
		mB, mF := sumB/float64(wB), (sum-sumB)/float64(wF)
		if v := float64(wB) * float64(wF) * (mB - mF) * (mB - mF); v > bestVar {
			best, bestVar = t, v
		}
	}
	return uint8(best)
}

// binarize maps every pixel at or below t to black and the rest to white, in place.
func binarize(g *image.Gray, t uint8) {
	for i, v := range g.Pix {
		if v <= t {
			g.Pix[i] = 0
		} else {
			g.Pix[i] = 255
		}
	}
}

// skewAngle estimates by how many degrees the text lines of g are turned counter-clockwise
// (within ±maxDeg): the angle whose projection profile across the lines is sharpest. Text
// lines projected along their own direction give tall peaks and empty gaps; the score is
// the sum of squared differences between neighbouring bins. It samples a grid of at most
// about a million pixels, so a 300 dpi page takes milliseconds per angle.
func skewAngle(g *image.Gray, maxDeg float64) float64 {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w < 16 || h < 16 {
		return 0
	}
	step := max(1, int(math.Sqrt(float64(w*h)/1e6)))
	t := otsu(g)
	type pt struct{ x, y float64 }
	var ink []pt
	for y := 0; y < h; y += step {
		row := g.Pix[y*g.Stride:]
		for x := 0; x < w; x += step {
			if row[x] <= t {
				ink = append(ink, pt{float64(x - w/2), float64(y - h/2)})
			}
		}
	}
	// A blank page, or one almost all ink: nothing to measure.
	if n := len(ink); n < 100 || n > (w/step)*(h/step)/2 {
		return 0
	}
	diag := math.Hypot(float64(w), float64(h))
	nb := int(diag/float64(step)) + 3
	bins := make([]float64, nb)
	score := func(deg float64) float64 {
		clear(bins)
		s, c := math.Sincos(deg * math.Pi / 180)
		off := diag / 2
		for _, p := range ink {
			i := int((p.y*c + p.x*s + off) / float64(step))
			if i >= 0 && i < nb {
				bins[i]++
			}
		}
		var sc float64
		for i := 1; i < nb; i++ {
			d := bins[i] - bins[i-1]
			sc += d * d
		}
		return sc
	}
	search := func(lo, hi, by float64) float64 {
		best, bestScore := 0.0, -1.0
		for a := lo; a <= hi+1e-9; a += by {
			if sc := score(a); sc > bestScore {
				best, bestScore = a, sc
			}
		}
		return best
	}
	coarse := search(-maxDeg, maxDeg, 0.5)
	return search(coarse-0.5, coarse+0.5, 0.05)
}

// rotate returns g turned counter-clockwise by deg degrees about its centre, on a canvas
// large enough to hold all of it, with bilinear interpolation and white where nothing was.
func rotate(g *image.Gray, deg float64) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	s, c := math.Sincos(deg * math.Pi / 180)
	nw := int(math.Ceil(math.Abs(float64(w)*c) + math.Abs(float64(h)*s)))
	nh := int(math.Ceil(math.Abs(float64(w)*s) + math.Abs(float64(h)*c)))
	out := image.NewGray(image.Rect(0, 0, nw, nh))
	cx, cy := float64(w-1)/2, float64(h-1)/2
	ox, oy := float64(nw-1)/2, float64(nh-1)/2
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= w || y >= h {
			return 255
		}
		return float64(g.Pix[y*g.Stride+x])
	}
	for v := 0; v < nh; v++ {
		for u := 0; u < nw; u++ {
			// Inverse mapping: which source point lands on (u, v). With y pointing down, a
			// counter-clockwise turn maps (x, y) to (x cos + y sin, −x sin + y cos).
			du, dv := float64(u)-ox, float64(v)-oy
			x := du*c - dv*s + cx
			y := du*s + dv*c + cy
			x0, y0 := math.Floor(x), math.Floor(y)
			fx, fy := x-x0, y-y0
			ix, iy := int(x0), int(y0)
			val := (at(ix, iy)*(1-fx)+at(ix+1, iy)*fx)*(1-fy) + (at(ix, iy+1)*(1-fx)+at(ix+1, iy+1)*fx)*fy
			out.Pix[v*out.Stride+u] = uint8(val + 0.5)
		}
	}
	return out
}

// median3 returns g with each pixel replaced by the median of its 3×3 neighbourhood
// (edges repeated): it removes speckle noise and JPEG ringing but keeps strokes' edges.
func median3(g *image.Gray) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	var v [9]uint8
	for y := 0; y < h; y++ {
		rows := [3][]uint8{g.Pix[max(y-1, 0)*g.Stride:], g.Pix[y*g.Stride:], g.Pix[min(y+1, h-1)*g.Stride:]}
		for x := 0; x < w; x++ {
			x0, x2 := max(x-1, 0), min(x+1, w-1)
			for i, r := range rows {
				v[3*i], v[3*i+1], v[3*i+2] = r[x0], r[x], r[x2]
			}
			out.Pix[y*out.Stride+x] = median9(&v)
		}
	}
	return out
}

// median9 is the median of nine values by a 19-exchange sorting network (Paeth's), which
// sorts just enough to put the median in the middle.
func median9(p *[9]uint8) uint8 {
	s := func(a, b int) {
		if p[a] > p[b] {
			p[a], p[b] = p[b], p[a]
		}
	}
	s(1, 2)
	s(4, 5)
	s(7, 8)
	s(0, 1)
	s(3, 4)
	s(6, 7)
	s(1, 2)
	s(4, 5)
	s(7, 8)
	s(0, 3)
	s(5, 8)
	s(4, 7)
	s(3, 6)
	s(1, 4)
	s(2, 5)
	s(4, 7)
	s(4, 2)
	s(6, 4)
	s(4, 2)
	return p[4]
}

// prepare applies the pipeline to a page and returns the image Tesseract reads, with the
// skew it removed (degrees counter-clockwise).
func (p Pipeline) prepare(img image.Image) (*image.Gray, float64) {
	g := toGray(img)
	var angle float64
	if !p.NoDeskew {
		angle = skewAngle(g, 5)
		// Below a tenth of a degree a rotation only blurs.
		if math.Abs(angle) >= 0.1 {
			g = rotate(g, -angle)
		} else {
			angle = 0
		}
	}
	if !p.NoDenoise {
		g = median3(g)
	}
	if p.Binarize {
		binarize(g, otsu(g))
	}
	return g, angle
}
