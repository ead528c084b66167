package leak_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"testing"

	"dais/internal/leak"
	"dais/internal/leak/leaktest"
	"dais/internal/store"
)

func page(t testing.TB, id uint64) *image.RGBA {
	t.Helper()
	img, err := leaktest.Page(leaktest.PageOptions{ID: id})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestDecodeCleanPage(t *testing.T) {
	const id = 0x9a3c5e7f11
	d, err := leak.Detect(page(t, id))
	if err != nil {
		t.Fatalf("clean page: %v", err)
	}
	if d.ID != id || d.Confidence != 1 || d.Corrected != 0 {
		t.Fatalf("got %+v, want ID %x read perfectly", d, uint64(id))
	}
	// A4 at 150 dpi, 1.5 mm cells: a 141.7-pixel tile, square to the page.
	if d.Period < 140 || d.Period > 143.5 || d.Angle < -0.5 || d.Angle > 0.5 {
		t.Errorf("grid: period %.1f, angle %.2f°", d.Period, d.Angle)
	}
}

// TestDecodePhotos: photos within the ranges (scale 0.6–0.8, 2–4°, 30–50 %
// cropped away, JPEG 60–75, noise) name the right copy.
func TestDecodePhotos(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 4 {
		id := uint64(rng.Int64N(leak.MaxID) + 1)
		p := leaktest.Random(rng)
		img, err := jpeg.Decode(bytes.NewReader(leaktest.Photo(page(t, id), p, rng)))
		if err != nil {
			t.Fatal(err)
		}
		d, err := leak.Detect(img)
		if err != nil || d.ID != id {
			t.Fatalf("photo %d (%v): got %+v, %v; want %x", i, p, d, err, id)
		}
		if d.Confidence < 0.9 {
			t.Errorf("photo %d (%v): confidence %.3f", i, p, d.Confidence)
		}
		t.Logf("photo %d (%v): %+v", i, p, d)
	}
}

// TestTwoReaders: two readers' copies of one page differ and each names its reader.
func TestTwoReaders(t *testing.T) {
	a, b := uint64(0x123456789a), uint64(0x123456789b) // IDs one bit apart
	if leak.Chips(a) == leak.Chips(b) {
		t.Fatal("two IDs give the same tile")
	}
	diff := 0
	ca, cb := leak.Chips(a), leak.Chips(b)
	for i := range ca {
		if ca[i] != cb[i] {
			diff++
		}
	}
	if diff < 12 { // Reed–Solomon: codewords differ in at least 12 bytes
		t.Errorf("tiles of neighbouring IDs differ in %d cells only", diff)
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for _, id := range []uint64{a, b} {
		img, err := jpeg.Decode(bytes.NewReader(leaktest.Photo(page(t, id), leaktest.Random(rng), rng)))
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := leak.Decode(img)
		if err != nil || got != id {
			t.Fatalf("copy %x: got %x, %v", id, got, err)
		}
	}
}

func TestNoFingerprint(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	noise := image.NewGray(image.Rect(0, 0, 600, 800))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(rng.IntN(256))
	}
	white := image.NewGray(image.Rect(0, 0, 600, 800))
	for i := range white.Pix {
		white.Pix[i] = 255
	}
	plainPhoto, err := jpeg.Decode(bytes.NewReader(leaktest.Photo(page(t, 0), leaktest.Random(rng), rng)))
	if err != nil {
		t.Fatal(err)
	}
	for name, img := range map[string]image.Image{"text without fingerprint": page(t, 0), "photo of it": plainPhoto,
		"noise": noise, "white": white, "tiny": image.NewGray(image.Rect(0, 0, 10, 10))} {
		if d, err := leak.Detect(img); store.ErrorCode(err) != store.ENOTFOUND {
			t.Errorf("%s: got %+v, %v; want ENOTFOUND", name, d, err)
		}
	}
}

// huge is an image that claims 60 megapixels without holding them.
type huge struct{}

func (huge) ColorModel() color.Model { return color.GrayModel }
func (huge) Bounds() image.Rectangle { return image.Rect(0, 0, 10000, 6000) }
func (huge) At(x, y int) color.Color { return color.White }

func TestTooLarge(t *testing.T) {
	if _, err := leak.Detect(huge{}); store.ErrorCode(err) != store.EINVALID {
		t.Fatalf("60 MP image: %v", err)
	}
	// A PNG header claiming 60 MP is refused before its pixels are allocated.
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	raw := b.Bytes()
	copy(raw[16:24], []byte{0, 0, 0x27, 0x10, 0, 0, 0x17, 0x70}) // IHDR width 10000, height 6000
	if _, err := leak.TraceFile(context.Background(), raw, leak.TraceOptions{}); store.ErrorCode(err) != store.EINVALID {
		t.Fatalf("60 MP PNG: %v", err)
	}
}

func TestTile(t *testing.T) {
	tile := leak.Tile(77, 6, leak.DefaultStrength)
	if tile.Bounds().Dx() != 96 || tile.Bounds().Dy() != 96 {
		t.Fatalf("tile %v", tile.Bounds())
	}
	dark := 0
	for i := 3; i < len(tile.Pix); i += 4 {
		switch tile.Pix[i] {
		case leak.DefaultStrength:
			dark++
		case 0:
		default:
			t.Fatalf("alpha %d", tile.Pix[i])
		}
	}
	// About half the cells dark: the mean darkening of white paper is strength/2 ± 10 %.
	mean := float64(dark) / (96 * 96) * leak.DefaultStrength
	if mean < 0.4*leak.DefaultStrength || mean > 0.6*leak.DefaultStrength {
		t.Errorf("mean darkening %.2f levels", mean)
	}
	p, err := png.Decode(bytes.NewReader(leak.TilePNG(77, 6, leak.DefaultStrength)))
	if err != nil || p.Bounds() != tile.Bounds() {
		t.Fatalf("PNG tile: %v %v", p.Bounds(), err)
	}
}

func FuzzTraceFile(f *testing.F) {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 80, 80)))
	f.Add(b.Bytes())
	b.Reset()
	_ = jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 80, 80)), nil)
	f.Add(b.Bytes())
	f.Add([]byte("%PDF-1.4\n1 0 obj\nstream\nx\x9c\x03\x00\x00\x00\x00\x01\nendstream\n"))
	f.Add([]byte("PK\x03\x04junk"))
	f.Add([]byte("DAIS-COPY:7KQ2M9XD"))
	opts := leak.TraceOptions{Pdftoppm: "/nonexistent/pdftoppm", Pdftotext: "/nonexistent/pdftotext"}
	f.Fuzz(func(t *testing.T, data []byte) {
		found, err := leak.TraceFile(context.Background(), data, opts)
		if err == nil && (found.ID == 0 || found.ID > leak.MaxID) {
			t.Fatalf("found ID %d", found.ID)
		}
	})
}

// TestMarkImage: a restricted picture marked for a reader names the reader.
func TestMarkImage(t *testing.T) {
	src := page(t, 0) // any light picture: a page of text stands in for a scan
	c := leak.Copy{ID: 0x0badc0ffee}
	got, _, err := leak.Decode(leak.MarkImage(src, c, 0))
	if err != nil || got != c.ID {
		t.Fatalf("marked image: %x %v", got, err)
	}
}
