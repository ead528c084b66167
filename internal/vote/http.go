package vote

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"dais/internal/meeting"
	"dais/internal/store"
	"dais/internal/web"
)

//go:embed templates/*.html templates/vote.css templates/vote.js
var templates embed.FS

// Templates are the vote pages, registered under "vote/".
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// Options configure Routes.
type Options struct {
	Place string // the place on the minutes' date line, e.g. "Bắc Ninh"
}

// Handlers serve the vote pages and API.
type Handlers struct {
	srv  *web.Server
	svc  *Service
	opts Options
}

// Routes registers the vote pages and API. Ballot choices travel only in request bodies,
// never in URLs (the access log records paths and queries).
func Routes(srv *web.Server, svc *Service, opts Options) {
	h := &Handlers{srv: srv, svc: svc, opts: opts}
	srv.Public("GET /polls/vote.css", h.asset("templates/vote.css", "text/css; charset=utf-8"))
	srv.Public("GET /polls/vote.js", h.asset("templates/vote.js", "text/javascript; charset=utf-8"))
	srv.Private("GET /meetings/{id}/polls", h.list)
	srv.Private("POST /meetings/{id}/polls", h.create)
	srv.Private("GET /meetings/{id}/polls/{pid}", h.show)
	srv.Private("GET /meetings/{id}/polls/{pid}/turnout", h.turnout)
	srv.Private("POST /meetings/{id}/polls/{pid}/ballot", h.cast)
	srv.Private("POST /meetings/{id}/polls/{pid}/state", h.state)
	srv.Private("GET /meetings/{id}/polls/{pid}/results", h.results)
	srv.Private("GET /meetings/{id}/polls/{pid}/board", h.board)
	srv.Private("GET /meetings/{id}/polls/{pid}/ballots.pdf", h.ballotsPDF)
	srv.Private("GET /meetings/{id}/polls/{pid}/minutes.pdf", h.minutesPDF)
	srv.Private("GET /meetings/{id}/polls/{pid}/paper", h.paper)
	srv.Private("POST /meetings/{id}/polls/{pid}/paper", h.paperCounts)
	srv.Private("POST /meetings/{id}/polls/{pid}/paper/entry", h.paperEntry)
	srv.Private("POST /meetings/{id}/polls/{pid}/paper/resolve", h.paperResolve)

	srv.Private("GET /api/v1/meetings/{id}/polls", h.apiList)
	srv.Private("POST /api/v1/meetings/{id}/polls", h.apiCreate)
	srv.Private("GET /api/v1/meetings/{id}/polls/{pid}", h.apiGet)
	srv.Private("POST /api/v1/meetings/{id}/polls/{pid}/open", h.apiAction(actionOpen))
	srv.Private("POST /api/v1/meetings/{id}/polls/{pid}/close", h.apiAction(actionClose))
	srv.Private("POST /api/v1/meetings/{id}/polls/{pid}/publish", h.apiAction(actionPublish))
	srv.Private("POST /api/v1/meetings/{id}/polls/{pid}/ballots", h.apiCast)
	srv.Private("GET /api/v1/meetings/{id}/polls/{pid}/results", h.apiResults)
	srv.Private("GET /api/v1/meetings/{id}/polls/{pid}/board", h.apiBoard)
}

func (h *Handlers) asset(name, ctype string) web.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		b, err := templates.ReadFile(name)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "public, max-age=86400")
		_, err = w.Write(b)
		return err
	}
}

func principal(r *http.Request) *store.Principal { return web.PrincipalFrom(r.Context()) }

func userErr(err error) bool {
	switch store.ErrorCode(err) {
	case store.EINVALID, store.ECONFLICT:
		return true
	}
	return false
}

// --- list and create --------------------------------------------------------------------

type listView struct {
	M     meeting.Meeting
	Run   bool
	Polls []Poll
	Kinds []string
	Rule  Rule
	Error string
	Form  map[string]string
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) error {
	return h.renderList(w, r, http.StatusOK, "", nil)
}

func (h *Handlers) renderList(w http.ResponseWriter, r *http.Request, status int, msg string, form map[string]string) error {
	p, id := principal(r), r.PathValue("id")
	a, err := h.svc.access(r.Context(), p, id)
	if err != nil {
		return err
	}
	polls, err := h.svc.List(r.Context(), p, id)
	if err != nil {
		return err
	}
	return h.srv.PageStatus(w, r, status, "vote/polls", listView{M: a.m, Run: a.run, Polls: polls, Kinds: Kinds, Rule: DefaultRule(), Error: msg, Form: form})
}

