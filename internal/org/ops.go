package org

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"dais/internal/store"
)

// UnitMover is implemented by every package that keeps data by unit (members, grants,
// meetings…): when a unit is merged into another, its rows follow. org calls each mover
// inside the merge's transaction, so the merge is all or nothing.
type UnitMover interface {
	MoveUnitData(ctx context.Context, tx *store.Tx, fromUnitID, toUnitID string) (moved int, err error)
}

// Event is one entry of a unit's history.
type Event struct {
	At        time.Time      `json:"at"`
	Actor     string         `json:"actor"`
	Kind      string         `json:"kind"` // create, rename, move, merge_in, merged_into, split_from, split_into, dissolve
	Detail    map[string]any `json:"detail"`
	RelatedID string         `json:"related_id,omitempty"`
}

func addEvent(ctx context.Context, tx *store.Tx, unitID, kind, relatedID string, detail map[string]any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	var rel any
	if relatedID != "" {
		rel = relatedID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO unit_events (id, unit_id, at, actor, kind, detail, related_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		store.NewID(), unitID, store.Now(), tx.Actor(), kind, string(b), rel)
	if err != nil {
		return fmt.Errorf("unit event: %w", err)
	}
	return nil
}

// History lists a visible unit's events, newest first.
func (s *Service) History(ctx context.Context, p *store.Principal, code string) ([]Event, error) {
	u, err := s.ByCode(ctx, p, code)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT at, actor, kind, detail, COALESCE(related_id, '') FROM unit_events WHERE unit_id = ? ORDER BY at DESC, id DESC`, u.ID)
	if err != nil {
		return nil, fmt.Errorf("unit history: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var detail string
		if err := rows.Scan(&e.At, &e.Actor, &e.Kind, &detail, &e.RelatedID); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(detail), &e.Detail)
		out = append(out, e)
	}
	return out, rows.Err()
}

// lockUnit loads a live unit by code inside tx and checks p holds unit.write on it.
func lockUnit(ctx context.Context, tx *store.Tx, p *store.Principal, code string) (Unit, error) {
	u, err := scanUnit(tx.QueryRowContext(ctx, `SELECT `+unitCols+` FROM units WHERE code = ? AND dissolved_at IS NULL`, strings.ToUpper(strings.TrimSpace(code))))
	if err != nil {
		return u, err
	}
	if p != nil && !p.Can(store.PermUnitRead, u.Path) {
		return Unit{}, store.NotFound("unit")
	}
	if p != nil && !p.Can(store.PermUnitWrite, u.Path) {
		return Unit{}, &store.Error{Code: store.EFORBIDDEN, Key: "err.forbidden", Message: "not allowed to change unit " + u.Code}
	}
	return u, nil
}

// reparent moves u (and its subtree) under parent, rewriting the materialized paths.
func reparent(ctx context.Context, tx *store.Tx, u, parent Unit) error {
	if strings.HasPrefix(parent.Path, u.Path) {
		return &store.Error{Code: store.EINVALID, Key: "org.move_cycle", Message: "a unit cannot move under itself"}
	}
	newPath := parent.Path + u.ID + "/"
	shift := parent.Depth + 1 - u.Depth
	// substr is 1-based in both SQLite and PostgreSQL; || concatenates in both.
	if _, err := tx.ExecContext(ctx, `UPDATE units SET path = ? || substr(path, ?), depth = depth + ? WHERE path >= ? AND path < ?`,
		newPath, len(u.Path)+1, shift, u.Path, u.Path+"~"); err != nil {
		return fmt.Errorf("rewrite paths: %w", err)
	}
	_, err := tx.ExecContext(ctx, `UPDATE units SET parent_id = ? WHERE id = ?`, parent.ID, u.ID)
	return err
}

// Move puts a unit (with its subtree) under a new parent. The caller needs unit.write on
// the unit and on the new parent (for a move across provinces: on their common ancestor).
func (s *Service) Move(ctx context.Context, p *store.Principal, code, newParentCode string) (Unit, error) {
	var u Unit
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = lockUnit(ctx, tx, p, code); err != nil {
			return err
		}
		parent, err := lockUnit(ctx, tx, p, newParentCode)
		if err != nil {
			return err
		}
		if u.ParentID == parent.ID {
			return nil // already there; nothing to record
		}
		old := u.ParentID
		if err := reparent(ctx, tx, u, parent); err != nil {
			return err
		}
		u.Path, u.Depth = parent.Path+u.ID+"/", parent.Depth+1
		if err := addEvent(ctx, tx, u.ID, "move", parent.ID, map[string]any{"from_parent": old, "to_parent": parent.Code}); err != nil {
			return err
		}
		u.ParentID = parent.ID
		return tx.Audit(ctx, "unit.move", "unit", u.ID, map[string]any{"code": u.Code, "parent": parent.Code})
	})
	return u, err
}

// Merge merges the source units into a target: sub-units, members, grants and every
// other unit-keyed row follow (through the movers); the sources are closed with
// merged_into set and keep their history. The target is an existing unit (A + B → B) or,
// when target.Code is new, a unit created under the first source's parent (A + B → C).
func (s *Service) Merge(ctx context.Context, p *store.Principal, sourceCodes []string, target NewUnit, movers ...UnitMover) (Unit, error) {
	if len(sourceCodes) == 0 {
		return Unit{}, store.Invalid("sources", "org.merge_sources", "name at least one unit to merge")
	}
	var t Unit
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var sources []Unit
		seen := map[string]bool{}
		for _, c := range sourceCodes {
			u, err := lockUnit(ctx, tx, p, c)
			if err != nil {
				return err
			}
			if seen[u.ID] {
				return store.Invalid("sources", "org.merge_sources", "unit %s named twice", u.Code)
			}
			seen[u.ID] = true
			sources = append(sources, u)
		}
		var err error
		t, err = lockUnit(ctx, tx, p, target.Code)
		switch {
		case store.ErrorCode(err) == store.ENOTFOUND:
			if sources[0].ParentID == "" {
				return store.Invalid("target", "org.merge_root", "the root cannot be merged")
			}
			parent, err := scanUnit(tx.QueryRowContext(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, sources[0].ParentID))
			if err != nil {
				return err
			}
			if p != nil && !p.Can(store.PermUnitWrite, parent.Path) {
				return &store.Error{Code: store.EFORBIDDEN, Key: "err.forbidden", Message: "not allowed to create units under " + parent.Code}
			}
			if target.Type == "" {
				target.Type = sources[0].Type
			}
			if t, err = CreateTx(ctx, tx, target, &parent); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		for _, src := range sources {
			if src.ID == t.ID {
				return store.Invalid("target", "org.merge_self", "a unit cannot be merged into itself")
			}
			if strings.HasPrefix(t.Path, src.Path) {
				return store.Invalid("target", "org.move_cycle", "a unit cannot move under itself")
			}
			children, err := s.listTx(ctx, tx, `SELECT `+unitCols+` FROM units WHERE parent_id = ? AND dissolved_at IS NULL`, src.ID)
			if err != nil {
				return err
			}
			for _, c := range children {
				if err := reparent(ctx, tx, c, t); err != nil {
					return err
				}
			}
			moved := map[string]int{"sub_units": len(children)}
			for _, m := range movers {
				n, err := m.MoveUnitData(ctx, tx, src.ID, t.ID)
				if err != nil {
					return err
				}
				moved[moverName(m)] = n
			}
			if _, err := tx.ExecContext(ctx, `UPDATE units SET dissolved_at = ?, merged_into = ? WHERE id = ?`, store.Now(), t.ID, src.ID); err != nil {
				return err
			}
			detail := map[string]any{"source": src.Code, "source_name": src.Name, "target": t.Code, "target_name": t.Name, "moved": moved}
			if err := addEvent(ctx, tx, src.ID, "merged_into", t.ID, detail); err != nil {
				return err
			}
			if err := addEvent(ctx, tx, t.ID, "merge_in", src.ID, detail); err != nil {
				return err
			}
			if err := tx.Audit(ctx, "unit.merge", "unit", src.ID, detail); err != nil {
				return err
			}
		}
		return nil
	})
	return t, err
}

// SplitPart is one unit a split creates: its definition and what goes to it.
type SplitPart struct {
	Unit      NewUnit  `json:"unit"`
	SubUnits  []string `json:"sub_units"` // codes of the source's sub-units that move to this part
	MemberIDs []string `json:"member_ids"`
}

// MemberMover moves chosen members between units (internal/member implements it).
type MemberMover interface {
	MoveMembers(ctx context.Context, tx *store.Tx, fromUnitID, toUnitID string, memberIDs []string) (int, error)
}

// Split creates new units beside the source (under its parent) and moves the chosen
// sub-units and members to them. What is not assigned stays in the source, which
// remains open; dissolve it afterwards if it is empty.
func (s *Service) Split(ctx context.Context, p *store.Principal, code string, parts []SplitPart, members MemberMover) ([]Unit, error) {
	if len(parts) == 0 {
		return nil, store.Invalid("parts", "org.split_parts", "name at least one new unit")
	}
	var out []Unit
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		out = out[:0]
		src, err := lockUnit(ctx, tx, p, code)
		if err != nil {
			return err
		}
		if src.ParentID == "" {
			return store.Invalid("code", "org.merge_root", "the root cannot be split")
		}
		parent, err := scanUnit(tx.QueryRowContext(ctx, `SELECT `+unitCols+` FROM units WHERE id = ?`, src.ParentID))
		if err != nil {
			return err
		}
		if p != nil && !p.Can(store.PermUnitWrite, parent.Path) {
			return &store.Error{Code: store.EFORBIDDEN, Key: "err.forbidden", Message: "not allowed to create units under " + parent.Code}
		}
		for _, part := range parts {
			if part.Unit.Type == "" {
				part.Unit.Type = src.Type
			}
			nu, err := CreateTx(ctx, tx, part.Unit, &parent)
			if err != nil {
				return err
			}
			for _, sc := range part.SubUnits {
				c, err := scanUnit(tx.QueryRowContext(ctx, `SELECT `+unitCols+` FROM units WHERE code = ? AND parent_id = ? AND dissolved_at IS NULL`, strings.ToUpper(sc), src.ID))
				if err != nil {
					return store.Invalid("sub_units", "org.split_child", "%s is not a sub-unit of %s", sc, src.Code)
				}
				if err := reparent(ctx, tx, c, nu); err != nil {
					return err
				}
			}
			moved := 0
			if len(part.MemberIDs) > 0 {
				if members == nil {
					return store.Errorf(store.EINTERNAL, "split with members but no member mover")
				}
				if moved, err = members.MoveMembers(ctx, tx, src.ID, nu.ID, part.MemberIDs); err != nil {
					return err
				}
			}
			detail := map[string]any{"source": src.Code, "new": nu.Code, "name": nu.Name, "sub_units": part.SubUnits, "members": moved}
			if err := addEvent(ctx, tx, src.ID, "split_into", nu.ID, detail); err != nil {
				return err
			}
			if err := addEvent(ctx, tx, nu.ID, "split_from", src.ID, detail); err != nil {
				return err
			}
			if err := tx.Audit(ctx, "unit.split", "unit", nu.ID, detail); err != nil {
				return err
			}
			out = append(out, nu)
		}
		return nil
	})
	return out, err
}

// Dissolve closes an empty unit (no open sub-units; no members, checked by the counter).
func (s *Service) Dissolve(ctx context.Context, p *store.Principal, code, reason string, members interface {
	CountInSubtree(ctx context.Context, unitPath string) (int, error)
}) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return store.Invalid("reason", "org.reason_required", "a reason is required")
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		u, err := lockUnit(ctx, tx, p, code)
		if err != nil {
			return err
		}
		var kids int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM units WHERE parent_id = ? AND dissolved_at IS NULL`, u.ID).Scan(&kids); err != nil {
			return err
		}
		n, err := members.CountInSubtree(ctx, u.Path)
		if err != nil {
			return err
		}
		if kids > 0 || n > 0 {
			return &store.Error{Code: store.ECONFLICT, Key: "org.not_empty", Message: fmt.Sprintf("unit %s still has %d sub-units and %d members: merge or move them first", u.Code, kids, n)}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE units SET dissolved_at = ? WHERE id = ?`, store.Now(), u.ID); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, u.ID, "dissolve", "", map[string]any{"reason": reason}); err != nil {
			return err
		}
		return tx.Audit(ctx, "unit.dissolve", "unit", u.ID, map[string]any{"code": u.Code, "reason": reason})
	})
}

func (s *Service) listTx(ctx context.Context, q store.Querier, query string, args ...any) ([]Unit, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	return store.Collect(rows, err, scanUnit)
}

// moverName names a mover in a merge's history ("member.Service" → "members").
func moverName(m UnitMover) string {
	if n, ok := m.(interface{ MoverName() string }); ok {
		return n.MoverName()
	}
	return fmt.Sprintf("%T", m)
}
