package meeting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"dais/internal/store"
)

// Participant is an account invited to a meeting, with its role and answer.
type Participant struct {
	UserID         string     `json:"user_id"`
	Username       string     `json:"username"`
	Name           string     `json:"name"`
	Role           string     `json:"role"`
	DelegateNumber string     `json:"delegate_number"`
	Answer         string     `json:"answer"`
	ExcusedReason  string     `json:"excused_reason"`
	InvitedAt      time.Time  `json:"invited_at"`
	AnsweredAt     *time.Time `json:"answered_at,omitempty"`
}

// Counts sums up the answers.
type Counts struct {
	Total, Accepted, Excused, Invited int
}

// Count sums up the answers of ps.
func Count(ps []Participant) Counts {
	c := Counts{Total: len(ps)}
	for _, p := range ps {
		switch p.Answer {
		case AnswerAccepted:
			c.Accepted++
		case AnswerExcused:
			c.Excused++
		default:
			c.Invited++
		}
	}
	return c
}

// roleOrder sorts participants: presidium first, guests last, then by delegate number.
const roleOrder = `CASE mp.role WHEN 'chair' THEN 1 WHEN 'secretariat' THEN 2 WHEN 'counting' THEN 3 WHEN 'delegate' THEN 4 WHEN 'member' THEN 5 ELSE 6 END`

func readParticipants(ctx context.Context, q store.Querier, meetingID, where string, args ...any) ([]Participant, error) {
	rows, err := q.QueryContext(ctx, `SELECT mp.user_id, us.username, us.display_name, mp.role, mp.delegate_number, mp.status, mp.excused_reason,
		mp.invited_at, mp.answered_at FROM meeting_participants mp JOIN users us ON us.id = mp.user_id
		WHERE mp.meeting_id = ?`+where+` ORDER BY `+roleOrder+`, LENGTH(mp.delegate_number), mp.delegate_number, us.display_name, mp.user_id`,
		append([]any{meetingID}, args...)...)
	out, err := store.Collect(rows, err, func(r store.Scanner) (Participant, error) {
		var p Participant
		var at sql.NullTime
		err := r.Scan(&p.UserID, &p.Username, &p.Name, &p.Role, &p.DelegateNumber, &p.Answer, &p.ExcusedReason, &p.InvitedAt, &at)
		if at.Valid {
			t := at.Time.UTC()
			p.AnsweredAt = &t
		}
		p.InvitedAt = p.InvitedAt.UTC()
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("read participants: %w", err)
	}
	return out, nil
}

// Participants lists a meeting's participants. Officers who run or manage it see every
// answer; a participant sees the list with roles, but the excuse reasons only of their own.
func (s *Service) Participants(ctx context.Context, p *store.Principal, meetingID string) ([]Participant, error) {
	_, a, err := s.load(ctx, s.db.R(), p, meetingID)
	if err != nil {
		return nil, err
	}
	ps, err := readParticipants(ctx, s.db.R(), meetingID, "")
	if err != nil {
		return nil, err
	}
	if !a.run && !a.manage {
		for i := range ps {
			if ps[i].UserID != userID(p) {
				ps[i].ExcusedReason = ""
			}
		}
	}
	return ps, nil
}

// Reminders lists the participants who have not answered their invitation yet: whom the
// secretariat should call (notifications come later).
func (s *Service) Reminders(ctx context.Context, p *store.Principal, meetingID string) ([]Participant, error) {
	_, a, err := s.load(ctx, s.db.R(), p, meetingID)
	if err != nil {
		return nil, err
	}
	if !a.run {
		return nil, forbidden("only the organizers see who has not answered")
	}
	return readParticipants(ctx, s.db.R(), meetingID, ` AND mp.status = ?`, AnswerInvited)
}

// ParticipantInput invites an account (by ID or username) or changes its role and number.
type ParticipantInput struct {
	UserID         string `json:"user_id"`
	Username       string `json:"username"`
	Role           string `json:"role"`
	DelegateNumber string `json:"delegate_number"`
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`) // as internal/account

var delegateNumberRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z./-]{0,15}$`)

func (in *ParticipantInput) validate() error {
	in.DelegateNumber = strings.TrimSpace(in.DelegateNumber)
	if !oneOf(in.Role, Roles) {
		return store.Invalid("role", "mtg.role_invalid", "unknown participant role")
	}
	if in.DelegateNumber != "" && !delegateNumberRE.MatchString(in.DelegateNumber) {
		return store.Invalid("delegate_number", "mtg.number_invalid", "a delegate number is 1–16 letters, digits, dots, dashes or slashes")
	}
	return nil
}

var errNumberTaken = &store.Error{Code: store.ECONFLICT, Key: "mtg.number_taken", Field: "delegate_number", Message: "this delegate number is taken"}

// AddParticipant invites an account to a meeting.
func (s *Service) AddParticipant(ctx context.Context, p *store.Principal, meetingID string, in ParticipantInput) (Participant, error) {
	if err := in.validate(); err != nil {
		return Participant{}, err
	}
	var out Participant
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, a, err := s.load(ctx, tx, p, meetingID)
		if err != nil {
			return err
		}
		if p != nil && !a.manage {
			return forbidden("not allowed to invite to this meeting")
		}
		out, err = addParticipantTx(ctx, tx, meetingID, in)
		return err
	})
	if err != nil {
		return Participant{}, err
	}
	s.publish(ctx, meetingID, EventParticipants, map[string]any{"user_id": out.UserID})
	return out, nil
}

