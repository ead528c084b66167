package leak_test

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"dais/internal/leak"
	"dais/internal/leak/leaktest"
)

// TestMeasure prints the success-rate table of docs/leak-tracing.md. It takes minutes:
// DAIS_LEAK_MEASURE=N (photos per row) turns it on.
func TestMeasure(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("DAIS_LEAK_MEASURE"))
	if n == 0 {
		t.Skip("DAIS_LEAK_MEASURE not set")
	}
	type level struct {
		name     string
		strength int
		photo    func(*rand.Rand) leaktest.PhotoOptions
	}
	issue := leaktest.Random
	harsh := func(rng *rand.Rand) leaktest.PhotoOptions {
		p := leaktest.Random(rng)
		p.Scale, p.Crop, p.Quality, p.Noise = 0.45+0.1*rng.Float64(), 0.6+0.1*rng.Float64(), 40+rng.IntN(11), 8
		return p
	}
	cropOnly := func(c float64) func(*rand.Rand) leaktest.PhotoOptions {
		return func(rng *rand.Rand) leaktest.PhotoOptions {
			p := leaktest.Random(rng)
			p.Crop = c
			return p
		}
	}
	blur := func(r int) func(*rand.Rand) leaktest.PhotoOptions {
		return func(rng *rand.Rand) leaktest.PhotoOptions {
			p := leaktest.Random(rng)
			p.Blur = r
			return p
		}
	}
	levels := []level{
		{"issue ranges", 6, issue},
		{"issue ranges", leak.DefaultStrength, issue},
		{"issue ranges", 4, issue},
		{"issue ranges", 3, issue},
		{"issue ranges", 2, issue},
		{"harsh: scale 0.45–0.55, crop 60–70 %, q40–50, σ 8", leak.DefaultStrength, harsh},
		{"crop 80 %", leak.DefaultStrength, cropOnly(0.8)},
		{"crop 90 %", leak.DefaultStrength, cropOnly(0.9)},
		{"out of focus: box blur radius 2, twice", leak.DefaultStrength, blur(2)},
		{"out of focus: box blur radius 4, twice", leak.DefaultStrength, blur(4)},
	}
	if s := os.Getenv("DAIS_LEAK_LEVEL"); s != "" {
		i, _ := strconv.Atoi(s)
		levels = levels[i : i+1]
	}
	fmt.Println("| distortion | strength | decoded | wrong ID | mean decode time |")
	fmt.Println("| --- | --- | --- | --- | --- |")
	for li, lv := range levels {
		rng := rand.New(rand.NewPCG(uint64(li), 99))
		ok, wrong := 0, 0
		var spent time.Duration
		for range n {
			id := uint64(rng.Int64N(leak.MaxID) + 1)
			page, err := leaktest.Page(leaktest.PageOptions{ID: id, Strength: lv.strength})
			if err != nil {
				t.Fatal(err)
			}
			p := lv.photo(rng)
			jp := leaktest.Photo(page, p, rng)
			img, err := jpeg.Decode(bytes.NewReader(jp))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			got, _, err := leak.Decode(img)
			spent += time.Since(start)
			switch {
			case err == nil && got == id:
				ok++
			case err == nil:
				wrong++
			default:
				if dir := os.Getenv("DAIS_LEAK_DUMP"); dir != "" {
					name := fmt.Sprintf("%s/fail-%d-%x.jpg", dir, li, id)
					_ = os.WriteFile(name, jp, 0o644)
					t.Logf("%s: %v", name, p)
				}
			}
		}
		fmt.Printf("| %s | %d/255 | %d/%d | %d | %.2f s |\n", lv.name, lv.strength, ok, n, wrong, spent.Seconds()/float64(n))
	}
}
