// Package member holds party members' records. This is the first cut the foundation needs
// (a profile, scoped reads and edits, audited); the member-record issue extends it with the
// full profile, versions, transfers, imports and search.
package member

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"dais/internal/store"
)

// Statuses of a member.
const (
	StatusProbationary = "probationary"
	StatusOfficial     = "official"
)

// Member is a member record.
type Member struct {
	ID            string    `json:"id"`
	UnitID        string    `json:"unit_id"`
	UnitCode      string    `json:"unit_code"`
	UnitName      string    `json:"unit_name"`
	FullName      string    `json:"full_name"`
	Gender        string    `json:"gender"`
	BirthDate     string    `json:"birth_date"`
	CardNumber    string    `json:"card_number"`
	Ethnicity     string    `json:"ethnicity"`
	Hometown      string    `json:"hometown"`
	AdmissionDate string    `json:"admission_date"`
	OfficialDate  string    `json:"official_date"`
	Status        string    `json:"status"`
	Version       int       `json:"version"`
	UpdatedAt     time.Time `json:"updated_at"`
	unitPath      string
}

// Service reads and writes member records.
type Service struct{ db *store.DB }

// NewService returns the member service.
func NewService(db *store.DB) *Service { return &Service{db: db} }

const memberCols = `m.id, m.unit_id, u.code, u.name, u.path, m.full_name, m.gender, m.birth_date, m.card_number, m.ethnicity,
	m.hometown, m.admission_date, m.official_date, m.status, m.version, m.updated_at`

func scanMember(row interface{ Scan(...any) error }) (Member, error) {
	var m Member
	err := row.Scan(&m.ID, &m.UnitID, &m.UnitCode, &m.UnitName, &m.unitPath, &m.FullName, &m.Gender, &m.BirthDate, &m.CardNumber,
		&m.Ethnicity, &m.Hometown, &m.AdmissionDate, &m.OfficialDate, &m.Status, &m.Version, &m.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return m, store.NotFound("member")
	}
	if err != nil {
		return m, fmt.Errorf("scan member: %w", err)
	}
	return m, nil
}