// parseCandidates reads one candidate a line: "Name" or "Name | note"; a leading "*"
// marks a nomination from the floor.
func parseCandidates(text string) []Candidate {
	var out []Candidate
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		c := Candidate{}
		if strings.HasPrefix(line, "*") {
			c.Floor, line = true, strings.TrimSpace(line[1:])
		}
		name, note, _ := strings.Cut(line, "|")
		c.Name, c.Note = strings.TrimSpace(name), strings.TrimSpace(note)
		out = append(out, c)
	}
	return out
}

func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return -1
	}
	return n
}

func formInput(r *http.Request) Input {
	rule := DefaultRule()
	rule.Base = r.PostFormValue("base")
	rule.MaxSurplusPct = atoi(r.PostFormValue("surplus_pct"))
	rule.FloorPct = atoi(r.PostFormValue("floor_pct"))
	rule.Convened = max(0, atoi(r.PostFormValue("convened")))
	rule.Present = max(0, atoi(r.PostFormValue("present")))
	return Input{Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"), Description: r.PostFormValue("description"),
		Secret: r.PostFormValue("secret") != "", Verifiable: r.PostFormValue("verifiable") != "",
		Seats: atoi(r.PostFormValue("seats")), Rule: &rule, Candidates: parseCandidates(r.PostFormValue("candidates"))}
}

func (h *Handlers) create(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	poll, err := h.svc.Create(r.Context(), principal(r), id, formInput(r))
	if userErr(err) {
		form := map[string]string{}
		for _, k := range []string{"kind", "title", "description", "seats", "candidates", "base", "surplus_pct", "floor_pct", "convened", "present", "secret"} {
			form[k] = r.PostFormValue(k)
		}
		return h.renderList(w, r, http.StatusUnprocessableEntity, h.srv.ErrorMessage(r, err), form)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/meetings/"+id+"/polls/"+poll.ID, http.StatusSeeOther)
	return nil
}

// --- one poll ---------------------------------------------------------------------------

type pollView struct {
	M       meeting.Meeting
	P       Poll
	Run     bool
	Count   bool
	T       Turnout
	Receipt *Receipt
	Error   string
	IdemKey string
	LiveURL string
	Results *Results
}

func (h *Handlers) pollView(r *http.Request) (pollView, error) {
	p, id, pid := principal(r), r.PathValue("id"), r.PathValue("pid")
	a, err := h.svc.access(r.Context(), p, id)
	if err != nil {
		return pollView{}, err
	}
	poll, err := h.svc.Get(r.Context(), p, id, pid)
	if err != nil {
		return pollView{}, err
	}
	t, err := h.svc.Turnout(r.Context(), p, id, pid)
	if err != nil {
		return pollView{}, err
	}
	v := pollView{M: a.m, P: poll, Run: a.run, Count: a.count, T: t, IdemKey: web.RandomToken(16),
		LiveURL: "/live?topics=" + meeting.Topic(id)}
	if poll.Status == StatusPublished || (poll.Status == StatusClosed && a.count) {
		res, err := h.svc.Results(r.Context(), p, id, pid)
		if err == nil {
			v.Results = &res
		}
	}
	return v, nil
}

func (h *Handlers) show(w http.ResponseWriter, r *http.Request) error {
	v, err := h.pollView(r)
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "vote/poll", v)
}

func (h *Handlers) turnout(w http.ResponseWriter, r *http.Request) error {
	v, err := h.pollView(r)
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "vote/turnout", v)
}

// formBallot reads the ballot form into the ballot's JSON: the choice, the kept names
// (checkboxes named keep), the ratings (rate_<candidate>).
func formBallot(r *http.Request, poll Poll) []byte {
	b := Ballot{}
	switch poll.Kind {
	case KindMotion:
		b.Choice = r.PostFormValue("choice")
	case KindConfidence:
		b.Ratings = map[string]string{}
		for _, c := range poll.Candidates {
			if v := r.PostFormValue("rate_" + c.ID); v != "" {
				b.Ratings[c.ID] = v
			}
		}
	default:
		b.Keep = r.PostForm["keep"]
		if b.Keep == nil {
			b.Keep = []string{}
		}
	}
	out, _ := json.Marshal(b)
	return out
}

