// Package meeting runs meetings and congresses at any unit: a cell's monthly meeting, a
// committee meeting, a congress with several sessions over days. It keeps the schedule and
// place, the agenda (sessions, ordered items with planned times, presenters and attached
// document IDs), the participants with their roles and answers to the invitation, the
// "current item" the secretariat sets live, each participant's notes, and the minutes
// (biên bản): a draft built from the agenda, finalized into immutable versions and printed
// as a PDF in the party's standard layout.
//
// Who may do what (the role model of internal/store is not extended):
//   - officers with unit.write on the meeting's unit (admin, secretary, org_officer) manage
//     it: schedule, agenda, participants, minutes;
//   - the meeting's chair and secretariat (participants with those roles, or holders of the
//     chair or secretariat role over the unit) run it: current item, answers, minutes;
//   - participants, and officers with member.read over the unit, see it.
//
// Every committed change a screen shows is published on topic "meeting.<id>" through a
// Publisher (internal/live's hub), after the commit.
package meeting

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"dais/internal/store"
)

// Kinds of meeting.
const (
	KindCell      = "cell"      // sinh hoạt chi bộ
	KindCommittee = "committee" // họp cấp ủy / ban thường vụ
	KindCongress  = "congress"  // đại hội
	KindOther     = "other"
)

// Kinds lists the kinds in display order.
var Kinds = []string{KindCell, KindCommittee, KindCongress, KindOther}

// Statuses of a meeting.
const (
	StatusPlanned   = "planned"
	StatusOpen      = "open"
	StatusClosed    = "closed"
	StatusCancelled = "cancelled"
)

// Statuses lists the statuses in their usual order.
var Statuses = []string{StatusPlanned, StatusOpen, StatusClosed, StatusCancelled}

// Participant roles in a meeting (not account roles: a delegate to one congress is a guest
// at another meeting).
const (
	RoleChair       = "chair"       // đoàn chủ tịch / chủ tọa
	RoleSecretariat = "secretariat" // đoàn thư ký / thư ký
	RoleCounting    = "counting"    // ban kiểm phiếu
	RoleDelegate    = "delegate"    // đại biểu chính thức
	RoleMember      = "member"      // đảng viên (sinh hoạt chi bộ)
	RoleGuest       = "guest"       // khách mời
)

// Roles lists the participant roles in display order.
var Roles = []string{RoleChair, RoleSecretariat, RoleCounting, RoleDelegate, RoleMember, RoleGuest}

// Answers to an invitation.
const (
	AnswerInvited  = "invited"  // not answered yet
	AnswerAccepted = "accepted" // will attend
	AnswerExcused  = "excused"  // excused, with a reason
)

// Publisher sends an event to the screens following a topic (internal/live's Hub has
// exactly this method). A nil Publisher sends nothing.
type Publisher interface {
	Publish(ctx context.Context, topic, typ string, data []byte) (uint64, error)
}

// Event types published on "meeting.<id>".
const (
	EventMeeting      = "meeting"      // title, time, place or status changed
	EventAgenda       = "agenda"       // sessions or items added, edited, moved or removed
	EventDocuments    = "documents"    // documents attached to an item changed
	EventCurrent      = "current"      // the current agenda item changed
	EventParticipants = "participants" // participants or their answers changed
	EventMinutes      = "minutes"      // the minutes draft was saved or a version finalized
)

// Topic is the live topic of a meeting.
func Topic(meetingID string) string { return "meeting." + meetingID }

