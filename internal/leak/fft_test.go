package leak

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

func TestFFTMatchesDFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 8, 64, 256} {
		a := make([]complex128, n)
		for i := range a {
			a[i] = complex(rng.NormFloat64(), rng.NormFloat64())
		}
		got := append([]complex128(nil), a...)
		fft(got, false)
		for k := range n {
			var want complex128
			for j, v := range a {
				want += v * cmplx.Exp(complex(0, -2*math.Pi*float64(j*k)/float64(n)))
			}
			if cmplx.Abs(got[k]-want) > 1e-9*float64(n) {
				t.Fatalf("n=%d k=%d: got %v want %v", n, k, got[k], want)
			}
		}
		fft(got, true)
		for i := range a {
			if cmplx.Abs(got[i]/complex(float64(n), 0)-a[i]) > 1e-9 {
				t.Fatalf("n=%d: inverse does not return the input", n)
			}
		}
	}
}
