package org

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"dais/internal/store"
)

// bulkRows is how many units one multi-row INSERT writes (8 parameters a unit).
const bulkRows = 500

// bulkAudit is how many units one audit entry covers (its digest covers their codes).
const bulkAudit = 1000

// Bulk creates many units inside one transaction — a whole country's tree when the
// organization is first set up — with multi-row INSERTs and one audit entry per thousand
// units instead of one per unit. Each unit still gets its "create" event in its history.
// Add buffers; parents must be added (or exist) before their children; Finish writes
// the rest. The caller's transaction makes it all-or-nothing.
type Bulk struct {
	tx      *store.Tx
	units   []Unit
	events  []any
	codes   []string
	stmts   map[string]*sql.Stmt
	batchNo int
	Count   int
}

// NewBulk starts a bulk creation inside tx.
func NewBulk(tx *store.Tx) *Bulk { return &Bulk{tx: tx, stmts: map[string]*sql.Stmt{}} }

// Add validates in and queues the unit under parent (nil: a root), returning it with its
// ID and path set.
func (b *Bulk) Add(ctx context.Context, in NewUnit, parent *Unit) (Unit, error) {
	if err := in.validate(); err != nil {
		return Unit{}, err
	}
	u := Unit{ID: store.NewID(), Code: in.Code, Name: in.Name, Type: in.Type, CreatedAt: store.Now()}
	u.Path = "/" + u.ID + "/"
	if parent != nil {
		u.ParentID, u.Path, u.Depth = parent.ID, parent.Path+u.ID+"/", parent.Depth+1
	}
	detail, err := json.Marshal(map[string]any{"code": u.Code, "name": u.Name, "type": u.Type})
	if err != nil {
		return Unit{}, err
	}
	b.units = append(b.units, u)
	b.events = append(b.events, store.NewID(), u.ID, u.CreatedAt, b.tx.Actor(), "create", string(detail), nil)
	if len(b.units) >= bulkRows {
		if err := b.flush(ctx); err != nil {
			return Unit{}, err
		}
	}
	return u, nil
}

func (b *Bulk) stmt(ctx context.Context, kind, one string, n int) (*sql.Stmt, error) {
	key := fmt.Sprint(kind, n)
	if st, ok := b.stmts[key]; ok {
		return st, nil
	}
	i := strings.LastIndex(one, "VALUES ") + len("VALUES ")
	q := one[:i] + strings.TrimSuffix(strings.Repeat(one[i:]+", ", n), ", ")
	st, err := b.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare bulk %s: %w", kind, err)
	}
	b.stmts[key] = st
	return st, nil
}

// flush writes the queued units and their events, and an audit entry per thousand.
func (b *Bulk) flush(ctx context.Context) error {
	if len(b.units) == 0 {
		return nil
	}
	args := make([]any, 0, 8*len(b.units))
	for _, u := range b.units {
		var parent any
		if u.ParentID != "" {
			parent = u.ParentID
		}
		args = append(args, u.ID, u.Code, u.Name, u.Type, parent, u.Path, u.Depth, u.CreatedAt)
	}
	st, err := b.stmt(ctx, "units", `INSERT INTO units (id, code, name, type, parent_id, path, depth, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, len(b.units))
	if err != nil {
		return err
	}
	if _, err := st.ExecContext(ctx, args...); err != nil {
		if store.IsUniqueViolation(err) {
			return &store.Error{Code: store.ECONFLICT, Key: "org.code_taken", Field: "code", Message: "a unit code of the batch already exists"}
		}
		return fmt.Errorf("insert units: %w", err)
	}
	if st, err = b.stmt(ctx, "events", `INSERT INTO unit_events (id, unit_id, at, actor, kind, detail, related_id) VALUES (?, ?, ?, ?, ?, ?, ?)`, len(b.units)); err != nil {
		return err
	}
	if _, err := st.ExecContext(ctx, b.events...); err != nil {
		return fmt.Errorf("insert unit events: %w", err)
	}
	for _, u := range b.units {
		b.codes = append(b.codes, u.Code)
	}
	b.Count += len(b.units)
	b.units, b.events = b.units[:0], b.events[:0]
	if len(b.codes) >= bulkAudit {
		return b.audit(ctx)
	}
	return nil
}

func (b *Bulk) audit(ctx context.Context) error {
	if len(b.codes) == 0 {
		return nil
	}
	b.batchNo++
	h := sha256.New()
	for _, c := range b.codes {
		h.Write([]byte(c))
		h.Write([]byte{'\n'})
	}
	state := map[string]any{"units": len(b.codes), "first": b.codes[0], "last": b.codes[len(b.codes)-1], "codes_sha256": hex.EncodeToString(h.Sum(nil))}
	b.codes = b.codes[:0]
	return b.tx.Audit(ctx, "unit.create_bulk", "unit_batch", fmt.Sprint(b.batchNo), state)
}

// Finish writes what is queued and the last audit entry, and releases the statements.
func (b *Bulk) Finish(ctx context.Context) error {
	defer func() {
		for _, st := range b.stmts {
			st.Close()
		}
	}()
	if err := b.flush(ctx); err != nil {
		return err
	}
	return b.audit(ctx)
}
