// Package leaktest makes the images that leak tracing is tested and measured on: a page
// of Vietnamese text with a fingerprint laid over it, and "photos" of it — scaled,
// rotated, cropped, shaded, noisy and JPEG-compressed — as a phone would take them.
package leaktest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"dais/internal/leak"
)

// Text is the body of the generated pages: a Vietnamese resolution, repeated.
const Text = `Đại hội đại biểu Đảng bộ tỉnh lần thứ XXI, nhiệm kỳ 2025–2030, thảo luận dự thảo
Báo cáo chính trị của Ban Chấp hành Đảng bộ tỉnh. Các đại biểu tập trung đánh giá kết quả
thực hiện nghị quyết, những hạn chế, yếu kém và nguyên nhân; đề xuất phương hướng, mục tiêu,
nhiệm vụ và giải pháp chủ yếu cho nhiệm kỳ tới. Chuyển đổi số trong hoạt động của các cấp ủy,
xây dựng phòng họp không giấy, số hóa hồ sơ đảng viên, bảo đảm an toàn thông tin và bảo vệ
bí mật nhà nước là nhiệm vụ trọng tâm. Mỗi chi bộ ở xã vùng sâu, vùng xa được hỗ trợ thiết bị
và đường truyền; đảng viên cao tuổi được hướng dẫn sử dụng tài liệu điện tử.`

// FontPath is Noto Serif from internal/pdfdoc/fonts, found beside this source file.
func FontPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "pdfdoc", "fonts", "NotoSerif-Regular.ttf")
}

// PageOptions describe a generated page.
type PageOptions struct {
	Width, Height int     // pixels; 0 → A4 at 150 dpi (1240×1754)
	CellPx        float64 // fingerprint cell size in pixels; 0 → 1.5 mm at 150 dpi
	Strength      int     // 0 → leak.DefaultStrength
	ID            uint64  // 0 → no fingerprint
	TextPt        float64 // body size in points at 150 dpi; 0 → 14
}

// Page renders a page of text (black on white, A4 margins) with the fingerprint of
// opts.ID laid over it, as a browser or PDF viewer would draw it.
func Page(opts PageOptions) (*image.RGBA, error) {
	if opts.Width == 0 {
		opts.Width, opts.Height = 1240, 1754
	}
	if opts.CellPx == 0 {
		opts.CellPx = 1.5 / 25.4 * 150
	}
	if opts.Strength == 0 {
		opts.Strength = leak.DefaultStrength
	}
	if opts.TextPt == 0 {
		opts.TextPt = 14
	}
	img := image.NewRGBA(image.Rect(0, 0, opts.Width, opts.Height))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	ttf, err := os.ReadFile(FontPath())
	if err != nil {
		return nil, err
	}
	f, err := opentype.Parse(ttf)
	if err != nil {
		return nil, err
	}
	px := opts.TextPt * 150 / 72
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: opts.TextPt, DPI: 150, Hinting: font.HintingFull})
	if err != nil {
		return nil, err
	}
	defer face.Close()
	d := &font.Drawer{Dst: img, Src: image.Black, Face: face}
	left, right := opts.Width*30/210, opts.Width*(210-15)/210
	y := float64(opts.Height) * 25 / 297
	words := strings.Fields(Text)
	for w := 0; y < float64(opts.Height)*(297-25)/297; {
		// One line: as many words as fit.
		x := left
		d.Dot = fixed.P(x, int(y))
		for {
			word := words[w%len(words)] + " "
			adv := d.MeasureString(word).Round()
			if x+adv > right {
				break
			}
			d.DrawString(word)
			x += adv
			w++
		}
		y += px * 1.5
		if w%97 == 0 {
			y += px // a paragraph break now and then
		}
	}
	if opts.ID != 0 {
		Overlay(img, opts.ID, opts.CellPx, opts.Strength)
	}
	return img, nil
}

// Overlay lays the fingerprint tile of id over img (alpha-blended black cells), from the
// image's origin, at any cell size.
func Overlay(img *image.RGBA, id uint64, cellPx float64, strength int) {
	chips := leak.Chips(id)
	a := 1 - float64(strength)/255
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		cy := int(math.Floor(float64(y)/cellPx)) % leak.TileCells
		for x := b.Min.X; x < b.Max.X; x++ {
			cx := int(math.Floor(float64(x)/cellPx)) % leak.TileCells
			if chips[cy*leak.TileCells+cx] > 0 {
				i := img.PixOffset(x, y)
				for k := range 3 {
					img.Pix[i+k] = uint8(math.Round(float64(img.Pix[i+k]) * a))
				}
			}
		}
	}
}

// PhotoOptions are the distortions of a photo.
type PhotoOptions struct {
	Scale   float64 // e.g. 0.6–0.8
	Angle   float64 // degrees, e.g. 2–4
	Crop    float64 // fraction of the area cut away, e.g. 0.3–0.5
	Quality int     // JPEG quality, e.g. 60–75
	Noise   float64 // standard deviation of Gaussian noise, in levels
	Shade   float64 // darkening towards one corner, e.g. 0.15
	Blur    int     // radius of a box blur applied twice (out of focus), pixels; 0 = none
}

