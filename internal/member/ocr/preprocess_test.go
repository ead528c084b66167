package ocr

import (
	"image"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestMedian9(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		var p [9]uint8
		for i := range p {
			p[i] = uint8(rng.IntN(8) * 32) // few values: many ties
		}
		s := p[:]
		want := slices.Clone(s)
		slices.Sort(want)
		if got := median9(&p); got != want[4] {
			t.Fatalf("median9(%v) = %d, want %d", s, got, want[4])
		}
	}
}

func TestOtsu(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 100, 100))
	for i := range g.Pix {
		g.Pix[i] = 230 // paper
		if i%10 < 3 {
			g.Pix[i] = 40 // ink
		}
	}
	if th := otsu(g); th < 40 || th >= 230 {
		t.Fatalf("otsu = %d, want between ink (40) and paper (230)", th)
	}
}

// TestDeskew: the skew of a rendered form turned by a known angle is found within 0.2°,
// and turning it back gives straight lines again.
func TestDeskew(t *testing.T) {
	page := render(t, testForms[0], 100)
	if a := skewAngle(page, 5); math.Abs(a) > 0.2 {
		t.Errorf("straight page: skew %.2f°", a)
	}
	for _, deg := range []float64{-4.5, -2, 1, 3, 4.8} {
		got := skewAngle(rotate(page, deg), 5)
		if math.Abs(got-deg) > 0.2 {
			t.Errorf("turned %.1f°: found %.2f°", deg, got)
		}
	}
}

func TestPrepareKeepsBlankPage(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 400, 400))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	out, skew := Pipeline{Binarize: true}.prepare(g)
	if skew != 0 || out.Rect.Dx() != 400 {
		t.Fatalf("blank page: skew %v, size %v", skew, out.Rect)
	}
}
