package meeting

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dais/internal/store"
	"dais/internal/web"
)

//go:embed templates/*.html templates/meeting.css
var templates embed.FS

// Templates are the meeting pages, registered under "meeting/".
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// DocumentTitles names the documents attached to agenda items (internal/document can
// implement it); without it the pages show numbered links.
type DocumentTitles interface {
	DocumentTitles(ctx context.Context, p *store.Principal, ids []string) (map[string]string, error)
}

// Options configure Routes.
type Options struct {
	Documents DocumentTitles // may be nil
	Place     string         // the place printed on the minutes' date line, e.g. "Bắc Ninh"
}

// Handlers serve the meeting pages and API.
type Handlers struct {
	srv  *web.Server
	svc  *Service
	opts Options
}

// Routes registers the meeting pages and API.
func Routes(srv *web.Server, svc *Service, opts Options) {
	h := &Handlers{srv: srv, svc: svc, opts: opts}
	srv.Public("GET /meetings/meeting.css", h.css)
	srv.Public("GET /meetings/tablet.js", h.tabletScript)
	srv.Public("GET /meetings/sw.js", h.serviceWorker)
	srv.Private("GET /meetings", h.mine)
	srv.Private("GET /units/{code}/meetings", h.unitList)
	srv.Private("GET /units/{code}/meetings/new", h.newForm)
	srv.Private("POST /units/{code}/meetings", h.create)
	srv.Private("GET /meetings/{id}", h.show)
	srv.Private("POST /meetings/{id}", h.update)
	srv.Private("POST /meetings/{id}/sessions", h.addSession)
	srv.Private("POST /meetings/{id}/sessions/{sid}", h.updateSession)
	srv.Private("POST /meetings/{id}/sessions/{sid}/delete", h.deleteSession)
	srv.Private("POST /meetings/{id}/items", h.addItem)
	srv.Private("POST /meetings/{id}/items/{item}", h.updateItem)
	srv.Private("POST /meetings/{id}/items/{item}/move", h.moveItem)
	srv.Private("POST /meetings/{id}/items/{item}/delete", h.deleteItem)
	srv.Private("POST /meetings/{id}/participants", h.addParticipant)
	srv.Private("POST /meetings/{id}/participants/{uid}", h.updateParticipant)
	srv.Private("POST /meetings/{id}/participants/{uid}/remove", h.removeParticipant)
	srv.Private("POST /meetings/{id}/participants/{uid}/answer", h.answerFor)
	srv.Private("POST /meetings/{id}/answer", h.answer)
	srv.Private("GET /meetings/{id}/tablet", h.tablet)
	srv.Private("GET /meetings/{id}/tablet/current", h.tabletCurrent)
	srv.Private("GET /meetings/{id}/tablet/agenda", h.tabletAgenda)
	srv.Private("POST /meetings/{id}/notes", h.saveNote)
	srv.Private("GET /meetings/{id}/control", h.control)
	srv.Private("POST /meetings/{id}/current", h.setCurrent)
	srv.Private("GET /meetings/{id}/minutes", h.minutes)
	srv.Private("POST /meetings/{id}/minutes", h.saveMinutes)
	srv.Private("POST /meetings/{id}/minutes/finalize", h.finalize)
	srv.Private("GET /meetings/{id}/minutes.pdf", h.minutesPDF)

	srv.Private("GET /api/v1/meetings", h.apiMine)
	srv.Private("GET /api/v1/units/{code}/meetings", h.apiUnitList)
	srv.Private("POST /api/v1/units/{code}/meetings", h.apiCreate)
	srv.Private("GET /api/v1/meetings/{id}", h.apiGet)
	srv.Private("PATCH /api/v1/meetings/{id}", h.apiPatch)
	srv.Private("POST /api/v1/meetings/{id}/sessions", h.apiAddSession)
	srv.Private("POST /api/v1/meetings/{id}/items", h.apiAddItem)
	srv.Private("PATCH /api/v1/meetings/{id}/items/{item}", h.apiUpdateItem)
	srv.Private("DELETE /api/v1/meetings/{id}/items/{item}", h.apiDeleteItem)
	srv.Private("PUT /api/v1/meetings/{id}/sessions/{session}/order", h.apiReorder)
	srv.Private("GET /api/v1/meetings/{id}/participants", h.apiParticipants)
	srv.Private("POST /api/v1/meetings/{id}/participants", h.apiAddParticipant)
	srv.Private("DELETE /api/v1/meetings/{id}/participants/{user}", h.apiRemoveParticipant)
	srv.Private("POST /api/v1/meetings/{id}/answer", h.apiAnswer)
	srv.Private("GET /api/v1/meetings/{id}/reminders", h.apiReminders)
	srv.Private("PUT /api/v1/meetings/{id}/current", h.apiSetCurrent)
	srv.Private("GET /api/v1/meetings/{id}/minutes", h.apiMinutes)
	srv.Private("PUT /api/v1/meetings/{id}/minutes", h.apiSaveMinutes)
	srv.Private("POST /api/v1/meetings/{id}/minutes/finalize", h.apiFinalize)
}

