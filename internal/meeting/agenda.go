package meeting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"dais/internal/store"
)

// Session is one sitting of a meeting (phiên); a congress has several over days.
type Session struct {
	ID       string    `json:"id"`
	Position int       `json:"position"`
	Title    string    `json:"title"`
	StartsAt time.Time `json:"starts_at"`
	Items    []Item    `json:"items"`
}

// Item is one point of the agenda.
type Item struct {
	ID        string `json:"id"`
	SessionID string `json:"session_id"`
	Position  int    `json:"position"`
	// Number is the item's number across the whole meeting (1, 2, 3…), for display.
	Number       int        `json:"number"`
	Title        string     `json:"title"`
	PlannedStart *time.Time `json:"planned_start,omitempty"` // nil: right after the item before
	DurationMin  int        `json:"duration_min"`
	Presenter    string     `json:"presenter"`
	Notes        string     `json:"notes"`
	Documents    []string   `json:"documents"`
	// Start is the planned start: PlannedStart, or the end of the item before (computed).
	Start   time.Time `json:"start"`
	Current bool      `json:"current"`
}

// Agenda is a meeting's sessions with their items, in order.
type Agenda struct {
	Sessions []Session `json:"sessions"`
	Current  *Item     `json:"current,omitempty"`
	Items    int       `json:"items"`
}

// Item returns the item with id, or nil.
func (a *Agenda) Item(id string) *Item {
	for si := range a.Sessions {
		for ii := range a.Sessions[si].Items {
			if it := &a.Sessions[si].Items[ii]; it.ID == id {
				return it
			}
		}
	}
	return nil
}

// Agenda returns the agenda of a meeting p may see.
func (s *Service) Agenda(ctx context.Context, p *store.Principal, meetingID string) (Meeting, Agenda, error) {
	m, _, err := s.load(ctx, s.db.R(), p, meetingID)
	if err != nil {
		return m, Agenda{}, err
	}
	ag, err := readAgenda(ctx, s.db.R(), m)
	return m, ag, err
}

