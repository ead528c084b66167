package ocr

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"dais/internal/member"
	"dais/internal/store"
	"dais/internal/vntext"
)

// States of an intake.
const (
	StatePending  = "pending"
	StateApproved = "approved"
	StateRejected = "rejected"
)

// Intake is one uploaded scan in the review queue.
type Intake struct {
	ID         string
	UnitID     string // the unit it was uploaded for: who may review it
	UnitCode   string
	UnitName   string
	unitPath   string
	BlobSHA256 string
	Filename   string
	Pages      []string // page images (blob addresses), in order
	State      string
	Fields     Fields
	RawText    string
	CreatedAt  time.Time
	CreatedBy  string
	DecidedAt  time.Time // zero while pending
	DecidedBy  string
	Reason     string // why it was rejected
	MemberID   string // the member its approval created
}

// MemberCreator creates a member from an approved record; *member.Service implements it.
type MemberCreator interface {
	Create(ctx context.Context, p *store.Principal, rec member.Record, reason string) (member.Member, error)
}

// claimFor is how long an approval in progress holds an intake.
const claimFor = 2 * time.Minute

// maxReason bounds a rejection reason (characters).
const maxReason = 500

// UploadUnit is a unit the caller may upload scans for.
type UploadUnit struct{ Code, Name string }

// UploadUnits lists the units where p may write members (the roots of its grants).
func UploadUnits(p *store.Principal) []UploadUnit {
	var out []UploadUnit
	if p == nil {
		return nil
	}
	for _, g := range p.Grants {
		if store.RoleAllows(g.Role, store.PermMemberWrite) && !slices.ContainsFunc(out, func(u UploadUnit) bool { return u.Code == g.UnitCode }) {
			out = append(out, UploadUnit{Code: g.UnitCode, Name: g.UnitName})
		}
	}
	return out
}

// unitForUpload finds a live unit by code where p may write members.
func (s *Service) unitForUpload(ctx context.Context, p *store.Principal, code string) (id, path string, err error) {
	err = s.db.R().QueryRowContext(ctx, `SELECT id, path FROM units WHERE code = ? AND dissolved_at IS NULL`,
		strings.ToUpper(strings.TrimSpace(code))).Scan(&id, &path)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !p.Can(store.PermMemberWrite, path) {
		return "", "", invalid("unit", "ocr.unit_unknown", "unknown unit %q, or not yours to add members to", code)
	}
	if err != nil {
		return "", "", fmt.Errorf("find unit: %w", err)
	}
	return id, path, nil
}

// cleanFilename keeps the base name of an uploaded file for display: valid UTF-8, no
// control characters, at most 200 characters.
func cleanFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	if name == "." || name == "/" {
		return ""
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}

// Upload reads a scan and queues what it says for review in the unit with the given code
// (where p must be allowed to write members). Nothing is added to the member records.
func (s *Service) Upload(ctx context.Context, p *store.Principal, unitCode, filename string, data []byte) (Intake, error) {
	unitID, _, err := s.unitForUpload(ctx, p, unitCode)
	if err != nil {
		return Intake{}, err
	}
	rd, err := s.Read(ctx, data)
	if err != nil {
		return Intake{}, err
	}
	return s.queue(ctx, unitID, filename, data, rd)
}

