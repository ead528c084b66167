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

	"dais/internal/store"
)

// Statuses of a member.
const (
	StatusProbationary = "probationary"
	StatusOfficial     = "official"
)

// Member is a member record as stored.
type Member struct {
	ID                string    `json:"id"`
	UnitID            string    `json:"unit_id"`
	UnitCode          string    `json:"unit_code"`
	UnitName          string    `json:"unit_name"`
	FullName          string    `json:"full_name"`
	OtherNames        string    `json:"other_names"`
	Gender            string    `json:"gender"`
	BirthDate         string    `json:"birth_date"`
	CardNumber        string    `json:"card_number"`
	IDNumber          string    `json:"id_number,omitempty"` // only for callers who may edit the record; else masked
	Ethnicity         string    `json:"ethnicity"`
	Religion          string    `json:"religion"`
	Hometown          string    `json:"hometown"`
	Residence         string    `json:"residence"`
	AdmissionDate     string    `json:"admission_date"`
	OfficialDate      string    `json:"official_date"`
	Positions         string    `json:"positions"`
	Education         string    `json:"education"`
	ProfessionalLevel string    `json:"professional_level"`
	TheoryLevel       string    `json:"theory_level"`
	PhotoSHA256       string    `json:"photo_sha256,omitempty"`
	Status            string    `json:"status"`
	StatusDate        string    `json:"status_date,omitempty"`
	StatusReason      string    `json:"status_reason,omitempty"`
	Version           int       `json:"version"`
	UpdatedAt         time.Time `json:"updated_at"`
	unitPath          string
	idSealed          []byte
}

// Service reads and writes member records.
type Service struct {
	db    *store.DB
	blobs *store.Blobs // photos
}

// NewService returns the member service.
func NewService(db *store.DB) *Service { return &Service{db: db} }

const memberCols = `m.id, m.unit_id, u.code, u.name, u.path, m.full_name, m.other_names, m.gender, m.birth_date, m.card_number,
	m.id_number_sealed, m.ethnicity, m.religion, m.hometown, m.residence, m.admission_date, m.official_date, m.positions, m.education,
	m.professional_level, m.theory_level, m.photo_sha256, m.status, m.status_date, m.status_reason, m.version, m.updated_at`

func scanMember(row store.Scanner) (Member, error) {
	var m Member
	err := row.Scan(&m.ID, &m.UnitID, &m.UnitCode, &m.UnitName, &m.unitPath, &m.FullName, &m.OtherNames, &m.Gender, &m.BirthDate,
		&m.CardNumber, &m.idSealed, &m.Ethnicity, &m.Religion, &m.Hometown, &m.Residence, &m.AdmissionDate, &m.OfficialDate,
		&m.Positions, &m.Education, &m.ProfessionalLevel, &m.TheoryLevel, &m.PhotoSHA256, &m.Status, &m.StatusDate, &m.StatusReason,
		&m.Version, &m.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return m, store.NotFound("member")
	}
	if err != nil {
		return m, fmt.Errorf("scan member: %w", err)
	}
	return m, nil
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
	out, err := store.Collect(rows, err, scanMember)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	return out, nil
}

// likePrefix escapes LIKE wildcards so user input matches literally.
func likePrefix(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

// Get returns a member visible to p, or ENOTFOUND. The ID number is shown in full only
// to those who may edit the record; others see it masked.
func (s *Service) Get(ctx context.Context, p *store.Principal, id string) (Member, error) {
	scope, sargs := p.ScopeSQL(store.PermMemberRead, "u.path")
	m, err := scanMember(s.db.R().QueryRowContext(ctx, `SELECT `+memberCols+` FROM members m JOIN units u ON u.id = m.unit_id
		WHERE m.id = ? AND `+scope, append([]any{id}, sargs...)...))
	if err != nil {
		return m, err
	}
	if err := s.reveal(&m); err != nil {
		return m, err
	}
	if !p.Can(store.PermMemberWrite, m.unitPath) {
		m.IDNumber = maskID(m.IDNumber)
	}
	return m, nil
}

// CanEdit reports whether p may edit m.
func (m *Member) CanEdit(p *store.Principal) bool { return p.Can(store.PermMemberWrite, m.unitPath) }

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

// MaxExport bounds one export: a list longer than this is a national statistic, not a
// document; export a smaller unit instead.
const MaxExport = 50_000

// All returns every current member of the subtree at unitPath visible to p, ordered by
// unit and name, for exports. More than MaxExport is refused with EINVALID.
func (s *Service) All(ctx context.Context, p *store.Principal, unitPath string) ([]Member, error) {
	if !p.Can(store.PermMemberRead, unitPath) {
		return nil, store.NotFound("unit")
	}
	pg := Page{Limit: 1}
	if _, err := s.List(ctx, p, unitPath, &pg); err != nil {
		return nil, err
	}
	if pg.Total > MaxExport {
		return nil, &store.Error{Code: store.EINVALID, Key: "mem.export_too_big", Args: []any{pg.Total, MaxExport},
			Message: fmt.Sprintf("%d members: exports stop at %d; export a smaller unit", pg.Total, MaxExport)}
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT `+memberCols+` FROM members m JOIN units u ON u.id = m.unit_id
		WHERE u.path >= ? AND u.path < ? AND m.status NOT IN ('deceased', 'expelled', 'removed') ORDER BY u.path, m.full_name, m.id`,
		unitPath, unitPath+"~")
	out, err := store.Collect(rows, err, func(r store.Scanner) (Member, error) {
		m, err := scanMember(r)
		m.idSealed = nil // exports never carry ID numbers
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("export members: %w", err)
	}
	return out, nil
}