func readAgenda(ctx context.Context, q store.Querier, m Meeting) (Agenda, error) {
	var ag Agenda
	rows, err := q.QueryContext(ctx, `SELECT id, position, title, starts_at FROM meeting_sessions WHERE meeting_id = ? ORDER BY position, id`, m.ID)
	sessions, err := store.Collect(rows, err, func(r store.Scanner) (Session, error) {
		var se Session
		err := r.Scan(&se.ID, &se.Position, &se.Title, &se.StartsAt)
		se.StartsAt = se.StartsAt.UTC()
		return se, err
	})
	if err != nil {
		return ag, fmt.Errorf("read sessions: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT id, session_id, position, title, planned_start, duration_min, presenter, notes
		FROM agenda_items WHERE meeting_id = ? ORDER BY position, id`, m.ID)
	items, err := store.Collect(rows, err, func(r store.Scanner) (Item, error) {
		var it Item
		var ps sql.NullTime
		err := r.Scan(&it.ID, &it.SessionID, &it.Position, &it.Title, &ps, &it.DurationMin, &it.Presenter, &it.Notes)
		if ps.Valid {
			t := ps.Time.UTC()
			it.PlannedStart = &t
		}
		it.Documents = []string{}
		return it, err
	})
	if err != nil {
		return ag, fmt.Errorf("read agenda items: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT d.item_id, d.document_id FROM agenda_documents d JOIN agenda_items i ON i.id = d.item_id
		WHERE i.meeting_id = ? ORDER BY d.item_id, d.position`, m.ID)
	docs, err := store.Collect(rows, err, func(r store.Scanner) ([2]string, error) {
		var d [2]string
		return d, r.Scan(&d[0], &d[1])
	})
	if err != nil {
		return ag, fmt.Errorf("read agenda documents: %w", err)
	}
	byItem := map[string][]string{}
	for _, d := range docs {
		byItem[d[0]] = append(byItem[d[0]], d[1])
	}
	bySession := map[string][]Item{}
	for _, it := range items {
		if d := byItem[it.ID]; d != nil {
			it.Documents = d
		}
		bySession[it.SessionID] = append(bySession[it.SessionID], it)
	}
	n := 0
	for i := range sessions {
		se := &sessions[i]
		se.Items = bySession[se.ID]
		if se.Items == nil {
			se.Items = []Item{}
		}
		t := se.StartsAt
		for j := range se.Items {
			it := &se.Items[j]
			n++
			it.Number = n
			it.Start = t
			if it.PlannedStart != nil {
				it.Start = *it.PlannedStart
			}
			t = it.Start.Add(time.Duration(it.DurationMin) * time.Minute)
			it.Current = it.ID == m.CurrentItemID
		}
	}
	ag.Sessions, ag.Items = sessions, n
	if m.CurrentItemID != "" {
		ag.Current = ag.Item(m.CurrentItemID)
	}
	return ag, nil
}

// SessionInput sets a session's title and start.
type SessionInput struct {
	Title    string    `json:"title"`
	StartsAt time.Time `json:"starts_at"`
}

func (in *SessionInput) validate() error {
	var err error
	if in.Title, err = cleanLine("title", in.Title, 200, true); err != nil {
		return err
	}
	if in.StartsAt.IsZero() {
		return store.Invalid("starts_at", "mtg.time_required", "the start time is required")
	}
	if in.StartsAt.Year() < 2000 || in.StartsAt.Year() > 2100 {
		return store.Invalid("starts_at", "mtg.time_range", "the time must be between 2000 and 2100")
	}
	in.StartsAt = in.StartsAt.UTC().Truncate(time.Second)
	return nil
}

// MaxSessions and MaxItems bound a meeting's agenda.
const (
	MaxSessions = 30
	MaxItems    = 300
	MaxDocs     = 50 // per item
)

func insertSession(ctx context.Context, tx *store.Tx, meetingID, title string, at time.Time) (string, error) {
	var n, pos int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(position), 0) FROM meeting_sessions WHERE meeting_id = ?`, meetingID).Scan(&n, &pos); err != nil {
		return "", fmt.Errorf("count sessions: %w", err)
	}
	if n >= MaxSessions {
		return "", store.Invalid("sessions", "mtg.too_many", "at most %d", MaxSessions)
	}
	id := store.NewID()
	if _, err := tx.ExecContext(ctx, `INSERT INTO meeting_sessions (id, meeting_id, position, title, starts_at) VALUES (?, ?, ?, ?, ?)`,
		id, meetingID, pos+1, title, at); err != nil {
		return "", fmt.Errorf("insert session: %w", err)
	}
	return id, nil
}

// writeAgenda runs fn for a meeting p manages, audits and publishes an agenda event.
func (s *Service) writeAgenda(ctx context.Context, p *store.Principal, meetingID, action, objectType string, state any, events []string,
	fn func(tx *store.Tx, m Meeting) (string, error)) (string, error) {
	var objID string
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		m, a, err := s.load(ctx, tx, p, meetingID)
		if err != nil {
			return err
		}
		if p != nil && !a.manage {
			return forbidden("not allowed to change this agenda")
		}
		if objID, err = fn(tx, m); err != nil {
			return err
		}
		return tx.Audit(ctx, action, objectType, objID, map[string]any{"meeting_id": meetingID, "state": state})
	})
	if err != nil {
		return "", err
	}
	for _, e := range events {
		s.publish(ctx, meetingID, e, map[string]any{"id": objID})
	}
	return objID, nil
}

// AddSession appends a session to a meeting.
func (s *Service) AddSession(ctx context.Context, p *store.Principal, meetingID string, in SessionInput) (string, error) {
	if err := in.validate(); err != nil {
		return "", err
	}
	return s.writeAgenda(ctx, p, meetingID, "meeting.session_add", "meeting_session", in, []string{EventAgenda},
		func(tx *store.Tx, m Meeting) (string, error) {
			return insertSession(ctx, tx, m.ID, in.Title, in.StartsAt)
		})
}

// UpdateSession changes a session's title and start.
func (s *Service) UpdateSession(ctx context.Context, p *store.Principal, meetingID, sessionID string, in SessionInput) error {
	if err := in.validate(); err != nil {
		return err
	}
	_, err := s.writeAgenda(ctx, p, meetingID, "meeting.session_update", "meeting_session", in, []string{EventAgenda},
		func(tx *store.Tx, m Meeting) (string, error) {
			res, err := tx.ExecContext(ctx, `UPDATE meeting_sessions SET title = ?, starts_at = ? WHERE id = ? AND meeting_id = ?`,
				in.Title, in.StartsAt, sessionID, m.ID)
			if err != nil {
				return "", fmt.Errorf("update session: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return "", store.NotFound("session")
			}
			return sessionID, nil
		})
	return err
}

// DeleteSession removes an empty session (not the last one).
func (s *Service) DeleteSession(ctx context.Context, p *store.Principal, meetingID, sessionID string) error {
	_, err := s.writeAgenda(ctx, p, meetingID, "meeting.session_delete", "meeting_session", nil, []string{EventAgenda},
		func(tx *store.Tx, m Meeting) (string, error) {
			var sessions, found, items int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN id = ? THEN 1 ELSE 0 END), 0) FROM meeting_sessions WHERE meeting_id = ?`,
				sessionID, m.ID).Scan(&sessions, &found); err != nil {
				return "", fmt.Errorf("count sessions: %w", err)
			}
			if found == 0 {
				return "", store.NotFound("session")
			}
			if sessions == 1 {
				return "", &store.Error{Code: store.ECONFLICT, Key: "mtg.last_session", Message: "a meeting keeps at least one session"}
			}
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agenda_items WHERE session_id = ?`, sessionID).Scan(&items); err != nil {
				return "", fmt.Errorf("count items: %w", err)
			}
			if items > 0 {
				return "", &store.Error{Code: store.ECONFLICT, Key: "mtg.session_not_empty", Message: "move or delete the session's items first"}
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM meeting_sessions WHERE id = ?`, sessionID); err != nil {
				return "", fmt.Errorf("delete session: %w", err)
			}
			return sessionID, nil
		})
	return err
}

