package document

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"dais/internal/store"
	"dais/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

//go:embed static/*
var static embed.FS

// Templates are the document pages, registered under "document/".
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// Handlers serve the document pages and API.
type Handlers struct {
	srv *web.Server
	svc *Service
}

// Routes registers the document pages and API. Uploads get their own body limit: the
// service's maximum plus room for the form around the file.
func Routes(srv *web.Server, svc *Service) {
	h := &Handlers{srv: srv, svc: svc}
	limit := svc.MaxBytes() + 1<<20
	srv.Public("GET /static/document/{file}", h.asset)
	srv.Private("GET /documents", h.list)
	srv.Private("GET /documents/new", h.newForm)
	srv.PrivateLimit("POST /documents", limit, h.create)
	srv.Private("GET /documents/{id}", h.read)
	srv.Private("GET /documents/{id}/v/{n}", h.read)
	srv.Private("GET /documents/{id}/v/{n}/image", h.image)
	srv.Private("GET /documents/{id}/v/{n}/{format}", h.download)
	srv.PrivateLimit("POST /documents/{id}/versions", limit, h.addVersion)
	srv.Private("GET /documents/{id}/diff", h.diff)
	srv.Private("POST /documents/{id}/v/{n}/notes", h.note)
	srv.Private("POST /documents/{id}/v/{n}/bookmarks", h.bookmark)
	srv.Private("GET /api/v1/documents", h.apiList)
	srv.PrivateLimit("POST /api/v1/documents", limit, h.apiCreate)
	srv.Private("GET /api/v1/documents/{id}", h.apiGet)
	srv.Private("GET /api/v1/documents/{id}/versions", h.apiVersions)
	srv.PrivateLimit("POST /api/v1/documents/{id}/versions", limit, h.apiAddVersion)
	srv.Private("GET /api/v1/documents/{id}/diff", h.apiDiff)
}

// asset serves the reader's script and style sheet (the CSP allows only our own origin).
func (h *Handlers) asset(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("file")
	b, err := static.ReadFile("static/" + name)
	if err != nil || strings.Contains(name, "/") {
		return store.NotFound("file")
	}
	ct := mime.TypeByExtension(name[strings.LastIndexByte(name, '.'):])
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, err = w.Write(b)
	return err
}

type listView struct {
	Docs      []Document
	MeetingID string
	CanUpload bool
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	ds, err := h.svc.List(r.Context(), p, r.URL.Query().Get("meeting"))
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "document/list", listView{Docs: ds, MeetingID: r.URL.Query().Get("meeting"), CanUpload: p.CanAny(store.PermUnitWrite)})
}

type unitOption struct{ Code, Name string }

type roleOption struct {
	Name    string
	Checked bool
}

type formView struct {
	Units           []unitOption
	RoleOpts        []roleOption
	Classifications []string
	In              NewDocument
	Error           string
	MaxMB           int64
}

func (h *Handlers) form(p *store.Principal, in NewDocument) formView {
	v := formView{Classifications: Classifications, In: in, MaxMB: h.svc.MaxBytes() >> 20}
	for _, g := range p.Grants {
		if store.RoleAllows(g.Role, store.PermUnitWrite) && !slices.ContainsFunc(v.Units, func(u unitOption) bool { return u.Code == g.UnitCode }) {
			v.Units = append(v.Units, unitOption{Code: g.UnitCode, Name: g.UnitName})
		}
	}
	if v.In.UnitCode == "" && len(v.Units) > 0 {
		v.In.UnitCode = v.Units[0].Code
	}
	if v.In.Classification == "" {
		v.In.Classification = Internal
	}
	if v.In.ReadRoles == nil {
		v.In.ReadRoles = []string{RolePresidium, RoleSecretariat, RoleDelegate}
	}
	for _, r := range ReadRoles() {
		v.RoleOpts = append(v.RoleOpts, roleOption{Name: r, Checked: slices.Contains(v.In.ReadRoles, r)})
	}
	return v
}

func (h *Handlers) newForm(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	if !p.CanAny(store.PermUnitWrite) {
		return &store.Error{Code: store.EFORBIDDEN, Key: "doc.forbidden_upload", Message: "not allowed to upload documents"}
	}
	return h.srv.Page(w, r, "document/new", h.form(p, NewDocument{MeetingID: r.URL.Query().Get("meeting")}))
}

// readUpload parses a multipart upload and returns the fields and the file (read up to
// the service's limit plus one byte, so that an oversized file is told apart).
func (h *Handlers) readUpload(r *http.Request) (map[string][]string, []byte, string, error) {
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var me *http.MaxBytesError
		if errors.As(err, &me) {
			return nil, nil, "", err
		}
		return nil, nil, "", store.Invalid("file", "doc.multipart", "send the file as multipart/form-data in the field \"file\"")
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		return r.MultipartForm.Value, nil, "", store.Invalid("file", "doc.no_file", "choose a file to upload")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, h.svc.MaxBytes()+1))
	if err != nil {
		return nil, nil, "", err
	}
	return r.MultipartForm.Value, data, fh.Filename, nil
}

