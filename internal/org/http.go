package org

import (
	"context"
	"embed"
	"io/fs"
	"net/http"

	"dais/internal/store"
	"dais/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are the org pages, registered under "org/".
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// memberCounter counts the members in a subtree (internal/member implements it).
type memberCounter interface {
	CountInSubtree(ctx context.Context, unitPath string) (int, error)
}

// memberStore is what the unit pages need of internal/member: counts, and moving members
// when units split.
type memberStore interface {
	memberCounter
	MemberMover
}

// Handlers serve the home page, unit pages and the units API.
type Handlers struct {
	srv     *web.Server
	svc     *Service
	members memberStore
	movers  []UnitMover // everything keyed by unit, moved on merge
}

// Routes registers the org pages and API. movers are the packages whose rows follow a
// merged unit (members, grants, and later meetings…).
func Routes(srv *web.Server, svc *Service, members memberStore, movers ...UnitMover) {
	h := &Handlers{srv: srv, svc: svc, members: members, movers: movers}
	h.opsRoutes()
	srv.Private("GET /{$}", h.home)
	srv.Private("GET /units/{code}", h.unit)
	srv.Private("POST /units/{code}/rename", h.rename)
	srv.Private("POST /units/{code}/children", h.create)

	srv.Private("GET /api/v1/units", h.apiRoots)
	srv.Private("GET /api/v1/units/{code}", h.apiUnit)
	srv.Private("GET /api/v1/units/{code}/children", h.apiChildren)
	srv.Private("POST /api/v1/units", h.apiCreate)
	srv.Private("PATCH /api/v1/units/{code}", h.apiRename)
}

type unitCard struct {
	Unit    Unit
	Stats   Stats
	Members int
}

func (h *Handlers) card(ctx context.Context, p *store.Principal, u Unit) (unitCard, error) {
	c := unitCard{Unit: u}
	var err error
	if c.Stats, err = h.svc.Stats(ctx, u); err != nil {
		return c, err
	}
	if p.Can(store.PermMemberRead, u.Path) {
		c.Members, err = h.members.CountInSubtree(ctx, u.Path)
	} else {
		c.Members = -1 // not the caller's to count
	}
	return c, err
}

func (h *Handlers) home(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	roots, err := h.svc.Roots(r.Context(), p)
	if err != nil {
		return err
	}
	cards := make([]unitCard, 0, len(roots))
	for _, u := range roots {
		c, err := h.card(r.Context(), p, u)
		if err != nil {
			return err
		}
		cards = append(cards, c)
	}
	return h.srv.Page(w, r, "org/home", map[string]any{"Units": cards})
}

type unitView struct {
	unitCard
	Ancestors       []Unit
	Children        []Unit
	CanWrite        bool
	CanRead         bool // members
	CanWriteMembers bool
	Types           []string
	Error           string
}

func (h *Handlers) unitView(ctx context.Context, p *store.Principal, code string) (unitView, error) {
	u, err := h.svc.ByCode(ctx, p, code)
	if err != nil {
		return unitView{}, err
	}
	v := unitView{CanWrite: p.Can(store.PermUnitWrite, u.Path), CanRead: p.Can(store.PermMemberRead, u.Path),
		CanWriteMembers: p.Can(store.PermMemberWrite, u.Path), Types: Types}
	if v.unitCard, err = h.card(ctx, p, u); err != nil {
		return v, err
	}
	if v.Ancestors, err = h.svc.Ancestors(ctx, p, u); err != nil {
		return v, err
	}
	v.Children, err = h.svc.Children(ctx, p, u)
	return v, err
}

func (h *Handlers) unit(w http.ResponseWriter, r *http.Request) error {
	v, err := h.unitView(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("code"))
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "org/unit", v)
}

// formResult re-renders the unit page with a validation error, or redirects after success.
func (h *Handlers) formResult(w http.ResponseWriter, r *http.Request, code string, err error) error {
	if err == nil {
		http.Redirect(w, r, "/units/"+code, http.StatusSeeOther)
		return nil
	}
	if c := store.ErrorCode(err); c != store.EINVALID && c != store.ECONFLICT {
		return err
	}
	v, verr := h.unitView(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("code"))
	if verr != nil {
		return verr
	}
	v.Error = h.srv.ErrorMessage(r, err)
	return h.srv.PageStatus(w, r, web.Status(err), "org/unit", v)
}