func (p PhotoOptions) String() string {
	return fmt.Sprintf("scale %.2f, %.1f°, crop %.0f%%, JPEG q%d, noise σ %.0f", p.Scale, p.Angle, p.Crop*100, p.Quality, p.Noise)
}

// Random draws distortions from the ranges of the issue: scale 0.6–0.8, rotation 2–4°
// either way, 30–50 % cropped away, JPEG quality 60–75, noise σ 3–6.
func Random(rng *rand.Rand) PhotoOptions {
	angle := 2 + 2*rng.Float64()
	if rng.IntN(2) == 0 {
		angle = -angle
	}
	return PhotoOptions{Scale: 0.6 + 0.2*rng.Float64(), Angle: angle, Crop: 0.3 + 0.2*rng.Float64(),
		Quality: 60 + rng.IntN(16), Noise: 3 + 3*rng.Float64(), Shade: 0.15}
}

// Photo takes a "photo" of src: scaled and rotated about its centre (supersampled, like a
// lens's blur) onto a dark table, cropped to a random rectangle keeping 1-Crop of the
// area, shaded, noisy, then JPEG-encoded.
func Photo(src image.Image, p PhotoOptions, rng *rand.Rand) []byte {
	sb := src.Bounds()
	sw, sh := float64(sb.Dx()), float64(sb.Dy())
	th := p.Angle * math.Pi / 180
	cos, sin := math.Cos(th), math.Sin(th)
	ow := int(math.Ceil((sw*math.Abs(cos) + sh*math.Abs(sin)) * p.Scale))
	oh := int(math.Ceil((sw*math.Abs(sin) + sh*math.Abs(cos)) * p.Scale))
	// The kept rectangle.
	keep := 1 - p.Crop
	kw := math.Sqrt(keep) * (0.85 + 0.3*rng.Float64())
	kw = min(kw, 1)
	kh := min(keep/kw, 1)
	cw, ch := int(float64(ow)*kw), int(float64(oh)*kh)
	x0, y0 := rng.IntN(ow-cw+1), rng.IntN(oh-ch+1)
	out := image.NewRGBA(image.Rect(0, 0, cw, ch))
	at := func(x, y float64) (float64, float64, float64) {
		ix, iy := int(math.Floor(x)), int(math.Floor(y))
		if ix < 0 || iy < 0 || ix >= sb.Dx()-1 || iy >= sb.Dy()-1 {
			return 70, 62, 55 // the table
		}
		fx, fy := x-float64(ix), y-float64(iy)
		var c [3]float64
		for _, s := range [4]struct {
			dx, dy int
			w      float64
		}{{0, 0, (1 - fx) * (1 - fy)}, {1, 0, fx * (1 - fy)}, {0, 1, (1 - fx) * fy}, {1, 1, fx * fy}} {
			r, g, b, _ := src.At(sb.Min.X+ix+s.dx, sb.Min.Y+iy+s.dy).RGBA()
			c[0] += s.w * float64(r>>8)
			c[1] += s.w * float64(g>>8)
			c[2] += s.w * float64(b>>8)
		}
		return c[0], c[1], c[2]
	}
	cx, cy := float64(ow)/2, float64(oh)/2
	for y := range ch {
		for x := range cw {
			var r, g, b float64
			for _, o := range [4][2]float64{{0.25, 0.25}, {0.75, 0.25}, {0.25, 0.75}, {0.75, 0.75}} {
				// Output point → source point: undo the scale and the rotation.
				px, py := (float64(x+x0)+o[0]-cx)/p.Scale, (float64(y+y0)+o[1]-cy)/p.Scale
				sx := cos*px + sin*py + sw/2
				sy := -sin*px + cos*py + sh/2
				rr, gg, bb := at(sx, sy)
				r, g, b = r+rr/4, g+gg/4, b+bb/4
			}
			shade := 1 - p.Shade*(float64(x)/float64(cw)+float64(y)/float64(ch))/2
			n := rng.NormFloat64() * p.Noise
			out.Set(x, y, color.RGBA{clamp(r*shade + n), clamp(g*shade + n), clamp(b*shade*0.97 + n), 255})
		}
	}
	for range 2 * min(p.Blur, 1) { // two passes: close to a Gaussian
		out = boxBlur(out, p.Blur)
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, out, &jpeg.Options{Quality: p.Quality})
	return buf.Bytes()
}

func clamp(v float64) uint8 { return uint8(min(max(math.Round(v), 0), 255)) }

// boxBlur averages each pixel with its (2r+1)² neighbourhood.
func boxBlur(src *image.RGBA, r int) *image.RGBA {
	b := src.Bounds()
	out := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			var s [3]int
			n := 0
			for j := max(b.Min.Y, y-r); j <= min(b.Max.Y-1, y+r); j++ {
				for i := max(b.Min.X, x-r); i <= min(b.Max.X-1, x+r); i++ {
					o := src.PixOffset(i, j)
					s[0] += int(src.Pix[o])
					s[1] += int(src.Pix[o+1])
					s[2] += int(src.Pix[o+2])
					n++
				}
			}
			o := out.PixOffset(x, y)
			out.Pix[o], out.Pix[o+1], out.Pix[o+2], out.Pix[o+3] = uint8(s[0]/n), uint8(s[1]/n), uint8(s[2]/n), 255
		}
	}
	return out
}