// ItemInput sets an agenda item.
type ItemInput struct {
	SessionID    string     `json:"session_id"` // empty: the last session
	Title        string     `json:"title"`
	PlannedStart *time.Time `json:"planned_start"`
	DurationMin  int        `json:"duration_min"`
	Presenter    string     `json:"presenter"`
	Notes        string     `json:"notes"`
	Documents    []string   `json:"documents"`
}

func (in *ItemInput) validate() error {
	var err error
	if in.Title, err = cleanLine("title", in.Title, 500, true); err != nil {
		return err
	}
	if in.Presenter, err = cleanLine("presenter", in.Presenter, 300, false); err != nil {
		return err
	}
	if in.Notes, err = cleanText("notes", in.Notes, 4000); err != nil {
		return err
	}
	if in.DurationMin < 0 || in.DurationMin > 24*60 {
		return store.Invalid("duration_min", "mtg.duration_invalid", "the duration must be 0 to 1440 minutes")
	}
	if in.PlannedStart != nil {
		if in.PlannedStart.Year() < 2000 || in.PlannedStart.Year() > 2100 {
			return store.Invalid("planned_start", "mtg.time_range", "the time must be between 2000 and 2100")
		}
		t := in.PlannedStart.UTC().Truncate(time.Second)
		in.PlannedStart = &t
	}
	if in.SessionID != "" && !validID(in.SessionID) {
		return store.Invalid("session_id", "mtg.session_invalid", "no such session in this meeting")
	}
	if len(in.Documents) > MaxDocs {
		return store.Invalid("documents", "mtg.too_many", "at most %d", MaxDocs)
	}
	seen := map[string]bool{}
	docs := make([]string, 0, len(in.Documents))
	for _, d := range in.Documents {
		d = strings.TrimSpace(d)
		if !validID(d) {
			return store.Invalid("documents", "mtg.document_invalid", "%q is not a document ID", clip(d, 40))
		}
		if !seen[d] {
			seen[d] = true
			docs = append(docs, d)
		}
	}
	in.Documents = docs
	return nil
}

func clip(s string, n int) string {
	r := []rune(strings.ToValidUTF8(s, "?"))
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return string(r)
}

func (in *ItemInput) session(ctx context.Context, tx *store.Tx, meetingID string) (string, error) {
	if in.SessionID == "" {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM meeting_sessions WHERE meeting_id = ? ORDER BY position DESC LIMIT 1`, meetingID).Scan(&id)
		if err != nil {
			return "", fmt.Errorf("last session: %w", err)
		}
		return id, nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM meeting_sessions WHERE id = ? AND meeting_id = ?`, in.SessionID, meetingID).Scan(&n); err != nil {
		return "", fmt.Errorf("find session: %w", err)
	}
	if n == 0 {
		return "", store.Invalid("session_id", "mtg.session_invalid", "no such session in this meeting")
	}
	return in.SessionID, nil
}

func setDocuments(ctx context.Context, tx *store.Tx, itemID string, docs []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM agenda_documents WHERE item_id = ?`, itemID); err != nil {
		return fmt.Errorf("clear documents: %w", err)
	}
	for i, d := range docs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO agenda_documents (item_id, document_id, position) VALUES (?, ?, ?)`, itemID, d, i+1); err != nil {
			return fmt.Errorf("attach document: %w", err)
		}
	}
	return nil
}