func (h *Handlers) cast(w http.ResponseWriter, r *http.Request) error {
	p, id, pid := principal(r), r.PathValue("id"), r.PathValue("pid")
	poll, err := h.svc.Get(r.Context(), p, id, pid)
	if err != nil {
		return err
	}
	rc, err := h.svc.Cast(r.Context(), p, id, pid, r.PostFormValue("idempotency_key"), formBallot(r, poll))
	v, verr := h.pollView(r)
	if verr != nil {
		return verr
	}
	if userErr(err) || store.ErrorCode(err) == store.EFORBIDDEN {
		v.Error = h.srv.ErrorMessage(r, err)
		return h.srv.PageStatus(w, r, web.Status(err), "vote/poll", v)
	}
	if err != nil {
		return err
	}
	v.Receipt = &rc
	return h.srv.Page(w, r, "vote/poll", v)
}

const (
	actionOpen    = "open"
	actionClose   = "close"
	actionPublish = "publish"
	actionDelete  = "delete"
	actionRunoff  = "runoff"
	actionFurther = "further"
)

func (h *Handlers) do(ctx context.Context, p *store.Principal, id, pid, action string) (string, error) {
	switch action {
	case actionOpen:
		return pid, h.svc.Open(ctx, p, id, pid)
	case actionClose:
		return pid, h.svc.Close(ctx, p, id, pid)
	case actionPublish:
		return pid, h.svc.Publish(ctx, p, id, pid)
	case actionDelete:
		return "", h.svc.Delete(ctx, p, id, pid)
	case actionRunoff:
		np, err := h.svc.Runoff(ctx, p, id, pid)
		return np.ID, err
	case actionFurther:
		np, err := h.svc.FurtherRound(ctx, p, id, pid, nil)
		return np.ID, err
	}
	return "", store.Invalid("action", "vote.action_invalid", "unknown action")
}

