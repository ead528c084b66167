package ocr

import (
	"bytes"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"
)

// The tests make their own scans: a member form filled with Vietnamese text, rendered
// with Noto Serif (it has every precomposed Vietnamese letter), then degraded the way a
// cheap scanner or a phone photo degrades paper: blur, noise, a few degrees of skew and
// JPEG compression.

// formLine is one printed line: a label and its value, or a heading (value empty).
type formLine struct {
	label, value string
	field        string // the field the value belongs to ("" for none)
	heading      bool
}

// testForm is a filled form: its lines (two fields may share one) and what extraction
// should return.
type testForm struct {
	lines [][]formLine
	want  map[string]string // field → parsed value
}

func form(name, gender, birth, home, eth, rel, id, card, adm, off, cell string) testForm {
	dmy := func(iso string) string { return iso[8:10] + "/" + iso[5:7] + "/" + iso[:4] }
	g := map[string]string{"male": "Nam", "female": "Nữ"}[gender]
	return testForm{
		lines: [][]formLine{
			{{label: "ĐẢNG CỘNG SẢN VIỆT NAM", heading: true}},
			{{label: "PHIẾU ĐẢNG VIÊN", heading: true}},
			{{label: "Họ và tên", value: name, field: "full_name"}},
			{{label: "Giới tính", value: g, field: "gender"}, {label: "Dân tộc", value: eth, field: "ethnicity"}},
			{{label: "Ngày sinh", value: dmy(birth), field: "birth_date"}},
			{{label: "Quê quán", value: home, field: "hometown"}},
			{{label: "Tôn giáo", value: rel, field: "religion"}},
			{{label: "Số CCCD", value: id, field: "id_number"}},
			{{label: "Số thẻ đảng viên", value: card, field: "card_number"}},
			{{label: "Ngày vào Đảng", value: dmy(adm), field: "admission_date"}},
			{{label: "Ngày chính thức", value: dmy(off), field: "official_date"}},
			{{label: "Chi bộ", value: cell, field: "unit_name"}},
		},
		want: map[string]string{"full_name": name, "gender": gender, "birth_date": birth, "hometown": home, "ethnicity": eth,
			"religion": rel, "id_number": id, "card_number": card, "admission_date": adm, "official_date": off, "unit_name": cell},
	}
}

var testForms = []testForm{
	form("Nguyễn Thị Hòa", "female", "1980-05-17", "xã Đông Xuyên, huyện Yên Phong, tỉnh Bắc Ninh", "Kinh", "Không",
		"001180012345", "00012345", "2005-03-26", "2006-03-26", "Chi bộ Thôn Đông"),
	form("Trần Văn Thưởng", "male", "1975-11-02", "phường Hương Sơ, thành phố Huế", "Kinh", "Phật giáo",
		"046075009876", "10203040", "1998-09-02", "1999-09-02", "Chi bộ Khu phố 3"),
	form("Lò Thị Mỷ", "female", "1991-01-30", "xã Mường Thanh, tỉnh Điện Biên", "Thái", "Không",
		"011191004321", "00907115", "2016-07-01", "2017-07-01", "Chi bộ Bản Phủ"),
}

// text is the form's printed text, one line per printed line.
func (f testForm) text() string {
	var out []string
	for _, l := range f.lines {
		var parts []string
		for _, fl := range l {
			if fl.heading {
				parts = append(parts, fl.label)
			} else {
				parts = append(parts, fl.label+": "+fl.value)
			}
		}
		out = append(out, strings.Join(parts, "   "))
	}
	return strings.Join(out, "\n")
}

// printed returns the value of field as printed on the form.
func (f testForm) printed(field string) string {
	for _, l := range f.lines {
		for _, fl := range l {
			if fl.field == field {
				return fl.value
			}
		}
	}
	return ""
}

const notoDir = "/usr/share/fonts/truetype/noto/"

func loadFace(t testing.TB, file string, size, dpi float64) font.Face {
	t.Helper()
	b, err := os.ReadFile(notoDir + file)
	if err != nil {
		t.Skipf("font %s not installed (Debian fonts-noto-core): %v", file, err)
	}
	f, err := opentype.Parse(b)
	if err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: dpi, Hinting: font.HintingFull})
	if err != nil {
		t.Fatal(err)
	}
	return face
}

