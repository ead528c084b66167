package meeting

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"dais/internal/store"
)

// Minutes are the minutes (biên bản) of a meeting: the draft the secretariat writes during
// the meeting, or one finalized version.
type Minutes struct {
	MeetingID string `json:"meeting_id"`
	// Version is the draft's version for optimistic locking (0: never saved, generated
	// from the agenda). Final is the number of a finalized version, 0 for the draft.
	Version     int       `json:"version"`
	Final       int       `json:"final,omitempty"`
	Opening     string    `json:"opening"`
	Chair       string    `json:"chair"`
	Secretary   string    `json:"secretary"`
	Sections    []Section `json:"sections"`
	Closing     string    `json:"closing"`
	Header      Header    `json:"header"`
	UpdatedAt   time.Time `json:"updated_at"`
	FinalizedAt time.Time `json:"finalized_at"`
	FinalizedBy string    `json:"finalized_by,omitempty"`
	SHA256      string    `json:"sha256,omitempty"`
}

// Section is the part of the minutes about one agenda item.
type Section struct {
	ItemID string `json:"item_id"`
	Title  string `json:"title"`
	Text   string `json:"text"`
}

// Header is what the minutes state about the meeting: filled from the meeting when the
// draft is read, frozen into a finalized version.
type Header struct {
	Unit        string    `json:"unit"`
	Superior    string    `json:"superior"`
	Title       string    `json:"title"`
	Kind        string    `json:"kind"`
	Place       string    `json:"place"`
	OnlineURL   string    `json:"online_url"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	Total       int       `json:"total"`
	Accepted    int       `json:"accepted"`
	Excused     []string  `json:"excused"` // "Name (reason)"
	Presidium   []string  `json:"presidium"`
	Secretariat []string  `json:"secretariat"`
}

// Version is one finalized version of the minutes, without its content.
type Version struct {
	Version     int       `json:"version"`
	SHA256      string    `json:"sha256"`
	FinalizedAt time.Time `json:"finalized_at"`
	FinalizedBy string    `json:"finalized_by"`
}

// MinutesInput is what the editor saves: the free texts and each section's text by item.
type MinutesInput struct {
	Version   int       `json:"version"`
	Opening   string    `json:"opening"`
	Chair     string    `json:"chair"`
	Secretary string    `json:"secretary"`
	Closing   string    `json:"closing"`
	Sections  []Section `json:"sections"` // ItemID and Text; titles come from the agenda
}

// MaxSectionText bounds one section of the minutes.
const MaxSectionText = 50000

func (in *MinutesInput) validate() error {
	var err error
	if in.Opening, err = cleanText("opening", in.Opening, 10000); err != nil {
		return err
	}
	if in.Closing, err = cleanText("closing", in.Closing, 10000); err != nil {
		return err
	}
	if in.Chair, err = cleanLine("chair", in.Chair, 300, false); err != nil {
		return err
	}
	if in.Secretary, err = cleanLine("secretary", in.Secretary, 300, false); err != nil {
		return err
	}
	if len(in.Sections) > MaxItems*2 {
		return store.Invalid("sections", "mtg.too_many", "at most %d", MaxItems*2)
	}
	for i := range in.Sections {
		if in.Sections[i].Text, err = cleanText("sections", in.Sections[i].Text, MaxSectionText); err != nil {
			return err
		}
	}
	return nil
}

// header reads what the minutes state about meeting m.
func header(ctx context.Context, q store.Querier, m Meeting) (Header, error) {
	h := Header{Unit: m.UnitName, Title: m.Title, Kind: m.Kind, Place: m.Place, OnlineURL: m.OnlineURL, StartsAt: m.StartsAt, EndsAt: m.EndsAt,
		Excused: []string{}, Presidium: []string{}, Secretariat: []string{}}
	if m.parentID != "" {
		if err := q.QueryRowContext(ctx, `SELECT name FROM units WHERE id = ?`, m.parentID).Scan(&h.Superior); err != nil {
			return h, fmt.Errorf("superior unit: %w", err)
		}
	}
	ps, err := readParticipants(ctx, q, m.ID, "")
	if err != nil {
		return h, err
	}
	c := Count(ps)
	h.Total, h.Accepted = c.Total, c.Accepted
	for _, p := range ps {
		switch {
		case p.Answer == AnswerExcused:
			h.Excused = append(h.Excused, p.Name+" ("+p.ExcusedReason+")")
		case p.Role == RoleChair:
			h.Presidium = append(h.Presidium, p.Name)
		case p.Role == RoleSecretariat:
			h.Secretariat = append(h.Secretariat, p.Name)
		}
	}
	return h, nil
}

// syncSections lines the sections up with the agenda: one per item in agenda order (titles as the
// agenda has them now, texts kept), then sections of removed items that hold text.
func syncSections(sections []Section, ag Agenda) []Section {
	byItem := map[string]Section{}
	for _, s := range sections {
		byItem[s.ItemID] = s
	}
	out := make([]Section, 0, ag.Items+len(sections))
	seen := map[string]bool{}
	for _, se := range ag.Sessions {
		for _, it := range se.Items {
			s := byItem[it.ID]
			s.ItemID, s.Title = it.ID, fmt.Sprintf("%d. %s", it.Number, it.Title)
			out = append(out, s)
			seen[it.ID] = true
		}
	}
	for _, s := range sections {
		if !seen[s.ItemID] && strings.TrimSpace(s.Text) != "" {
			out = append(out, s)
		}
	}
	return out
}

// readDraft returns the stored draft, or a new one generated from the agenda, synced
// with the agenda and with a fresh header.
func readDraft(ctx context.Context, q store.Querier, m Meeting) (Minutes, error) {
	mn := Minutes{MeetingID: m.ID}
	var content string
	err := q.QueryRowContext(ctx, `SELECT content, version, updated_at FROM meeting_minutes WHERE meeting_id = ?`, m.ID).Scan(&content, &mn.Version, &mn.UpdatedAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return mn, fmt.Errorf("read minutes: %w", err)
	default:
		v := mn.Version
		at := mn.UpdatedAt
		if err := json.Unmarshal([]byte(content), &mn); err != nil {
			return mn, fmt.Errorf("minutes content: %w", err)
		}
		mn.Version, mn.UpdatedAt, mn.Final = v, at.UTC(), 0
	}
	ag, err := readAgenda(ctx, q, m)
	if err != nil {
		return mn, err
	}
	if mn.Header, err = header(ctx, q, m); err != nil {
		return mn, err
	}
	if mn.Version == 0 {
		mn.Chair = strings.Join(mn.Header.Presidium, ", ")
		mn.Secretary = strings.Join(mn.Header.Secretariat, ", ")
		mn.Opening = defaultOpening(mn)
	}
	mn.Sections = syncSections(mn.Sections, ag)
	return mn, nil
}

func defaultOpening(mn Minutes) string {
	chair := mn.Chair
	if chair == "" {
		chair = "chủ tọa"
	} else {
		chair = "đồng chí " + chair
	}
	return "Thay mặt đoàn chủ tịch, " + chair + " tuyên bố lý do, giới thiệu đại biểu và thông qua chương trình làm việc."
}

// Draft returns the minutes being drafted: to those who run or manage the meeting.
func (s *Service) Draft(ctx context.Context, p *store.Principal, meetingID string) (Minutes, error) {
	m, a, err := s.load(ctx, s.db.R(), p, meetingID)
	if err != nil {
		return Minutes{}, err
	}
	if !a.run {
		return Minutes{}, forbidden("only the chair and the secretariat read the draft minutes")
	}
	return readDraft(ctx, s.db.R(), m)
}

// SaveDraft saves the minutes' texts. in.Version must be the draft's version (0 for the
// first save); a stale version is a conflict, so two secretaries cannot overwrite each
// other unnoticed.
func (s *Service) SaveDraft(ctx context.Context, p *store.Principal, meetingID string, in MinutesInput) (Minutes, error) {
	if err := in.validate(); err != nil {
		return Minutes{}, err
	}
	var mn Minutes
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		m, a, err := s.load(ctx, tx, p, meetingID)
		if err != nil {
			return err
		}
		if p != nil && !a.run {
			return forbidden("only the chair and the secretariat write the minutes")
		}
		if mn, err = readDraft(ctx, tx, m); err != nil {
			return err
		}
		if in.Version != mn.Version {
			return &store.Error{Code: store.ECONFLICT, Key: "mtg.minutes_stale", Message: "the minutes were saved by someone else meanwhile"}
		}
		idx := map[string]int{}
		for i, sec := range mn.Sections {
			idx[sec.ItemID] = i
		}
		for _, sec := range in.Sections {
			i, ok := idx[sec.ItemID]
			if !ok {
				return store.Invalid("sections", "mtg.item_invalid", "no such item in this meeting")
			}
			mn.Sections[i].Text = sec.Text
		}
		mn.Opening, mn.Chair, mn.Secretary, mn.Closing = in.Opening, in.Chair, in.Secretary, in.Closing
		mn.Version++
		mn.UpdatedAt = store.Now()
		body, err := json.Marshal(draftContent(mn))
		if err != nil {
			return err
		}
		if mn.Version == 1 {
			_, err = tx.ExecContext(ctx, `INSERT INTO meeting_minutes (meeting_id, content, version, updated_at, updated_by) VALUES (?, ?, 1, ?, ?)`,
				m.ID, string(body), mn.UpdatedAt, tx.Actor())
			if store.IsUniqueViolation(err) {
				return &store.Error{Code: store.ECONFLICT, Key: "mtg.minutes_stale", Message: "the minutes were saved by someone else meanwhile"}
			}
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE meeting_minutes SET content = ?, version = ?, updated_at = ?, updated_by = ? WHERE meeting_id = ? AND version = ?`,
				string(body), mn.Version, mn.UpdatedAt, tx.Actor(), m.ID, in.Version)
		}
		if err != nil {
			return fmt.Errorf("save minutes: %w", err)
		}
		return tx.Audit(ctx, "minutes.save", "meeting_minutes", m.ID, draftContent(mn))
	})
	if err != nil {
		return Minutes{}, err
	}
	s.publish(ctx, meetingID, EventMinutes, map[string]any{"version": mn.Version})
	return mn, nil
}

