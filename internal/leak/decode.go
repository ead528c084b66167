package leak

import (
	"cmp"
	"image"
	"math"
	"slices"

	"dais/internal/store"
)

// Limits of the decoder: images above MaxPixels are refused before any pixel is read;
// larger working images are averaged down to workSide on their longer side.
const (
	MaxPixels = 50_000_000
	workSide  = 1600
	minSide   = 64
	acMax     = 1024 // largest autocorrelation window (power of two)
	perCell   = 4    // folded samples per cell side
	foldN     = TileCells * perCell
	minPeriod = 36 // shortest tile period searched, in working pixels (cells of ≥ 2.25 px)
)

// Detection is what Detect found.
type Detection struct {
	ID         uint64
	Confidence float64 // fraction of the 256 cells read as the decoded tile predicts (0.5 = chance)
	Corrected  int     // Reed–Solomon bytes corrected (of at most 5)
	Period     float64 // tile period in the input image's pixels
	Angle      float64 // rotation of the tile grid, degrees
	Tiles      float64 // tiles' worth of paper averaged
}

// Decode reads the copy ID from a photo or screenshot of a fingerprinted page.
func Decode(img image.Image) (id uint64, confidence float64, err error) {
	d, err := Detect(img)
	return d.ID, d.Confidence, err
}

// Detect reads the copy ID from an image and says how it read it. It tries the image at
// a few resolutions (halving each time) until the tile grid is found and the codeword
// decodes; ENOTFOUND when none does.
func Detect(img image.Image) (Detection, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w*h > MaxPixels || w > 1<<16 || h > 1<<16 {
		return Detection{}, &store.Error{Code: store.EINVALID, Key: "leak.too_large", Args: []any{MaxPixels / 1_000_000},
			Message: "image too large to trace"}
	}
	if w < minSide || h < minSide {
		return Detection{}, errNoFingerprint("the image is too small")
	}
	factor := max(1, (max(w, h)+workSide-1)/workSide)
	for ; min(w, h)/factor >= minSide*2; factor *= 2 {
		g := grayOf(img, factor)
		if d, ok := detect(g); ok {
			d.Period *= float64(factor)
			return d, nil
		}
	}
	return Detection{}, errNoFingerprint("no tile grid with a valid code")
}

// gray is a luminance image in working resolution.
type gray struct {
	w, h int
	p    []float32
}

// grayOf averages factor×factor blocks of img into luminance (0–255).
func grayOf(img image.Image, factor int) *gray {
	b := img.Bounds()
	w, h := b.Dx()/factor, b.Dy()/factor
	g := &gray{w: w, h: h, p: make([]float32, w*h)}
	lum := lumFunc(img)
	inv := 1 / float32(factor*factor)
	for y := range h {
		for x := range w {
			var s float32
			for dy := range factor {
				for dx := range factor {
					s += lum(b.Min.X+x*factor+dx, b.Min.Y+y*factor+dy)
				}
			}
			g.p[y*w+x] = s * inv
		}
	}
	return g
}

// lumFunc reads luminance fast for the image types decoders return.
func lumFunc(img image.Image) func(x, y int) float32 {
	switch m := img.(type) {
	case *image.YCbCr:
		return func(x, y int) float32 { return float32(m.Y[m.YOffset(x, y)]) }
	case *image.Gray:
		return func(x, y int) float32 { return float32(m.Pix[m.PixOffset(x, y)]) }
	case *image.RGBA:
		return func(x, y int) float32 {
			i := m.PixOffset(x, y)
			return 0.299*float32(m.Pix[i]) + 0.587*float32(m.Pix[i+1]) + 0.114*float32(m.Pix[i+2])
		}
	case *image.NRGBA:
		// Unpremultiplied: transparent pixels count as white paper.
		return func(x, y int) float32 {
			i := m.PixOffset(x, y)
			a := float32(m.Pix[i+3]) / 255
			l := 0.299*float32(m.Pix[i]) + 0.587*float32(m.Pix[i+1]) + 0.114*float32(m.Pix[i+2])
			return l*a + 255*(1-a)
		}
	}
	return func(x, y int) float32 {
		r, g, b, a := img.At(x, y).RGBA()
		l := (0.299*float32(r) + 0.587*float32(g) + 0.114*float32(b)) / 257
		return l + 255*(1-float32(a)/65535)
	}
}