// Meeting is a meeting as stored, with the caller's part in it.
type Meeting struct {
	ID            string    `json:"id"`
	UnitID        string    `json:"unit_id"`
	UnitCode      string    `json:"unit_code"`
	UnitName      string    `json:"unit_name"`
	Kind          string    `json:"kind"`
	Title         string    `json:"title"`
	Place         string    `json:"place"`
	OnlineURL     string    `json:"online_url"`
	StartsAt      time.Time `json:"starts_at"`
	EndsAt        time.Time `json:"ends_at"`
	Status        string    `json:"status"`
	CurrentItemID string    `json:"current_item_id"`
	Version       int       `json:"version"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	// MyRole and MyAnswer are the caller's participation ("" when not a participant).
	MyRole   string `json:"my_role,omitempty"`
	MyAnswer string `json:"my_answer,omitempty"`

	unitPath string
	parentID string
}

// Service reads and writes meetings.
type Service struct {
	db  *store.DB
	pub Publisher
	log *slog.Logger
}

// NewService returns the meeting service. pub may be nil (no live events); log may be nil.
func NewService(db *store.DB, pub Publisher, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: db, pub: pub, log: log}
}

// publish sends an event after a commit. The change is committed already: a failed
// publication is logged, not returned (screens catch up on their next full load).
func (s *Service) publish(ctx context.Context, meetingID, typ string, data map[string]any) {
	if s.pub == nil {
		return
	}
	if data == nil {
		data = map[string]any{}
	}
	data["meeting_id"] = meetingID
	b, err := json.Marshal(data)
	if err == nil {
		_, err = s.pub.Publish(ctx, Topic(meetingID), typ, b)
	}
	if err != nil {
		s.log.WarnContext(ctx, "meeting: publish", "meeting", meetingID, "type", typ, "err", err)
	}
}

// header is what a hub offers beyond Publish (internal/live's Hub has it): the topic's last
// sequence number, so a page can follow the topic from the state it was rendered in.
type headReader interface {
	Head(ctx context.Context, topic string) (uint64, error)
}

// liveURL is the /live URL a page showing meeting id connects to: with the topic's head
// as cursor when the publisher knows it, so no event between render and connection is lost.
func (s *Service) liveURL(ctx context.Context, id string) string {
	u := "/live?topics=" + Topic(id)
	if h, ok := s.pub.(headReader); ok {
		if n, err := h.Head(ctx, Topic(id)); err == nil {
			u += "&cursor=" + Topic(id) + ":" + strconv.FormatUint(n, 10)
		}
	}
	return u
}

// access is what the caller may do with one meeting.
type access struct {
	view, run, manage bool
	role              string // the caller's participant role, "" if none
}

func forbidden(msg string) error {
	return &store.Error{Code: store.EFORBIDDEN, Key: "err.forbidden", Message: msg}
}

// holdsRoleOver reports whether p holds one of roles on a unit whose subtree covers path.
func holdsRoleOver(p *store.Principal, path string, roles ...string) bool {
	if p == nil {
		return false
	}
	for _, g := range p.Grants {
		for _, r := range roles {
			if g.Role == r && strings.HasPrefix(path, g.UnitPath) {
				return true
			}
		}
	}
	return false
}

func accessFor(p *store.Principal, m Meeting) access {
	if p == nil { // the system: demo seeding, the CLI
		return access{view: true, run: true, manage: true}
	}
	a := access{role: m.MyRole}
	a.manage = p.Can(store.PermUnitWrite, m.unitPath)
	a.run = a.manage || a.role == RoleChair || a.role == RoleSecretariat ||
		holdsRoleOver(p, m.unitPath, store.RoleChair, store.RoleSecretariat)
	a.view = a.run || a.role != "" || p.Can(store.PermMemberRead, m.unitPath)
	return a
}

const meetingCols = `m.id, m.unit_id, u.code, u.name, u.path, COALESCE(u.parent_id, ''), m.kind, m.title, m.place, m.online_url,
	m.starts_at, m.ends_at, m.status, m.current_item_id, m.version, m.created_at, m.updated_at,
	COALESCE(mp.role, ''), COALESCE(mp.status, '')`

// meetingFrom joins the caller's participation (the one bound argument).
const meetingFrom = ` FROM meetings m JOIN units u ON u.id = m.unit_id
	LEFT JOIN meeting_participants mp ON mp.meeting_id = m.id AND mp.user_id = ?`

func scanMeeting(row store.Scanner) (Meeting, error) {
	var m Meeting
	err := row.Scan(&m.ID, &m.UnitID, &m.UnitCode, &m.UnitName, &m.unitPath, &m.parentID, &m.Kind, &m.Title, &m.Place, &m.OnlineURL,
		&m.StartsAt, &m.EndsAt, &m.Status, &m.CurrentItemID, &m.Version, &m.CreatedAt, &m.UpdatedAt, &m.MyRole, &m.MyAnswer)
	if errors.Is(err, sql.ErrNoRows) {
		return m, store.NotFound("meeting")
	}
	if err != nil {
		return m, fmt.Errorf("scan meeting: %w", err)
	}
	m.StartsAt, m.EndsAt = m.StartsAt.UTC(), m.EndsAt.UTC()
	return m, nil
}

func userID(p *store.Principal) string {
	if p == nil {
		return ""
	}
	return p.UserID
}

// load reads a meeting and what p may do with it; a meeting p may not see is ENOTFOUND.
func (s *Service) load(ctx context.Context, q store.Querier, p *store.Principal, id string) (Meeting, access, error) {
	if !validID(id) {
		return Meeting{}, access{}, store.NotFound("meeting")
	}
	m, err := scanMeeting(q.QueryRowContext(ctx, `SELECT `+meetingCols+meetingFrom+` WHERE m.id = ?`, userID(p), id))
	if err != nil {
		return m, access{}, err
	}
	a := accessFor(p, m)
	if !a.view {
		return Meeting{}, access{}, store.NotFound("meeting")
	}
	return m, a, nil
}

// Get returns a meeting p may see.
func (s *Service) Get(ctx context.Context, p *store.Principal, id string) (Meeting, error) {
	m, _, err := s.load(ctx, s.db.R(), p, id)
	return m, err
}

// Rights says what the caller may do with a meeting (for pages).
type Rights struct {
	Manage bool `json:"manage"` // edit schedule, agenda, participants
	Run    bool `json:"run"`    // set the current item, record answers, write minutes
	Role   string
}

// Rights returns what p may do with m (m as returned by Get or a list).
func (s *Service) Rights(p *store.Principal, m Meeting) Rights {
	a := accessFor(p, m)
	return Rights{Manage: a.manage, Run: a.run, Role: a.role}
}

// MaxList bounds a list of meetings.
const MaxList = 200

// Mine lists the meetings p takes part in, the next ones first, then the past ones.
func (s *Service) Mine(ctx context.Context, p *store.Principal) ([]Meeting, error) {
	rows, err := s.db.R().QueryContext(ctx, `SELECT `+meetingCols+` FROM meetings m JOIN units u ON u.id = m.unit_id
		JOIN meeting_participants mp ON mp.meeting_id = m.id AND mp.user_id = ?
		ORDER BY m.starts_at DESC, m.id LIMIT ?`, userID(p), MaxList)
	out, err := store.Collect(rows, err, scanMeeting)
	if err != nil {
		return nil, fmt.Errorf("list my meetings: %w", err)
	}
	return out, nil
}

// Unit is the unit a list of meetings is for.
type Unit struct {
	ID, Code, Name string
	path           string
}

// UnitByCode returns a unit p may see meetings of: officers with member.read there, or
// unit.write. Others get ENOTFOUND.
func (s *Service) UnitByCode(ctx context.Context, p *store.Principal, code string) (Unit, error) {
	var u Unit
	if code == "" || len(code) > 64 || !utf8.ValidString(code) || strings.ContainsRune(code, 0) {
		return u, store.NotFound("unit")
	}
	err := s.db.R().QueryRowContext(ctx, `SELECT id, code, name, path FROM units WHERE code = ? AND dissolved_at IS NULL`,
		strings.ToUpper(code)).Scan(&u.ID, &u.Code, &u.Name, &u.path)
	if errors.Is(err, sql.ErrNoRows) {
		return u, store.NotFound("unit")
	}
	if err != nil {
		return u, fmt.Errorf("unit: %w", err)
	}
	if !p.Can(store.PermMemberRead, u.path) && !p.Can(store.PermUnitWrite, u.path) {
		return Unit{}, store.NotFound("unit")
	}
	return u, nil
}

// CanCreate reports whether p may create meetings at u.
func (u Unit) CanCreate(p *store.Principal) bool { return p.Can(store.PermUnitWrite, u.path) }

// ForUnit lists the meetings of u and the units below it that p may see, latest first.
func (s *Service) ForUnit(ctx context.Context, p *store.Principal, u Unit) ([]Meeting, error) {
	scope, sargs := p.ScopeSQL(store.PermMemberRead, "u.path")
	wscope, wargs := p.ScopeSQL(store.PermUnitWrite, "u.path")
	args := append([]any{userID(p), u.path, u.path + "~"}, sargs...)
	args = append(append(args, wargs...), MaxList)
	rows, err := s.db.R().QueryContext(ctx, `SELECT `+meetingCols+meetingFrom+`
		WHERE u.path >= ? AND u.path < ? AND (`+scope+` OR `+wscope+`)
		ORDER BY m.starts_at DESC, m.id LIMIT ?`, args...)
	out, err := store.Collect(rows, err, scanMeeting)
	if err != nil {
		return nil, fmt.Errorf("list unit meetings: %w", err)
	}
	return out, nil
}

// Input is what a meeting form or the API sets.
type Input struct {
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Place     string    `json:"place"`
	OnlineURL string    `json:"online_url"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	Status    string    `json:"status"` // empty: planned (create) or unchanged (update)
}