func addParticipantTx(ctx context.Context, tx *store.Tx, meetingID string, in ParticipantInput) (Participant, error) {
	var out Participant
	var err error
	switch {
	case in.UserID != "":
		if !validID(in.UserID) {
			return out, store.Invalid("user_id", "mtg.user_unknown", "no such account")
		}
		err = tx.QueryRowContext(ctx, `SELECT id, username, display_name FROM users WHERE id = ? AND NOT disabled`, in.UserID).Scan(&out.UserID, &out.Username, &out.Name)
	default:
		name := strings.ToLower(strings.TrimSpace(in.Username))
		if !usernameRE.MatchString(name) {
			return out, store.Invalid("username", "mtg.user_unknown", "no such account")
		}
		err = tx.QueryRowContext(ctx, `SELECT id, username, display_name FROM users WHERE username = ? AND NOT disabled`, name).Scan(&out.UserID, &out.Username, &out.Name)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return out, store.Invalid("username", "mtg.user_unknown", "no such account")
	}
	if err != nil {
		return out, fmt.Errorf("find account: %w", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM meeting_participants WHERE meeting_id = ? AND user_id = ?`, meetingID, out.UserID).Scan(&n); err != nil {
		return out, fmt.Errorf("find participant: %w", err)
	}
	if n > 0 {
		return out, &store.Error{Code: store.ECONFLICT, Key: "mtg.already_invited", Field: "username", Message: "already invited"}
	}
	if in.DelegateNumber != "" {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM meeting_participants WHERE meeting_id = ? AND delegate_number = ?`, meetingID, in.DelegateNumber).Scan(&n); err != nil {
			return out, fmt.Errorf("find delegate number: %w", err)
		}
		if n > 0 {
			return out, errNumberTaken
		}
	}
	out.Role, out.DelegateNumber, out.Answer, out.InvitedAt = in.Role, in.DelegateNumber, AnswerInvited, store.Now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO meeting_participants (meeting_id, user_id, role, delegate_number, status, invited_at)
		VALUES (?, ?, ?, ?, ?, ?)`, meetingID, out.UserID, out.Role, out.DelegateNumber, out.Answer, out.InvitedAt); err != nil {
		if store.IsUniqueViolation(err) {
			return out, errNumberTaken
		}
		return out, fmt.Errorf("insert participant: %w", err)
	}
	return out, tx.Audit(ctx, "meeting.invite", "meeting_participant", meetingID+"/"+out.UserID, out)
}

// UpdateParticipant changes a participant's role and delegate number.
func (s *Service) UpdateParticipant(ctx context.Context, p *store.Principal, meetingID, uid string, in ParticipantInput) error {
	if err := in.validate(); err != nil {
		return err
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, a, err := s.load(ctx, tx, p, meetingID)
		if err != nil {
			return err
		}
		if !a.manage {
			return forbidden("not allowed to change participants")
		}
		if in.DelegateNumber != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM meeting_participants WHERE meeting_id = ? AND delegate_number = ? AND user_id <> ?`,
				meetingID, in.DelegateNumber, uid).Scan(&n); err != nil {
				return fmt.Errorf("find delegate number: %w", err)
			}
			if n > 0 {
				return errNumberTaken
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE meeting_participants SET role = ?, delegate_number = ? WHERE meeting_id = ? AND user_id = ?`,
			in.Role, in.DelegateNumber, meetingID, uid)
		if store.IsUniqueViolation(err) {
			return errNumberTaken
		}
		if err != nil {
			return fmt.Errorf("update participant: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.NotFound("participant")
		}
		return tx.Audit(ctx, "meeting.participant_update", "meeting_participant", meetingID+"/"+uid, in)
	})
	if err == nil {
		s.publish(ctx, meetingID, EventParticipants, map[string]any{"user_id": uid})
	}
	return err
}

// RemoveParticipant withdraws an invitation.
func (s *Service) RemoveParticipant(ctx context.Context, p *store.Principal, meetingID, uid string) error {
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, a, err := s.load(ctx, tx, p, meetingID)
		if err != nil {
			return err
		}
		if !a.manage {
			return forbidden("not allowed to change participants")
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM meeting_participants WHERE meeting_id = ? AND user_id = ?`, meetingID, uid)
		if err != nil {
			return fmt.Errorf("remove participant: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.NotFound("participant")
		}
		return tx.Audit(ctx, "meeting.uninvite", "meeting_participant", meetingID+"/"+uid, nil)
	})
	if err == nil {
		s.publish(ctx, meetingID, EventParticipants, map[string]any{"user_id": uid})
	}
	return err
}

