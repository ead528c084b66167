package leak

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // photos
	_ "image/png"  // screenshots
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"dais/internal/store"
)

// Channels a copy ID can be read from.
const (
	ChannelPDFText   = "pdf-text"   // the hidden text or metadata of a PDF (exact)
	ChannelEPUBText  = "epub-text"  // the hidden text of an EPUB (exact)
	ChannelImage     = "image"      // the fingerprint in a photo or screenshot
	ChannelPDFRaster = "pdf-raster" // the fingerprint in a page of a re-made PDF, rasterized
)

// Found is what TraceFile read from a file.
type Found struct {
	ID         uint64
	Format     string  // pdf, epub, png, jpeg
	Channel    string  // one of the Channel constants
	Confidence float64 // 1 for the exact channels; Detection.Confidence for images
	Page       int     // for pdf-raster: the page the fingerprint was read on
	Detection  *Detection
	Others     []uint64 // further distinct IDs in the same file (a merged leak)
}

// TraceOptions tune TraceFile.
type TraceOptions struct {
	Pdftoppm  string // path of pdftoppm (poppler-utils); "" → looked up in PATH
	Pdftotext string // path of pdftotext; "" → looked up in PATH
	Pages     int    // PDF pages rasterized at most; 0 → 4
	DPI       int    // rasterizing resolution; 0 → 110
}

// MaxFileSize is the largest file TraceFile reads.
const MaxFileSize = 256 << 20

var markerRE = regexp.MustCompile(`DAIS-COPY:([0-9A-HJKMNP-TV-Z]{8})`)

// TraceFile reads the copy ID from a leaked file, telling a PDF, an EPUB, a PNG or a
// JPEG apart by content. A PDF is read exactly first (hidden text and metadata, in Go,
// then with pdftotext); when those are gone — the PDF was printed again or scanned — its
// first pages are rasterized with pdftoppm and searched for the fingerprint.
func TraceFile(ctx context.Context, data []byte, opts TraceOptions) (Found, error) {
	if len(data) > MaxFileSize {
		return Found{}, errBadFile("file larger than %d MiB", MaxFileSize>>20)
	}
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")) || bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")):
		return tracePDF(ctx, data, opts)
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		ids, err := epubIDs(data)
		if err != nil {
			return Found{}, err
		}
		if len(ids) == 0 {
			return Found{}, errNoFingerprint("no copy code in the EPUB")
		}
		return Found{ID: ids[0], Others: ids[1:], Format: "epub", Channel: ChannelEPUBText, Confidence: 1}, nil
	}
	img, format, err := DecodeImage(data)
	if err != nil {
		return Found{}, err
	}
	d, err := Detect(img)
	if err != nil {
		return Found{}, err
	}
	return Found{ID: d.ID, Format: format, Channel: ChannelImage, Confidence: d.Confidence, Detection: &d}, nil
}

// DecodeImage decodes a PNG or JPEG after checking its size from the header: an image
// above MaxPixels is refused before its pixels are allocated.
func DecodeImage(data []byte) (image.Image, string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, "", errBadFile("not a PDF, PNG or JPEG: %v", err)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, "", &store.Error{Code: store.EINVALID, Key: "leak.too_large", Args: []any{MaxPixels / 1_000_000},
			Message: fmt.Sprintf("image of %d×%d pixels is above %d megapixels", cfg.Width, cfg.Height, MaxPixels/1_000_000)}
	}
	img, format, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", errBadFile("cannot decode the %s image: %v", format, err)
	}
	return img, format, nil
}

