package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// AuditEntry is one link of the audit chain.
type AuditEntry struct {
	Seq        int64
	At         time.Time
	Actor      string
	Action     string // verb.noun, e.g. "user.create", "grant.add", "member.update"
	ObjectType string
	ObjectID   string
	Digest     string // hex SHA-256 of the JSON of the object's new state
	PrevHash   string // hex hash of entry Seq-1 (64 zeros for the first)
	Hash       string // hex EntryHash of this entry
	MAC        string // hex HMAC of Hash under the store's key: rows forged without the key fail
}

// GenesisHash is the PrevHash of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// EntryHash is the hash that chains entries: SHA-256 over a domain tag and every field
// but Hash, each length-prefixed so that no two different entries encode alike.
func EntryHash(e AuditEntry) string {
	h := sha256.New()
	var buf [binary.MaxVarintLen64]byte
	field := func(s string) {
		n := binary.PutUvarint(buf[:], uint64(len(s)))
		h.Write(buf[:n])
		h.Write([]byte(s))
	}
	field("dais-audit-v1")
	field(fmt.Sprint(e.Seq))
	field(e.At.UTC().Format(time.RFC3339Nano))
	field(e.Actor)
	field(e.Action)
	field(e.ObjectType)
	field(e.ObjectID)
	field(e.Digest)
	field(e.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// StateDigest is the digest recorded for an object's new state: SHA-256 of its JSON.
func StateDigest(state any) (string, error) {
	b, err := json.Marshal(state)
	if err != nil {
		return "", fmt.Errorf("audit digest: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// Audit appends an entry for this transaction's write to the chain, in the same
// transaction: the write and its entry commit together or not at all. state is the
// object's new state (nil for a deletion); only its digest is stored, so the log holds
// no personal data and no ballot content.
func (t *Tx) Audit(ctx context.Context, action, objectType, objectID string, state any) error {
	digest, err := StateDigest(state)
	if err != nil {
		return err
	}
	e := AuditEntry{At: Now(), Actor: t.actor, Action: action, ObjectType: objectType, ObjectID: objectID, Digest: digest}
	// Taking the head row first serializes appenders: on PostgreSQL the UPDATE holds the
	// row lock until commit, so concurrent writers queue here instead of forking the chain.
	if err := t.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).
		Scan(&e.Seq, &e.PrevHash); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	e.Hash = EntryHash(e)
	e.MAC = t.db.Keys.AuditMAC(e.Hash)
	if _, err := t.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, digest, prev_hash, hash, mac)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, e.At, e.Actor, e.Action, e.ObjectType, e.ObjectID, e.Digest, e.PrevHash, e.Hash, e.MAC); err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	if _, err := t.ExecContext(ctx, `UPDATE audit_head SET hash = ? WHERE id = 1`, e.Hash); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	t.audited++
	return nil
}

// AuditEntries streams entries with seq in [from, to] (to ≤ 0: to the end) in seq order.
func (db *DB) AuditEntries(ctx context.Context, from, to int64, fn func(AuditEntry) error) error {
	q := `SELECT seq, at, actor, action, object_type, object_id, digest, prev_hash, hash, mac FROM audit_log WHERE seq >= ?`
	args := []any{from}
	if to > 0 {
		q += ` AND seq <= ?`
		args = append(args, to)
	}
	rows, err := db.R().QueryContext(ctx, q+` ORDER BY seq`, args...)
	if err != nil {
		return fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &e.Digest, &e.PrevHash, &e.Hash, &e.MAC); err != nil {
			return fmt.Errorf("read audit log: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}