// AddTx inserts a member inside tx (demo seeding, imports), with its audit entry.
func AddTx(ctx context.Context, tx *store.Tx, m *Member) error {
	if m.ID == "" {
		m.ID = store.NewID()
	}
	now := store.Now()
	m.Version, m.UpdatedAt = 1, now
	if m.Status == "" {
		m.Status = StatusOfficial
		if m.OfficialDate == "" {
			m.Status = StatusProbationary
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO members (id, unit_id, full_name, gender, birth_date, card_number, ethnicity, hometown,
		admission_date, official_date, status, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		m.ID, m.UnitID, m.FullName, m.Gender, m.BirthDate, m.CardNumber, m.Ethnicity, m.Hometown, m.AdmissionDate, m.OfficialDate,
		m.Status, now, now); err != nil {
		if store.IsUniqueViolation(err) {
			return &store.Error{Code: store.ECONFLICT, Key: "mem.card_taken", Field: "card_number", Message: "card number " + m.CardNumber + " already exists"}
		}
		return fmt.Errorf("insert member: %w", err)
	}
	return tx.Audit(ctx, "member.create", "member", m.ID, m)
}

// Page is a page of a listing.
type Page struct {
	Offset, Limit, Total int
	Query                string
}

// MaxLimit bounds a page of members.
const MaxLimit = 200

// List returns members of the unit with path unitPath and its subtree, visible to p,
// ordered by name, optionally filtered by a name prefix (case-sensitive, as typed).
func (s *Service) List(ctx context.Context, p *store.Principal, unitPath string, pg *Page) ([]Member, error) {
	if !p.Can(store.PermMemberRead, unitPath) {
		return nil, &store.Error{Code: store.EFORBIDDEN, Key: "err.forbidden", Message: "not allowed to list these members"}
	}
	scope, sargs := p.ScopeSQL(store.PermMemberRead, "u.path")
	where := `u.path >= ? AND u.path < ? AND ` + scope
	args := append([]any{unitPath, unitPath + "~"}, sargs...)
	if q := strings.TrimSpace(pg.Query); q != "" {
		where += ` AND (m.full_name LIKE ? ESCAPE '\' OR m.card_number = ?)`
		args = append(args, likePrefix(q), q)
	}
	if err := s.db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM members m JOIN units u ON u.id = m.unit_id WHERE `+where, args...).Scan(&pg.Total); err != nil {
		return nil, fmt.Errorf("count members: %w", err)
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT `+memberCols+` FROM members m JOIN units u ON u.id = m.unit_id WHERE `+where+
		` ORDER BY m.full_name, m.id LIMIT ? OFFSET ?`, append(args, pg.Limit, pg.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// likePrefix escapes LIKE wildcards so user input matches literally.
func likePrefix(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

// Get returns a member visible to p, or ENOTFOUND.
func (s *Service) Get(ctx context.Context, p *store.Principal, id string) (Member, error) {
	scope, sargs := p.ScopeSQL(store.PermMemberRead, "u.path")
	return scanMember(s.db.R().QueryRowContext(ctx, `SELECT `+memberCols+` FROM members m JOIN units u ON u.id = m.unit_id
		WHERE m.id = ? AND `+scope, append([]any{id}, sargs...)...))
}

// CountInSubtree counts members in the subtree at unitPath (callers check the permission).
func (s *Service) CountInSubtree(ctx context.Context, unitPath string) (int, error) {
	var n int
	err := s.db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM members m JOIN units u ON u.id = m.unit_id WHERE u.path >= ? AND u.path < ?`,
		unitPath, unitPath+"~").Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count members: %w", err)
	}
	return n, nil
}

// Patch is an edit of a member's profile. Nil fields are left as they are. Version is the
// version the editor saw: a concurrent edit makes the update fail with ECONFLICT.
type Patch struct {
	FullName *string `json:"full_name"`
	Hometown *string `json:"hometown"`
	Version  int     `json:"version"`
}

// Update applies a patch (member.write on the member's unit).
func (s *Service) Update(ctx context.Context, p *store.Principal, id string, patch Patch) (Member, error) {
	m, err := s.Get(ctx, p, id)
	if err != nil {
		return Member{}, err
	}
	if !p.Can(store.PermMemberWrite, m.unitPath) {
		return Member{}, &store.Error{Code: store.EFORBIDDEN, Key: "err.forbidden", Message: "not allowed to edit this member"}
	}
	if patch.Version < 1 {
		return Member{}, store.Invalid("version", "err.required", "%s is required", "version")
	}
	if patch.FullName != nil {
		name := strings.Join(strings.Fields(*patch.FullName), " ")
		if err := validText("full_name", name, 1, 120); err != nil {
			return Member{}, err
		}
		m.FullName = name
	}
	if patch.Hometown != nil {
		ht := strings.TrimSpace(*patch.Hometown)
		if err := validText("hometown", ht, 0, 300); err != nil {
			return Member{}, err
		}
		m.Hometown = ht
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE members SET full_name = ?, hometown = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			m.FullName, m.Hometown, store.Now(), m.ID, patch.Version)
		if err != nil {
			return fmt.Errorf("update member: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &store.Error{Code: store.ECONFLICT, Key: "err.conflict", Message: "the record was changed by someone else"}
		}
		m.Version = patch.Version + 1
		return tx.Audit(ctx, "member.update", "member", m.ID, m)
	})
	if err != nil {
		return Member{}, err
	}
	return m, nil
}

func validText(field, s string, minLen, maxLen int) error {
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < ' ' }):
		return store.Invalid(field, "mem.text_invalid", "%s contains invalid characters", field)
	case n < minLen:
		return store.Invalid(field, "mem.required", "%s is required", field)
	case n > maxLen:
		return store.Invalid(field, "err.too_long", "too long (at most %d characters)", maxLen)
	}
	return nil
}