// detect runs the whole chain on one working image.
func detect(g *gray) (Detection, bool) {
	r, m := residual(g)
	for _, lat := range lattices(g.w, g.h, r, m) {
		tile, n := fold(g.w, g.h, r, m, lat)
		if d, ok := readTile(tile); ok {
			d.Period = math.Sqrt(math.Abs(lat[0]*lat[3] - lat[1]*lat[2]))
			d.Angle = math.Atan2(lat[1], lat[0]) * 180 / math.Pi
			d.Tiles = float64(n) / (d.Period * d.Period)
			return d, true
		}
	}
	return Detection{}, false
}

// residual separates the fingerprint from the page: it marks as paper the pixels close to
// the local paper white (not text, rules, pictures or the table behind the page), and
// gives each paper pixel its difference from the mean of the paper around it, so that
// shading and vignetting cancel out and only the cells' light and dark remain.
func residual(g *gray) (r []float32, paper []bool) {
	w, h := g.w, g.h
	// Local paper white: the brightest pixel within 5 px, smoothed. Taken on a 3×3 mean so
	// that noise does not lift it (the maximum of 121 noisy pixels lies 2.5σ high).
	sm := boxMean(g.p, w, h, 1)
	white := boxMean(maxFilter(sm, w, h, 5), w, h, 5)
	// The page's white overall: pixels far darker are the table or a picture.
	hist := [256]int{}
	for _, v := range g.p {
		hist[min(255, max(0, int(v)))]++
	}
	p90, seen := 0, 0
	for v := 255; v >= 0; v-- {
		if seen += hist[v]; seen*10 >= len(g.p) {
			p90 = v
			break
		}
	}
	ink := make([]float32, len(g.p))
	for i, v := range sm {
		if v < white[i]-20 || v < 0.6*float32(p90) {
			ink[i] = 1
		}
	}
	// Grow the ink by 2 px: antialiasing and JPEG ringing around letters.
	ink = maxFilter(ink, w, h, 2)
	paper = make([]bool, len(g.p))
	masked := make([]float32, len(g.p))
	weight := make([]float32, len(g.p))
	for i, v := range g.p {
		if ink[i] == 0 {
			paper[i] = true
			masked[i] = v
			weight[i] = 1
		}
	}
	const rad = 24
	sum := boxSum(masked, w, h, rad)
	cnt := boxSum(weight, w, h, rad)
	r = make([]float32, len(g.p))
	for i := range r {
		if !paper[i] || cnt[i] < 20 {
			paper[i] = false
			continue
		}
		d := g.p[i] - sum[i]/cnt[i]
		r[i] = min(max(d, -16), 16)
	}
	return r, paper
}

// maxFilter is the maximum over a (2r+1)² square, separably.
func maxFilter(src []float32, w, h, r int) []float32 {
	tmp := make([]float32, len(src))
	for y := range h {
		row := src[y*w : (y+1)*w]
		for x := range w {
			m := row[x]
			for k := max(0, x-r); k <= min(w-1, x+r); k++ {
				m = max(m, row[k])
			}
			tmp[y*w+x] = m
		}
	}
	out := make([]float32, len(src))
	for y := range h {
		for x := range w {
			m := tmp[y*w+x]
			for k := max(0, y-r); k <= min(h-1, y+r); k++ {
				m = max(m, tmp[k*w+x])
			}
			out[y*w+x] = m
		}
	}
	return out
}