func (h *Handlers) state(w http.ResponseWriter, r *http.Request) error {
	p, id, pid := principal(r), r.PathValue("id"), r.PathValue("pid")
	next, err := h.do(r.Context(), p, id, pid, r.PostFormValue("action"))
	if userErr(err) {
		v, verr := h.pollView(r)
		if verr != nil {
			return verr
		}
		v.Error = h.srv.ErrorMessage(r, err)
		return h.srv.PageStatus(w, r, web.Status(err), "vote/poll", v)
	}
	if err != nil {
		return err
	}
	target := "/meetings/" + id + "/polls"
	if next != "" {
		target += "/" + next
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// --- results, board ---------------------------------------------------------------------

type resultsView struct {
	M    meeting.Meeting
	R    Results
	Max  int     // the largest count, for the bars
	Half float64 // the majority line: half of the base
}

func (h *Handlers) results(w http.ResponseWriter, r *http.Request) error {
	p, id, pid := principal(r), r.PathValue("id"), r.PathValue("pid")
	a, err := h.svc.access(r.Context(), p, id)
	if err != nil {
		return err
	}
	res, err := h.svc.Results(r.Context(), p, id, pid)
	if err != nil {
		return err
	}
	v := resultsView{M: a.m, R: res, Max: 1}
	if res.Poll.Kind == KindElection {
		// The hall reads an election's results ranked, most votes first (ballot order on ties).
		res.Options = slices.Clone(res.Options)
		slices.SortStableFunc(res.Options, func(x, y OptionCount) int { return y.Votes - x.Votes })
		v.R = res
	}
	for _, o := range res.Options {
		v.Max = max(v.Max, o.Votes, o.High+o.Medium+o.Low)
	}
	if res.Base > v.Max {
		v.Max = res.Base
	}
	v.Half = float64(res.Base) / 2
	return h.srv.Page(w, r, "vote/results", v)
}

type boardView struct {
	M       meeting.Meeting
	P       Poll
	Entries []BoardEntry
}

func (h *Handlers) board(w http.ResponseWriter, r *http.Request) error {
	p, id, pid := principal(r), r.PathValue("id"), r.PathValue("pid")
	a, err := h.svc.access(r.Context(), p, id)
	if err != nil {
		return err
	}
	poll, es, err := h.svc.Board(r.Context(), p, id, pid)
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "vote/board", boardView{M: a.m, P: poll, Entries: es})
}

// --- paper ------------------------------------------------------------------------------

type paperView struct {
	M     meeting.Meeting
	P     Poll
	Rows  []paperLine
	Res   *Results
	Error string
}

type paperLine struct {
	PaperRow
	Text1, Text2, TextResolved string
}

func (h *Handlers) paper(w http.ResponseWriter, r *http.Request) error {
	return h.renderPaper(w, r, http.StatusOK, "")
}

func (h *Handlers) renderPaper(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	p, id, pid := principal(r), r.PathValue("id"), r.PathValue("pid")
	a, err := h.svc.access(r.Context(), p, id)
	if err != nil {
		return err
	}
	poll, err := h.svc.Get(r.Context(), p, id, pid)
	if err != nil {
		return err
	}
	rows, err := h.svc.PaperRows(r.Context(), p, id, pid)
	if err != nil {
		return err
	}
	v := paperView{M: a.m, P: poll, Error: msg}
	for _, row := range rows {
		v.Rows = append(v.Rows, paperLine{PaperRow: row, Text1: Describe(poll, row.Entry1, row.Valid1), Text2: Describe(poll, row.Entry2, row.Valid2),
			TextResolved: Describe(poll, row.Resolved, true)})
	}
	if poll.Status != StatusDraft && poll.Status != StatusOpen {
		if res, err := h.svc.Results(r.Context(), p, id, pid); err == nil {
			v.Res = &res
		}
	}
	return h.srv.PageStatus(w, r, status, "vote/paper", v)
}

func (h *Handlers) paperDone(w http.ResponseWriter, r *http.Request, err error) error {
	if userErr(err) {
		return h.renderPaper(w, r, web.Status(err), h.srv.ErrorMessage(r, err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/meetings/"+r.PathValue("id")+"/polls/"+r.PathValue("pid")+"/paper", http.StatusSeeOther)
	return nil
}

func (h *Handlers) paperCounts(w http.ResponseWriter, r *http.Request) error {
	err := h.svc.SetPaper(r.Context(), principal(r), r.PathValue("id"), r.PathValue("pid"), atoi(r.PostFormValue("issued")), atoi(r.PostFormValue("unused")))
	return h.paperDone(w, r, err)
}

func (h *Handlers) formPaperEntry(r *http.Request) (PaperEntry, error) {
	poll, err := h.svc.Get(r.Context(), principal(r), r.PathValue("id"), r.PathValue("pid"))
	if err != nil {
		return PaperEntry{}, err
	}
	var b Ballot
	if err := json.Unmarshal(formBallot(r, poll), &b); err != nil {
		return PaperEntry{}, err
	}
	return PaperEntry{Serial: atoi(r.PostFormValue("serial")), Invalid: r.PostFormValue("invalid") != "", Ballot: b}, nil
}

func (h *Handlers) paperEntry(w http.ResponseWriter, r *http.Request) error {
	e, err := h.formPaperEntry(r)
	if err == nil {
		err = h.svc.EnterPaper(r.Context(), principal(r), r.PathValue("id"), r.PathValue("pid"), atoi(r.PostFormValue("counter")), []PaperEntry{e})
	}
	return h.paperDone(w, r, err)
}

func (h *Handlers) paperResolve(w http.ResponseWriter, r *http.Request) error {
	e, err := h.formPaperEntry(r)
	if err == nil {
		err = h.svc.ResolvePaper(r.Context(), principal(r), r.PathValue("id"), r.PathValue("pid"), e)
	}
	return h.paperDone(w, r, err)
}

// --- PDFs -------------------------------------------------------------------------------

func (h *Handlers) ballotsPDF(w http.ResponseWriter, r *http.Request) error {
	p, id, pid := principal(r), r.PathValue("id"), r.PathValue("pid")
	a, err := h.svc.access(r.Context(), p, id)
	if err != nil {
		return err
	}
	if !a.count {
		return forbidden("only the counting committee prints ballots")
	}
	poll, err := h.svc.Get(r.Context(), p, id, pid)
	if err != nil {
		return err
	}
	from, count, per := atoi(r.URL.Query().Get("from")), atoi(r.URL.Query().Get("count")), atoi(r.URL.Query().Get("per_page"))
	if from < 1 {
		from = 1
	}
	if count < 1 {
		count = 10
	}
	if per < 1 {
		per = 1
	}
	if count > 2000 || per > 4 || from > MaxPaper {
		return store.Invalid("count", "vote.print_limits", "print at most 2000 ballots, 1–4 a page")
	}
	var buf bytes.Buffer
	if err := BallotsPDF(&buf, a.m.Title, poll, from, count, per, BallotPDFOptions{Lang: web.Lang(r)}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="phieu-%s.pdf"`, pid[:8]))
	_, err = w.Write(buf.Bytes())
	return err
}

func (h *Handlers) minutesPDF(w http.ResponseWriter, r *http.Request) error {
	p, id, pid := principal(r), r.PathValue("id"), r.PathValue("pid")
	a, err := h.svc.access(r.Context(), p, id)
	if err != nil {
		return err
	}
	res, err := h.svc.Results(r.Context(), p, id, pid)
	if err != nil {
		return err
	}
	committee, err := h.svc.Committee(r.Context(), p, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := CountingMinutesPDF(&buf, a.m, res, committee, MinutesOptions{Place: h.opts.Place, Lang: web.Lang(r)}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="bien-ban-kiem-phieu-%s.pdf"`, pid[:8]))
	_, err = w.Write(buf.Bytes())
	return err
}

// Committee names the meeting's counting committee (participants with that role), for
// the minutes' signature lines.
func (s *Service) Committee(ctx context.Context, p *store.Principal, meetingID string) ([]string, error) {
	ps, err := s.meetings.Participants(ctx, p, meetingID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, x := range ps {
		if x.Role == meeting.RoleCounting {
			out = append(out, x.Name)
		}
	}
	return out, nil
}

// --- JSON API ---------------------------------------------------------------------------

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	polls, err := h.svc.List(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"polls": nonNil(polls)})
	return nil
}

func (h *Handlers) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	poll, err := h.svc.Create(r.Context(), principal(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"poll": poll})
	return nil
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) error {
	p, id, pid := principal(r), r.PathValue("id"), r.PathValue("pid")
	poll, err := h.svc.Get(r.Context(), p, id, pid)
	if err != nil {
		return err
	}
	t, err := h.svc.Turnout(r.Context(), p, id, pid)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"poll": poll, "turnout": t})
	return nil
}