// AddItem appends an item to a session (by default the last one).
func (s *Service) AddItem(ctx context.Context, p *store.Principal, meetingID string, in ItemInput) (string, error) {
	if err := in.validate(); err != nil {
		return "", err
	}
	events := []string{EventAgenda}
	if len(in.Documents) > 0 {
		events = append(events, EventDocuments)
	}
	return s.writeAgenda(ctx, p, meetingID, "meeting.item_add", "agenda_item", in, events,
		func(tx *store.Tx, m Meeting) (string, error) { return addItemTx(ctx, tx, m.ID, in) })
}

func addItemTx(ctx context.Context, tx *store.Tx, meetingID string, in ItemInput) (string, error) {
	sid, err := in.session(ctx, tx, meetingID)
	if err != nil {
		return "", err
	}
	var n, pos int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(CASE WHEN session_id = ? THEN position END), 0) FROM agenda_items WHERE meeting_id = ?`,
		sid, meetingID).Scan(&n, &pos); err != nil {
		return "", fmt.Errorf("count items: %w", err)
	}
	if n >= MaxItems {
		return "", store.Invalid("items", "mtg.too_many", "at most %d", MaxItems)
	}
	id := store.NewID()
	if _, err := tx.ExecContext(ctx, `INSERT INTO agenda_items (id, meeting_id, session_id, position, title, planned_start, duration_min, presenter, notes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, meetingID, sid, pos+1, in.Title, nullTime(in.PlannedStart), in.DurationMin, in.Presenter, in.Notes); err != nil {
		return "", fmt.Errorf("insert item: %w", err)
	}
	return id, setDocuments(ctx, tx, id, in.Documents)
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// UpdateItem changes an item; a new session moves it to that session's end.
func (s *Service) UpdateItem(ctx context.Context, p *store.Principal, meetingID, itemID string, in ItemInput) error {
	if err := in.validate(); err != nil {
		return err
	}
	_, err := s.writeAgenda(ctx, p, meetingID, "meeting.item_update", "agenda_item", in, []string{EventAgenda, EventDocuments},
		func(tx *store.Tx, m Meeting) (string, error) {
			if !validID(itemID) {
				return "", store.NotFound("agenda item")
			}
			var cur string
			err := tx.QueryRowContext(ctx, `SELECT session_id FROM agenda_items WHERE id = ? AND meeting_id = ?`, itemID, m.ID).Scan(&cur)
			if errors.Is(err, sql.ErrNoRows) {
				return "", store.NotFound("agenda item")
			}
			if err != nil {
				return "", fmt.Errorf("find item: %w", err)
			}
			if in.SessionID == "" {
				in.SessionID = cur
			}
			sid, err := in.session(ctx, tx, m.ID)
			if err != nil {
				return "", err
			}
			if sid != cur {
				var pos int
				if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) FROM agenda_items WHERE session_id = ?`, sid).Scan(&pos); err != nil {
					return "", fmt.Errorf("move item: %w", err)
				}
				if _, err := tx.ExecContext(ctx, `UPDATE agenda_items SET session_id = ?, position = ? WHERE id = ?`, sid, pos+1, itemID); err != nil {
					return "", fmt.Errorf("move item: %w", err)
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE agenda_items SET title = ?, planned_start = ?, duration_min = ?, presenter = ?, notes = ? WHERE id = ?`,
				in.Title, nullTime(in.PlannedStart), in.DurationMin, in.Presenter, in.Notes, itemID); err != nil {
				return "", fmt.Errorf("update item: %w", err)
			}
			return itemID, setDocuments(ctx, tx, itemID, in.Documents)
		})
	return err
}

