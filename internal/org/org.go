// Package org holds the organization tree: units of any depth, from the centre down to
// cells, each with a stable code. Every read and write is scoped by the caller's grants.
package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"dais/internal/store"
)

// Unit types, top to bottom. Deployments may add their own; these are the defaults.
const (
	TypeCentral    = "central"
	TypeProvince   = "province"
	TypeCommune    = "commune"
	TypeGrassroots = "grassroots"
	TypeCell       = "cell"
)

// Types lists the known unit types.
var Types = []string{TypeCentral, TypeProvince, TypeCommune, TypeGrassroots, TypeCell}

// Unit is one node of the tree.
type Unit struct {
	ID        string    `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Type      string    `json:"type"`
	ParentID  string    `json:"parent_id,omitempty"`
	Path      string    `json:"-"`
	Depth     int       `json:"depth"`
	CreatedAt time.Time `json:"created_at"`
}

// Service reads and writes units.
type Service struct{ db *store.DB }

// NewService returns the unit service.
func NewService(db *store.DB) *Service { return &Service{db: db} }

var codeRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._-]{0,63}$`)

// NewUnit is the input of Create.
type NewUnit struct {
	ParentCode string `json:"parent_code"`
	Code       string `json:"code"`
	Name       string `json:"name"`
	Type       string `json:"type"`
}

func (in *NewUnit) validate() error {
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case !codeRE.MatchString(in.Code):
		return store.Invalid("code", "org.code_invalid", "unit code must be 1–64 characters: A–Z, 0–9, dot, dash or underscore")
	case in.Name == "" || !utf8.ValidString(in.Name):
		return store.Invalid("name", "org.name_required", "unit name is required")
	case hasControl(in.Name):
		return store.Invalid("name", "err.invalid", "unit name contains control characters")
	case utf8.RuneCountInString(in.Name) > 200:
		return store.Invalid("name", "err.too_long", "unit name too long (at most %d characters)", 200)
	case !validType(in.Type):
		return store.Invalid("type", "org.type_invalid", "unknown unit type")
	}
	return nil
}

// hasControl reports control characters (NUL, newlines…): never part of a name, and
// PostgreSQL refuses NUL in text.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f })
}

func validType(t string) bool {
	for _, x := range Types {
		if x == t {
			return true
		}
	}
	return false
}

const unitCols = `id, code, name, type, COALESCE(parent_id, ''), path, depth, created_at`

func scanUnit(row store.Scanner) (Unit, error) {
	var u Unit
	err := row.Scan(&u.ID, &u.Code, &u.Name, &u.Type, &u.ParentID, &u.Path, &u.Depth, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return u, store.NotFound("unit")
	}
	if err != nil {
		return u, fmt.Errorf("scan unit: %w", err)
	}
	return u, nil
}

// Create adds a unit under its parent. The caller needs unit.write on the parent; a nil
// principal is the system (CLI, demo seeding) and may create a root (no parent code).
func (s *Service) Create(ctx context.Context, p *store.Principal, in NewUnit) (Unit, error) {
	if err := in.validate(); err != nil {
		return Unit{}, err
	}
	var u Unit
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var parent *Unit
		if in.ParentCode != "" {
			if !codeRE.MatchString(strings.ToUpper(in.ParentCode)) {
				return store.NotFound("unit") // and no NUL reaches PostgreSQL, which refuses it
			}
			pu, err := scanUnit(tx.QueryRowContext(ctx, `SELECT `+unitCols+` FROM units WHERE code = ? AND dissolved_at IS NULL`, strings.ToUpper(in.ParentCode)))
			if err != nil {
				return err
			}
			if p != nil && !p.Can(store.PermUnitRead, pu.Path) {
				return store.NotFound("unit")
			}
			parent = &pu
		}
		if p != nil && (parent == nil || !p.Can(store.PermUnitWrite, parent.Path)) {
			return &store.Error{Code: store.EFORBIDDEN, Key: "err.forbidden", Message: "not allowed to create units here"}
		}
		var err error
		u, err = CreateTx(ctx, tx, in, parent)
		return err
	})
	return u, err
}

