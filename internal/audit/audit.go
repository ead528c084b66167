// Package audit checks and anchors the tamper-evident audit log that internal/store
// appends to on every write: signed checkpoints of the chain (Ed25519 over RFC 6962 Merkle
// roots) and the verifier behind `dais audit verify`.
package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"dais/internal/store"
)

// Checkpoint is a signed statement: "the first TreeSize entries have this Merkle root".
type Checkpoint struct {
	TreeSize  int64
	Root      string // hex
	At        time.Time
	PublicKey string // hex Ed25519 public key
	Signature string // hex
}

// signedBytes is the exact message a checkpoint signs.
func (c Checkpoint) signedBytes() []byte {
	return fmt.Appendf(nil, "dais-audit-checkpoint-v1\n%d\n%s\n%s\n", c.TreeSize, c.Root, c.At.UTC().Format(time.RFC3339Nano))
}

// MakeCheckpoint signs the current head of the log, unless the newest checkpoint already
// covers it. It returns the checkpoint (new or existing).
func MakeCheckpoint(ctx context.Context, db *store.DB) (Checkpoint, error) {
	last, err := lastCheckpoint(ctx, db)
	if err != nil {
		return Checkpoint{}, err
	}
	var m Merkle
	var size int64
	err = db.AuditEntries(ctx, 1, 0, func(e store.AuditEntry) error {
		b, err := hex.DecodeString(e.Hash)
		if err != nil {
			return fmt.Errorf("entry %d: bad hash: %w", e.Seq, err)
		}
		m.Add(b)
		size = e.Seq
		return nil
	})
	if err != nil {
		return Checkpoint{}, err
	}
	if size == 0 || size == last.TreeSize {
		return last, nil
	}
	root := m.Root()
	c := Checkpoint{TreeSize: size, Root: hex.EncodeToString(root[:]), At: store.Now(),
		PublicKey: hex.EncodeToString(db.Keys.PublicKey())}
	c.Signature = hex.EncodeToString(db.Keys.Sign(c.signedBytes()))
	// The checkpoint row is itself not an audited write: it is the anchor of the audit.
	err = db.WriteUnaudited(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (tree_size, root, at, public_key, signature) VALUES (?, ?, ?, ?, ?)`,
			c.TreeSize, c.Root, c.At, c.PublicKey, c.Signature)
		return err
	})
	if store.IsUniqueViolation(err) {
		return c, nil // another replica signed the same head
	}
	if err != nil {
		return Checkpoint{}, fmt.Errorf("save checkpoint: %w", err)
	}
	return c, nil
}

func lastCheckpoint(ctx context.Context, db *store.DB) (Checkpoint, error) {
	cs, err := checkpoints(ctx, db)
	if err != nil || len(cs) == 0 {
		return Checkpoint{}, err
	}
	return cs[len(cs)-1], nil
}

func checkpoints(ctx context.Context, db *store.DB) ([]Checkpoint, error) {
	rows, err := db.R().QueryContext(ctx, `SELECT tree_size, root, at, public_key, signature FROM audit_checkpoints ORDER BY tree_size`)
	if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	defer rows.Close()
	var out []Checkpoint
	for rows.Next() {
		var c Checkpoint
		if err := rows.Scan(&c.TreeSize, &c.Root, &c.At, &c.PublicKey, &c.Signature); err != nil {
			return nil, fmt.Errorf("read checkpoints: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Report is the outcome of Verify.
type Report struct {
	Entries     int64 // entries checked
	Checkpoints int   // checkpoints whose root and signature matched
	Head        int64 // seq recorded in the head row
}

// Problem is a verification failure: the first bad entry (or checkpoint) and what is wrong.
type Problem struct {
	Seq    int64 // the first entry found bad; 0 when the problem is not one entry's
	Reason string
}

func (p *Problem) Error() string {
	if p.Seq > 0 {
		return fmt.Sprintf("audit log: entry %d: %s", p.Seq, p.Reason)
	}
	return "audit log: " + p.Reason
}

// Verify walks the whole chain: consecutive sequence numbers, each entry's hash over its
// contents and its predecessor's hash, each entry's MAC under the key file's key, every
// checkpoint's Merkle root and Ed25519 signature (by the key from the key file, not the one
// stored beside it), and the head row. It returns a *Problem naming the first bad entry.
func Verify(ctx context.Context, db *store.DB) (Report, error) {
	var rep Report
	cps, err := checkpoints(ctx, db)
	if err != nil {
		return rep, err
	}
	pub := db.Keys.PublicKey()
	var m Merkle
	prev := store.GenesisHash
	next := int64(1)
	ci := 0
	err = db.AuditEntries(ctx, 1, 0, func(e store.AuditEntry) error {
		switch {
		case e.Seq > next:
			return &Problem{Seq: next, Reason: fmt.Sprintf("missing (deleted): the log jumps from %d to %d", next-1, e.Seq)}
		case e.Seq < next:
			return &Problem{Seq: e.Seq, Reason: "out of order or duplicated"}
		case e.PrevHash != prev:
			return &Problem{Seq: e.Seq, Reason: "does not link to the entry before it (an entry was inserted, deleted or reordered)"}
		case store.EntryHash(e) != e.Hash:
			return &Problem{Seq: e.Seq, Reason: "contents do not match its hash (edited)"}
		case db.Keys.AuditMAC(e.Hash) != e.MAC:
			return &Problem{Seq: e.Seq, Reason: "MAC does not match (written without the store's key)"}
		}
		b, _ := hex.DecodeString(e.Hash)
		m.Add(b)
		prev, next = e.Hash, next+1
		rep.Entries++
		for ci < len(cps) && cps[ci].TreeSize == e.Seq {
			if err := checkCheckpoint(cps[ci], m.Root(), pub); err != nil {
				return err
			}
			rep.Checkpoints++
			ci++
		}
		return nil
	})
	var p *Problem
	if errors.As(err, &p) {
		return rep, p
	}
	if err != nil {
		return rep, err
	}
	if ci < len(cps) {
		return rep, &Problem{Seq: rep.Entries + 1, Reason: fmt.Sprintf("missing (deleted): checkpoint %d covers %d entries, the log has %d", ci+1, cps[ci].TreeSize, rep.Entries)}
	}
	var headHash string
	if err := db.R().QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&rep.Head, &headHash); err != nil {
		return rep, fmt.Errorf("read audit head: %w", err)
	}
	if rep.Head != rep.Entries || headHash != prev {
		return rep, &Problem{Seq: min(rep.Head, rep.Entries) + 1, Reason: fmt.Sprintf("the head says %d entries, the log holds %d (entries deleted or appended outside Dais)", rep.Head, rep.Entries)}
	}
	return rep, nil
}

func checkCheckpoint(c Checkpoint, root [32]byte, pub ed25519.PublicKey) error {
	if c.Root != hex.EncodeToString(root[:]) {
		return &Problem{Seq: c.TreeSize, Reason: fmt.Sprintf("the first %d entries do not match their signed checkpoint (history rewritten)", c.TreeSize)}
	}
	sig, err := hex.DecodeString(c.Signature)
	if err != nil || !ed25519.Verify(pub, c.signedBytes(), sig) {
		return &Problem{Seq: c.TreeSize, Reason: "checkpoint signature is not valid for this store's key"}
	}
	return nil
}
