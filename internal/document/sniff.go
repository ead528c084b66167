package document

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"io"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"

	"dais/internal/store"
)

// Kind is what an upload is, decided from its bytes alone.
type Kind string

const (
	KindPDF      Kind = "pdf"
	KindDOCX     Kind = "docx"
	KindMarkdown Kind = "markdown"
	KindHTML     Kind = "html"
	KindPNG      Kind = "png"
	KindJPEG     Kind = "jpeg"
)

// MediaType is the media type of a kind's stored file.
func (k Kind) MediaType() string {
	switch k {
	case KindPDF:
		return "application/pdf"
	case KindDOCX:
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case KindMarkdown:
		return "text/markdown; charset=utf-8"
	case KindHTML:
		return "text/html; charset=utf-8"
	case KindPNG:
		return "image/png"
	case KindJPEG:
		return "image/jpeg"
	}
	return "application/octet-stream"
}

// IsImage reports whether the kind is a picture.
func (k Kind) IsImage() bool { return k == KindPNG || k == KindJPEG }

// extKinds maps a file name's extension to the kind it claims. The name decides nothing,
// but a name that claims one kind for bytes of another is refused: that is either a
// mistake worth telling the uploader about or a file built to fool some other reader.
var extKinds = map[string]Kind{
	".pdf": KindPDF, ".docx": KindDOCX, ".md": KindMarkdown, ".markdown": KindMarkdown, ".txt": KindMarkdown,
	".html": KindHTML, ".htm": KindHTML, ".png": KindPNG, ".jpg": KindJPEG, ".jpeg": KindJPEG,
}

// invalid is an EINVALID error on the file field with a translated message.
func invalid(key, english string, args ...any) *store.Error {
	return store.Invalid("file", key, english, args...)
}

// Sniff decides what data is from its content, refusing anything that is not exactly one
// of the accepted kinds: empty or oversized files, unsupported formats, text that is not
// UTF-8, and polyglots (bytes that another program would read as something else, such as
// a PDF header inside a "text" file or a zip archive appended to a PDF). name is the file
// name as uploaded: only checked against the content, never trusted.
func Sniff(data []byte, name string, maxBytes int64) (Kind, error) {
	if len(data) == 0 {
		return "", invalid("doc.empty", "the file is empty")
	}
	if maxBytes > 0 && int64(len(data)) > maxBytes {
		return "", invalid("doc.too_big", "the file is larger than %d MB", maxBytes>>20)
	}
	k, err := sniffKind(data)
	if err != nil {
		return "", err
	}
	if err := checkPolyglot(data, k); err != nil {
		return "", err
	}
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(name, "\\", "/")))
	if claimed, ok := extKinds[ext]; ok && claimed != k && !(claimed == KindMarkdown && k == KindHTML && ext == ".txt") {
		return "", invalid("doc.type_mismatch", "the file name says %s but the content is %s", ext, k)
	}
	return k, nil
}

func sniffKind(data []byte) (Kind, error) {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return KindPDF, nil
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return KindDOCX, nil // checked as a DOCX by readDOCX
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return KindPNG, nil
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return KindJPEG, nil
	case bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return "", invalid("doc.old_office", "old Word (.doc) files are not accepted: save it as .docx or PDF")
	}
	if !isText(data) {
		return "", invalid("doc.type_unsupported", "accepted files: PDF, DOCX, Markdown, HTML, PNG and JPEG")
	}
	if strings.HasPrefix(http.DetectContentType(data), "text/html") || looksHTML(data) {
		return KindHTML, nil
	}
	return KindMarkdown, nil
}

// isText reports whether data is UTF-8 text (an optional BOM) without NUL or other
// control characters than tab, newline, carriage return and form feed.
func isText(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return false
	}
	for _, c := range data {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' || c == 0x7f {
			return false
		}
	}
	return true
}

// looksHTML catches HTML that does not start with a tag DetectContentType knows (a
// fragment starting with <section> or <div class=…> after a comment).
func looksHTML(data []byte) bool {
	head := strings.ToLower(string(data[:min(len(data), 4096)]))
	head = strings.TrimSpace(strings.TrimPrefix(head, "\ufeff"))
	if !strings.HasPrefix(head, "<") {
		return false
	}
	for _, t := range []string{"<html", "<body", "<div", "<section", "<article", "<h1", "<h2", "<table", "<ul", "<ol", "<p>", "<p "} {
		if strings.Contains(head, t) {
			return true
		}
	}
	return false
}

