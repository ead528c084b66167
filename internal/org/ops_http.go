package org

import (
	"net/http"
	"strings"

	"dais/internal/store"
	"dais/internal/web"
)

func (h *Handlers) opsRoutes() {
	h.srv.Private("GET /units/{code}/history", h.history)
	h.srv.Private("GET /units/{code}/tree", h.tree)
	h.srv.Private("POST /units/{code}/move", h.move)
	h.srv.Private("POST /units/{code}/merge", h.merge)
	h.srv.Private("POST /units/{code}/split", h.split)
	h.srv.Private("POST /units/{code}/dissolve", h.dissolve)
	h.srv.Private("GET /api/v1/units/{code}/history", h.apiHistory)
	h.srv.Private("POST /api/v1/units/{code}/move", h.apiMove)
	h.srv.Private("POST /api/v1/units/{code}/merge", h.apiMerge)
	h.srv.Private("POST /api/v1/units/{code}/split", h.apiSplit)
	h.srv.Private("POST /api/v1/units/{code}/dissolve", h.apiDissolve)
}

func (h *Handlers) history(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	u, err := h.svc.ByCode(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	evs, err := h.svc.History(r.Context(), p, u.Code)
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "org/history", map[string]any{"Unit": u, "Events": evs})
}

// tree is the expandable tree browser's fragment: a unit's children, each expandable.
func (h *Handlers) tree(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	u, err := h.svc.ByCode(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	kids, err := h.svc.Children(r.Context(), p, u)
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "org/tree", map[string]any{"Unit": u, "Children": kids})
}

func (h *Handlers) move(w http.ResponseWriter, r *http.Request) error {
	_, err := h.svc.Move(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("code"), r.PostFormValue("parent_code"))
	return h.formResult(w, r, r.PathValue("code"), err)
}

// codes splits "A, B C" into upper-cased codes.
func codes(s string) []string {
	return strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' })
}

func (h *Handlers) merge(w http.ResponseWriter, r *http.Request) error {
	sources := append([]string{r.PathValue("code")}, codes(r.PostFormValue("others"))...)
	t, err := h.svc.Merge(r.Context(), web.PrincipalFrom(r.Context()), sources,
		NewUnit{Code: r.PostFormValue("target_code"), Name: r.PostFormValue("target_name")}, h.movers...)
	if err == nil {
		http.Redirect(w, r, "/units/"+t.Code, http.StatusSeeOther)
		return nil
	}
	return h.formResult(w, r, r.PathValue("code"), err)
}

func (h *Handlers) split(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return store.Invalid("form", "err.invalid", "bad form")
	}
	part := SplitPart{Unit: NewUnit{Code: r.PostFormValue("new_code"), Name: r.PostFormValue("new_name")}, SubUnits: r.PostForm["sub_units"]}
	_, err := h.svc.Split(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("code"), []SplitPart{part}, h.members)
	return h.formResult(w, r, r.PathValue("code"), err)
}

