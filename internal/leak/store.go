package leak

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"dais/internal/store"
)

// Issue records a new copy for c's reader, document, version and kind, with a fresh random
// ID and the store's time, and audits it in the same transaction. c.ID and c.IssuedAt are
// set by Issue (an IssuedAt already set is kept: the caller's clock for the watermark).
func Issue(ctx context.Context, tx *store.Tx, c Copy) (Copy, error) {
	c.ReaderName = strings.TrimSpace(c.ReaderName)
	c.Delegate = strings.TrimSpace(c.Delegate)
	switch {
	case c.ReaderID == "" || c.ReaderName == "" || c.DocumentID == "" || c.Version < 1:
		return Copy{}, store.Invalid("copy", "leak.bad_copy", "a copy needs a reader, a document and a version")
	case c.Kind != KindHTML && c.Kind != KindPDF && c.Kind != KindEPUB && c.Kind != KindImage:
		return Copy{}, store.Invalid("kind", "leak.bad_copy", "unknown copy kind %q", c.Kind)
	}
	if c.IssuedAt.IsZero() {
		c.IssuedAt = store.Now()
	} else {
		c.IssuedAt = c.IssuedAt.UTC().Truncate(time.Microsecond)
	}
	// A collision needs ~10^6 copies for a one-in-a-million chance; ON CONFLICT DO NOTHING
	// lets us draw again without aborting the transaction (PostgreSQL would, on an error).
	for range 16 {
		c.ID = randomID()
		res, err := tx.ExecContext(ctx, `INSERT INTO leak_copies (id, reader_id, reader_name, delegate_no, document_id, version, kind, issued_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			int64(c.ID), c.ReaderID, c.ReaderName, c.Delegate, c.DocumentID, c.Version, c.Kind, c.IssuedAt)
		if err != nil {
			return Copy{}, fmt.Errorf("issue copy: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return Copy{}, fmt.Errorf("issue copy: %w", err)
		} else if n == 1 {
			if err := tx.Audit(ctx, "copy.issue", "leak_copy", c.Code(), c); err != nil {
				return Copy{}, err
			}
			return c, nil
		}
	}
	return Copy{}, store.Errorf(store.EINTERNAL, "issue copy: no free copy ID after 16 draws")
}

// Record issues a copy in its own audited transaction (for callers outside one).
func Record(ctx context.Context, db *store.DB, c Copy) (Copy, error) {
	var out Copy
	err := db.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = Issue(ctx, tx, c)
		return err
	})
	return out, err
}

// Lookup finds an issued copy by ID; ENOTFOUND when there is none.
func Lookup(ctx context.Context, q store.Querier, id uint64) (Copy, error) {
	if id == 0 || id > MaxID {
		return Copy{}, store.NotFound("copy")
	}
	var c Copy
	var raw int64
	err := q.QueryRowContext(ctx, `SELECT id, reader_id, reader_name, delegate_no, document_id, version, kind, issued_at
		FROM leak_copies WHERE id = ?`, int64(id)).
		Scan(&raw, &c.ReaderID, &c.ReaderName, &c.Delegate, &c.DocumentID, &c.Version, &c.Kind, &c.IssuedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Copy{}, store.NotFound("copy")
	}
	if err != nil {
		return Copy{}, fmt.Errorf("look up copy: %w", err)
	}
	c.ID = uint64(raw)
	c.IssuedAt = c.IssuedAt.UTC()
	return c, nil
}

// Copies lists the copies made of a document, newest first (who received what, for the
// officer looking into a leak).
func Copies(ctx context.Context, q store.Querier, documentID string) ([]Copy, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, reader_id, reader_name, delegate_no, document_id, version, kind, issued_at
		FROM leak_copies WHERE document_id = ? ORDER BY issued_at DESC, id`, documentID)
	return store.Collect(rows, err, func(s store.Scanner) (Copy, error) {
		var c Copy
		var raw int64
		err := s.Scan(&raw, &c.ReaderID, &c.ReaderName, &c.Delegate, &c.DocumentID, &c.Version, &c.Kind, &c.IssuedAt)
		c.ID, c.IssuedAt = uint64(raw), c.IssuedAt.UTC()
		return c, err
	})
}

func randomID() uint64 {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:])
		if id := binary.LittleEndian.Uint64(b[:]) & MaxID; id != 0 {
			return id
		}
	}
}