// boxSum is the sum over a (2r+1)² square clipped to the image, by an integral image.
func boxSum(src []float32, w, h, r int) []float32 {
	ii := make([]float64, (w+1)*(h+1))
	for y := range h {
		var row float64
		for x := range w {
			row += float64(src[y*w+x])
			ii[(y+1)*(w+1)+x+1] = ii[y*(w+1)+x+1] + row
		}
	}
	out := make([]float32, len(src))
	for y := range h {
		y0, y1 := max(0, y-r), min(h, y+r+1)
		for x := range w {
			x0, x1 := max(0, x-r), min(w, x+r+1)
			out[y*w+x] = float32(ii[y1*(w+1)+x1] - ii[y0*(w+1)+x1] - ii[y1*(w+1)+x0] + ii[y0*(w+1)+x0])
		}
	}
	return out
}

func boxMean(src []float32, w, h, r int) []float32 {
	s := boxSum(src, w, h, r)
	ones := make([]float32, len(src))
	for i := range ones {
		ones[i] = 1
	}
	c := boxSum(ones, w, h, r)
	for i := range s {
		s[i] /= c[i]
	}
	return s
}

// lattice is a tile grid: the image-space vectors of the tile's x and y sides
// (x1, y1, x2, y2).
type lattice [4]float64