func (h *Handlers) dissolve(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	u, err := h.svc.ByCode(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	if err := h.svc.Dissolve(r.Context(), p, u.Code, r.PostFormValue("reason"), h.members); err != nil {
		return h.formResult(w, r, u.Code, err)
	}
	target := "/"
	if u.ParentID != "" {
		if ps, _ := h.svc.Ancestors(r.Context(), p, u); len(ps) > 0 {
			target = "/units/" + ps[len(ps)-1].Code
		}
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

func (h *Handlers) apiHistory(w http.ResponseWriter, r *http.Request) error {
	evs, err := h.svc.History(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("code"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"events": nonNil(evs)})
	return nil
}

func (h *Handlers) apiMove(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		ParentCode string `json:"parent_code"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	u, err := h.svc.Move(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("code"), in.ParentCode)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"unit": u})
	return nil
}

func (h *Handlers) apiMerge(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Others []string `json:"others"` // more units merged along with this one
		Target NewUnit  `json:"target"` // an existing unit's code, or a new unit
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	u, err := h.svc.Merge(r.Context(), web.PrincipalFrom(r.Context()), append([]string{r.PathValue("code")}, in.Others...), in.Target, h.movers...)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"unit": u})
	return nil
}

func (h *Handlers) apiSplit(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Parts []SplitPart `json:"parts"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	us, err := h.svc.Split(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("code"), in.Parts, h.members)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"units": us})
	return nil
}

func (h *Handlers) apiDissolve(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.svc.Dissolve(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("code"), in.Reason, h.members); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// OpsMessages are the texts of unit history and operations.
var OpsMessages = web.Messages{
	"org.history":           {"vi": "Lịch sử đơn vị", "en": "Unit history"},
	"org.event.create":      {"vi": "Thành lập", "en": "Created"},
	"org.event.rename":      {"vi": "Đổi tên", "en": "Renamed"},
	"org.event.move":        {"vi": "Chuyển cấp trực thuộc", "en": "Moved"},
	"org.event.merge_in":    {"vi": "Tiếp nhận đơn vị hợp nhất", "en": "Merged in"},
	"org.event.merged_into": {"vi": "Hợp nhất vào đơn vị khác", "en": "Merged into another unit"},
	"org.event.split_from":  {"vi": "Thành lập do chia tách", "en": "Created by a split"},
	"org.event.split_into":  {"vi": "Chia tách", "en": "Split"},
	"org.event.dissolve":    {"vi": "Giải thể", "en": "Dissolved"},
	"org.ops":               {"vi": "Sắp xếp tổ chức", "en": "Reorganize"},
	"org.move_to":           {"vi": "Chuyển về trực thuộc đơn vị (mã)", "en": "Move under unit (code)"},
	"org.move":              {"vi": "Chuyển", "en": "Move"},
	"org.merge":             {"vi": "Hợp nhất", "en": "Merge"},
	"org.merge_others":      {"vi": "Cùng hợp nhất với các đơn vị (mã, cách nhau bởi dấu phẩy)", "en": "Together with units (codes, comma-separated)"},
	"org.merge_target":      {"vi": "Vào đơn vị (mã đơn vị có sẵn hoặc mã mới)", "en": "Into unit (an existing code or a new one)"},
	"org.merge_target_name": {"vi": "Tên đơn vị mới (nếu là mã mới)", "en": "New unit's name (for a new code)"},
	"org.split":             {"vi": "Chia tách", "en": "Split"},
	"org.split_new_code":    {"vi": "Mã đơn vị mới", "en": "New unit code"},
	"org.split_new_name":    {"vi": "Tên đơn vị mới", "en": "New unit name"},
	"org.split_sub_units":   {"vi": "Các đơn vị trực thuộc chuyển sang đơn vị mới", "en": "Sub-units that go to the new unit"},
	"org.dissolve":          {"vi": "Giải thể", "en": "Dissolve"},
	"org.dissolve_reason":   {"vi": "Lý do giải thể", "en": "Reason"},
	"org.tree":              {"vi": "Cây tổ chức", "en": "Organization tree"},
	"org.expand":            {"vi": "Mở %s", "en": "Expand %s"},
	"org.transfers":         {"vi": "Chuyển sinh hoạt", "en": "Transfers"},
	"org.add_member":        {"vi": "Thêm đảng viên", "en": "Add a member"},
	"org.move_cycle":        {"vi": "Không thể chuyển một đơn vị vào chính cấp dưới của nó.", "en": "A unit cannot move under itself."},
	"org.merge_sources":     {"vi": "Danh sách đơn vị hợp nhất không hợp lệ.", "en": "Invalid list of units to merge."},
	"org.merge_root":        {"vi": "Không thể hợp nhất hoặc chia tách cấp cao nhất.", "en": "The root cannot be merged or split."},
	"org.merge_self":        {"vi": "Không thể hợp nhất một đơn vị vào chính nó.", "en": "A unit cannot merge into itself."},
	"org.split_parts":       {"vi": "Cần ít nhất một đơn vị mới.", "en": "Name at least one new unit."},
	"org.split_child":       {"vi": "Đơn vị này không trực thuộc đơn vị được chia tách.", "en": "That unit is not a sub-unit of the one being split."},
	"org.reason_required":   {"vi": "Vui lòng nhập lý do.", "en": "A reason is required."},
	"org.not_empty":         {"vi": "Đơn vị còn đơn vị trực thuộc hoặc đảng viên: hãy hợp nhất hoặc chuyển trước.", "en": "The unit still has sub-units or members: merge or move them first."},
}
