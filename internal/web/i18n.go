package web

import (
	"fmt"
	"net/http"
	"strings"
)

// Languages Dais speaks, Vietnamese first.
var Languages = []string{"vi", "en"}

// Messages maps a message key to its text in each language: {"vi": "…", "en": "…"}.
// Every feature package exports its own Messages; cmd/dais hands them all to NewCatalog.
type Messages map[string]map[string]string

// Catalog translates message keys. A key missing in a language falls back to Vietnamese,
// then to the key itself (so a missing translation shows, rather than hides, the gap).
type Catalog struct{ m Messages }

// NewCatalog merges message sets; a key defined twice is a programming error.
func NewCatalog(sets ...Messages) (*Catalog, error) {
	c := &Catalog{m: Messages{}}
	for _, set := range sets {
		for k, v := range set {
			if _, dup := c.m[k]; dup {
				return nil, fmt.Errorf("message key %q defined twice", k)
			}
			c.m[k] = v
		}
	}
	return c, nil
}

// T returns the message for key in lang, formatted with args.
func (c *Catalog) T(lang, key string, args ...any) string {
	tr, ok := c.m[key]
	if !ok {
		return key
	}
	s, ok := tr[lang]
	if !ok || s == "" {
		s = tr["vi"]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Has reports whether key is in the catalog.
func (c *Catalog) Has(key string) bool { _, ok := c.m[key]; return ok }

// Lang picks the request's language: ?lang=, then the lang cookie, then Accept-Language
// (only an explicit English preference switches away from Vietnamese), default "vi".
func Lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); validLang(l) {
		return l
	}
	if c, err := r.Cookie("lang"); err == nil && validLang(c.Value) {
		return c.Value
	}
	if al := r.Header.Get("Accept-Language"); strings.HasPrefix(strings.ToLower(al), "en") {
		return "en"
	}
	return "vi"
}

func validLang(l string) bool { return l == "vi" || l == "en" }

// BaseMessages returns the web layer's own texts.
func BaseMessages() Messages { return baseMessages }

var baseMessages = Messages{
	"app.name":           {"vi": "Dais", "en": "Dais"},
	"app.tagline":        {"vi": "Sinh hoạt Đảng không giấy", "en": "Paperless party work"},
	"nav.home":           {"vi": "Trang chủ", "en": "Home"},
	"nav.meetings":       {"vi": "Cuộc họp", "en": "Meetings"},
	"nav.documents":      {"vi": "Tài liệu", "en": "Documents"},
	"nav.search":         {"vi": "Tìm kiếm", "en": "Search"},
	"nav.import":         {"vi": "Nhập tệp", "en": "Import"},
	"nav.ocr":            {"vi": "Hồ sơ giấy", "en": "Paper records"},
	"nav.account":        {"vi": "Tài khoản", "en": "Account"},
	"nav.logout":         {"vi": "Đăng xuất", "en": "Log out"},
	"nav.login":          {"vi": "Đăng nhập", "en": "Log in"},
	"nav.skip":           {"vi": "Bỏ qua, tới nội dung chính", "en": "Skip to main content"},
	"nav.main":           {"vi": "Điều hướng chính", "en": "Main navigation"},
	"nav.lang":           {"vi": "English", "en": "Tiếng Việt"},
	"err.title":          {"vi": "Có lỗi", "en": "Something went wrong"},
	"err.back":           {"vi": "Quay lại trang chủ", "en": "Back to the home page"},
	"err.invalid":        {"vi": "Dữ liệu gửi lên không hợp lệ.", "en": "The data sent is not valid."},
	"err.not_found":      {"vi": "Không tìm thấy trang hoặc đối tượng này.", "en": "This page or object was not found."},
	"err.conflict":       {"vi": "Dữ liệu đã thay đổi hoặc đã tồn tại. Vui lòng tải lại và thử lại.", "en": "The data changed or already exists. Reload and try again."},
	"err.unauthorized":   {"vi": "Vui lòng đăng nhập.", "en": "Please log in."},
	"err.forbidden":      {"vi": "Bạn không có quyền thực hiện việc này.", "en": "You are not allowed to do this."},
	"err.too_many":       {"vi": "Quá nhiều lần thử. Vui lòng đợi một lát rồi thử lại.", "en": "Too many attempts. Wait a moment and try again."},
	"err.internal":       {"vi": "Lỗi hệ thống. Đã ghi nhận, mã yêu cầu: %s.", "en": "System error. It has been logged; request ID: %s."},
	"err.csrf":           {"vi": "Phiên biểu mẫu đã hết hạn. Vui lòng tải lại trang và gửi lại.", "en": "The form has expired. Reload the page and submit again."},
	"err.body_too_large": {"vi": "Dữ liệu gửi lên quá lớn (tối đa %d KB).", "en": "The request body is too large (at most %d KB)."},
	"err.content_type":   {"vi": "Kiểu nội dung phải là %s.", "en": "The content type must be %s."},
	"err.json":           {"vi": "JSON không hợp lệ: %s.", "en": "Invalid JSON: %s."},
	"err.json_field":     {"vi": "Trường không được hỗ trợ: %s.", "en": "Unknown field: %s."},
	"err.required":       {"vi": "Vui lòng nhập %s.", "en": "%s is required."},
	"err.too_long":       {"vi": "Quá dài (tối đa %d ký tự).", "en": "Too long (at most %d characters)."},
	"err.method":         {"vi": "Phương thức không được phép.", "en": "Method not allowed."},
	"err.query":          {"vi": "Tham số không hợp lệ: %s.", "en": "Invalid parameter: %s."},
}
