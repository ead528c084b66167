package audit_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"dais/internal/audit"
	"dais/internal/store"
	"dais/internal/store/storetest"
)

// seed writes n audited units and returns the store.
func seed(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := store.WithActor(context.Background(), "tester")
	for i := range n {
		err := db.Write(ctx, func(tx *store.Tx) error {
			id := store.NewID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO units (id, code, name, type, path, depth, created_at) VALUES (?, ?, 'x', 'cell', ?, 0, ?)`,
				id, fmt.Sprintf("U%03d", i), "/"+id+"/", store.Now()); err != nil {
				return err
			}
			return tx.Audit(ctx, "unit.create", "unit", id, i)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// raw runs a statement directly on the database, as an attacker with database access would.
func raw(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	err := db.WriteUnaudited(context.Background(), func(tx *store.Tx) error {
		_, err := tx.ExecContext(context.Background(), q, args...)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	cases := []struct {
		name    string
		tamper  func(t *testing.T, db *store.DB)
		wantSeq int64
		reason  string
	}{
		{"intact", func(*testing.T, *store.DB) {}, 0, ""},
		{"edited action", func(t *testing.T, db *store.DB) {
			raw(t, db, `UPDATE audit_log SET action = 'unit.delete' WHERE seq = 7`)
		}, 7, "edited"},
		{"edited actor with hash recomputed", func(t *testing.T, db *store.DB) {
			// The attacker recomputes this entry's hash and every later link, but has no key.
			rechain(t, db, 5, func(e *store.AuditEntry) { e.Actor = "someone-else" })
		}, 5, "MAC"},
		{"deleted middle", func(t *testing.T, db *store.DB) {
			raw(t, db, `DELETE FROM audit_log WHERE seq = 9`)
		}, 9, "missing"},
		{"deleted tail with head rewound", func(t *testing.T, db *store.DB) {
			// Entries covered by a checkpoint cannot vanish even with the head rewound.
			// (Entries after the newest checkpoint can: serve signs one every minute.)
			raw(t, db, `DELETE FROM audit_log WHERE seq > 15`)
			raw(t, db, `UPDATE audit_head SET seq = 15, hash = (SELECT hash FROM audit_log WHERE seq = 15)`)
		}, 16, "checkpoint"},
		{"deleted tail, head kept", func(t *testing.T, db *store.DB) {
			raw(t, db, `DELETE FROM audit_log WHERE seq = 20`)
		}, 20, "head"},
		{"inserted at end", func(t *testing.T, db *store.DB) {
			var prev string
			db.R().QueryRowContext(context.Background(), `SELECT hash FROM audit_log WHERE seq = 20`).Scan(&prev)
			e := store.AuditEntry{Seq: 21, At: store.Now(), Actor: "intruder", Action: "unit.create", ObjectType: "unit", ObjectID: "x", Digest: strings.Repeat("0", 64), PrevHash: prev}
			e.Hash = store.EntryHash(e)
			raw(t, db, `INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, digest, prev_hash, hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				e.Seq, e.At, e.Actor, e.Action, e.ObjectType, e.ObjectID, e.Digest, e.PrevHash, e.Hash, strings.Repeat("a", 64))
			raw(t, db, `UPDATE audit_head SET seq = 21, hash = ?`, e.Hash)
		}, 21, "MAC"},
		{"reordered", func(t *testing.T, db *store.DB) {
			raw(t, db, `UPDATE audit_log SET seq = -1 WHERE seq = 3`)
			raw(t, db, `UPDATE audit_log SET seq = 3 WHERE seq = 4`)
			raw(t, db, `UPDATE audit_log SET seq = 4 WHERE seq = -1`)
		}, 3, "link"},
		{"checkpoint forged", func(t *testing.T, db *store.DB) {
			raw(t, db, `UPDATE audit_checkpoints SET signature = ?`, strings.Repeat("00", 64))
		}, 18, "signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				seed(t, db, 18)
				if _, err := audit.MakeCheckpoint(ctx, db); err != nil {
					t.Fatal(err)
				}
				seed2 := func() {
					// two more entries after the checkpoint
					ctx := store.WithActor(ctx, "tester")
					for i := range 2 {
						if err := db.Write(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, "note.add", "note", fmt.Sprint(i), i) }); err != nil {
							t.Fatal(err)
						}
					}
				}
				seed2()
				tc.tamper(t, db)
				rep, err := audit.Verify(ctx, db)
				if tc.wantSeq == 0 {
					if err != nil || rep.Entries != 20 || rep.Checkpoints != 1 {
						t.Fatalf("intact log: %+v %v", rep, err)
					}
					return
				}
				p, ok := err.(*audit.Problem)
				if !ok {
					t.Fatalf("want *Problem, got %v", err)
				}
				if p.Seq != tc.wantSeq || !strings.Contains(p.Error(), tc.reason) {
					t.Fatalf("got %q (seq %d), want seq %d and %q", p.Error(), p.Seq, tc.wantSeq, tc.reason)
				}
			})
		})
	}
}

// rechain applies edit to entry seq and recomputes the hashes from there to the end, as an
// attacker who knows the hash construction but not the key would.
func rechain(t *testing.T, db *store.DB, seq int64, edit func(*store.AuditEntry)) {
	var es []store.AuditEntry
	db.AuditEntries(context.Background(), 1, 0, func(e store.AuditEntry) error { es = append(es, e); return nil })
	prev := store.GenesisHash
	for i := range es {
		e := &es[i]
		if e.Seq == seq {
			edit(e)
		}
		if e.Seq >= seq {
			e.PrevHash = prev
			e.Hash = store.EntryHash(*e)
			raw(t, db, `UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?`, e.Actor, e.PrevHash, e.Hash, e.Seq)
		}
		prev = e.Hash
	}
	raw(t, db, `UPDATE audit_head SET hash = ?`, prev)
}

func TestMerkleMatchesRFC6962(t *testing.T) {
	// Reference: the recursive definition of RFC 6962 §2.1.
	var mth func(leaves [][]byte) [32]byte
	mth = func(leaves [][]byte) [32]byte {
		switch len(leaves) {
		case 0:
			return sha256.Sum256(nil)
		case 1:
			return sha256.Sum256(append([]byte{0}, leaves[0]...))
		}
		k := 1
		for k*2 < len(leaves) {
			k *= 2
		}
		l, r := mth(leaves[:k]), mth(leaves[k:])
		return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
	}
	var leaves [][]byte
	var m audit.Merkle
	for n := 0; n <= 70; n++ {
		if n > 0 {
			leaf := []byte(fmt.Sprint("leaf", n))
			leaves = append(leaves, leaf)
			m.Add(leaf)
		}
		got, want := m.Root(), mth(leaves)
		if got != want {
			t.Fatalf("n=%d: root %s, want %s", n, hex.EncodeToString(got[:]), hex.EncodeToString(want[:]))
		}
	}
}