var onlineURLRE = regexp.MustCompile(`^https://[^\s<>"']+$`)

func (in *Input) validate() error {
	var err error
	if in.Title, err = cleanLine("title", in.Title, 300, true); err != nil {
		return err
	}
	if in.Place, err = cleanLine("place", in.Place, 300, false); err != nil {
		return err
	}
	in.OnlineURL = strings.TrimSpace(in.OnlineURL)
	if in.OnlineURL != "" && (!onlineURLRE.MatchString(in.OnlineURL) || len(in.OnlineURL) > 500) {
		return store.Invalid("online_url", "mtg.url_invalid", "the online link must be an https:// address")
	}
	if !oneOf(in.Kind, Kinds) {
		return store.Invalid("kind", "mtg.kind_invalid", "unknown kind of meeting")
	}
	if in.Status != "" && !oneOf(in.Status, Statuses) {
		return store.Invalid("status", "mtg.status_invalid", "unknown meeting status")
	}
	if in.StartsAt.IsZero() {
		return store.Invalid("starts_at", "mtg.time_required", "the start time is required")
	}
	if in.StartsAt.Year() < 2000 || in.StartsAt.Year() > 2100 {
		return store.Invalid("starts_at", "mtg.time_range", "the time must be between 2000 and 2100")
	}
	if in.EndsAt.IsZero() {
		in.EndsAt = in.StartsAt.Add(3 * time.Hour)
	}
	if !in.EndsAt.After(in.StartsAt) {
		return store.Invalid("ends_at", "mtg.ends_before", "the meeting must end after it starts")
	}
	if in.EndsAt.Sub(in.StartsAt) > 31*24*time.Hour {
		return store.Invalid("ends_at", "mtg.too_long", "a meeting lasts at most 31 days")
	}
	in.StartsAt, in.EndsAt = in.StartsAt.UTC().Truncate(time.Second), in.EndsAt.UTC().Truncate(time.Second)
	return nil
}

