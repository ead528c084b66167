package member

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"dais/internal/store"
)

// Transfer kinds and states.
const (
	TransferOfficial  = "official"  // chuyển sinh hoạt đảng chính thức: the member changes unit
	TransferTemporary = "temporary" // chuyển sinh hoạt tạm thời: attends another unit for a while

	TransferIssued    = "issued"
	TransferReceived  = "received"
	TransferCancelled = "cancelled"
	TransferExpired   = "expired"
	TransferEnded     = "ended" // a temporary transfer whose period is over
)

// DefaultTransferValidity is how long an introduction letter stays valid: the member
// must present it to the receiving unit before then.
const DefaultTransferValidity = 30 * 24 * time.Hour

// Transfer is a transfer of one member between two units.
type Transfer struct {
	ID           string     `json:"id"`
	MemberID     string     `json:"member_id"`
	MemberName   string     `json:"member_name"`
	CardNumber   string     `json:"card_number"`
	Kind         string     `json:"kind"`
	FromUnitCode string     `json:"from_unit_code"`
	FromUnitName string     `json:"from_unit_name"`
	ToUnitCode   string     `json:"to_unit_code"`
	ToUnitName   string     `json:"to_unit_name"`
	State        string     `json:"state"`
	Reason       string     `json:"reason"`
	LetterNo     string     `json:"letter_no"`
	IssuedAt     time.Time  `json:"issued_at"`
	IssuedBy     string     `json:"issued_by"`
	ExpiresAt    time.Time  `json:"expires_at"`
	EndsOn       string     `json:"ends_on,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	fromPath     string
	toPath       string
	prevStatus   string
}

// NewTransfer is the input of IssueTransfer.
type NewTransfer struct {
	MemberID   string `json:"member_id"`
	ToUnitCode string `json:"to_unit_code"`
	Kind       string `json:"kind"`
	Reason     string `json:"reason"`
	EndsOn     string `json:"ends_on"` // temporary transfers: last day, YYYY-MM-DD
}

const transferCols = `t.id, t.member_id, m.full_name, m.card_number, t.kind, fu.code, fu.name, fu.path, tu.code, tu.name, tu.path,
	t.state, t.prev_status, t.reason, t.letter_no, t.issued_at, t.issued_by, t.expires_at, t.ends_on, t.closed_at`

const transferFrom = ` FROM transfers t JOIN members m ON m.id = t.member_id JOIN units fu ON fu.id = t.from_unit_id JOIN units tu ON tu.id = t.to_unit_id`

func scanTransfer(row store.Scanner) (Transfer, error) {
	var t Transfer
	var closed sql.NullTime
	err := row.Scan(&t.ID, &t.MemberID, &t.MemberName, &t.CardNumber, &t.Kind, &t.FromUnitCode, &t.FromUnitName, &t.fromPath,
		&t.ToUnitCode, &t.ToUnitName, &t.toPath, &t.State, &t.prevStatus, &t.Reason, &t.LetterNo, &t.IssuedAt, &t.IssuedBy,
		&t.ExpiresAt, &t.EndsOn, &closed)
	if errors.Is(err, sql.ErrNoRows) {
		return t, store.NotFound("transfer")
	}
	if closed.Valid {
		t.ClosedAt = &closed.Time
	}
	return t, err
}

// exitPoint is the unit through which a transfer leaves the source's side of the tree:
// the child of the common ancestor of both units on the source's side. A transfer inside a
// commune is issued by the commune's officers; one to another province goes up through
// the province committee, which must issue it (DESIGN: "across provinces through the
// common ancestor").
func exitPoint(fromPath, toPath string) string {
	a := strings.Split(strings.Trim(fromPath, "/"), "/")
	b := strings.Split(strings.Trim(toPath, "/"), "/")
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	if i >= len(a) {
		return fromPath // the target is inside the source's subtree
	}
	return "/" + strings.Join(a[:i+1], "/") + "/"
}

// IssueTransfer issues a transfer and its introduction letter number. An official
// transfer puts the member in transit: still on the source's roll, in no other, until
// received.
func (s *Service) IssueTransfer(ctx context.Context, p *store.Principal, in NewTransfer) (Transfer, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	switch {
	case in.Kind != TransferOfficial && in.Kind != TransferTemporary:
		return Transfer{}, store.Invalid("kind", "mem.transfer_kind", "kind must be official or temporary")
	case in.Reason == "" || len(in.Reason) > 500:
		return Transfer{}, store.Invalid("reason", "mem.reason_required", "a reason (at most 500 characters) is required")
	}
	if in.Kind == TransferTemporary {
		end, err := time.Parse(time.DateOnly, in.EndsOn)
		if err != nil || !end.After(store.Now()) || end.After(store.Now().AddDate(2, 0, 0)) {
			return Transfer{}, store.Invalid("ends_on", "mem.transfer_end", "a temporary transfer needs an end date within two years")
		}
	} else {
		in.EndsOn = ""
	}
	m, err := s.Get(ctx, p, in.MemberID)
	if err != nil {
		return Transfer{}, err
	}
	var tr Transfer
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		var toID, toPath, toName string
		err := tx.QueryRowContext(ctx, `SELECT id, path, name FROM units WHERE code = ? AND dissolved_at IS NULL`, strings.ToUpper(strings.TrimSpace(in.ToUnitCode))).
			Scan(&toID, &toPath, &toName)
		if err != nil {
			return store.Invalid("to_unit_code", "mem.unit_unknown", "unknown unit code %s", in.ToUnitCode)
		}
		if toID == m.UnitID {
			return store.Invalid("to_unit_code", "mem.transfer_same", "the member is already in this unit")
		}
		if !p.Can(store.PermMemberWrite, exitPoint(m.unitPath, toPath)) {
			return &store.Error{Code: store.EFORBIDDEN, Key: "mem.transfer_level", Message: "this transfer must be issued by the committee at the common level of both units"}
		}
		var open int
		// Open: any issued letter, or a temporary stay under way when asking for another.
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM transfers WHERE member_id = ? AND (state = 'issued'
			OR (state = 'received' AND kind = 'temporary' AND ? = 'temporary'))`, m.ID, in.Kind).Scan(&open); err != nil {
			return err
		}
		if open > 0 || m.Status == StatusInTransit {
			return &store.Error{Code: store.ECONFLICT, Key: "mem.transfer_open", Message: "the member already has an open transfer"}
		}
		if m.Status != StatusOfficial && m.Status != StatusProbationary {
			return &store.Error{Code: store.EINVALID, Key: "mem.transfer_status", Message: "only current members can be transferred"}
		}
		now := store.Now()
		tr = Transfer{ID: store.NewID(), MemberID: m.ID, MemberName: m.FullName, CardNumber: m.CardNumber, Kind: in.Kind,
			FromUnitCode: m.UnitCode, FromUnitName: m.UnitName, ToUnitCode: strings.ToUpper(in.ToUnitCode), ToUnitName: toName,
			State: TransferIssued, Reason: in.Reason, IssuedAt: now, IssuedBy: tx.Actor(), ExpiresAt: now.Add(DefaultTransferValidity),
			EndsOn: in.EndsOn, prevStatus: m.Status}
		// Letter numbers count per issuing unit and year: "12/GGT-BN.HL01" style.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM transfers WHERE from_unit_id = ? AND issued_at >= ?`,
			m.UnitID, time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC)).Scan(&n); err != nil {
			return err
		}
		tr.LetterNo = fmt.Sprintf("%d/GGT-%s", n+1, m.UnitCode)
		if _, err := tx.ExecContext(ctx, `INSERT INTO transfers (id, member_id, kind, from_unit_id, to_unit_id, state, prev_status, reason,
			letter_no, issued_at, issued_by, expires_at, ends_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tr.ID, m.ID, tr.Kind, m.UnitID, toID, tr.State, m.Status, tr.Reason, tr.LetterNo, now, tr.IssuedBy, tr.ExpiresAt, tr.EndsOn); err != nil {
			return fmt.Errorf("insert transfer: %w", err)
		}
		if in.Kind == TransferOfficial {
			if err := s.reveal(&m); err != nil {
				return err
			}
			m.Status, m.StatusDate, m.StatusReason = StatusInTransit, now.Format(time.DateOnly), "transfer "+tr.LetterNo
			if err := updateTx(ctx, tx, &m, m.Version, "transfer issued to "+tr.ToUnitCode); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, "transfer.issue", "transfer", tr.ID, tr)
	})
	return tr, err
}

// GetTransfer returns a transfer visible from either end.
func (s *Service) GetTransfer(ctx context.Context, p *store.Principal, id string) (Transfer, error) {
	from, fargs := p.ScopeSQL(store.PermMemberRead, "fu.path")
	to, targs := p.ScopeSQL(store.PermMemberRead, "tu.path")
	args := append(append([]any{id}, fargs...), targs...)
	return scanTransfer(s.db.R().QueryRowContext(ctx, `SELECT `+transferCols+transferFrom+` WHERE t.id = ? AND (`+from+` OR `+to+`)`, args...))
}

// Transfers lists the transfers into or out of a unit's subtree, open ones first.
func (s *Service) Transfers(ctx context.Context, p *store.Principal, unitPath string) ([]Transfer, error) {
	if !p.Can(store.PermMemberRead, unitPath) {
		return nil, store.NotFound("unit")
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT `+transferCols+transferFrom+`
		WHERE (fu.path >= ? AND fu.path < ?) OR (tu.path >= ? AND tu.path < ?)
		ORDER BY CASE t.state WHEN 'issued' THEN 0 ELSE 1 END, t.issued_at DESC LIMIT 200`, unitPath, unitPath+"~", unitPath, unitPath+"~")
	out, err := store.Collect(rows, err, scanTransfer)
	if err != nil {
		return nil, fmt.Errorf("list transfers: %w", err)
	}
	return out, nil
}