// render draws the form on white paper: A4 width at dpi, 12 pt text, bold centred headings.
func render(t testing.TB, f testForm, dpi float64) *image.Gray {
	t.Helper()
	body := loadFace(t, "NotoSerif-Regular.ttf", 12, dpi)
	bold := loadFace(t, "NotoSerif-Bold.ttf", 13, dpi)
	w := int(8.27 * dpi)
	margin := int(0.8 * dpi)
	lineH := int(12.0 / 72 * dpi * 1.9)
	h := margin*2 + lineH*(len(f.lines)+1)
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Rect, image.White, image.Point{}, draw.Src)
	y := margin + lineH
	for _, l := range f.lines {
		x := margin
		for _, fl := range l {
			if fl.heading {
				d := &font.Drawer{Dst: img, Src: image.Black, Face: bold}
				adv := d.MeasureString(fl.label)
				d.Dot = fixed.P((w-adv.Round())/2, y)
				d.DrawString(fl.label)
				continue
			}
			d := &font.Drawer{Dst: img, Src: image.Black, Face: body, Dot: fixed.P(x, y)}
			d.DrawString(fl.label + ": " + fl.value)
			x = d.Dot.X.Round() + int(0.6*dpi)
		}
		y += lineH
	}
	return img
}

// degradation is how badly a scan is made.
type degradation struct {
	name    string
	blur    float64 // Gaussian sigma, pixels
	noise   float64 // Gaussian noise sigma, gray levels
	rotate  float64 // degrees counter-clockwise
	quality int     // JPEG quality; 0 = PNG
}

var degradations = []degradation{
	{name: "clean"},
	{name: "mild", blur: 0.8, noise: 8, rotate: 2, quality: 80},
	{name: "medium", blur: 1.1, noise: 14, rotate: -3, quality: 65},
	{name: "heavy", blur: 1.5, noise: 22, rotate: 4, quality: 45},
}

// degrade applies d to a copy of img and encodes it (PNG or JPEG).
func degrade(t testing.TB, img *image.Gray, d degradation, seed uint64) []byte {
	t.Helper()
	g := img
	if d.rotate != 0 {
		g = rotate(g, d.rotate)
	}
	if d.blur > 0 {
		g = gaussianBlur(g, d.blur)
	} else {
		g = toGray(g)
	}
	if d.noise > 0 {
		rng := rand.New(rand.NewPCG(seed, 7))
		for i, v := range g.Pix {
			g.Pix[i] = uint8(min(255, max(0, float64(v)+rng.NormFloat64()*d.noise)))
		}
	}
	var buf bytes.Buffer
	var err error
	if d.quality > 0 {
		err = jpeg.Encode(&buf, g, &jpeg.Options{Quality: d.quality})
	} else {
		err = png.Encode(&buf, g)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gaussianBlur blurs with a separable Gaussian kernel of the given sigma.
func gaussianBlur(src *image.Gray, sigma float64) *image.Gray {
	r := int(math.Ceil(sigma * 3))
	k := make([]float64, 2*r+1)
	var sum float64
	for i := range k {
		x := float64(i - r)
		k[i] = math.Exp(-x * x / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	w, h := src.Rect.Dx(), src.Rect.Dy()
	at := func(g *image.Gray, x, y int) float64 {
		x = min(max(x, 0), w-1)
		y = min(max(y, 0), h-1)
		return float64(g.Pix[y*g.Stride+x])
	}
	tmp := image.NewGray(src.Rect)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var v float64
			for i, kv := range k {
				v += kv * at(src, x+i-r, y)
			}
			tmp.Pix[y*tmp.Stride+x] = uint8(v + 0.5)
		}
	}
	out := image.NewGray(src.Rect)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var v float64
			for i, kv := range k {
				v += kv * at(tmp, x, y+i-r)
			}
			out.Pix[y*out.Stride+x] = uint8(v + 0.5)
		}
	}
	return out
}

// needTesseract skips the test when the OCR programs are missing (scripts/test installs
// them: tesseract-ocr, tesseract-ocr-vie).
func needTesseract(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("tesseract"); err != nil {
		t.Skip("tesseract not installed")
	}
	out, err := exec.Command("tesseract", "--list-langs").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "\nvie") {
		t.Skip("tesseract has no Vietnamese data (tesseract-ocr-vie)")
	}
}

// cer is the character error rate of hyp against ref: edit distance over the reference's
// length, in runes, both NFC with spaces collapsed.
func cer(ref, hyp string) (dist, n int) {
	clean := func(s string) string {
		var lines []string
		for _, l := range strings.Split(norm.NFC.String(s), "\n") {
			if l = strings.Join(strings.Fields(l), " "); l != "" {
				lines = append(lines, l)
			}
		}
		return strings.Join(lines, "\n")
	}
	ref, hyp = clean(ref), clean(hyp)
	return levenshtein(ref, hyp), len([]rune(ref))
}