// Create adds a meeting at the unit with its first session. p needs unit.write there;
// nil p is the system (demo seeding).
func (s *Service) Create(ctx context.Context, p *store.Principal, unitCode string, in Input) (Meeting, error) {
	if err := in.validate(); err != nil {
		return Meeting{}, err
	}
	var id string
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var unitID, path string
		err := tx.QueryRowContext(ctx, `SELECT id, path FROM units WHERE code = ? AND dissolved_at IS NULL`, strings.ToUpper(unitCode)).Scan(&unitID, &path)
		if errors.Is(err, sql.ErrNoRows) {
			return store.NotFound("unit")
		}
		if err != nil {
			return fmt.Errorf("unit: %w", err)
		}
		if p != nil && !p.Can(store.PermUnitWrite, path) {
			if p.Can(store.PermMemberRead, path) {
				return forbidden("not allowed to create meetings here")
			}
			return store.NotFound("unit")
		}
		id, err = createTx(ctx, tx, unitID, in)
		return err
	})
	if err != nil {
		return Meeting{}, err
	}
	return s.Get(ctx, p, id)
}

// createTx inserts a validated meeting and its first session.
func createTx(ctx context.Context, tx *store.Tx, unitID string, in Input) (string, error) {
	now := store.Now()
	id := store.NewID()
	if in.Status == "" {
		in.Status = StatusPlanned
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meetings (id, unit_id, kind, title, place, online_url, starts_at, ends_at, status,
		created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, unitID, in.Kind, in.Title, in.Place, in.OnlineURL, in.StartsAt, in.EndsAt, in.Status, now, tx.Actor(), now); err != nil {
		return "", fmt.Errorf("insert meeting: %w", err)
	}
	title := "Phiên họp"
	if in.Kind == KindCongress {
		title = "Phiên thứ nhất"
	}
	if _, err := insertSession(ctx, tx, id, title, in.StartsAt); err != nil {
		return "", err
	}
	return id, tx.Audit(ctx, "meeting.create", "meeting", id, map[string]any{"unit_id": unitID, "input": in})
}

// Update changes a meeting's fields. version must be the meeting's current version
// (0 skips the check, for the API's last-writer-wins callers).
func (s *Service) Update(ctx context.Context, p *store.Principal, id string, version int, in Input) (Meeting, error) {
	if err := in.validate(); err != nil {
		return Meeting{}, err
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		m, a, err := s.load(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if !a.manage {
			return forbidden("not allowed to change this meeting")
		}
		if version != 0 && version != m.Version {
			return &store.Error{Code: store.ECONFLICT, Key: "mtg.stale", Message: "the meeting was changed meanwhile"}
		}
		if in.Status == "" {
			in.Status = m.Status
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET kind = ?, title = ?, place = ?, online_url = ?, starts_at = ?, ends_at = ?,
			status = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			in.Kind, in.Title, in.Place, in.OnlineURL, in.StartsAt, in.EndsAt, in.Status, store.Now(), id); err != nil {
			return fmt.Errorf("update meeting: %w", err)
		}
		return tx.Audit(ctx, "meeting.update", "meeting", id, in)
	})
	if err != nil {
		return Meeting{}, err
	}
	s.publish(ctx, id, EventMeeting, nil)
	return s.Get(ctx, p, id)
}

// MoverName names meetings in a unit merge's history.
func (s *Service) MoverName() string { return "meetings" }

// MoveUnitData moves the meetings of a merged unit to the unit it was merged into
// (org.UnitMover).
func (s *Service) MoveUnitData(ctx context.Context, tx *store.Tx, fromUnitID, toUnitID string) (int, error) {
	res, err := tx.ExecContext(ctx, `UPDATE meetings SET unit_id = ? WHERE unit_id = ?`, toUnitID, fromUnitID)
	if err != nil {
		return 0, fmt.Errorf("move meetings: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// CanSubscribe reports whether p may follow topic: "meeting.<id>" for participants and
// officers who may see the meeting. Other topics are not this package's: false.
func (s *Service) CanSubscribe(ctx context.Context, p *store.Principal, topic string) (bool, error) {
	id, ok := strings.CutPrefix(topic, "meeting.")
	if !ok || p == nil {
		return false, nil
	}
	_, _, err := s.load(ctx, s.db.R(), p, id)
	switch store.ErrorCode(err) {
	case store.ENOTFOUND:
		return false, nil
	case store.EINTERNAL:
		if err != nil {
			return false, err
		}
	}
	return err == nil, nil
}

// --- text helpers -----------------------------------------------------------------------

// bad is an EINVALID error for field whose message key takes no arguments.
func bad(field, key, english string) *store.Error {
	return &store.Error{Code: store.EINVALID, Key: key, Field: field, Message: english}
}

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// validID reports whether s can be an ID (ours are UUIDv7 text; documents' may differ).
func validID(s string) bool { return idRE.MatchString(s) }

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// cleanLine tidies one line of text: NFC, spaces collapsed, trimmed; control characters
// refused; at most max characters.
func cleanLine(field, s string, max int, required bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", bad(field, "mtg.text_invalid", field+" contains invalid characters")
	}
	s = strings.Join(strings.Fields(norm.NFC.String(s)), " ")
	if strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "", bad(field, "mtg.text_invalid", field+" contains invalid characters")
	}
	if required && s == "" {
		return "", bad(field, "mtg.required", field+" is required")
	}
	if utf8.RuneCountInString(s) > max {
		return "", &store.Error{Code: store.EINVALID, Key: "err.too_long", Args: []any{max}, Field: field,
			Message: fmt.Sprintf("%s too long (at most %d characters)", field, max)}
	}
	return s, nil
}

// cleanText tidies multi-line text: NFC, \r\n → \n, trailing spaces cut; tabs and line
// breaks kept, other control characters refused; at most max characters.
func cleanText(field, s string, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", bad(field, "mtg.text_invalid", field+" contains invalid characters")
	}
	s = strings.ReplaceAll(norm.NFC.String(s), "\r\n", "\n")
	if strings.ContainsFunc(s, func(r rune) bool { return (r < ' ' && r != '\n' && r != '\t') || r == 0x7f }) {
		return "", bad(field, "mtg.text_invalid", field+" contains invalid characters")
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	s = strings.TrimSpace(strings.Join(lines, "\n"))
	if utf8.RuneCountInString(s) > max {
		return "", &store.Error{Code: store.EINVALID, Key: "err.too_long", Args: []any{max}, Field: field,
			Message: fmt.Sprintf("%s too long (at most %d characters)", field, max)}
	}
	return s, nil
}