// ReceiveTransfer is the receiving unit accepting the member (member.write on the target).
// An official transfer moves the member; a temporary one records the attendance.
func (s *Service) ReceiveTransfer(ctx context.Context, p *store.Principal, id string) (Transfer, error) {
	return s.closeTransfer(ctx, p, id, TransferReceived, func(t Transfer) bool { return p.Can(store.PermMemberWrite, t.toPath) })
}

// CancelTransfer withdraws an issued transfer (member.write on the source).
func (s *Service) CancelTransfer(ctx context.Context, p *store.Principal, id string) (Transfer, error) {
	return s.closeTransfer(ctx, p, id, TransferCancelled, func(t Transfer) bool { return p.Can(store.PermMemberWrite, t.fromPath) })
}

func (s *Service) closeTransfer(ctx context.Context, p *store.Principal, id, to string, allowed func(Transfer) bool) (Transfer, error) {
	t, err := s.GetTransfer(ctx, p, id)
	if err != nil {
		return t, err
	}
	if !allowed(t) {
		return t, &store.Error{Code: store.EFORBIDDEN, Key: "err.forbidden", Message: "not allowed to " + to + " this transfer"}
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		return s.closeTx(ctx, tx, &t, to)
	})
	return t, err
}

// closeTx moves an issued transfer to state to, updating the member.
func (s *Service) closeTx(ctx context.Context, tx *store.Tx, t *Transfer, to string) error {
	from := TransferIssued
	if to == TransferEnded {
		from = TransferReceived
	}
	now := store.Now()
	res, err := tx.ExecContext(ctx, `UPDATE transfers SET state = ?, closed_at = ?, closed_by = ? WHERE id = ? AND state = ?`,
		to, now, tx.Actor(), t.ID, from)
	if err != nil {
		return fmt.Errorf("close transfer: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return &store.Error{Code: store.ECONFLICT, Key: "mem.transfer_closed", Message: "the transfer is no longer " + from}
	}
	if t.Kind == TransferOfficial {
		m, err := scanMember(tx.QueryRowContext(ctx, `SELECT `+memberCols+` FROM members m JOIN units u ON u.id = m.unit_id WHERE m.id = ?`, t.MemberID))
		if err != nil {
			return err
		}
		if err := s.reveal(&m); err != nil {
			return err
		}
		m.Status, m.StatusDate, m.StatusReason = t.prevStatus, now.Format(time.DateOnly), ""
		reason := "transfer " + t.LetterNo + " " + to
		if to == TransferReceived {
			if err := tx.QueryRowContext(ctx, `SELECT id, code FROM units WHERE code = ?`, t.ToUnitCode).Scan(&m.UnitID, &m.UnitCode); err != nil {
				return err
			}
			reason = "received from " + t.FromUnitCode + " (" + t.LetterNo + ")"
		}
		if err := updateTx(ctx, tx, &m, m.Version, reason); err != nil {
			return err
		}
	}
	t.State, t.ClosedAt = to, &now
	return tx.Audit(ctx, "transfer."+to, "transfer", t.ID, t)
}

// ExpireTransfers closes issued transfers whose letter ran out (the member returns to
// their previous status in the source unit) and temporary transfers whose period is
// over. Run by the server's housekeeping; returns how many it closed.
func (s *Service) ExpireTransfers(ctx context.Context) (int, error) {
	now := store.Now()
	rows, err := s.db.R().QueryContext(ctx, `SELECT `+transferCols+transferFrom+`
		WHERE (t.state = 'issued' AND t.expires_at < ?) OR (t.state = 'received' AND t.kind = 'temporary' AND t.ends_on < ?)`,
		now, now.Format(time.DateOnly))
	due, err := store.Collect(rows, err, scanTransfer)
	if err != nil {
		return 0, fmt.Errorf("find expired transfers: %w", err)
	}
	n := 0
	for _, t := range due {
		to := TransferExpired
		if t.State == TransferReceived {
			to = TransferEnded
		}
		err := s.db.Write(store.WithActor(ctx, "system"), func(tx *store.Tx) error { return s.closeTx(ctx, tx, &t, to) })
		if store.ErrorCode(err) == store.ECONFLICT {
			continue // someone closed it meanwhile
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// transfersOf lists one member's transfers, newest first (the caller has read the member).
func (s *Service) transfersOf(ctx context.Context, memberID string) ([]Transfer, error) {
	rows, err := s.db.R().QueryContext(ctx, `SELECT `+transferCols+transferFrom+` WHERE t.member_id = ? ORDER BY t.issued_at DESC`, memberID)
	out, err := store.Collect(rows, err, scanTransfer)
	if err != nil {
		return nil, fmt.Errorf("member transfers: %w", err)
	}
	return out, nil
}