// queue stores an upload and what was read from it as a pending intake of a unit.
func (s *Service) queue(ctx context.Context, unitID, filename string, data []byte, rd Reading) (Intake, error) {
	var err error
	in := Intake{ID: store.NewID(), UnitID: unitID, Filename: cleanFilename(filename), State: StatePending,
		Fields: rd.Fields, RawText: rd.Text(), CreatedAt: store.Now()}
	if in.BlobSHA256, err = s.putBlob(data); err != nil {
		return Intake{}, err
	}
	// The pages shown to the reviewer: the upload itself for an image, the rasterized pages
	// of a PDF (a browser cannot be relied on to show a PDF inline, and page n of the
	// image is page n of what was read).
	type blob struct {
		sum, mediaType string
		size           int
	}
	blobs := []blob{{in.BlobSHA256, rd.MediaType, len(data)}}
	for _, pg := range rd.Pages {
		if rd.MediaType != TypePDF {
			in.Pages = append(in.Pages, in.BlobSHA256)
			continue
		}
		sum, err := s.putBlob(pg.Image)
		if err != nil {
			return Intake{}, err
		}
		in.Pages = append(in.Pages, sum)
		blobs = append(blobs, blob{sum, pg.MediaType, len(pg.Image)})
	}
	pages, _ := json.Marshal(in.Pages)
	fields, err := json.Marshal(in.Fields)
	if err != nil {
		return Intake{}, fmt.Errorf("encode fields: %w", err)
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		for _, b := range blobs {
			if err := s.blobStore.Record(ctx, tx, b.sum, b.mediaType, b.size); err != nil {
				return err
			}
		}
		in.CreatedBy = tx.Actor()
		if _, err := tx.ExecContext(ctx, `INSERT INTO ocr_intakes (id, unit_id, blob_sha256, filename, pages, state,
			fields_sealed, raw_text_sealed, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.ID, in.UnitID, in.BlobSHA256, in.Filename, string(pages), in.State,
			tx.Keys().Seal(fields, fieldsAAD(in.ID)), tx.Keys().Seal([]byte(in.RawText), rawAAD(in.ID)), in.CreatedAt, in.CreatedBy); err != nil {
			return fmt.Errorf("insert intake: %w", err)
		}
		return tx.Audit(ctx, "ocr.upload", "ocr_intake", in.ID, auditState(in))
	})
	if err != nil {
		return Intake{}, err
	}
	return in, nil
}

func fieldsAAD(id string) string { return "ocr_intakes.fields:" + id }
func rawAAD(id string) string    { return "ocr_intakes.raw_text:" + id }

// auditState is what an intake's audit entries digest.
func auditState(in Intake) any {
	return map[string]any{"id": in.ID, "unit_id": in.UnitID, "blob": in.BlobSHA256, "pages": in.Pages, "state": in.State,
		"fields": in.Fields, "member_id": in.MemberID, "reason": in.Reason}
}

const intakeCols = `i.id, i.unit_id, u.code, u.name, u.path, i.blob_sha256, i.filename, i.pages, i.state, i.fields_sealed,
	i.raw_text_sealed, i.created_at, i.created_by, i.decided_at, i.decided_by, i.decision_reason, COALESCE(i.member_id, '')`

func (s *Service) scanIntake(row interface{ Scan(...any) error }) (Intake, error) {
	var in Intake
	var pages string
	var fields, raw []byte
	var decided sql.NullTime
	if err := row.Scan(&in.ID, &in.UnitID, &in.UnitCode, &in.UnitName, &in.unitPath, &in.BlobSHA256, &in.Filename, &pages,
		&in.State, &fields, &raw, &in.CreatedAt, &in.CreatedBy, &decided, &in.DecidedBy, &in.Reason, &in.MemberID); err != nil {
		return in, err
	}
	in.DecidedAt = decided.Time
	if err := json.Unmarshal([]byte(pages), &in.Pages); err != nil {
		return in, fmt.Errorf("intake %s pages: %w", in.ID, err)
	}
	fj, err := s.db.Keys.Open(fields, fieldsAAD(in.ID))
	if err != nil {
		return in, err
	}
	if err := json.Unmarshal(fj, &in.Fields); err != nil {
		return in, fmt.Errorf("intake %s fields: %w", in.ID, err)
	}
	rt, err := s.db.Keys.Open(raw, rawAAD(in.ID))
	if err != nil {
		return in, err
	}
	in.RawText = string(rt)
	return in, nil
}

// Get returns an intake p may review (member.write on its unit), or ENOTFOUND: an intake
// of someone else's unit does not exist for p.
func (s *Service) Get(ctx context.Context, p *store.Principal, id string) (Intake, error) {
	scope, args := p.ScopeSQL(store.PermMemberWrite, "u.path")
	in, err := s.scanIntake(s.db.R().QueryRowContext(ctx, `SELECT `+intakeCols+` FROM ocr_intakes i JOIN units u ON u.id = i.unit_id
		WHERE i.id = ? AND `+scope, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return Intake{}, store.NotFound("intake")
	}
	if err != nil {
		return Intake{}, fmt.Errorf("get intake: %w", err)
	}
	return in, nil
}

// MaxPending is the most pending intakes a queue page lists.
const MaxPending = 200

// Pending lists the pending intakes p may review, newest first, and how many there are.
func (s *Service) Pending(ctx context.Context, p *store.Principal) ([]Intake, int, error) {
	scope, args := p.ScopeSQL(store.PermMemberWrite, "u.path")
	var total int
	if err := s.db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM ocr_intakes i JOIN units u ON u.id = i.unit_id
		WHERE i.state = 'pending' AND `+scope, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count intakes: %w", err)
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT `+intakeCols+` FROM ocr_intakes i JOIN units u ON u.id = i.unit_id
		WHERE i.state = 'pending' AND `+scope+` ORDER BY i.created_at DESC, i.id DESC LIMIT ?`, append(args, MaxPending)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list intakes: %w", err)
	}
	defer rows.Close()
	var out []Intake
	for rows.Next() {
		in, err := s.scanIntake(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list intakes: %w", err)
		}
		out = append(out, in)
	}
	return out, total, rows.Err()
}

// PageImage returns page n (from 1) of an intake p may review, and its media type.
func (s *Service) PageImage(ctx context.Context, p *store.Principal, id string, n int) ([]byte, string, error) {
	in, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, "", err
	}
	if n < 1 || n > len(in.Pages) {
		return nil, "", store.NotFound("page")
	}
	sum := in.Pages[n-1]
	var mt string
	if err := s.db.R().QueryRowContext(ctx, `SELECT media_type FROM blobs WHERE sha256 = ?`, sum).Scan(&mt); err != nil {
		return nil, "", fmt.Errorf("page %d of intake %s: %w", n, id, err)
	}
	data, err := s.getBlob(sum)
	return data, mt, err
}

// errDecided is the answer for an intake that is no longer pending, or that another
// officer is approving right now.
func errDecided() error {
	return &store.Error{Code: store.ECONFLICT, Key: "ocr.decided", Message: "this scan was already approved or rejected, or is being approved"}
}

// Approve turns an intake into a member: the record as the reviewer corrected it goes to
// creator (which validates it and checks p's right to add members to its unit), and the
// intake is marked approved with the new member. The intake is held while the member is
// created, so that a second approval (a double click, a colleague) is refused rather than
// creating the member twice.
//
// The member and the intake's state are written in two transactions (creator opens its
// own): if the process dies between them, the member exists and the intake is still
// pending; approving it again is then refused by the card number's uniqueness, and the
// reviewer rejects it as already entered.
func (s *Service) Approve(ctx context.Context, p *store.Principal, id string, rec member.Record, creator MemberCreator) (member.Member, error) {
	in, err := s.Get(ctx, p, id)
	if err != nil {
		return member.Member{}, err
	}
	if in.State != StatePending {
		return member.Member{}, errDecided()
	}
	actor := store.ActorFrom(ctx)
	now := store.Now()
	// The hold is a lock, not the organization's data: not audited (the approval is).
	var held bool
	if err := s.db.WriteUnaudited(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE ocr_intakes SET claimed_by = ?, claimed_until = ?
			WHERE id = ? AND state = 'pending' AND claimed_until < ?`, actor, now.Add(claimFor).Unix(), id, now.Unix())
		if err != nil {
			return fmt.Errorf("hold intake: %w", err)
		}
		n, err := res.RowsAffected()
		held = n == 1
		return err
	}); err != nil {
		return member.Member{}, err
	}
	if !held {
		return member.Member{}, errDecided()
	}
	m, err := creator.Create(ctx, p, rec, "OCR intake "+id)
	if err != nil {
		if rerr := s.release(ctx, id, actor); rerr != nil {
			return member.Member{}, errors.Join(err, rerr)
		}
		return member.Member{}, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE ocr_intakes SET state = 'approved', member_id = ?, decided_at = ?, decided_by = ?,
			claimed_by = '', claimed_until = 0 WHERE id = ? AND state = 'pending' AND claimed_by = ?`, m.ID, store.Now(), actor, id, actor)
		if err != nil {
			return fmt.Errorf("approve intake: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return store.Errorf(store.EINTERNAL, "intake %s changed while member %s was created from it (%v)", id, m.ID, err)
		}
		in.State, in.MemberID = StateApproved, m.ID
		return tx.Audit(ctx, "ocr.approve", "ocr_intake", id, auditState(in))
	})
	return m, err
}

// release gives up the hold on an intake after a failed approval.
func (s *Service) release(ctx context.Context, id, actor string) error {
	return s.db.WriteUnaudited(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE ocr_intakes SET claimed_by = '', claimed_until = 0 WHERE id = ? AND claimed_by = ?`, id, actor)
		return err
	})
}