// lattices finds the tile grid from the autocorrelation of the residual: a pattern
// repeated every tile correlates with itself at every lattice vector, whatever the
// content of the tile. It returns the best few grids, best first.
func lattices(w, h int, r []float32, paper []bool) []lattice {
	n := 64
	for n < max(w, h) && n < acMax {
		n *= 2
	}
	// The window: the centre n×n of the image (all of it when it fits), tapered where cut.
	ox, oy := max(0, (w-n)/2), max(0, (h-n)/2)
	ww, wh := min(w, n), min(h, n)
	taper := func(i, size int, cut bool) float64 {
		if !cut {
			return 1
		}
		return 0.5 - 0.5*math.Cos(2*math.Pi*(float64(i)+0.5)/float64(size))
	}
	a := make([]complex128, n*n)
	mk := make([]complex128, n*n)
	for y := range wh {
		ty := taper(y, wh, h > n)
		for x := range ww {
			i := (y+oy)*w + x + ox
			if !paper[i] {
				continue
			}
			t := ty * taper(x, ww, w > n)
			a[y*n+x] = complex(float64(r[i])*t, 0)
			mk[y*n+x] = complex(t, 0)
		}
	}
	fft2(a, n, false)
	fft2(mk, n, false)
	maxLag := 0.45 * float64(min(ww, wh))
	if maxLag < minPeriod*1.5 {
		return nil
	}
	// Keep the band where the tile's comb lies: above half its fundamental, below 0.12
	// cycles per pixel — which also drops JPEG's 8-pixel block grid (0.125 and up).
	lo2 := math.Pow(0.5*float64(n)/maxLag, 2)
	hi2 := math.Pow(0.12*float64(n), 2)
	for y := range n {
		fy := float64(min(y, n-y))
		for x := range n {
			fx := float64(min(x, n-x))
			f2 := fx*fx + fy*fy
			i := y*n + x
			p := real(a[i])*real(a[i]) + imag(a[i])*imag(a[i])
			if f2 < lo2 || f2 > hi2 {
				p = 0
			}
			a[i] = complex(p, 0)
			q := real(mk[i])*real(mk[i]) + imag(mk[i])*imag(mk[i])
			mk[i] = complex(q, 0)
		}
	}
	fft2(a, n, true)
	fft2(mk, n, true)
	ac := make([]float64, n*n)
	m0 := real(mk[0])
	for i := range ac {
		ac[i] = real(a[i]) / max(real(mk[i]), 0.1*m0)
	}
	at := func(dx, dy int) float64 { return ac[((dy%n+n)%n)*n+(dx%n+n)%n] }

	// Peaks: local maxima (5×5) in the upper half-plane between the shortest and longest
	// period searched.
	type peak struct {
		x, y int
		v    float64
	}
	var peaks []peak
	var vals []float64
	L := int(maxLag)
	for dy := 0; dy <= L; dy++ {
		for dx := -L; dx <= L; dx++ {
			if dy == 0 && dx <= 0 {
				continue
			}
			d2 := float64(dx*dx + dy*dy)
			if d2 < minPeriod*minPeriod || d2 > maxLag*maxLag {
				continue
			}
			v := at(dx, dy)
			vals = append(vals, math.Abs(v))
			isMax := true
			for j := -2; j <= 2 && isMax; j++ {
				for i := -2; i <= 2; i++ {
					if (i != 0 || j != 0) && at(dx+i, dy+j) > v {
						isMax = false
						break
					}
				}
			}
			if isMax && v > 0 {
				peaks = append(peaks, peak{dx, dy, v})
			}
		}
	}
	if len(peaks) < 2 || len(vals) == 0 {
		return nil
	}
	slices.Sort(vals)
	noise := vals[len(vals)/2]*1.4826 + 1e-12 // robust spread of the autocorrelation
	// Every lattice point peaks about as high, so the strongest peaks are any lattice
	// points: keep the strong ones and, of those, the shortest, which include the tile's
	// two sides.
	top := 0.0
	for _, p := range peaks {
		top = max(top, p.v)
	}
	peaks = slices.DeleteFunc(peaks, func(p peak) bool { return p.v < 0.4*top })
	slices.SortFunc(peaks, func(p, q peak) int { return cmp.Compare(p.x*p.x+p.y*p.y, q.x*q.x+q.y*q.y) })
	peaks = peaks[:min(len(peaks), 20)]

	// localMax: the best value within 1 px of a (sub-pixel) lag.
	localMax := func(x, y float64) float64 {
		cx, cy := int(math.Round(x)), int(math.Round(y))
		best := math.Inf(-1)
		for j := -1; j <= 1; j++ {
			for i := -1; i <= 1; i++ {
				best = max(best, at(cx+i, cy+j))
			}
		}
		return best
	}
	type cand struct {
		l     lattice
		score float64
	}
	var cands []cand
	for i := range peaks {
		for j := range peaks {
			if i == j {
				continue
			}
			v1 := [2]float64{float64(peaks[i].x), float64(peaks[i].y)}
			v2 := [2]float64{float64(peaks[j].x), float64(peaks[j].y)}
			l1, l2 := math.Hypot(v1[0], v1[1]), math.Hypot(v2[0], v2[1])
			if l2 > l1*1.25 || l1 > l2*1.25 || i > j && math.Abs(l1-l2) < 1e-9 {
				continue
			}
			cos := (v1[0]*v2[0] + v1[1]*v2[1]) / (l1 * l2)
			if math.Abs(cos) > 0.26 { // 75°–105°
				continue
			}
			// The four nearest lattice points against the four half-way points: the true
			// grid peaks at the first and not at the second; a grid twice too coarse peaks
			// at both, a wrong one at neither.
			var on, half float64
			for _, p := range [4][2]float64{v1, v2, {v1[0] + v2[0], v1[1] + v2[1]}, {v1[0] - v2[0], v1[1] - v2[1]}} {
				on += localMax(p[0], p[1]) / 4
				half += localMax(p[0]/2, p[1]/2) / 4
			}
			score := (on - max(half, 0)) / noise
			if score > 3 {
				cands = append(cands, cand{orient(refine(v1, at, maxLag), refine(v2, at, maxLag)), score})
			}
		}
	}
	// Multiples of the true grid score as well as the grid itself: of the grids that score
	// well, try the finest first.
	best := 0.0
	for _, c := range cands {
		best = max(best, c.score)
	}
	cands = slices.DeleteFunc(cands, func(c cand) bool { return c.score < 0.4*best })
	area := func(l lattice) float64 { return math.Abs(l[0]*l[3] - l[1]*l[2]) }
	slices.SortFunc(cands, func(p, q cand) int { return cmp.Compare(area(p.l), area(q.l)) })
	var out []lattice
	for _, c := range cands {
		dup := false
		for _, o := range out {
			if math.Abs(o[0]-c.l[0])+math.Abs(o[1]-c.l[1])+math.Abs(o[2]-c.l[2])+math.Abs(o[3]-c.l[3]) < 2 {
				dup = true
			}
		}
		if !dup {
			out = append(out, c.l)
		}
		if len(out) == 4 {
			break
		}
	}
	return out
}

