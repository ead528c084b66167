// Package ocr turns scanned paper member records (PNG, JPEG, PDF) into proposed member
// records in a review queue: the scan is stored (sealed, content-addressed), read by the
// Tesseract command-line program with its Vietnamese data, and the form's fields are
// extracted with a confidence each. An officer corrects and approves a proposal, which then
// becomes a member through the member service; nothing enters the records without that
// approval (DESIGN.md §7).
//
// Tesseract runs as a separate program (Debian's tesseract-ocr and tesseract-ocr-vie) rather
// than through a Go binding: the bindings need cgo, and the binary stays cgo-free. PDF pages
// are rasterized by pdftoppm (poppler-utils) the same way.
package ocr

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"dais/internal/store"
)

// Options configure the OCR service. Zero values take the defaults in parentheses.
type Options struct {
	Tesseract string        // the tesseract program ("tesseract", looked up in PATH)
	Pdftoppm  string        // the pdftoppm program ("pdftoppm")
	Lang      string        // Tesseract languages ("vie")
	MaxBytes  int64         // largest upload (20 MB)
	MaxPages  int           // most PDF pages in one upload (4); more is refused
	MaxPixels int           // largest page image, width × height (40 Mpx: A3 at 300 dpi is 17)
	Timeout   time.Duration // limit of one tesseract or pdftoppm run (2 min)
	Workers   int           // OCR runs at once across all requests (2)
	Logger    *slog.Logger
	// Pipeline chooses the image preprocessing; the zero value is the default, measured
	// on the generated scans of scan_test.go.
	Pipeline Pipeline
}

// Pipeline is the preprocessing done in Go before Tesseract reads a page. Measured on the
// tests' generated scans (character error rate of the whole text; 200 dpi; Tesseract 5.3):
// straightening and the median filter together took a 4° skew with heavy noise from 1.9 %
// to 0.8 %, and a 4.5° one with harsh noise from 71 % to 2.4 % (straightening alone: 13 %);
// neither hurt clean or mildly degraded scans. Otsu binarization made every degraded scan
// worse (heavy: 0.8 % → 1.8 %; Tesseract thresholds better itself), so it is off unless
// asked for. Tesseract's page segmentation mode 6 (one block of text) read these forms as
// well as mode 3 and, on unstraightened pages, far better than mode 4 (7 % against 1 %).
type Pipeline struct {
	NoDeskew  bool // keep the page as scanned instead of straightening it
	NoDenoise bool // skip the median filter
	Binarize  bool // threshold the page with Otsu's method
}

func (o *Options) defaults() {
	if o.Tesseract == "" {
		o.Tesseract = "tesseract"
	}
	if o.Pdftoppm == "" {
		o.Pdftoppm = "pdftoppm"
	}
	if o.Lang == "" {
		o.Lang = "vie"
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 20 << 20
	}
	if o.MaxPages <= 0 {
		o.MaxPages = 4
	}
	if o.MaxPixels <= 0 {
		o.MaxPixels = 40_000_000
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Service reads scans and keeps the review queue.
type Service struct {
	db        *store.DB
	blobStore *store.Blobs
	opts      Options
	sem       chan struct{} // bounds concurrent OCR runs: each takes a core for seconds
}

// NewService returns the OCR service. Scans are kept under blobsDir (created when missing).
func NewService(db *store.DB, blobsDir string, opts Options) *Service {
	opts.defaults()
	var keys *store.Keys
	if db != nil { // tests read scans without a store
		keys = db.Keys
	}
	return &Service{db: db, blobStore: store.NewBlobs(blobsDir, keys), opts: opts, sem: make(chan struct{}, opts.Workers)}
}

// acquire takes an OCR slot, or gives up when ctx ends.
func (s *Service) acquire(ctx context.Context) (release func(), err error) {
	select {
	case s.sem <- struct{}{}:
		return func() { <-s.sem }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for an OCR slot: %w", ctx.Err())
	}
}