// DeleteItem removes an item (and clears it as the current item).
func (s *Service) DeleteItem(ctx context.Context, p *store.Principal, meetingID, itemID string) error {
	_, err := s.writeAgenda(ctx, p, meetingID, "meeting.item_delete", "agenda_item", nil, []string{EventAgenda, EventCurrent},
		func(tx *store.Tx, m Meeting) (string, error) {
			res, err := tx.ExecContext(ctx, `DELETE FROM agenda_items WHERE id = ? AND meeting_id = ?`, itemID, m.ID)
			if err != nil {
				return "", fmt.Errorf("delete item: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return "", store.NotFound("agenda item")
			}
			if m.CurrentItemID == itemID {
				if _, err := tx.ExecContext(ctx, `UPDATE meetings SET current_item_id = '' WHERE id = ?`, m.ID); err != nil {
					return "", fmt.Errorf("clear current item: %w", err)
				}
			}
			return itemID, nil
		})
	return err
}

// MoveItem moves an item one place up (delta -1) or down (+1) within its session.
func (s *Service) MoveItem(ctx context.Context, p *store.Principal, meetingID, itemID string, delta int) error {
	if delta != -1 && delta != 1 {
		return store.Invalid("dir", "mtg.move_invalid", "move up or down by one")
	}
	_, err := s.writeAgenda(ctx, p, meetingID, "meeting.item_move", "agenda_item", delta, []string{EventAgenda},
		func(tx *store.Tx, m Meeting) (string, error) {
			ids, sid, err := sessionOrder(ctx, tx, m.ID, itemID)
			if err != nil {
				return "", err
			}
			i := slices.Index(ids, itemID)
			j := i + delta
			if j < 0 || j >= len(ids) {
				return itemID, nil // already first or last: nothing to do, still audited
			}
			ids[i], ids[j] = ids[j], ids[i]
			return itemID, renumber(ctx, tx, sid, ids)
		})
	return err
}

// Reorder sets the order of a session's items: ids must be exactly its items.
func (s *Service) Reorder(ctx context.Context, p *store.Principal, meetingID, sessionID string, ids []string) error {
	_, err := s.writeAgenda(ctx, p, meetingID, "meeting.items_reorder", "meeting_session", ids, []string{EventAgenda},
		func(tx *store.Tx, m Meeting) (string, error) {
			rows, err := tx.QueryContext(ctx, `SELECT id FROM agenda_items WHERE session_id = ? AND meeting_id = ? ORDER BY position, id`, sessionID, m.ID)
			have, err := store.Collect(rows, err, func(r store.Scanner) (string, error) {
				var id string
				return id, r.Scan(&id)
			})
			if err != nil {
				return "", fmt.Errorf("read order: %w", err)
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM meeting_sessions WHERE id = ? AND meeting_id = ?`, sessionID, m.ID).Scan(&n); err != nil {
				return "", fmt.Errorf("find session: %w", err)
			}
			if n == 0 {
				return "", store.NotFound("session")
			}
			a, b := slices.Clone(have), slices.Clone(ids)
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) {
				return "", store.Invalid("items", "mtg.order_invalid", "the order must list each item of the session once")
			}
			return sessionID, renumber(ctx, tx, sessionID, ids)
		})
	return err
}

func sessionOrder(ctx context.Context, tx *store.Tx, meetingID, itemID string) ([]string, string, error) {
	var sid string
	err := tx.QueryRowContext(ctx, `SELECT session_id FROM agenda_items WHERE id = ? AND meeting_id = ?`, itemID, meetingID).Scan(&sid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", store.NotFound("agenda item")
	}
	if err != nil {
		return nil, "", fmt.Errorf("find item: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM agenda_items WHERE session_id = ? ORDER BY position, id`, sid)
	ids, err := store.Collect(rows, err, func(r store.Scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	return ids, sid, err
}

func renumber(ctx context.Context, tx *store.Tx, sessionID string, ids []string) error {
	for i, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE agenda_items SET position = ? WHERE id = ? AND session_id = ?`, i+1, id, sessionID); err != nil {
			return fmt.Errorf("renumber items: %w", err)
		}
	}
	return nil
}

// SetCurrent sets the item being discussed now ("" for none). The chair and the
// secretariat do it live; every screen following the meeting gets a "current" event.
func (s *Service) SetCurrent(ctx context.Context, p *store.Principal, meetingID, itemID string) error {
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		m, a, err := s.load(ctx, tx, p, meetingID)
		if err != nil {
			return err
		}
		if !a.run {
			return forbidden("only the chair and the secretariat set the current item")
		}
		if itemID != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agenda_items WHERE id = ? AND meeting_id = ?`, itemID, m.ID).Scan(&n); err != nil {
				return fmt.Errorf("find item: %w", err)
			}
			if n == 0 {
				return store.Invalid("item_id", "mtg.item_invalid", "no such item in this meeting")
			}
		}
		status := m.Status
		if itemID != "" && status == StatusPlanned {
			status = StatusOpen // the meeting has begun
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET current_item_id = ?, status = ?, updated_at = ? WHERE id = ?`,
			itemID, status, store.Now(), m.ID); err != nil {
			return fmt.Errorf("set current item: %w", err)
		}
		return tx.Audit(ctx, "meeting.current", "meeting", m.ID, map[string]any{"current_item_id": itemID})
	})
	if err != nil {
		return err
	}
	s.publish(ctx, meetingID, EventCurrent, map[string]any{"item_id": itemID})
	return nil
}