func (h *Handlers) rename(w http.ResponseWriter, r *http.Request) error {
	_, err := h.svc.Rename(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("code"), r.PostFormValue("name"))
	return h.formResult(w, r, r.PathValue("code"), err)
}

func (h *Handlers) create(w http.ResponseWriter, r *http.Request) error {
	_, err := h.svc.Create(r.Context(), web.PrincipalFrom(r.Context()), NewUnit{
		ParentCode: r.PathValue("code"), Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Type: r.PostFormValue("type")})
	return h.formResult(w, r, r.PathValue("code"), err)
}

func (h *Handlers) apiRoots(w http.ResponseWriter, r *http.Request) error {
	us, err := h.svc.Roots(r.Context(), web.PrincipalFrom(r.Context()))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"units": nonNil(us)})
	return nil
}

func (h *Handlers) apiUnit(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	u, err := h.svc.ByCode(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	c, err := h.card(r.Context(), p, u)
	if err != nil {
		return err
	}
	out := map[string]any{"unit": u, "stats": c.Stats}
	if c.Members >= 0 {
		out["members"] = c.Members
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handlers) apiChildren(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	u, err := h.svc.ByCode(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	cs, err := h.svc.Children(r.Context(), p, u)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"units": nonNil(cs)})
	return nil
}

func (h *Handlers) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in NewUnit
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.ParentCode == "" {
		return store.Invalid("parent_code", "err.required", "%s is required", "parent_code")
	}
	u, err := h.svc.Create(r.Context(), web.PrincipalFrom(r.Context()), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"unit": u})
	return nil
}

func (h *Handlers) apiRename(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	u, err := h.svc.Rename(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("code"), in.Name)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"unit": u})
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Messages are the org texts.
var Messages = web.Messages{
	"org.home_title":      {"vi": "Đơn vị của tôi", "en": "My units"},
	"org.hello":           {"vi": "Xin chào đồng chí %s.", "en": "Hello, %s."},
	"org.no_units":        {"vi": "Đồng chí chưa được giao vai trò ở đơn vị nào. Liên hệ văn phòng cấp ủy.", "en": "You have no role on any unit yet. Contact your committee's office."},
	"org.sub_units":       {"vi": "Đơn vị trực thuộc", "en": "Sub-units"},
	"org.cells":           {"vi": "Chi bộ", "en": "Cells"},
	"org.members":         {"vi": "Đảng viên", "en": "Members"},
	"org.member_list":     {"vi": "Danh sách đảng viên", "en": "Member list"},
	"org.code":            {"vi": "Mã đơn vị", "en": "Unit code"},
	"org.name":            {"vi": "Tên đơn vị", "en": "Unit name"},
	"org.type":            {"vi": "Loại đơn vị", "en": "Unit type"},
	"org.rename":          {"vi": "Đổi tên", "en": "Rename"},
	"org.add_child":       {"vi": "Thêm đơn vị trực thuộc", "en": "Add a sub-unit"},
	"org.add":             {"vi": "Thêm", "en": "Add"},
	"org.breadcrumb":      {"vi": "Vị trí trong cây tổ chức", "en": "Place in the organization tree"},
	"org.none":            {"vi": "Không có đơn vị trực thuộc.", "en": "No sub-units."},
	"org.code_invalid":    {"vi": "Mã đơn vị gồm 1–64 ký tự: chữ in hoa không dấu, số, dấu chấm, gạch ngang.", "en": "Unit codes have 1–64 characters: A–Z, 0–9, dot, dash or underscore."},
	"org.name_required":   {"vi": "Vui lòng nhập tên đơn vị.", "en": "The unit name is required."},
	"org.type_invalid":    {"vi": "Loại đơn vị không hợp lệ.", "en": "Unknown unit type."},
	"org.code_taken":      {"vi": "Mã đơn vị này đã tồn tại.", "en": "This unit code already exists."},
	"org.type.central":    {"vi": "Trung ương", "en": "Central"},
	"org.type.province":   {"vi": "Đảng bộ tỉnh, thành phố", "en": "Province or city"},
	"org.type.commune":    {"vi": "Đảng bộ xã, phường", "en": "Commune or ward"},
	"org.type.grassroots": {"vi": "Tổ chức cơ sở đảng", "en": "Grassroots organization"},
	"org.type.cell":       {"vi": "Chi bộ", "en": "Cell"},
	"org.stats_link":      {"vi": "Xem thống kê đảng viên", "en": "See member statistics"},
}
