package vote

import (
	"context"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"dais/internal/store"
)

// Sealed is what the end-to-end verifiable core (internal/vote/e2e, ELECTION.md) offers
// this package: checking one encrypted ballot against the election's manifest, joint key
// and base hash, and chaining its tracking code. The vote package stores what it accepts
// as opaque JSON with its tracking code and fingerprint, lists the codes on the public
// bulletin board, and never decrypts anything.
type Sealed interface {
	// Election returns the manifest (JCS JSON), joint key and base hash of a verifiable
	// poll once its trustees have made the key; ENOTFOUND before that.
	Election(ctx context.Context, pollID string) (manifest []byte, jointKey, baseHash []byte, err error)
	// CheckBallot verifies a cast ballot's proofs (ELECTION.md §4) and returns its
	// tracking code code_b given code_(b-1) (prev; the chain's start for the first
	// ballot) and its Benaloh fingerprint. An invalid ballot is an EINVALID error.
	CheckBallot(manifest, jointKey, baseHash, prev, ballot []byte) (code, fingerprint []byte, err error)
	// ChainStart is code_0 = Hb("dais/chain", Q).
	ChainStart(baseHash []byte) []byte
}

// SetSealed plugs the verifiable mode in; until it is, verifiable polls are refused.
func (s *Service) SetSealed(x Sealed) { s.sealed = x }

// checkSealed validates a verifiable ballot and returns what is stored: the ballot as
// received (compact JSON), its tracking code and its fingerprint (hex).
func (s *Service) checkSealed(ctx context.Context, tx *store.Tx, poll Poll, raw []byte) (choices, code, fp string, err error) {
	if s.sealed == nil {
		return "", "", "", store.Invalid("ballot", "vote.verifiable_unavailable", "the verifiable mode is not available on this server")
	}
	if len(raw) > 8<<20 || !json.Valid(raw) {
		return "", "", "", errBallot("vote.ballot_malformed", "the ballot is not well-formed")
	}
	manifest, key, base, err := s.sealed.Election(ctx, poll.ID)
	if err != nil {
		return "", "", "", err
	}
	prev := s.sealed.ChainStart(base)
	var last string
	err = tx.QueryRowContext(ctx, `SELECT code FROM poll_ballots WHERE poll_id = ? ORDER BY board_seq DESC LIMIT 1`, poll.ID).Scan(&last)
	if err == nil {
		if prev, err = hex.DecodeString(last); err != nil {
			return "", "", "", fmt.Errorf("stored tracking code: %w", err)
		}
	}
	c, f, err := s.sealed.CheckBallot(manifest, key, base, prev, raw)
	if err != nil {
		return "", "", "", err
	}
	var compact json.RawMessage
	if err := json.Unmarshal(raw, &compact); err != nil {
		return "", "", "", errBallot("vote.ballot_malformed", "the ballot is not well-formed")
	}
	return string(compact), hex.EncodeToString(c), hex.EncodeToString(f), nil
}

// BoardEntry is one line of a verifiable poll's public bulletin board.
type BoardEntry struct {
	Seq      int    `json:"seq"`
	Code     string `json:"code"`     // hex, 32 bytes
	Tracking string `json:"tracking"` // the voter's short form (ELECTION.md §4)
}

// Board lists a verifiable poll's tracking codes in board order, for anyone who sees the
// meeting. For other polls it is empty.
func (s *Service) Board(ctx context.Context, p *store.Principal, meetingID, pollID string) (Poll, []BoardEntry, error) {
	poll, err := s.Get(ctx, p, meetingID, pollID)
	if err != nil {
		return poll, nil, err
	}
	out := []BoardEntry{}
	if !poll.Verifiable {
		return poll, out, nil
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT board_seq, code FROM poll_ballots WHERE poll_id = ? AND board_seq IS NOT NULL ORDER BY board_seq`, pollID)
	out, err = store.Collect(rows, err, func(r store.Scanner) (BoardEntry, error) {
		var e BoardEntry
		if err := r.Scan(&e.Seq, &e.Code); err != nil {
			return e, err
		}
		e.Tracking = TrackingCode(e.Code)
		return e, nil
	})
	if err != nil {
		return poll, nil, fmt.Errorf("board: %w", err)
	}
	return poll, out, nil
}

// TrackingCode is the short form of a tracking code the device shows the voter
// (ELECTION.md §4): the first 10 bytes in base32 (RFC 4648, no padding), 16 characters in
// groups of 4 joined by "-". "" for a malformed code.
func TrackingCode(codeHex string) string {
	b, err := hex.DecodeString(codeHex)
	if err != nil || len(b) < 10 {
		return ""
	}
	s := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:10])
	return s[:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}