func first(vals map[string][]string, k string) string {
	if v := vals[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func newDocumentFrom(vals map[string][]string, data []byte, name string) NewDocument {
	return NewDocument{UnitCode: first(vals, "unit_code"), MeetingID: first(vals, "meeting_id"), Title: first(vals, "title"),
		Classification: first(vals, "classification"), ReadRoles: vals["read_roles"], State: first(vals, "state"),
		Note: first(vals, "note"), Filename: name, Data: data}
}

func (h *Handlers) create(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	vals, data, name, err := h.readUpload(r)
	in := newDocumentFrom(vals, data, name)
	if err == nil {
		var d Document
		if d, err = h.svc.Upload(r.Context(), p, in); err == nil {
			http.Redirect(w, r, "/documents/"+d.ID, http.StatusSeeOther)
			return nil
		}
	}
	if store.ErrorCode(err) != store.EINVALID || vals == nil {
		return err
	}
	v := h.form(p, in)
	v.Error = h.srv.ErrorMessage(r, err)
	return h.srv.PageStatus(w, r, http.StatusUnprocessableEntity, "document/new", v)
}

func (h *Handlers) addVersion(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	vals, data, name, err := h.readUpload(r)
	if err != nil {
		return err
	}
	base, _ := strconv.Atoi(first(vals, "base"))
	d, err := h.svc.AddVersion(r.Context(), p, r.PathValue("id"), NewVersion{Base: base, State: first(vals, "state"), Note: first(vals, "note"), Filename: name, Data: data})
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/documents/%s/v/%d", d.ID, d.Version), http.StatusSeeOther)
	return nil
}

func pathVersion(r *http.Request) (int, error) {
	s := r.PathValue("n")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, store.NotFound("version")
	}
	return n, nil
}

type readView struct {
	Doc       Document
	Version   Version
	Versions  []Version
	Article   template.HTML
	Overlay   template.HTML // a restricted copy's marks (internal/leak), over the article
	Marks     []Mark
	CanManage bool
	Formats   []string
	Latest    bool
	Notes     map[int]string
}

func (h *Handlers) read(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	n, err := pathVersion(r)
	if err != nil {
		return err
	}
	d, v, err := h.svc.Version(r.Context(), p, r.PathValue("id"), n)
	if err != nil {
		return err
	}
	vs, err := h.svc.Versions(r.Context(), p, d.ID)
	if err != nil {
		return err
	}
	marks, err := h.svc.Marks(r.Context(), p, d.ID, v.Version)
	if err != nil {
		return err
	}
	classes := map[int]string{}
	for _, m := range marks {
		classes[m.Para] += " has-" + m.Kind
	}
	overlay, err := h.svc.Overlay(r.Context(), p, &d, &v, web.Lang(r))
	if err != nil {
		return err
	}
	view := readView{Doc: d, Version: v, Versions: vs, Marks: marks, CanManage: d.CanManage(p), Latest: v.Version == d.Version,
		Article: template.HTML(renderBlocks(v.Blocks, fmt.Sprintf("/documents/%s/v/%d/image", d.ID, v.Version), classes)), Overlay: overlay}
	for _, f := range []string{FormatEPUB, FormatPDF, FormatOriginal} {
		if Allowed(&d, &v, f) {
			view.Formats = append(view.Formats, f)
		}
	}
	return h.srv.Page(w, r, "document/read", view)
}

func (h *Handlers) serve(w http.ResponseWriter, r *http.Request, format string) error {
	n, err := pathVersion(r)
	if err != nil {
		return err
	}
	c, err := h.svc.Serve(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"), n, format, web.Lang(r))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", c.ContentType)
	disp := "attachment"
	if c.Inline {
		disp = "inline"
	}
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": c.Filename}))
	// A served file is never a page: it may run nothing even if a browser renders it.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
	w.Header().Set("Content-Length", strconv.Itoa(len(c.Body)))
	_, err = w.Write(c.Body)
	return err
}

func (h *Handlers) image(w http.ResponseWriter, r *http.Request) error {
	return h.serve(w, r, FormatImage)
}

func (h *Handlers) download(w http.ResponseWriter, r *http.Request) error {
	f := r.PathValue("format")
	if f != FormatEPUB && f != FormatPDF && f != FormatOriginal {
		return store.NotFound("page")
	}
	return h.serve(w, r, f)
}

// markForm reads the paragraph number of a note or bookmark form.
func markForm(r *http.Request) (int, error) {
	para, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("para")))
	if err != nil {
		return 0, store.Invalid("para", "doc.para_number", "give the paragraph number")
	}
	return para, nil
}