// draftContent is what the draft row stores: the texts, not the live header.
func draftContent(mn Minutes) Minutes {
	mn.Header = Header{}
	return mn
}

// Finalize freezes the draft (at version, which must be current) into the next finalized
// version, with the header as it stands now. Finalized versions are never changed: a
// correction is finalized again as a new version.
func (s *Service) Finalize(ctx context.Context, p *store.Principal, meetingID string, version int) (Minutes, error) {
	var mn Minutes
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		m, a, err := s.load(ctx, tx, p, meetingID)
		if err != nil {
			return err
		}
		if p != nil && !a.run {
			return forbidden("only the chair and the secretariat finalize the minutes")
		}
		if mn, err = readDraft(ctx, tx, m); err != nil {
			return err
		}
		if version != mn.Version {
			return &store.Error{Code: store.ECONFLICT, Key: "mtg.minutes_stale", Message: "the minutes were saved by someone else meanwhile"}
		}
		if mn.Version == 0 {
			return store.Invalid("version", "mtg.minutes_unsaved", "save the minutes before finalizing them")
		}
		var last int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM minutes_versions WHERE meeting_id = ?`, m.ID).Scan(&last); err != nil {
			return fmt.Errorf("minutes versions: %w", err)
		}
		mn.Final = last + 1
		mn.FinalizedAt = store.Now()
		mn.FinalizedBy = tx.Actor()
		body, err := json.Marshal(mn)
		if err != nil {
			return err
		}
		mn.SHA256 = store.SHA256Hex(body)
		if _, err := tx.ExecContext(ctx, `INSERT INTO minutes_versions (meeting_id, version, content, sha256, finalized_at, finalized_by) VALUES (?, ?, ?, ?, ?, ?)`,
			m.ID, mn.Final, string(body), mn.SHA256, mn.FinalizedAt, mn.FinalizedBy); err != nil {
			if store.IsUniqueViolation(err) {
				return &store.Error{Code: store.ECONFLICT, Key: "mtg.minutes_stale", Message: "the minutes were finalized by someone else meanwhile"}
			}
			return fmt.Errorf("finalize minutes: %w", err)
		}
		return tx.Audit(ctx, "minutes.finalize", "meeting_minutes", fmt.Sprintf("%s/v%d", m.ID, mn.Final), json.RawMessage(body))
	})
	if err != nil {
		return Minutes{}, err
	}
	s.publish(ctx, meetingID, EventMinutes, map[string]any{"final": mn.Final})
	return mn, nil
}

// Versions lists the finalized versions of a meeting's minutes, the latest first.
func (s *Service) Versions(ctx context.Context, p *store.Principal, meetingID string) ([]Version, error) {
	if _, _, err := s.load(ctx, s.db.R(), p, meetingID); err != nil {
		return nil, err
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT v.version, v.sha256, v.finalized_at, COALESCE(us.display_name, v.finalized_by)
		FROM minutes_versions v LEFT JOIN users us ON us.id = v.finalized_by WHERE v.meeting_id = ? ORDER BY v.version DESC`, meetingID)
	out, err := store.Collect(rows, err, func(r store.Scanner) (Version, error) {
		var v Version
		err := r.Scan(&v.Version, &v.SHA256, &v.FinalizedAt, &v.FinalizedBy)
		v.FinalizedAt = v.FinalizedAt.UTC()
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("minutes versions: %w", err)
	}
	return out, nil
}