func (h *Handlers) css(w http.ResponseWriter, r *http.Request) error {
	b, err := templates.ReadFile("templates/meeting.css")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, err = w.Write(b)
	return err
}

func principal(r *http.Request) *store.Principal { return web.PrincipalFrom(r.Context()) }

// seeOther answers a form post: back to the page (htmx follows the redirect too).
func seeOther(w http.ResponseWriter, r *http.Request, target string) error {
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// userErr reports whether err is the user's to fix (shown on the form), not a failure.
func userErr(err error) bool {
	switch store.ErrorCode(err) {
	case store.EINVALID, store.ECONFLICT:
		return true
	}
	return false
}

// --- lists ------------------------------------------------------------------------------

type listView struct {
	Unit      *Unit
	Meetings  []Meeting
	CanCreate bool
	Units     []store.Grant // where the caller may create meetings
}

func (h *Handlers) mine(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	ms, err := h.svc.Mine(r.Context(), p)
	if err != nil {
		return err
	}
	v := listView{Meetings: ms}
	seen := map[string]bool{}
	for _, g := range p.Grants {
		if (store.RoleAllows(g.Role, store.PermUnitWrite) || store.RoleAllows(g.Role, store.PermMemberRead)) && !seen[g.UnitCode] {
			seen[g.UnitCode] = true
			v.Units = append(v.Units, g)
		}
	}
	return h.srv.Page(w, r, "meeting/list", v)
}

func (h *Handlers) unitList(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	u, err := h.svc.UnitByCode(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	ms, err := h.svc.ForUnit(r.Context(), p, u)
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "meeting/list", listView{Unit: &u, Meetings: ms, CanCreate: u.CanCreate(p)})
}

// --- create and edit --------------------------------------------------------------------

type formView struct {
	Unit     Unit
	Meeting  Meeting
	Kinds    []string
	Statuses []string
	Error    string
	Field    string
}

func (h *Handlers) newForm(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	u, err := h.svc.UnitByCode(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	if !u.CanCreate(p) {
		return forbidden("not allowed to create meetings here")
	}
	start := time.Now().In(Zone).AddDate(0, 0, 7).Truncate(time.Hour)
	start = time.Date(start.Year(), start.Month(), start.Day(), 8, 0, 0, 0, Zone)
	m := Meeting{Kind: KindCell, StartsAt: start, EndsAt: start.Add(3 * time.Hour), Status: StatusPlanned}
	return h.srv.Page(w, r, "meeting/new", formView{Unit: u, Meeting: m, Kinds: Kinds, Statuses: Statuses})
}

// formInput reads the meeting form.
func formInput(r *http.Request) (Input, error) {
	in := Input{Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"), Place: r.PostFormValue("place"),
		OnlineURL: r.PostFormValue("online_url"), Status: r.PostFormValue("status")}
	var err error
	if in.StartsAt, err = ParseTime("starts_at", r.PostFormValue("starts_at")); err != nil {
		return in, err
	}
	if in.EndsAt, err = ParseTime("ends_at", r.PostFormValue("ends_at")); err != nil {
		return in, err
	}
	return in, nil
}

func (h *Handlers) create(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	u, err := h.svc.UnitByCode(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	in, err := formInput(r)
	var m Meeting
	if err == nil {
		m, err = h.svc.Create(r.Context(), p, u.Code, in)
	}
	if userErr(err) {
		back := Meeting{Kind: in.Kind, Title: r.PostFormValue("title"), Place: in.Place, OnlineURL: in.OnlineURL, StartsAt: in.StartsAt, EndsAt: in.EndsAt}
		var e *store.Error
		errors.As(err, &e)
		return h.srv.PageStatus(w, r, web.Status(err), "meeting/new", formView{Unit: u, Meeting: back, Kinds: Kinds, Statuses: Statuses,
			Error: h.srv.ErrorMessage(r, err), Field: e.Field})
	}
	if err != nil {
		return err
	}
	return seeOther(w, r, "/meetings/"+m.ID)
}

// showView is the prepare page (organizers) or the meeting's overview (participants).
type showView struct {
	M            Meeting
	R            Rights
	Agenda       Agenda
	Participants []Participant
	Counts       Counts
	Reminders    []Participant
	Me           *Participant
	Versions     []Version
	Kinds        []string
	Statuses     []string
	Roles        []string
	Answers      []string
	Error        string
	Section      string // where the error belongs: "meeting", "agenda", "participants"
	Form         url.Values
}

func (h *Handlers) showData(ctx context.Context, p *store.Principal, id string) (showView, error) {
	m, ag, err := h.svc.Agenda(ctx, p, id)
	if err != nil {
		return showView{}, err
	}
	v := showView{M: m, R: h.svc.Rights(p, m), Agenda: ag, Kinds: Kinds, Statuses: Statuses, Roles: Roles,
		Answers: []string{AnswerInvited, AnswerAccepted, AnswerExcused}, Form: url.Values{}}
	if v.Participants, err = h.svc.Participants(ctx, p, id); err != nil {
		return v, err
	}
	v.Counts = Count(v.Participants)
	for i := range v.Participants {
		if pp := &v.Participants[i]; pp.UserID == userID(p) {
			v.Me = pp
		}
		if v.Participants[i].Answer == AnswerInvited {
			v.Reminders = append(v.Reminders, v.Participants[i])
		}
	}
	if v.Versions, err = h.svc.Versions(ctx, p, id); err != nil {
		return v, err
	}
	return v, nil
}

func (h *Handlers) show(w http.ResponseWriter, r *http.Request) error {
	v, err := h.showData(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "meeting/show", v)
}

// formResult ends a form post on the prepare page: back to the page on success, or the
// page again with the message (and what was typed) on the user's error.
func (h *Handlers) formResult(w http.ResponseWriter, r *http.Request, section string, err error) error {
	id := r.PathValue("id")
	if err == nil {
		return seeOther(w, r, "/meetings/"+id+"#"+section)
	}
	if !userErr(err) {
		return err
	}
	v, verr := h.showData(r.Context(), principal(r), id)
	if verr != nil {
		return verr
	}
	v.Error, v.Section, v.Form = h.srv.ErrorMessage(r, err), section, r.PostForm
	return h.srv.PageStatus(w, r, web.Status(err), "meeting/show", v)
}

func formVersion(r *http.Request) int {
	n, _ := strconv.Atoi(r.PostFormValue("version"))
	return n
}

func (h *Handlers) update(w http.ResponseWriter, r *http.Request) error {
	in, err := formInput(r)
	if err == nil {
		_, err = h.svc.Update(r.Context(), principal(r), r.PathValue("id"), formVersion(r), in)
	}
	return h.formResult(w, r, "meeting", err)
}

func sessionForm(r *http.Request) (SessionInput, error) {
	in := SessionInput{Title: r.PostFormValue("title")}
	var err error
	in.StartsAt, err = ParseTime("starts_at", r.PostFormValue("starts_at"))
	return in, err
}

func (h *Handlers) addSession(w http.ResponseWriter, r *http.Request) error {
	in, err := sessionForm(r)
	if err == nil {
		_, err = h.svc.AddSession(r.Context(), principal(r), r.PathValue("id"), in)
	}
	return h.formResult(w, r, "agenda", err)
}

func (h *Handlers) updateSession(w http.ResponseWriter, r *http.Request) error {
	in, err := sessionForm(r)
	if err == nil {
		err = h.svc.UpdateSession(r.Context(), principal(r), r.PathValue("id"), r.PathValue("sid"), in)
	}
	return h.formResult(w, r, "agenda", err)
}

func (h *Handlers) deleteSession(w http.ResponseWriter, r *http.Request) error {
	return h.formResult(w, r, "agenda", h.svc.DeleteSession(r.Context(), principal(r), r.PathValue("id"), r.PathValue("sid")))
}

func itemForm(r *http.Request) (ItemInput, error) {
	in := ItemInput{SessionID: r.PostFormValue("session_id"), Title: r.PostFormValue("title"), Presenter: r.PostFormValue("presenter"),
		Notes: r.PostFormValue("notes")}
	t, err := ParseTime("planned_start", r.PostFormValue("planned_start"))
	if err != nil {
		return in, err
	}
	if !t.IsZero() {
		in.PlannedStart = &t
	}
	if in.DurationMin, err = ParseMinutes("duration_min", r.PostFormValue("duration_min")); err != nil {
		return in, err
	}
	in.Documents, err = ParseDocumentIDs(r.PostFormValue("documents"))
	return in, err
}

func (h *Handlers) addItem(w http.ResponseWriter, r *http.Request) error {
	in, err := itemForm(r)
	if err == nil {
		_, err = h.svc.AddItem(r.Context(), principal(r), r.PathValue("id"), in)
	}
	return h.formResult(w, r, "agenda", err)
}

func (h *Handlers) updateItem(w http.ResponseWriter, r *http.Request) error {
	in, err := itemForm(r)
	if err == nil {
		err = h.svc.UpdateItem(r.Context(), principal(r), r.PathValue("id"), r.PathValue("item"), in)
	}
	return h.formResult(w, r, "item-"+r.PathValue("item"), err)
}

func (h *Handlers) moveItem(w http.ResponseWriter, r *http.Request) error {
	delta := 1
	if r.PostFormValue("dir") == "up" {
		delta = -1
	}
	return h.formResult(w, r, "item-"+r.PathValue("item"), h.svc.MoveItem(r.Context(), principal(r), r.PathValue("id"), r.PathValue("item"), delta))
}

func (h *Handlers) deleteItem(w http.ResponseWriter, r *http.Request) error {
	return h.formResult(w, r, "agenda", h.svc.DeleteItem(r.Context(), principal(r), r.PathValue("id"), r.PathValue("item")))
}

func participantForm(r *http.Request) ParticipantInput {
	return ParticipantInput{Username: r.PostFormValue("username"), Role: r.PostFormValue("role"), DelegateNumber: r.PostFormValue("delegate_number")}
}

func (h *Handlers) addParticipant(w http.ResponseWriter, r *http.Request) error {
	_, err := h.svc.AddParticipant(r.Context(), principal(r), r.PathValue("id"), participantForm(r))
	return h.formResult(w, r, "participants", err)
}

func (h *Handlers) updateParticipant(w http.ResponseWriter, r *http.Request) error {
	err := h.svc.UpdateParticipant(r.Context(), principal(r), r.PathValue("id"), r.PathValue("uid"), participantForm(r))
	return h.formResult(w, r, "participants", err)
}

func (h *Handlers) removeParticipant(w http.ResponseWriter, r *http.Request) error {
	return h.formResult(w, r, "participants", h.svc.RemoveParticipant(r.Context(), principal(r), r.PathValue("id"), r.PathValue("uid")))
}

func (h *Handlers) answerFor(w http.ResponseWriter, r *http.Request) error {
	err := h.svc.Answer(r.Context(), principal(r), r.PathValue("id"), r.PathValue("uid"), r.PostFormValue("answer"), r.PostFormValue("reason"))
	return h.formResult(w, r, "participants", err)
}

func (h *Handlers) answer(w http.ResponseWriter, r *http.Request) error {
	err := h.svc.Answer(r.Context(), principal(r), r.PathValue("id"), "", r.PostFormValue("answer"), r.PostFormValue("reason"))
	if err == nil && r.PostFormValue("back") == "tablet" {
		return seeOther(w, r, "/meetings/"+r.PathValue("id")+"/tablet")
	}
	return h.formResult(w, r, "answer", err)
}

// --- the delegate's tablet --------------------------------------------------------------

type tabletView struct {
	LiveURL string // the SSE endpoint for this meeting, with the topic's head as cursor when known
	M       Meeting
	R       Rights
	Agenda  Agenda
	Docs    map[string]string // document ID → title
	Me      *Participant
	Note    string
	Error   string
	Saved   bool
}

func (h *Handlers) tabletData(ctx context.Context, p *store.Principal, id string, withMe bool) (tabletView, error) {
	m, ag, err := h.svc.Agenda(ctx, p, id)
	if err != nil {
		return tabletView{}, err
	}
	v := tabletView{M: m, R: h.svc.Rights(p, m), Agenda: ag, Docs: map[string]string{}, LiveURL: h.svc.liveURL(ctx, m.ID)}
	var ids []string
	for _, se := range ag.Sessions {
		for _, it := range se.Items {
			ids = append(ids, it.Documents...)
		}
	}
	if h.opts.Documents != nil && len(ids) > 0 {
		titles, err := h.opts.Documents.DocumentTitles(ctx, p, ids)
		if err != nil {
			return v, err
		}
		v.Docs = titles
	}
	if withMe {
		ps, err := h.svc.Participants(ctx, p, id)
		if err != nil {
			return v, err
		}
		for i := range ps {
			if ps[i].UserID == userID(p) {
				v.Me = &ps[i]
			}
		}
		if v.Note, err = h.svc.Note(ctx, p, id); err != nil {
			return v, err
		}
	}
	return v, nil
}

func (h *Handlers) tablet(w http.ResponseWriter, r *http.Request) error {
	v, err := h.tabletData(r.Context(), principal(r), r.PathValue("id"), true)
	if err != nil {
		return err
	}
	v.Saved = r.URL.Query().Get("saved") == "1"
	return h.srv.Page(w, r, "meeting/tablet", v)
}

// fragment renders one of the tablet's live fragments (a page whose "content" is just
// the partial the full page includes).
func (h *Handlers) fragment(w http.ResponseWriter, r *http.Request, page string) error {
	v, err := h.tabletData(r.Context(), principal(r), r.PathValue("id"), false)
	if err != nil {
		return err
	}
	rd := h.srv.Renderer()
	return rd.Execute(w, http.StatusOK, page, true, rd.View(w, r, v))
}

func (h *Handlers) tabletCurrent(w http.ResponseWriter, r *http.Request) error {
	return h.fragment(w, r, "meeting/frag_current")
}

func (h *Handlers) tabletAgenda(w http.ResponseWriter, r *http.Request) error {
	return h.fragment(w, r, "meeting/frag_agenda")
}

// saveNote saves the caller's notes. An idempotency key (the Idempotency-Key header or
// the "key" field) makes a replay of the same save answer the same without a second
// write. The tablet's script asks for JSON (Accept: application/json) and gets
// {"saved": true, "replayed": …} or {"error": {…}}; a plain form post is redirected back.
func (h *Handlers) saveNote(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		key = r.PostFormValue("key")
	}
	replayed, err := h.svc.SaveNoteOnce(r.Context(), principal(r), id, r.PostFormValue("body"), key)
	if wantsJSON(r) {
		if err != nil {
			if web.Status(err) == http.StatusInternalServerError {
				return err
			}
			web.WriteJSON(w, web.Status(err), map[string]any{"error": map[string]any{"code": store.ErrorCode(err),
				"message": h.srv.ErrorMessage(r, err), "request_id": web.RequestID(r.Context())}})
			return nil
		}
		web.WriteJSON(w, http.StatusOK, map[string]any{"saved": true, "replayed": replayed})
		return nil
	}
	if userErr(err) {
		v, verr := h.tabletData(r.Context(), principal(r), id, true)
		if verr != nil {
			return verr
		}
		v.Error, v.Note = h.srv.ErrorMessage(r, err), r.PostFormValue("body")
		return h.srv.PageStatus(w, r, web.Status(err), "meeting/tablet", v)
	}
	if err != nil {
		return err
	}
	return seeOther(w, r, "/meetings/"+id+"/tablet?saved=1#notes")
}

// wantsJSON reports whether a form post came from a script that reads JSON.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// --- chair's console --------------------------------------------------------------------

func (h *Handlers) control(w http.ResponseWriter, r *http.Request) error {
	v, err := h.tabletData(r.Context(), principal(r), r.PathValue("id"), false)
	if err != nil {
		return err
	}
	if !v.R.Run {
		return forbidden("only the chair and the secretariat run the meeting")
	}
	return h.srv.Page(w, r, "meeting/control", v)
}

func (h *Handlers) setCurrent(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := h.svc.SetCurrent(r.Context(), principal(r), id, r.PostFormValue("item_id")); err != nil {
		return err
	}
	return seeOther(w, r, "/meetings/"+id+"/control")
}

// --- minutes ----------------------------------------------------------------------------

type minutesView struct {
	M        Meeting
	Minutes  Minutes
	Versions []Version
	Error    string
	Saved    bool
}

func (h *Handlers) minutes(w http.ResponseWriter, r *http.Request) error {
	p, id := principal(r), r.PathValue("id")
	m, err := h.svc.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	mn, err := h.svc.Draft(r.Context(), p, id)
	if err != nil {
		return err
	}
	vs, err := h.svc.Versions(r.Context(), p, id)
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "meeting/minutes", minutesView{M: m, Minutes: mn, Versions: vs, Saved: r.URL.Query().Get("saved") == "1"})
}

// minutesForm reads the editor: fixed fields and one "section.<item ID>" per section.
func minutesForm(r *http.Request) MinutesInput {
	in := MinutesInput{Version: formVersion(r), Opening: r.PostFormValue("opening"), Chair: r.PostFormValue("chair"),
		Secretary: r.PostFormValue("secretary"), Closing: r.PostFormValue("closing")}
	for k, vs := range r.PostForm {
		if item, ok := strings.CutPrefix(k, "section."); ok && len(vs) > 0 {
			in.Sections = append(in.Sections, Section{ItemID: item, Text: vs[0]})
		}
	}
	return in
}

func (h *Handlers) saveMinutes(w http.ResponseWriter, r *http.Request) error {
	p, id := principal(r), r.PathValue("id")
	in := minutesForm(r)
	_, err := h.svc.SaveDraft(r.Context(), p, id, in)
	if userErr(err) {
		// Show what was typed, with the message: a conflict must not lose the text.
		m, gerr := h.svc.Get(r.Context(), p, id)
		if gerr != nil {
			return gerr
		}
		mn, gerr := h.svc.Draft(r.Context(), p, id)
		if gerr != nil {
			return gerr
		}
		typed := map[string]string{}
		for _, s := range in.Sections {
			typed[s.ItemID] = s.Text
		}
		for i := range mn.Sections {
			if t, ok := typed[mn.Sections[i].ItemID]; ok {
				mn.Sections[i].Text = t
			}
		}
		mn.Opening, mn.Chair, mn.Secretary, mn.Closing = in.Opening, in.Chair, in.Secretary, in.Closing
		vs, _ := h.svc.Versions(r.Context(), p, id)
		return h.srv.PageStatus(w, r, web.Status(err), "meeting/minutes", minutesView{M: m, Minutes: mn, Versions: vs, Error: h.srv.ErrorMessage(r, err)})
	}
	if err != nil {
		return err
	}
	return seeOther(w, r, "/meetings/"+id+"/minutes?saved=1")
}

func (h *Handlers) finalize(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := h.svc.Finalize(r.Context(), principal(r), id, formVersion(r)); err != nil {
		return err
	}
	return seeOther(w, r, "/meetings/"+id+"/minutes")
}

// minutesPDF serves the minutes as a PDF: ?version=N a finalized version, ?draft=1 the
// draft (organizers only), otherwise the latest finalized version.
func (h *Handlers) minutesPDF(w http.ResponseWriter, r *http.Request) error {
	p, id := principal(r), r.PathValue("id")
	var mn Minutes
	var err error
	switch q := r.URL.Query(); {
	case q.Get("draft") == "1":
		mn, err = h.svc.Draft(r.Context(), p, id)
	default:
		v := 0
		if s := q.Get("version"); s != "" {
			if v, err = strconv.Atoi(s); err != nil || v < 1 || v > 1_000_000 {
				return &store.Error{Code: store.EINVALID, Key: "err.query", Args: []any{"version"}, Field: "version", Message: "version must be a positive number"}
			}
		}
		mn, err = h.svc.Final(r.Context(), p, id, v)
	}
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := MinutesPDF(&buf, mn, PDFOptions{Place: h.opts.Place, Lang: web.Lang(r)}); err != nil {
		return err
	}
	name := "bien-ban-du-thao.pdf"
	if mn.Final > 0 {
		name = fmt.Sprintf("bien-ban-v%d.pdf", mn.Final)
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, err = w.Write(buf.Bytes())
	return err
}
