package ocr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"dais/internal/store"
)

// pdfDPI is the resolution PDF pages are rasterized at: Tesseract reads best at 300 dpi.
const pdfDPI = 300

// pdfMaxSide crops a rasterized PDF page to this many pixels a side, so that a page with a
// huge declared size cannot make pdftoppm paint gigapixels (A3 at 300 dpi is 3508×4961).
const pdfMaxSide = 6000

// Page is one page of a scan as read: the image shown to the reviewer (the upload itself
// for an image, the rasterized page for a PDF), the skew removed before reading, and the
// lines read.
type Page struct {
	Image     []byte
	MediaType string
	Skew      float64
	Lines     []Line
}

// Reading is what OCR made of one upload.
type Reading struct {
	MediaType string // of the upload, sniffed
	Pages     []Page
	Fields    Fields
}

// Text is the raw text of every page, pages separated by a form feed.
func (r Reading) Text() string {
	parts := make([]string, len(r.Pages))
	for i, p := range r.Pages {
		parts[i] = Text(p.Lines)
	}
	return strings.Join(parts, "\n\f\n")
}

// Read checks an upload (size, type from its content, image dimensions), rasterizes a PDF,
// reads every page with Tesseract and extracts the form's fields.
func (s *Service) Read(ctx context.Context, data []byte) (Reading, error) {
	if int64(len(data)) > s.opts.MaxBytes {
		return Reading{}, store.Invalid("scan", "ocr.too_large", "the file is larger than %d MB", s.opts.MaxBytes>>20)
	}
	mt, err := Sniff(data)
	if err != nil {
		return Reading{}, err
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return Reading{}, err
	}
	defer release()
	rd := Reading{MediaType: mt}
	var images [][]byte
	imageType := mt
	dpi := 0 // unknown for an uploaded image: Tesseract estimates it
	if mt == TypePDF {
		if images, err = s.rasterize(ctx, data); err != nil {
			return Reading{}, err
		}
		imageType, dpi = TypePNG, pdfDPI
	} else {
		images = [][]byte{data}
	}
	var all []Line
	for i, b := range images {
		img, err := decodeImage(b, imageType, s.opts.MaxPixels)
		if err != nil {
			return Reading{}, fmt.Errorf("page %d: %w", i+1, err)
		}
		g, skew := s.opts.Pipeline.prepare(img)
		var buf bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, g); err != nil {
			return Reading{}, fmt.Errorf("encode page %d: %w", i+1, err)
		}
		lines, err := s.tesseract(ctx, buf.Bytes(), dpi)
		if err != nil {
			return Reading{}, fmt.Errorf("read page %d: %w", i+1, err)
		}
		rd.Pages = append(rd.Pages, Page{Image: b, MediaType: imageType, Skew: skew, Lines: lines})
		all = append(all, lines...)
	}
	rd.Fields = Extract(all)
	return rd, nil
}

// rasterize turns the first pages of a PDF into grayscale PNGs with pdftoppm, refusing a
// PDF of more than MaxPages pages.
func (s *Service) rasterize(ctx context.Context, pdf []byte) ([][]byte, error) {
	dir, err := os.MkdirTemp("", "dais-ocr-")
	if err != nil {
		return nil, fmt.Errorf("rasterize: %w", err)
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		return nil, fmt.Errorf("rasterize: %w", err)
	}
	// One page more than allowed tells us the PDF is too long without counting its pages
	// first. -x/-y/-W/-H crop what is painted, bounding the bitmap whatever the page size.
	_, err = s.run(ctx, nil, s.opts.Pdftoppm, "-r", strconv.Itoa(pdfDPI), "-gray", "-png",
		"-f", "1", "-l", strconv.Itoa(s.opts.MaxPages+1),
		"-x", "0", "-y", "0", "-W", strconv.Itoa(pdfMaxSide), "-H", strconv.Itoa(pdfMaxSide),
		in, filepath.Join(dir, "p"))
	var ee *exitError
	if errors.As(err, &ee) {
		// pdftoppm refused the file: a damaged or encrypted PDF is the sender's problem.
		return nil, invalid("scan", "ocr.pdf_unreadable", "the PDF cannot be read: %s", ee.stderr)
	}
	if err != nil {
		return nil, err
	}
	names, err := filepath.Glob(filepath.Join(dir, "p-*.png"))
	if err != nil {
		return nil, err
	}
	// pdftoppm numbers pages p-1.png or p-01.png (padded to the page count's width).
	pageNum := func(name string) int {
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(name), "p-"), ".png"))
		return n
	}
	sort.Slice(names, func(i, j int) bool { return pageNum(names[i]) < pageNum(names[j]) })
	switch {
	case len(names) == 0:
		return nil, invalid("scan", "ocr.pdf_unreadable", "the PDF has no pages")
	case len(names) > s.opts.MaxPages:
		return nil, store.Invalid("scan", "ocr.too_many_pages", "the PDF has more than %d pages; upload one record per file", s.opts.MaxPages)
	}
	out := make([][]byte, len(names))
	for i, n := range names {
		if out[i], err = os.ReadFile(n); err != nil {
			return nil, fmt.Errorf("rasterize: %w", err)
		}
	}
	return out, nil
}