// refine measures a lattice vector to a fraction of a pixel from the peaks at its
// multiples k·v (least squares through the origin).
func refine(v [2]float64, at func(dx, dy int) float64, maxLag float64) [2]float64 {
	var sx, sy, sk float64
	for k := 1.0; k*math.Hypot(v[0], v[1]) <= maxLag+2; k++ {
		// The best integer lag within 2 px of k·v, then a parabola through its neighbours.
		cx, cy := int(math.Round(k*v[0])), int(math.Round(k*v[1]))
		bx, by, best := cx, cy, math.Inf(-1)
		for j := -2; j <= 2; j++ {
			for i := -2; i <= 2; i++ {
				if val := at(cx+i, cy+j); val > best {
					bx, by, best = cx+i, cy+j, val
				}
			}
		}
		px := float64(bx) + parabola(at(bx-1, by), best, at(bx+1, by))
		py := float64(by) + parabola(at(bx, by-1), best, at(bx, by+1))
		sx += k * px
		sy += k * py
		sk += k * k
	}
	if sk == 0 {
		return v
	}
	return [2]float64{sx / sk, sy / sk}
}

func parabola(l, c, r float64) float64 {
	d := l - 2*c + r
	if d >= 0 {
		return 0
	}
	return min(max(0.5*(l-r)/d, -0.5), 0.5)
}

// orient names the vector nearer the image's x axis the tile's x side, pointing right,
// and the other the y side with the same handedness as the image (y down). Quarter turns
// are left to the sync search.
func orient(v1, v2 [2]float64) lattice {
	if math.Abs(v2[0]) > math.Abs(v1[0]) {
		v1, v2 = v2, v1
	}
	if v1[0] < 0 {
		v1 = [2]float64{-v1[0], -v1[1]}
	}
	if v1[0]*v2[1]-v1[1]*v2[0] < 0 {
		v2 = [2]float64{-v2[0], -v2[1]}
	}
	return lattice{v1[0], v1[1], v2[0], v2[1]}
}

// fold averages the residual of every paper pixel into one tile (foldN² samples), by its
// position on the grid: every visible tile adds to the same cells.
func fold(w, h int, r []float32, paper []bool, l lattice) ([]float64, int) {
	det := l[0]*l[3] - l[1]*l[2]
	// Inverse of the matrix whose columns are the two sides.
	ia, ib, ic, id := l[3]/det, -l[2]/det, -l[1]/det, l[0]/det
	sum := make([]float64, foldN*foldN)
	cnt := make([]float64, foldN*foldN)
	n := 0
	for y := range h {
		for x := range w {
			i := y*w + x
			if !paper[i] {
				continue
			}
			u := ia*float64(x) + ib*float64(y)
			v := ic*float64(x) + id*float64(y)
			bx := int((u - math.Floor(u)) * foldN)
			by := int((v - math.Floor(v)) * foldN)
			bx, by = min(bx, foldN-1), min(by, foldN-1)
			sum[by*foldN+bx] += float64(r[i])
			cnt[by*foldN+bx]++
			n++
		}
	}
	var mean float64
	for i := range sum {
		if cnt[i] > 0 {
			sum[i] /= cnt[i]
		}
		mean += sum[i]
	}
	mean /= float64(len(sum))
	// Dark cells have a negative residual: flip so that dark reads positive, like Chips.
	for i := range sum {
		sum[i] = mean - sum[i]
	}
	return sum, n
}

