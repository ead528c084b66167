package leak

import (
	"math"
	"math/bits"
)

// fft is an in-place iterative radix-2 FFT of a power-of-two length (inverse: conjugate
// twiddles, no 1/n scaling). Written here rather than importing gonum for one function:
// go.mod stays as it is and the decoder needs nothing else from a numerics library.
func fft(a []complex128, inverse bool) {
	n := len(a)
	shift := 64 - bits.TrailingZeros(uint(n))
	for i := range n {
		if j := int(bits.Reverse64(uint64(i)) >> shift); j > i {
			a[i], a[j] = a[j], a[i]
		}
	}
	sign := -1.0
	if inverse {
		sign = 1
	}
	for size := 2; size <= n; size <<= 1 {
		ang := sign * 2 * math.Pi / float64(size)
		wn := complex(math.Cos(ang), math.Sin(ang))
		half := size / 2
		// Twiddles for this stage, computed once (accurate by direct cos/sin every 64 steps).
		tw := make([]complex128, half)
		w := complex(1, 0)
		for k := range half {
			if k%64 == 0 {
				w = complex(math.Cos(ang*float64(k)), math.Sin(ang*float64(k)))
			}
			tw[k] = w
			w *= wn
		}
		for start := 0; start < n; start += size {
			for k := range half {
				u := a[start+k]
				v := a[start+k+half] * tw[k]
				a[start+k] = u + v
				a[start+k+half] = u - v
			}
		}
	}
}

// fft2 transforms an n×n row-major grid in place (n a power of two).
func fft2(a []complex128, n int, inverse bool) {
	for y := range n {
		fft(a[y*n:(y+1)*n], inverse)
	}
	col := make([]complex128, n)
	for x := range n {
		for y := range n {
			col[y] = a[y*n+x]
		}
		fft(col, inverse)
		for y := range n {
			a[y*n+x] = col[y]
		}
	}
}