// checkPolyglot refuses data that a second program would read as another format.
func checkPolyglot(data []byte, k Kind) error {
	polyglot := invalid("doc.polyglot", "the file is at the same time %s and another format", k)
	// PDF readers accept a header anywhere in the first kilobyte.
	if k != KindPDF && bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")) {
		return polyglot
	}
	// Zip readers start from the end-of-central-directory record, wherever the file starts.
	if k != KindDOCX && hasZipDirectory(data) {
		return polyglot
	}
	switch k {
	case KindPDF:
		tail := data[max(0, len(data)-1024):]
		i := bytes.LastIndex(tail, []byte("%%EOF"))
		if i < 0 || !bytes.Contains(tail, []byte("startxref")) {
			return invalid("doc.pdf_broken", "the PDF is damaged: it has no end-of-file trailer")
		}
		if len(bytes.TrimSpace(tail[i+5:])) > 0 {
			return polyglot // something appended after the PDF's end
		}
	case KindDOCX:
		// The archive must end exactly with its directory record (no comment, nothing
		// appended) and begin with its first entry: no room for a second format.
		if len(data) < 22 || !bytes.Equal(data[len(data)-22:len(data)-18], []byte("PK\x05\x06")) {
			return invalid("doc.docx_broken", "the DOCX file is damaged or carries extra data")
		}
	case KindPNG:
		if !bytes.HasSuffix(data, []byte("IEND\xae\x42\x60\x82")) {
			return polyglot // data after the image's last chunk
		}
	}
	return nil
}

// hasZipDirectory reports whether data holds a zip archive readable from its end.
func hasZipDirectory(data []byte) bool {
	tail := data[max(0, len(data)-(65535+22)):]
	if !bytes.Contains(tail, []byte("PK\x05\x06")) {
		return false
	}
	_, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	return err == nil
}

// activeNames are PDF names that make a reader run or open something: scripts, launched
// programs, embedded files, multimedia and XML forms. A document for a meeting needs none.
var activeNames = map[string]bool{
	"JavaScript": true, "JS": true, "Launch": true, "EmbeddedFile": true, "EmbeddedFiles": true,
	"RichMedia": true, "XFA": true, "GoToE": true, "SubmitForm": true, "ImportData": true,
}

// maxInflate bounds the bytes inflated while looking into a PDF's compressed streams.
const maxInflate = 256 << 20

// pdfActive reports whether a PDF names active content, in its plain bytes or inside
// its Flate-compressed streams (object streams hide dictionaries there). Names written
// with #xx escapes are decoded first.
func pdfActive(data []byte) bool {
	if pdfNamesActive(data) {
		return true
	}
	budget := int64(maxInflate)
	rest := data
	for budget > 0 {
		i := bytes.Index(rest, []byte("stream"))
		if i < 0 {
			break
		}
		rest = rest[i+6:]
		if bytes.HasPrefix(rest, []byte("\r\n")) {
			rest = rest[2:]
		} else if bytes.HasPrefix(rest, []byte("\n")) {
			rest = rest[1:]
		} else {
			continue // "endstream", or the word inside text
		}
		end := bytes.Index(rest, []byte("endstream"))
		if end < 0 {
			end = len(rest)
		}
		zr, err := zlib.NewReader(bytes.NewReader(rest[:end]))
		if err == nil {
			var buf bytes.Buffer
			n, _ := io.Copy(&buf, io.LimitReader(zr, budget))
			budget -= n
			if pdfNamesActive(buf.Bytes()) {
				return true
			}
		}
		rest = rest[end:]
	}
	return false
}

// pdfNamesActive scans b for PDF name tokens (/Name) in activeNames.
func pdfNamesActive(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != '/' {
			continue
		}
		j := i + 1
		var name []byte
		for j < len(b) && !pdfDelimiter(b[j]) {
			if b[j] == '#' && j+2 < len(b) && isHex(b[j+1]) && isHex(b[j+2]) {
				name = append(name, unhex(b[j+1])<<4|unhex(b[j+2]))
				j += 3
				continue
			}
			name = append(name, b[j])
			j++
			if len(name) > 32 {
				break
			}
		}
		if activeNames[string(name)] {
			return true
		}
		i = j - 1
	}
	return false
}

func pdfDelimiter(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '\f', 0, '/', '(', ')', '<', '>', '[', ']', '{', '}', '%':
		return true
	}
	return false
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