// Final returns finalized version v of the minutes (v ≤ 0: the latest). Anyone who may
// see the meeting may read its finalized minutes.
func (s *Service) Final(ctx context.Context, p *store.Principal, meetingID string, v int) (Minutes, error) {
	if _, _, err := s.load(ctx, s.db.R(), p, meetingID); err != nil {
		return Minutes{}, err
	}
	q := `SELECT content, sha256 FROM minutes_versions WHERE meeting_id = ? AND version = ?`
	args := []any{meetingID, v}
	if v <= 0 {
		q = `SELECT content, sha256 FROM minutes_versions WHERE meeting_id = ? ORDER BY version DESC LIMIT 1`
		args = args[:1]
	}
	var content, sum string
	err := s.db.R().QueryRowContext(ctx, q, args...).Scan(&content, &sum)
	if errors.Is(err, sql.ErrNoRows) {
		return Minutes{}, store.NotFound("minutes")
	}
	if err != nil {
		return Minutes{}, fmt.Errorf("read minutes: %w", err)
	}
	if store.SHA256Hex([]byte(content)) != sum {
		return Minutes{}, store.Errorf(store.EINTERNAL, "minutes %s v%d: content does not match its digest", meetingID, v)
	}
	var mn Minutes
	if err := json.Unmarshal([]byte(content), &mn); err != nil {
		return Minutes{}, fmt.Errorf("minutes content: %w", err)
	}
	mn.SHA256 = sum
	return mn, nil
}