func tracePDF(ctx context.Context, data []byte, opts TraceOptions) (Found, error) {
	if ids := PDFText(data); len(ids) > 0 {
		return Found{ID: ids[0], Others: ids[1:], Format: "pdf", Channel: ChannelPDFText, Confidence: 1}, nil
	}
	dir, err := os.MkdirTemp("", "dais-trace-")
	if err != nil {
		return Found{}, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "leak.pdf")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		return Found{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	// Text that another program re-encoded (printed to PDF keeps text as text).
	if tool := program(opts.Pdftotext, "pdftotext"); tool != "" {
		out, err := exec.CommandContext(ctx, tool, "-q", "-l", "50", file, "-").Output()
		if err == nil {
			if ids := codesIn(out); len(ids) > 0 {
				return Found{ID: ids[0], Others: ids[1:], Format: "pdf", Channel: ChannelPDFText, Confidence: 1}, nil
			}
		}
	}
	tool := program(opts.Pdftoppm, "pdftoppm")
	if tool == "" {
		return Found{}, errNoFingerprint("no copy code in the PDF's text, and pdftoppm (poppler-utils) is not installed to look at its pages")
	}
	pages, dpi := opts.Pages, opts.DPI
	if pages <= 0 {
		pages = 4
	}
	if dpi <= 0 {
		dpi = 110
	}
	for p := 1; p <= pages; p++ {
		prefix := filepath.Join(dir, fmt.Sprintf("page%d", p))
		cmd := exec.CommandContext(ctx, tool, "-q", "-r", fmt.Sprint(dpi), "-f", fmt.Sprint(p), "-l", fmt.Sprint(p), "-png", "-singlefile", file, prefix)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			if p == 1 {
				return Found{}, errBadFile("pdftoppm cannot render the PDF: %v %s", err, strings.TrimSpace(stderr.String()))
			}
			break // past the last page
		}
		raw, err := os.ReadFile(prefix + ".png")
		if err != nil {
			break
		}
		img, _, err := DecodeImage(raw)
		if err != nil {
			continue
		}
		if d, err := Detect(img); err == nil {
			return Found{ID: d.ID, Format: "pdf", Channel: ChannelPDFRaster, Confidence: d.Confidence, Page: p, Detection: &d}, nil
		}
	}
	return Found{}, errNoFingerprint(fmt.Sprintf("no copy code in the PDF's text and no fingerprint on its first %d pages", pages))
}

func program(path, name string) string {
	if path != "" {
		return path
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return ""
	}
	return p
}

// PDFText finds copy codes in a PDF without rendering it: in its plain bytes (keywords,
// XMP) and in its Flate-compressed streams (the hidden text), most frequent first.
func PDFText(data []byte) []uint64 {
	count := map[uint64]int{}
	add := func(b []byte) {
		for _, m := range markerRE.FindAllSubmatch(b, -1) {
			if id, err := ParseCode(string(m[1])); err == nil {
				count[id]++
			}
		}
	}
	add(data)
	budget := int64(64 << 20) // inflated bytes read in all, against zip bombs
	rest := data
	for streams := 0; streams < 20000 && budget > 0; streams++ {
		i := bytes.Index(rest, []byte("stream"))
		if i < 0 {
			break
		}
		rest = rest[i+len("stream"):]
		if bytes.HasPrefix(rest, []byte("\r\n")) {
			rest = rest[2:]
		} else if bytes.HasPrefix(rest, []byte("\n")) {
			rest = rest[1:]
		} else {
			continue // "endstream", or the word inside something else
		}
		end := bytes.Index(rest, []byte("endstream"))
		if end < 0 {
			end = len(rest)
		}
		zr, err := zlib.NewReader(bytes.NewReader(rest[:end]))
		if err != nil {
			continue
		}
		out, _ := io.ReadAll(io.LimitReader(zr, min(budget, 16<<20)))
		budget -= int64(len(out))
		add(out)
		rest = rest[end:]
	}
	return ranked(count)
}

func codesIn(b []byte) []uint64 {
	count := map[uint64]int{}
	for _, m := range markerRE.FindAllSubmatch(b, -1) {
		if id, err := ParseCode(string(m[1])); err == nil {
			count[id]++
		}
	}
	return ranked(count)
}

func ranked(count map[uint64]int) []uint64 {
	ids := make([]uint64, 0, len(count))
	for id := range count {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if count[ids[i]] != count[ids[j]] {
			return count[ids[i]] > count[ids[j]]
		}
		return ids[i] < ids[j]
	})
	return ids
}

// epubIDs reads copy codes from the text files of an EPUB (a zip), bounded in size.
func epubIDs(data []byte) ([]uint64, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errBadFile("not a readable EPUB: %v", err)
	}
	count := map[uint64]int{}
	budget := int64(64 << 20)
	for i, f := range zr.File {
		if i >= 5000 || budget <= 0 {
			break
		}
		rc, err := f.Open()
		if err != nil {
			continue // an unknown compression method: skip the entry
		}
		b, _ := io.ReadAll(io.LimitReader(rc, min(budget, 16<<20)))
		rc.Close()
		budget -= int64(len(b))
		for _, id := range codesIn(b) {
			count[id]++
		}
	}
	return ranked(count), nil
}
