// Package leak marks every served copy of a restricted document so that a leaked copy
// names its reader (DESIGN.md §4), and reads the mark back (`dais trace-leak`).
//
// A copy gets a random 40-bit ID, recorded with its reader, document, version, kind and
// time (Issue, Lookup). The ID travels three ways:
//
//   - a visible line ("Nguyễn Văn A · Đại biểu số 12 · 2026-11-25 14:03") drawn across
//     every page (VisibleLine, HTML, PDFMarker);
//   - an invisible fingerprint: a faint tile of 16×16 cells, half of them a fixed
//     synchronisation pattern and half the ID under a Reed–Solomon code, repeated over the
//     whole page (Pattern, TilePNG). Decode finds its scale, rotation and grid in a photo
//     or screenshot of one page, averages every visible tile and corrects errors;
//   - in PDFs, an exact channel: the ID as invisible text on every page and in the
//     document's keywords (ReadPDFText).
//
// docs/leak-tracing.md says how it works, what defeats it, and the figures measured.
package leak

import (
	"fmt"
	"strings"
	"time"

	"dais/internal/store"
	"dais/internal/web"
)

// Kinds of served copy.
const (
	KindHTML  = "html"  // the reader page /documents/{id}
	KindPDF   = "pdf"   // a PDF download
	KindEPUB  = "epub"  // an EPUB download
	KindImage = "image" // an image document shown or downloaded
)

// IDBits is the size of a copy ID: 2^40 ≈ 10^12 IDs, so random draws almost never collide
// (Issue draws again when one does).
const IDBits = 40

// MaxID is the largest copy ID. 0 is never issued.
const MaxID = 1<<IDBits - 1

// Copy is one served copy of a document version.
type Copy struct {
	ID         uint64    `json:"id"`
	ReaderID   string    `json:"reader_id"`
	ReaderName string    `json:"reader_name"`
	Delegate   string    `json:"delegate,omitempty"` // delegate number in a congress, "" otherwise
	DocumentID string    `json:"document_id"`
	Version    int       `json:"version"`
	Kind       string    `json:"kind"`
	IssuedAt   time.Time `json:"issued_at"`
}

// Code is the copy ID as 8 characters of Crockford's base32 (40 bits, 5 per character):
// short enough to read aloud from a watermark, with no I, L, O or U to misread.
func (c Copy) Code() string { return FormatCode(c.ID) }

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// FormatCode writes a copy ID as its 8-character code.
func FormatCode(id uint64) string {
	var b [8]byte
	for i := 7; i >= 0; i-- {
		b[i] = crockford[id&31]
		id >>= 5
	}
	return string(b[:])
}

// ParseCode reads a code written by FormatCode; case, dashes and spaces are ignored, and
// O, I and L read as 0, 1 and 1 as Crockford's alphabet asks.
func ParseCode(s string) (uint64, error) {
	s = strings.NewReplacer("-", "", " ", "").Replace(strings.ToUpper(strings.TrimSpace(s)))
	if len(s) != 8 {
		return 0, store.Invalid("code", "leak.bad_code", "a copy code has 8 characters, got %q", s)
	}
	var id uint64
	for _, r := range s {
		switch r {
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		v := strings.IndexRune(crockford, r)
		if v < 0 {
			return 0, store.Invalid("code", "leak.bad_code", "a copy code has 8 characters, got %q", s)
		}
		id = id<<5 | uint64(v)
	}
	if id == 0 {
		return 0, store.Invalid("code", "leak.bad_code", "a copy code has 8 characters, got %q", s)
	}
	return id, nil
}

// Zone is where the visible watermark gives its time (the organization's default).
var Zone = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return l
	}
	return time.FixedZone("ICT", 7*3600)
}()

// VisibleLine is the line a restricted copy shows across its pages: the reader, the
// delegate number when there is one, the time the copy was made, and the copy code
// ("Nguyễn Văn A · Đại biểu số 12 · 2026-11-25 14:03 · 7KQ2M9XD").
func VisibleLine(c Copy, lang string) string {
	parts := []string{c.ReaderName}
	if c.Delegate != "" {
		if lang == "en" {
			parts = append(parts, "Delegate no. "+c.Delegate)
		} else {
			parts = append(parts, "Đại biểu số "+c.Delegate)
		}
	}
	parts = append(parts, c.IssuedAt.In(Zone).Format("2006-01-02 15:04"), c.Code())
	return strings.Join(parts, " · ")
}

// Messages are the texts of leak tracing, Vietnamese first.
var Messages = web.Messages{
	"leak.bad_code":       {"vi": "Mã bản sao gồm 8 ký tự.", "en": "A copy code has 8 characters."},
	"leak.bad_copy":       {"vi": "Thông tin bản sao không hợp lệ.", "en": "The copy's details are not valid."},
	"leak.no_fingerprint": {"vi": "Không tìm thấy dấu vết người đọc trong tệp này.", "en": "No reader fingerprint was found in this file."},
	"leak.too_large":      {"vi": "Ảnh quá lớn (tối đa %d megapixel).", "en": "The image is too large (at most %d megapixels)."},
	"leak.bad_file":       {"vi": "Tệp không phải PDF, PNG hay JPEG đọc được.", "en": "The file is not a readable PDF, PNG or JPEG."},
	"leak.copy_code":      {"vi": "Mã bản sao", "en": "Copy code"},
}

func errNoFingerprint(why string) error {
	return &store.Error{Code: store.ENOTFOUND, Key: "leak.no_fingerprint", Message: "no reader fingerprint found: " + why}
}

func errBadFile(format string, args ...any) error {
	return &store.Error{Code: store.EINVALID, Key: "leak.bad_file", Message: fmt.Sprintf(format, args...)}
}
