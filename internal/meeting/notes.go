package meeting

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"dais/internal/store"
)

// Notes typed on the tablet while the connection is down are queued in the browser and
// replayed when it returns (DESIGN.md §8). A replay may reach the server twice — the
// first answer can be lost with the connection — so each save may carry an idempotency
// key the browser drew: the first save with a key writes, a later one with the same key
// and the same text answers "saved" and writes nothing.

// noteKeyTTL is how long a key is remembered: far longer than any offline spell.
const noteKeyTTL = 30 * 24 * time.Hour

// ParseNoteKey checks an idempotency key: 8 to 64 letters, digits, '-' or '_' (a UUID or
// a base64url token). Empty is no key.
func ParseNoteKey(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	ok := len(s) >= 8 && len(s) <= 64
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_'
	}
	if !ok {
		return "", bad("key", "mtg.key_invalid", "the idempotency key must be 8 to 64 letters, digits, '-' or '_'")
	}
	return s, nil
}

// errReplayed rolls back a save whose key another request recorded meanwhile.
var errReplayed = errors.New("note key already used")

// SaveNoteOnce keeps the caller's own notes on a meeting they may see; only a digest
// reaches the audit log. With a key (see ParseNoteKey), a save already made with that
// key writes nothing and reports replayed; the same key with other text is ECONFLICT.
func (s *Service) SaveNoteOnce(ctx context.Context, p *store.Principal, meetingID, body, key string) (replayed bool, err error) {
	if body, err = cleanText("body", body, MaxNote); err != nil {
		return false, err
	}
	if key, err = ParseNoteKey(key); err != nil {
		return false, err
	}
	if p == nil {
		return false, forbidden("notes need an account")
	}
	sum := sha256.Sum256([]byte(body))
	digest := hex.EncodeToString(sum[:])
	if key != "" {
		if replayed, err := s.noteKeySeen(ctx, s.db.R(), p, meetingID, key, digest); replayed || err != nil {
			return replayed, err
		}
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if _, _, err := s.load(ctx, tx, p, meetingID); err != nil {
			return err
		}
		now := store.Now()
		if key != "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM meeting_note_keys WHERE user_id = ? AND created_at < ?`, p.UserID, now.Add(-noteKeyTTL)); err != nil {
				return fmt.Errorf("prune note keys: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO meeting_note_keys (user_id, idem_key, meeting_id, body_sha256, created_at) VALUES (?, ?, ?, ?, ?)`,
				p.UserID, key, meetingID, digest, now); err != nil {
				if store.IsUniqueViolation(err) {
					return errReplayed // a concurrent save with the same key won
				}
				return fmt.Errorf("record note key: %w", err)
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE meeting_notes SET body = ?, updated_at = ? WHERE meeting_id = ? AND user_id = ?`, body, now, meetingID, p.UserID)
		if err != nil {
			return fmt.Errorf("save note: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO meeting_notes (meeting_id, user_id, body, updated_at) VALUES (?, ?, ?, ?)`,
				meetingID, p.UserID, body, now); err != nil {
				return fmt.Errorf("save note: %w", err)
			}
		}
		return tx.Audit(ctx, "meeting.note", "meeting_note", meetingID+"/"+p.UserID, body)
	})
	if errors.Is(err, errReplayed) {
		return s.noteKeySeen(ctx, s.db.R(), p, meetingID, key, digest)
	}
	return false, err
}

// noteKeySeen reports whether the caller already saved with key: the same meeting and
// text is a replay; anything else reusing the key is a conflict.
func (s *Service) noteKeySeen(ctx context.Context, q store.Querier, p *store.Principal, meetingID, key, digest string) (bool, error) {
	var mid, sum string
	err := q.QueryRowContext(ctx, `SELECT meeting_id, body_sha256 FROM meeting_note_keys WHERE user_id = ? AND idem_key = ?`, p.UserID, key).Scan(&mid, &sum)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("read note key: %w", err)
	case mid != meetingID || sum != digest:
		return false, &store.Error{Code: store.ECONFLICT, Key: "mtg.key_reused", Field: "key", Message: "this idempotency key was used for another save"}
	}
	return true, nil
}