// CreateTx inserts a validated unit inside tx (demo seeding uses it to build a whole tree
// in one transaction). It appends the unit's audit entry.
func CreateTx(ctx context.Context, tx *store.Tx, in NewUnit, parent *Unit) (Unit, error) {
	if err := in.validate(); err != nil {
		return Unit{}, err
	}
	u := Unit{ID: store.NewID(), Code: in.Code, Name: in.Name, Type: in.Type, CreatedAt: store.Now()}
	u.Path = "/" + u.ID + "/"
	var parentID any
	if parent != nil {
		u.ParentID, u.Path, u.Depth = parent.ID, parent.Path+u.ID+"/", parent.Depth+1
		parentID = parent.ID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO units (id, code, name, type, parent_id, path, depth, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Code, u.Name, u.Type, parentID, u.Path, u.Depth, u.CreatedAt)
	if store.IsUniqueViolation(err) {
		return Unit{}, &store.Error{Code: store.ECONFLICT, Key: "org.code_taken", Field: "code", Message: "unit code " + u.Code + " already exists"}
	}
	if err != nil {
		return Unit{}, fmt.Errorf("insert unit %s: %w", u.Code, err)
	}
	if err := addEvent(ctx, tx, u.ID, "create", "", map[string]any{"code": u.Code, "name": u.Name, "type": u.Type}); err != nil {
		return Unit{}, err
	}
	return u, tx.Audit(ctx, "unit.create", "unit", u.ID, u)
}

// ByCode returns a unit the caller may see (unit.read on it), or ENOTFOUND: a unit
// outside the caller's subtrees does not exist for them.
func (s *Service) ByCode(ctx context.Context, p *store.Principal, code string) (Unit, error) {
	scope, args := p.ScopeSQL(store.PermUnitRead, "path")
	return scanUnit(s.db.R().QueryRowContext(ctx, `SELECT `+unitCols+` FROM units WHERE code = ? AND dissolved_at IS NULL AND `+scope,
		append([]any{strings.ToUpper(code)}, args...)...))
}

// ByCodeSystem returns a unit by code without scoping (CLI and seeding only).
func (s *Service) ByCodeSystem(ctx context.Context, code string) (Unit, error) {
	return scanUnit(s.db.R().QueryRowContext(ctx, `SELECT `+unitCols+` FROM units WHERE code = ? AND dissolved_at IS NULL`, strings.ToUpper(code)))
}

// Children lists a visible unit's direct sub-units.
func (s *Service) Children(ctx context.Context, p *store.Principal, u Unit) ([]Unit, error) {
	scope, args := p.ScopeSQL(store.PermUnitRead, "path")
	return s.list(ctx, `SELECT `+unitCols+` FROM units WHERE parent_id = ? AND dissolved_at IS NULL AND `+scope+` ORDER BY code`,
		append([]any{u.ID}, args...)...)
}

// Roots lists the units at the top of the caller's visible subtrees (where their grants are).
func (s *Service) Roots(ctx context.Context, p *store.Principal) ([]Unit, error) {
	paths := p.Paths(store.PermUnitRead)
	if len(paths) == 0 {
		return nil, nil
	}
	q := `SELECT ` + unitCols + ` FROM units WHERE dissolved_at IS NULL AND path IN (?` + strings.Repeat(", ?", len(paths)-1) + `) ORDER BY depth, code`
	args := make([]any, len(paths))
	for i, path := range paths {
		args[i] = path
	}
	return s.list(ctx, q, args...)
}

// Ancestors returns the chain from the top of the caller's visible part of the tree down
// to u's parent (for breadcrumbs).
func (s *Service) Ancestors(ctx context.Context, p *store.Principal, u Unit) ([]Unit, error) {
	ids := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(ids) <= 1 {
		return nil, nil
	}
	ids = ids[:len(ids)-1]
	scope, sargs := p.ScopeSQL(store.PermUnitRead, "path")
	args := make([]any, 0, len(ids)+len(sargs))
	for _, id := range ids {
		args = append(args, id)
	}
	return s.list(ctx, `SELECT `+unitCols+` FROM units WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) AND `+scope+` ORDER BY depth`,
		append(args, sargs...)...)
}

// Rename changes a unit's name (unit.write on the unit).
func (s *Service) Rename(ctx context.Context, p *store.Principal, code, name string) (Unit, error) {
	name = strings.TrimSpace(name)
	if name == "" || !utf8.ValidString(name) {
		return Unit{}, store.Invalid("name", "org.name_required", "unit name is required")
	}
	if hasControl(name) {
		return Unit{}, store.Invalid("name", "err.invalid", "unit name contains control characters")
	}
	if utf8.RuneCountInString(name) > 200 {
		return Unit{}, store.Invalid("name", "err.too_long", "unit name too long (at most %d characters)", 200)
	}
	u, err := s.ByCode(ctx, p, code)
	if err != nil {
		return Unit{}, err
	}
	if !p.Can(store.PermUnitWrite, u.Path) {
		return Unit{}, &store.Error{Code: store.EFORBIDDEN, Key: "err.forbidden", Message: "not allowed to rename this unit"}
	}
	oldName := u.Name
	u.Name = name
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE units SET name = ? WHERE id = ?`, name, u.ID); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, u.ID, "rename", "", map[string]any{"from": oldName, "to": name}); err != nil {
			return err
		}
		return tx.Audit(ctx, "unit.rename", "unit", u.ID, u)
	})
	return u, err
}

// Stats are counts over a unit's subtree.
type Stats struct {
	SubUnits int `json:"sub_units"`
	Cells    int `json:"cells"`
}

// Stats counts the units in u's subtree (u itself excluded).
func (s *Service) Stats(ctx context.Context, u Unit) (Stats, error) {
	var st Stats
	err := s.db.R().QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN type = 'cell' THEN 1 ELSE 0 END), 0) FROM units
		WHERE path >= ? AND path < ? AND id <> ? AND dissolved_at IS NULL`, u.Path, u.Path+"~", u.ID).Scan(&st.SubUnits, &st.Cells)
	if err != nil {
		return st, fmt.Errorf("unit stats: %w", err)
	}
	return st, nil
}

func (s *Service) list(ctx context.Context, q string, args ...any) ([]Unit, error) {
	rows, err := s.db.R().QueryContext(ctx, q, args...)
	out, err := store.Collect(rows, err, scanUnit)
	if err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	return out, nil
}

// UnitPath returns the path and name of a unit visible to p (for internal/member).
func (s *Service) UnitPath(ctx context.Context, p *store.Principal, code string) (string, string, error) {
	u, err := s.ByCode(ctx, p, code)
	return u.Path, u.Name, err
}

// Letterhead returns what a document issued by a visible unit prints at its top: the
// unit's name and its superior's, and the unit's path for permission checks.
func (s *Service) Letterhead(ctx context.Context, p *store.Principal, code string) (unit, superior, path string, err error) {
	u, err := s.ByCode(ctx, p, code)
	if err != nil {
		return "", "", "", err
	}
	if u.ParentID != "" {
		// The superior's name is printed even when the caller cannot open its page.
		if err := s.db.R().QueryRowContext(ctx, `SELECT name FROM units WHERE id = ?`, u.ParentID).Scan(&superior); err != nil {
			return "", "", "", fmt.Errorf("superior unit: %w", err)
		}
	}
	return u.Name, superior, u.Path, nil
}
