package document

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"os/exec"
	"strings"
	"time"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"golang.org/x/text/unicode/norm"

	"dais/internal/store"
)

// maxPixels bounds an uploaded image (a decompression bomb declares huge dimensions in a
// few bytes; the header is checked before any pixel is decoded).
const maxPixels = 40_000_000

// markdown renders Markdown without raw HTML (goldmark drops it unless told otherwise);
// its output still goes through the sanitizer like every other HTML.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough))

// converted is an upload turned into what Dais keeps: the file to store (the original,
// or for images a re-encoded copy) and the canonical blocks the reader shows.
type converted struct {
	kind   Kind
	stored []byte
	blocks []Block
}

// PDFText extracts a PDF's text; an error means the PDF cannot be read.
type PDFText func(ctx context.Context, pdf []byte) (string, error)

// Pdftotext extracts text with poppler's pdftotext, run as a program (stdin to stdout,
// UTF-8), with a time limit and bounded output. We use it rather than a Go PDF library:
// poppler reads the damaged, odd and Vietnamese-font PDFs that real offices produce
// (ToUnicode maps, CID fonts, object streams), no pure-Go reader available to us does so
// as well, and the binary stays cgo-free; poppler-utils is already a dependency (pdftoppm
// for the OCR intake).
func Pdftotext(ctx context.Context, pdf []byte) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "pdftotext", "-q", "-enc", "UTF-8", "-eol", "unix", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out := &capped{max: 64 << 20}
	cmd.Stdout = out
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return "", errNoPdftotext
	case ctx.Err() != nil:
		return "", invalid("doc.pdf_broken", "the PDF took too long to read")
	case err != nil:
		return "", invalid("doc.pdf_broken", "the PDF is damaged: %v", err)
	case out.over:
		return "", invalid("doc.too_big", "the PDF's text is larger than %d MB", out.max>>20)
	}
	return out.String(), nil
}

var errNoPdftotext = errors.New("pdftotext is not installed")

type capped struct {
	bytes.Buffer
	max  int
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if c.Len()+len(p) > c.max {
		c.over = true
		return len(p), nil
	}
	return c.Buffer.Write(p)
}

// convert checks an upload from its content and turns it into blocks. title is the
// document's title (an image's alternative text).
func (s *Service) convert(ctx context.Context, data []byte, name, title string) (converted, error) {
	k, err := Sniff(data, name, s.opts.MaxBytes)
	if err != nil {
		return converted{}, err
	}
	c := converted{kind: k, stored: data}
	switch k {
	case KindPDF:
		if pdfActive(data) {
			return c, invalid("doc.pdf_active", "the PDF contains scripts, embedded files or actions")
		}
		txt, err := s.opts.PDFText(ctx, data)
		if errors.Is(err, errNoPdftotext) {
			s.opts.Logger.WarnContext(ctx, "document: pdftotext is not installed; PDF kept without reader text")
			break
		}
		if err != nil {
			return c, err
		}
		if err := checkStampLines(strings.Split(txt, "\n")); err != nil {
			return c, err
		}
		c.blocks = pdfBlocks(txt)
	case KindDOCX:
		if c.blocks, err = readDOCX(data); err != nil {
			return c, err
		}
	case KindMarkdown:
		var b bytes.Buffer
		if err := markdown.Convert(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &b); err != nil {
			return c, invalid("doc.type_unsupported", "the Markdown cannot be read: %v", err)
		}
		if c.blocks, err = blocksFromHTML(b.String()); err != nil {
			return c, err
		}
	case KindHTML:
		if c.blocks, err = blocksFromHTML(string(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))); err != nil {
			return c, err
		}
	case KindPNG, KindJPEG:
		if c.stored, err = reencode(data, k); err != nil {
			return c, err
		}
		c.blocks = []Block{{Tag: "img", Text: normText(title)}}
	}
	if err := checkStamp(c.blocks); err != nil {
		return c, err
	}
	return c, nil
}

