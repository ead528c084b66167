package member

import (
	"context"
	"embed"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"

	"dais/internal/store"
	"dais/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are the member pages, registered under "member/".
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// unitFinder finds a unit the caller may see (internal/org implements it).
type unitFinder interface {
	UnitPath(ctx context.Context, p *store.Principal, code string) (path, name string, err error)
}

// Handlers serve the member pages and API.
type Handlers struct {
	srv   *web.Server
	svc   *Service
	units unitFinder
}

// Routes registers the member pages and API.
func Routes(srv *web.Server, svc *Service, units unitFinder) {
	h := &Handlers{srv: srv, svc: svc, units: units}
	srv.Private("GET /units/{code}/members", h.list)
	srv.Private("GET /members/{id}", h.show)
	srv.Private("POST /members/{id}", h.edit)
	srv.Private("POST /members/{id}/status", h.status)
	srv.PrivateLimit("POST /members/{id}/photo", MaxPhotoBytes+1<<20, h.uploadPhoto)
	srv.Private("GET /members/{id}/photo", h.photo)
	srv.Private("GET /members/{id}/diff", h.diff)
	srv.Private("POST /members/{id}/transfers", h.issueTransfer)
	srv.Private("GET /units/{code}/members/new", h.newForm)
	srv.Private("POST /units/{code}/members", h.create)
	srv.Private("GET /units/{code}/member-stats", h.stats)
	srv.Private("GET /units/{code}/transfers", h.transfers)
	srv.Private("POST /transfers/{id}/receive", h.receive)
	srv.Private("POST /transfers/{id}/cancel", h.cancel)
	srv.Private("POST /api/v1/units/{code}/members", h.apiCreate)
	srv.Private("GET /api/v1/members/{id}/versions", h.apiVersions)
	srv.Private("POST /api/v1/members/{id}/status", h.apiStatus)
	srv.Private("GET /api/v1/units/{code}/transfers", h.apiTransfers)
	srv.Private("POST /api/v1/transfers", h.apiIssue)
	srv.Private("POST /api/v1/transfers/{id}/receive", h.apiReceive)
	srv.Private("POST /api/v1/transfers/{id}/cancel", h.apiCancel)
	srv.Private("GET /api/v1/units/{code}/members", h.apiList)
	srv.Private("GET /api/v1/members/{id}", h.apiGet)
	srv.Private("PATCH /api/v1/members/{id}", h.apiPatch)
}

// parsePage reads ?offset=&limit=&q= with bounds; junk gets a clear EINVALID.
func parsePage(q url.Values) (Page, error) {
	pg := Page{Limit: 50}
	for _, f := range []struct {
		name     string
		dst      *int
		min, max int
	}{{"offset", &pg.Offset, 0, 10_000_000}, {"limit", &pg.Limit, 1, MaxLimit}} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < f.min || n > f.max {
			return pg, &store.Error{Code: store.EINVALID, Key: "err.query", Args: []any{f.name}, Field: f.name,
				Message: f.name + " must be a number from " + strconv.Itoa(f.min) + " to " + strconv.Itoa(f.max)}
		}
		*f.dst = n
	}
	pg.Query = q.Get("q")
	if len(pg.Query) > 200 {
		return pg, &store.Error{Code: store.EINVALID, Key: "err.query", Args: []any{"q"}, Field: "q", Message: "q is too long"}
	}
	return pg, nil
}

type listView struct {
	UnitCode, UnitName string
	Members            []Member
	Page               Page
	Prev, Next         int
	HasPrev, HasNext   bool
}

func (h *Handlers) load(r *http.Request) (listView, error) {
	p := web.PrincipalFrom(r.Context())
	pg, err := parsePage(r.URL.Query())
	if err != nil {
		return listView{}, err
	}
	path, name, err := h.units.UnitPath(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return listView{}, err
	}
	ms, err := h.svc.List(r.Context(), p, path, &pg)
	if err != nil {
		return listView{}, err
	}
	v := listView{UnitCode: r.PathValue("code"), UnitName: name, Members: ms, Page: pg}
	v.HasPrev, v.Prev = pg.Offset > 0, max(0, pg.Offset-pg.Limit)
	v.HasNext, v.Next = pg.Offset+len(ms) < pg.Total, pg.Offset+pg.Limit
	return v, nil
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) error {
	v, err := h.load(r)
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "member/list", v)
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	v, err := h.load(r)
	if err != nil {
		return err
	}
	ms := v.Members
	if ms == nil {
		ms = []Member{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"members": ms, "total": v.Page.Total, "offset": v.Page.Offset, "limit": v.Page.Limit})
	return nil
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) error {
	m, err := h.svc.Get(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"member": m})
	return nil
}

func (h *Handlers) apiPatch(w http.ResponseWriter, r *http.Request) error {
	var patch Patch
	if err := web.DecodeJSON(r, &patch); err != nil {
		return err
	}
	m, err := h.svc.Update(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"), patch)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"member": m})
	return nil
}

// Messages are the member texts.
var Messages = web.Messages{
	"mem.list_title":          {"vi": "Đảng viên", "en": "Members"},
	"mem.search":              {"vi": "Tìm theo họ tên hoặc số thẻ", "en": "Search by name or card number"},
	"mem.search_button":       {"vi": "Tìm", "en": "Search"},
	"mem.total":               {"vi": "%d đảng viên", "en": "%d members"},
	"mem.full_name":           {"vi": "Họ và tên", "en": "Full name"},
	"mem.gender":              {"vi": "Giới tính", "en": "Gender"},
	"mem.birth_date":          {"vi": "Ngày sinh", "en": "Date of birth"},
	"mem.card_number":         {"vi": "Số thẻ đảng viên", "en": "Party card number"},
	"mem.ethnicity":           {"vi": "Dân tộc", "en": "Ethnicity"},
	"mem.hometown":            {"vi": "Quê quán", "en": "Hometown"},
	"mem.admission":           {"vi": "Ngày vào Đảng", "en": "Admission date"},
	"mem.official":            {"vi": "Ngày chính thức", "en": "Official membership date"},
	"mem.status":              {"vi": "Trạng thái", "en": "Status"},
	"mem.unit":                {"vi": "Chi bộ", "en": "Cell"},
	"mem.prev":                {"vi": "← Trang trước", "en": "← Previous"},
	"mem.next":                {"vi": "Trang sau →", "en": "Next →"},
	"mem.none":                {"vi": "Không có đảng viên nào.", "en": "No members."},
	"mem.edit":                {"vi": "Sửa hồ sơ", "en": "Edit record"},
	"mem.save":                {"vi": "Lưu", "en": "Save"},
	"mem.saved":               {"vi": "Đã lưu hồ sơ.", "en": "Record saved."},
	"mem.card_taken":          {"vi": "Số thẻ đảng viên này đã tồn tại.", "en": "This party card number already exists."},
	"mem.text_invalid":        {"vi": "Có ký tự không hợp lệ.", "en": "Contains invalid characters."},
	"mem.required":            {"vi": "Vui lòng nhập đủ thông tin.", "en": "This field is required."},
	"mem.gender.male":         {"vi": "Nam", "en": "Male"},
	"mem.gender.female":       {"vi": "Nữ", "en": "Female"},
	"mem.status.official":     {"vi": "Chính thức", "en": "Official"},
	"mem.status.probationary": {"vi": "Dự bị", "en": "Probationary"},
}