func (h *Handlers) apiAction(action string) web.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, id, pid := principal(r), r.PathValue("id"), r.PathValue("pid")
		if _, err := h.do(r.Context(), p, id, pid, action); err != nil {
			return err
		}
		poll, err := h.svc.Get(r.Context(), p, id, pid)
		if err != nil {
			return err
		}
		web.WriteJSON(w, http.StatusOK, map[string]any{"poll": poll})
		return nil
	}
}

// castRequest is the body of POST …/ballots. The idempotency key may also come in the
// Idempotency-Key header.
type castRequest struct {
	IdempotencyKey string          `json:"idempotency_key"`
	Ballot         json.RawMessage `json:"ballot"`
}

func (h *Handlers) apiCast(w http.ResponseWriter, r *http.Request) error {
	var in castRequest
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.IdempotencyKey == "" {
		in.IdempotencyKey = r.Header.Get("Idempotency-Key")
	}
	rc, err := h.svc.Cast(r.Context(), principal(r), r.PathValue("id"), r.PathValue("pid"), in.IdempotencyKey, in.Ballot)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if rc.Replayed {
		status = http.StatusOK
	}
	web.WriteJSON(w, status, map[string]any{"receipt": rc})
	return nil
}

func (h *Handlers) apiResults(w http.ResponseWriter, r *http.Request) error {
	res, err := h.svc.Results(r.Context(), principal(r), r.PathValue("id"), r.PathValue("pid"))
	if err != nil {
		return err
	}
	res.Options = nonNil(res.Options)
	web.WriteJSON(w, http.StatusOK, map[string]any{"results": res})
	return nil
}

func (h *Handlers) apiBoard(w http.ResponseWriter, r *http.Request) error {
	poll, es, err := h.svc.Board(r.Context(), principal(r), r.PathValue("id"), r.PathValue("pid"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"poll_id": poll.ID, "verifiable": poll.Verifiable, "ballots": nonNil(es)})
	return nil
}