func (h *Handlers) afterMark(w http.ResponseWriter, r *http.Request, n, para int) error {
	http.Redirect(w, r, fmt.Sprintf("/documents/%s/v/%d#p-%d", r.PathValue("id"), n, para), http.StatusSeeOther)
	return nil
}

func (h *Handlers) note(w http.ResponseWriter, r *http.Request) error {
	n, err := pathVersion(r)
	if err != nil {
		return err
	}
	para, err := markForm(r)
	if err != nil {
		return err
	}
	if err := h.svc.SetNote(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"), n, para, r.PostFormValue("body")); err != nil {
		return err
	}
	return h.afterMark(w, r, n, para)
}

func (h *Handlers) bookmark(w http.ResponseWriter, r *http.Request) error {
	n, err := pathVersion(r)
	if err != nil {
		return err
	}
	para, err := markForm(r)
	if err != nil {
		return err
	}
	if err := h.svc.SetBookmark(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"), n, para, r.PostFormValue("on") != "0"); err != nil {
		return err
	}
	return h.afterMark(w, r, n, para)
}

// diffRange reads ?from=&to= (defaults: the previous and the current version).
func (h *Handlers) diffRange(r *http.Request) (Document, int, int, error) {
	d, err := h.svc.Get(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return d, 0, 0, err
	}
	from, to := max(1, d.Version-1), d.Version
	for _, f := range []struct {
		name string
		dst  *int
	}{{"from", &from}, {"to", &to}} {
		if s := r.URL.Query().Get(f.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > d.Version {
				return d, 0, 0, &store.Error{Code: store.EINVALID, Key: "doc.diff_range", Args: []any{d.Version}, Field: f.name,
					Message: fmt.Sprintf("%s must be a version from 1 to %d", f.name, d.Version)}
			}
			*f.dst = n
		}
	}
	return d, from, to, nil
}

type diffView struct {
	Doc      Document
	From, To int
	Rows     []DiffPara
	Aligned  bool
	Versions []int
	Counts   map[string]int
}

func (h *Handlers) diff(w http.ResponseWriter, r *http.Request) error {
	d, from, to, err := h.diffRange(r)
	if err != nil {
		return err
	}
	rows, ok, err := h.svc.Compare(r.Context(), web.PrincipalFrom(r.Context()), d.ID, from, to)
	if err != nil {
		return err
	}
	v := diffView{Doc: d, From: from, To: to, Rows: rows, Aligned: ok, Counts: map[string]int{}}
	for i := d.Version; i >= 1; i-- {
		v.Versions = append(v.Versions, i)
	}
	for _, row := range rows {
		v.Counts[string(row.Op)]++
	}
	return h.srv.Page(w, r, "document/diff", v)
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	ds, err := h.svc.List(r.Context(), web.PrincipalFrom(r.Context()), r.URL.Query().Get("meeting"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"documents": ds})
	return nil
}

func (h *Handlers) apiCreate(w http.ResponseWriter, r *http.Request) error {
	vals, data, name, err := h.readUpload(r)
	if err != nil {
		return err
	}
	d, err := h.svc.Upload(r.Context(), web.PrincipalFrom(r.Context()), newDocumentFrom(vals, data, name))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"document": d})
	return nil
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) error {
	d, v, err := h.svc.Version(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"), 0)
	if err != nil {
		return err
	}
	paras := make([]map[string]any, len(v.Blocks))
	for i, b := range v.Blocks {
		paras[i] = map[string]any{"n": i + 1, "tag": b.Tag, "text": b.Text}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"document": d, "paragraphs": paras})
	return nil
}

func (h *Handlers) apiVersions(w http.ResponseWriter, r *http.Request) error {
	vs, err := h.svc.Versions(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"versions": vs})
	return nil
}

func (h *Handlers) apiAddVersion(w http.ResponseWriter, r *http.Request) error {
	vals, data, name, err := h.readUpload(r)
	if err != nil {
		return err
	}
	base, _ := strconv.Atoi(first(vals, "base"))
	d, err := h.svc.AddVersion(r.Context(), web.PrincipalFrom(r.Context()), r.PathValue("id"),
		NewVersion{Base: base, State: first(vals, "state"), Note: first(vals, "note"), Filename: name, Data: data})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"document": d})
	return nil
}

func (h *Handlers) apiDiff(w http.ResponseWriter, r *http.Request) error {
	d, from, to, err := h.diffRange(r)
	if err != nil {
		return err
	}
	rows, ok, err := h.svc.Compare(r.Context(), web.PrincipalFrom(r.Context()), d.ID, from, to)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "aligned": ok, "paragraphs": rows})
	return nil
}