// syncTemplate is the sync cells at fold resolution, FFT'd and conjugated once.
var syncTemplate = func() []complex128 {
	t := make([]complex128, foldN*foldN)
	for c, v := range layout.syncValue {
		cx, cy := c%TileCells, c/TileCells
		for j := range perCell {
			for i := range perCell {
				t[(cy*perCell+j)*foldN+cx*perCell+i] = complex(float64(v), 0)
			}
		}
	}
	fft2(t, foldN, false)
	for i := range t {
		t[i] = complex(real(t[i]), -imag(t[i]))
	}
	return t
}()

// readTile finds the tile's origin and quarter turn by correlating with the sync cells,
// reads the data cells, and decodes the codeword. It tries the best few alignments.
func readTile(tile []float64) (Detection, bool) {
	type align struct {
		rot, sx, sy int
		v           float64
	}
	var aligns []align
	rot := tile
	for q := range 4 {
		if q > 0 {
			rot = quarterTurn(rot)
		}
		f := make([]complex128, len(rot))
		for i, v := range rot {
			f[i] = complex(v, 0)
		}
		fft2(f, foldN, false)
		for i := range f {
			f[i] *= syncTemplate[i]
		}
		fft2(f, foldN, true)
		// The three best shifts of this turn.
		for range 3 {
			bi := 0
			for i := range f {
				if real(f[i]) > real(f[bi]) {
					bi = i
				}
			}
			aligns = append(aligns, align{q, bi % foldN, bi / foldN, real(f[bi])})
			// Blank the peak's neighbourhood (±1 sample).
			for j := -1; j <= 1; j++ {
				for i := -1; i <= 1; i++ {
					y, x := (bi/foldN+j+foldN)%foldN, (bi%foldN+i+foldN)%foldN
					f[y*foldN+x] = complex(math.Inf(-1), 0)
				}
			}
		}
	}
	slices.SortFunc(aligns, func(p, q align) int { return cmp.Compare(q.v, p.v) })
	for _, a := range aligns {
		t := tile
		for range a.rot {
			t = quarterTurn(t)
		}
		// Soft value of each cell: the mean of its inner 2×2 samples.
		var soft [cellCount]float64
		for c := range soft {
			cx, cy := c%TileCells, c/TileCells
			var s float64
			for j := 1; j <= 2; j++ {
				for i := 1; i <= 2; i++ {
					x := (cx*perCell + i + a.sx) % foldN
					y := (cy*perCell + j + a.sy) % foldN
					s += t[y*foldN+x]
				}
			}
			soft[c] = s
		}
		word := make([]byte, rsData+rsParity)
		for k, c := range layout.dataCell {
			bit := byte(0)
			if soft[c] > 0 {
				bit = 1
			}
			word[k/8] |= (bit ^ layout.whiten[k]) << (7 - k%8)
		}
		data, corrected, ok := rsDecode(word, rsParity)
		if !ok {
			continue
		}
		var id uint64
		for _, b := range data {
			id = id<<8 | uint64(b)
		}
		if id == 0 {
			continue
		}
		agree := 0
		for c, e := range Chips(id) {
			if (soft[c] > 0) == (e > 0) {
				agree++
			}
		}
		return Detection{ID: id, Confidence: float64(agree) / cellCount, Corrected: corrected}, true
	}
	return Detection{}, false
}

// quarterTurn rotates a foldN×foldN grid by 90°.
func quarterTurn(t []float64) []float64 {
	out := make([]float64, len(t))
	for y := range foldN {
		for x := range foldN {
			out[y*foldN+x] = t[x*foldN+(foldN-1-y)]
		}
	}
	return out
}
