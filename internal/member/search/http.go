package search

import (
	"embed"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"dais/internal/store"
	"dais/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are the search pages, registered under "search/".
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// Routes registers the search page and its API.
func Routes(srv *web.Server, x *Index) {
	h := &handlers{srv: srv, x: x}
	srv.Private("GET /search", h.page)
	srv.Private("GET /api/v1/members/search", h.api)
}

type handlers struct {
	srv *web.Server
	x   *Index
}

// queryFrom reads a query from URL parameters; malformed numbers are EINVALID.
func queryFrom(v url.Values) (Query, error) {
	q := Query{Text: v.Get("q"), UnitCode: strings.TrimSpace(v.Get("unit")), Status: v.Get("status")}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"birth_year", &q.BirthYear}, {"limit", &q.Limit}, {"offset", &q.Offset}} {
		if s := strings.TrimSpace(v.Get(f.name)); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				return q, store.Invalid(f.name, "err.query", "%s must be a number", f.name)
			}
			*f.dst = n
		}
	}
	return q, nil
}

type pageView struct {
	Query      Query
	Result     Result
	Searched   bool
	Error      string
	Next, Prev int
	HasNext    bool
	HasPrev    bool
}

func (h *handlers) page(w http.ResponseWriter, r *http.Request) error {
	v := pageView{}
	q, err := queryFrom(r.URL.Query())
	v.Query = q
	if err == nil && (q.Text != "" || q.UnitCode != "" || q.BirthYear != 0 || q.Status != "") {
		v.Searched = true
		v.Result, err = h.x.Search(r.Context(), web.PrincipalFrom(r.Context()), q)
	}
	if err != nil {
		if store.ErrorCode(err) != store.EINVALID {
			return err
		}
		v.Error = h.srv.ErrorMessage(r, err)
		return h.srv.PageStatus(w, r, http.StatusUnprocessableEntity, "search/search", v)
	}
	limit := q.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	v.HasPrev, v.Prev = q.Offset > 0, max(0, q.Offset-limit)
	v.HasNext, v.Next = q.Offset+len(v.Result.Hits) < v.Result.Total && q.Offset+limit <= MaxOffset, q.Offset+limit
	return h.srv.Page(w, r, "search/search", v)
}

func (h *handlers) api(w http.ResponseWriter, r *http.Request) error {
	q, err := queryFrom(r.URL.Query())
	if err != nil {
		return err
	}
	res, err := h.x.Search(r.Context(), web.PrincipalFrom(r.Context()), q)
	if err != nil {
		return err
	}
	if res.Hits == nil {
		res.Hits = []Hit{}
	}
	web.WriteJSON(w, http.StatusOK, res)
	return nil
}

// Messages are the search texts.
var Messages = web.Messages{
	"search.title":             {"vi": "Tìm đảng viên", "en": "Find members"},
	"search.q":                 {"vi": "Họ tên (có dấu hoặc không), số thẻ đảng viên hoặc số CCCD", "en": "Name (with or without diacritics), party card or citizen ID number"},
	"search.unit":              {"vi": "Trong đơn vị (mã, không bắt buộc)", "en": "Within unit (code, optional)"},
	"search.label_year":        {"vi": "Năm sinh", "en": "Birth year"},
	"search.label_status":      {"vi": "Trạng thái", "en": "Status"},
	"search.any":               {"vi": "Tất cả", "en": "Any"},
	"search.button":            {"vi": "Tìm", "en": "Search"},
	"search.total":             {"vi": "Tìm thấy %d đảng viên.", "en": "%d members found."},
	"search.none":              {"vi": "Không tìm thấy đảng viên nào.", "en": "No member found."},
	"search.kind":              {"vi": "Mức khớp", "en": "Match"},
	"search.kind.exact":        {"vi": "Đúng tên", "en": "Exact"},
	"search.kind.exact_folded": {"vi": "Đúng (không dấu)", "en": "Exact, ignoring diacritics"},
	"search.kind.prefix":       {"vi": "Bắt đầu bằng", "en": "Starts with"},
	"search.kind.words":        {"vi": "Đủ các từ", "en": "All words"},
	"search.kind.fuzzy":        {"vi": "Gần đúng", "en": "Close"},
	"search.kind.filter":       {"vi": "Theo bộ lọc", "en": "Filter"},
	"search.kind.card_number":  {"vi": "Đúng số thẻ", "en": "Card number"},
	"search.kind.id_number":    {"vi": "Đúng số CCCD", "en": "ID number"},
	"search.limit":             {"vi": "Số kết quả mỗi trang không hợp lệ.", "en": "Invalid page size."},
	"search.offset":            {"vi": "Vị trí trang không hợp lệ.", "en": "Invalid page position."},
	"search.birth_year":        {"vi": "Năm sinh không hợp lệ.", "en": "Invalid birth year."},
	"search.status":            {"vi": "Trạng thái không hợp lệ.", "en": "Unknown status."},
	"search.unit_code":         {"vi": "Mã đơn vị không hợp lệ.", "en": "Invalid unit code."},
	"search.text_invalid":      {"vi": "Nội dung tìm kiếm có ký tự không hợp lệ.", "en": "The search text has invalid characters."},
	"search.text_long":         {"vi": "Nội dung tìm kiếm quá dài.", "en": "The search text is too long."},
	"search.number_long":       {"vi": "Số thẻ hoặc số CCCD quá dài.", "en": "The number is too long."},
	"search.too_many_words":    {"vi": "Quá nhiều từ.", "en": "Too many words."},
	"search.query_required":    {"vi": "Nhập họ tên, số thẻ, số CCCD hoặc chọn một bộ lọc.", "en": "Type a name, a card or ID number, or choose a filter."},
}