// reencode decodes an image and encodes it again: what is kept and served is pixels
// only, without metadata (EXIF location) or anything hidden after them.
func reencode(data []byte, k Kind) ([]byte, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, invalid("doc.image_broken", "the image cannot be read")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, invalid("doc.image_too_big", "the image is %d×%d pixels; at most %d megapixels", cfg.Width, cfg.Height, maxPixels/1_000_000)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, invalid("doc.image_broken", "the image cannot be read")
	}
	var b bytes.Buffer
	if k == KindPNG {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 90})
	}
	if err != nil {
		return nil, fmt.Errorf("re-encode image: %w", err)
	}
	return b.Bytes(), nil
}

// pdfBlocks makes paragraphs of pdftotext's lines: a blank line or a page break ends a
// paragraph, and so does a line ending a sentence or a short line in capitals (a
// heading); other lines continue the paragraph they are in.
func pdfBlocks(txt string) []Block {
	var paras []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			paras = append(paras, strings.Join(cur, " "))
			cur = cur[:0]
		}
	}
	for _, line := range strings.Split(strings.ReplaceAll(txt, "\f", "\n\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			flush()
			continue
		}
		if len(cur) > 0 && isHeadingLine(line) {
			flush()
		}
		cur = append(cur, line)
		if strings.ContainsAny(line[len(line)-1:], ".:;!?") || isHeadingLine(line) {
			flush()
		}
	}
	flush()
	return textBlocks(strings.Join(paras, "\n\n"))
}

func isHeadingLine(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsLower(r) {
				return false
			}
		}
	}
	return letters >= 3 && len([]rune(s)) <= 80
}

// Classifications a document may have. Confidential material (mật, tối mật, tuyệt mật)
// never enters Dais (DESIGN.md §4).
const (
	Public     = "public"
	Internal   = "internal"
	Restricted = "restricted"
)

// Classifications lists the accepted levels, lowest first.
var Classifications = []string{Public, Internal, Restricted}

// fold is s in NFC upper case without the punctuation and frames around a stamp.
func fold(s string) string {
	s = strings.ToUpper(norm.NFC.String(s))
	s = strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	return strings.Join(strings.Fields(s), " ")
}

// secretWords are the names of classified levels, as typed in a form or stamped on a
// page (Vietnamese with and without tone marks, and English).
var secretWords = map[string]bool{
	"MẬT": true, "TỐI MẬT": true, "TUYỆT MẬT": true, "TOI MAT": true, "TUYET MAT": true,
	"CONFIDENTIAL": true, "SECRET": true, "TOP SECRET": true, "CLASSIFIED": true,
}

func errConfidential() error {
	return store.Invalid("classification", "doc.confidential",
		"confidential documents (mật, tối mật, tuyệt mật) are never uploaded to Dais; keep them on paper under the rules for state secrets")
}

// ParseClassification reads a classification level as typed (English or Vietnamese).
// Confidential levels are refused with their own message.
func ParseClassification(s string) (string, error) {
	f := fold(s)
	if secretWords[f] || f == "MAT" {
		return "", errConfidential()
	}
	switch f {
	case "PUBLIC", "CÔNG KHAI":
		return Public, nil
	case "INTERNAL", "NỘI BỘ", "": // unstated: the cautious level
		return Internal, nil
	case "RESTRICTED", "HẠN CHẾ":
		return Restricted, nil
	}
	return "", store.Invalid("classification", "doc.classification_bad", "classification must be public, internal or restricted")
}

// stampLines is how many leading paragraphs or lines are searched for a secrecy stamp:
// the stamp stands at the top of the first page.
const stampLines = 15

// checkStamp refuses a document whose first paragraphs carry a secrecy stamp ("MẬT",
// "TUYỆT MẬT", "Độ mật: …").
func checkStamp(blocks []Block) error {
	lines := make([]string, 0, stampLines)
	for _, b := range blocks[:min(len(blocks), stampLines)] {
		lines = append(lines, b.Text)
	}
	return checkStampLines(lines)
}

func checkStampLines(lines []string) error {
	seen := 0
	for _, l := range lines {
		f := fold(l)
		if f == "" {
			continue
		}
		if seen++; seen > stampLines {
			break
		}
		if secretWords[f] || strings.HasPrefix(f, "ĐỘ MẬT") || strings.HasPrefix(f, "DO MAT") {
			return invalid("doc.confidential_stamp", "the document is stamped confidential (%s) and cannot be uploaded", l)
		}
	}
	return nil
}