// Reject closes an intake without creating anything; the reason is required.
func (s *Service) Reject(ctx context.Context, p *store.Principal, id, reason string) error {
	reason = strings.Join(strings.Fields(reason), " ")
	switch n := utf8.RuneCountInString(reason); {
	case !utf8.ValidString(reason) || strings.ContainsFunc(reason, unicode.IsControl):
		return store.Invalid("reason", "ocr.reason_invalid", "the reason contains invalid characters")
	case n == 0:
		return store.Invalid("reason", "ocr.reason_required", "a reason is required")
	case n > maxReason:
		return store.Invalid("reason", "ocr.reason_too_long", "the reason is longer than %d characters", maxReason)
	}
	in, err := s.Get(ctx, p, id)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		now := store.Now()
		res, err := tx.ExecContext(ctx, `UPDATE ocr_intakes SET state = 'rejected', decided_at = ?, decided_by = ?, decision_reason = ?
			WHERE id = ? AND state = 'pending' AND claimed_until < ?`, now, tx.Actor(), reason, id, now.Unix())
		if err != nil {
			return fmt.Errorf("reject intake: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errDecided()
		}
		in.State, in.Reason = StateRejected, reason
		return tx.Audit(ctx, "ocr.reject", "ocr_intake", id, auditState(in))
	})
}

