package ocr

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"testing"

	"dais/internal/store"
)

// pngHeader is a PNG signature and an IHDR chunk declaring w×h 8-bit gray: a few bytes that
// would make a naive decoder allocate w×h.
func pngHeader(w, h uint32) []byte {
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8] = 8 // bit depth; colour type 0 (gray), compression, filter, interlace 0
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr[:]...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func encoded(t testing.TB, w, h int, format string) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSniff(t *testing.T) {
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"png", encoded(t, 400, 400, "png"), TypePNG},
		{"jpeg", encoded(t, 400, 400, "jpeg"), TypeJPEG},
		{"pdf", []byte("%PDF-1.7\n..."), TypePDF},
		{"html named scan.png", []byte("<html><script>alert(1)</script>"), ""},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), ""},
		{"gif", []byte("GIF89a......"), ""},
		{"zip", []byte("PK\x03\x04"), ""},
		{"empty", nil, ""},
		{"pdf not at the start", []byte("junk%PDF-1.7"), ""},
	} {
		got, err := Sniff(tt.data)
		if got != tt.want || (tt.want == "") != (store.ErrorCode(err) == store.EINVALID) {
			t.Errorf("%s: Sniff = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestCheckImage(t *testing.T) {
	const max = 40_000_000
	for _, tt := range []struct {
		name string
		data []byte
		mt   string
		key  string // "" = accepted
	}{
		{"A4 at 300 dpi", pngHeader(2480, 3508), TypePNG, ""},
		{"decompression bomb", pngHeader(100_000, 100_000), TypePNG, "ocr.image_too_big"},
		{"wide bomb", pngHeader(1<<31-1, 1), TypePNG, "ocr.image_too_big"},
		{"too small", encoded(t, 200, 150, "png"), TypePNG, "ocr.image_too_small"},
		{"jpeg ok", encoded(t, 600, 800, "jpeg"), TypeJPEG, ""},
		{"truncated jpeg", encoded(t, 600, 800, "jpeg")[:10], TypeJPEG, "ocr.image_corrupt"},
		{"not a png", []byte("\x89PNG\r\n\x1a\nrubbish"), TypePNG, "ocr.image_corrupt"},
	} {
		_, err := checkImage(tt.data, tt.mt, max)
		got := ""
		if e := (*store.Error)(nil); errors.As(err, &e) && e.Code == store.EINVALID {
			got = e.Key
		} else if err != nil {
			t.Errorf("%s: %v, want EINVALID", tt.name, err)
		}
		if got != tt.key {
			t.Errorf("%s: key %q (%v), want %q", tt.name, got, err, tt.key)
		}
	}
	// The bomb is refused from its header: decoding never starts.
	if _, err := decodeImage(pngHeader(100_000, 100_000), TypePNG, max); store.ErrorCode(err) != store.EINVALID {
		t.Errorf("decodeImage(bomb) = %v", err)
	}
}

// FuzzSniff feeds arbitrary uploads to the checks that run before any program sees them:
// no panic, nothing accepted but PNG, JPEG and PDF, and no image decoded past the pixel cap.
func FuzzSniff(f *testing.F) {
	f.Add(encoded(f, 320, 320, "png"))
	f.Add(encoded(f, 320, 320, "jpeg"))
	f.Add(pngHeader(100_000, 100_000))
	f.Add(pngHeader(400, 400))
	f.Add([]byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"))
	f.Add([]byte("\xff\xd8\xff\xe0\x00\x10JFIF"))
	f.Fuzz(func(t *testing.T, b []byte) {
		const maxPixels = 1_000_000
		mt, err := Sniff(b)
		if err != nil {
			if store.ErrorCode(err) != store.EINVALID {
				t.Fatalf("Sniff error %v is not EINVALID", err)
			}
			return
		}
		if mt != TypePNG && mt != TypeJPEG && mt != TypePDF {
			t.Fatalf("Sniff accepted %q", mt)
		}
		if mt == TypePDF {
			return // pdftoppm's job, bounded by its crop box and time limit
		}
		img, err := decodeImage(b, mt, maxPixels)
		if err != nil {
			if store.ErrorCode(err) != store.EINVALID {
				t.Fatalf("decodeImage error %v is not EINVALID", err)
			}
			return
		}
		if r := img.Bounds(); r.Dx()*r.Dy() > maxPixels || r.Dx() < minSide || r.Dy() < minSide {
			t.Fatalf("decoded %v past the limits", r)
		}
	})
}