// Answer records a participant's answer to the invitation: accepted, or excused with a
// reason (invited takes an answer back). uid "" (or the caller's own ID) answers for the
// caller; the chair, secretariat and organizers may record another participant's answer
// (given by telephone, say).
func (s *Service) Answer(ctx context.Context, p *store.Principal, meetingID, uid, answer, reason string) error {
	if !oneOf(answer, []string{AnswerInvited, AnswerAccepted, AnswerExcused}) {
		return store.Invalid("answer", "mtg.answer_invalid", "answer accepted, excused or invited")
	}
	reason, err := cleanLine("reason", reason, 500, false)
	if err != nil {
		return err
	}
	if answer == AnswerExcused && reason == "" {
		return store.Invalid("reason", "mtg.reason_required", "give the reason for the absence")
	}
	if answer != AnswerExcused {
		reason = ""
	}
	if uid == "" {
		uid = userID(p)
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		_, a, err := s.load(ctx, tx, p, meetingID)
		if err != nil {
			return err
		}
		if uid != userID(p) && !a.run {
			return forbidden("only the organizers record another participant's answer")
		}
		var at any
		if answer != AnswerInvited {
			at = store.Now()
		}
		res, err := tx.ExecContext(ctx, `UPDATE meeting_participants SET status = ?, excused_reason = ?, answered_at = ? WHERE meeting_id = ? AND user_id = ?`,
			answer, reason, at, meetingID, uid)
		if err != nil {
			return fmt.Errorf("answer: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.NotFound("participant")
		}
		return tx.Audit(ctx, "meeting.answer", "meeting_participant", meetingID+"/"+uid, map[string]any{"answer": answer, "reason": reason})
	})
	if err == nil {
		s.publish(ctx, meetingID, EventParticipants, map[string]any{"user_id": uid})
	}
	return err
}

// Note returns the caller's own notes on a meeting ("" when none).
func (s *Service) Note(ctx context.Context, p *store.Principal, meetingID string) (string, error) {
	if _, _, err := s.load(ctx, s.db.R(), p, meetingID); err != nil {
		return "", err
	}
	var body string
	err := s.db.R().QueryRowContext(ctx, `SELECT body FROM meeting_notes WHERE meeting_id = ? AND user_id = ?`, meetingID, userID(p)).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read note: %w", err)
	}
	return body, nil
}

// MaxNote bounds a participant's notes on one meeting.
const MaxNote = 20000

// SaveNote keeps the caller's own notes on a meeting they may see (SaveNoteOnce without
// an idempotency key).
func (s *Service) SaveNote(ctx context.Context, p *store.Principal, meetingID, body string) error {
	_, err := s.SaveNoteOnce(ctx, p, meetingID, body, "")
	return err
}

// RoleIn is a user's role among a meeting's participants, ok false when the user is not
// one (internal/document reads documents by meeting role through it).
func (s *Service) RoleIn(ctx context.Context, meetingID, userID string) (role string, ok bool, err error) {
	err = s.db.R().QueryRowContext(ctx, `SELECT role FROM meeting_participants WHERE meeting_id = ? AND user_id = ?`, meetingID, userID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("meeting role: %w", err)
	}
	return role, true, nil
}

// DelegateNumber is a participant's delegate number in a meeting ("" when none is set or
// the user is not a participant); restricted documents print it in their watermark.
func (s *Service) DelegateNumber(ctx context.Context, meetingID, userID string) (string, error) {
	var n string
	err := s.db.R().QueryRowContext(ctx, `SELECT delegate_number FROM meeting_participants WHERE meeting_id = ? AND user_id = ?`, meetingID, userID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("delegate number: %w", err)
	}
	return n, nil
}
