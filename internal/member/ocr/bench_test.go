package ocr

import "testing"

// BenchmarkPrepare times the Go preprocessing (gray, deskew, median filter) of a form
// scanned at 300 dpi, 3° skewed.
func BenchmarkPrepare(b *testing.B) {
	data := degrade(b, render(b, testForms[0], 300), degradations[2], 1)
	img, err := decodeImage(data, TypeJPEG, 100_000_000)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		Pipeline{}.prepare(img)
	}
}