// SuggestUnit picks the unit a reviewed record most likely belongs to: the unit in the
// intake's subtree whose name matches the cell written on the form ("Chi bộ: Thôn Đông"),
// with matched true; otherwise the intake's own unit.
func (s *Service) SuggestUnit(ctx context.Context, in Intake) (code string, matched bool, err error) {
	written := unitKey(in.Fields["unit_name"].Value)
	if written == "" {
		return in.UnitCode, false, nil
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT code, name FROM units WHERE path >= ? AND path < ? AND dissolved_at IS NULL
		ORDER BY depth, code LIMIT 5000`, in.unitPath, in.unitPath+"~")
	if err != nil {
		return "", false, fmt.Errorf("suggest unit: %w", err)
	}
	defer rows.Close()
	code, bestD := in.UnitCode, len(written)/5+1 // at most one edit per five letters
	for rows.Next() {
		var c, name string
		if err := rows.Scan(&c, &name); err != nil {
			return "", false, fmt.Errorf("suggest unit: %w", err)
		}
		if d := levenshtein(unitKey(name), written); d < bestD {
			code, bestD, matched = c, d, true
		}
	}
	return code, matched, rows.Err()
}

// unitKey folds a unit name and drops the unit-type words forms put before it.
func unitKey(name string) string {
	f := vntext.Fold(name)
	for _, prefix := range []string{"chi bo ", "dang bo ", "dang uy "} {
		f = strings.TrimPrefix(f, prefix)
	}
	return f
}
