package vote

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"dais/internal/store"
	"dais/internal/store/storetest"
)

// TestSecrecy casts ballots in a known voter order, each ballot telling its voter's
// number (voter i keeps the names of the bits of i+1), then reads the ballot table by
// primary key and, after closing, in physical order (PostgreSQL's ctid): neither order
// correlates with the voters', ballots have no voter and no timestamp, keys are random,
// and no log line or event carries a choice.
func TestSecrecy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n = 40
		f := newFixture(t, db, n)
		var logs bytes.Buffer
		f.svc.log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		poll := f.openPoll(t, election(6, 6))
		for i := 0; i < n; i++ {
			var keep []string
			for b := 0; b < 6; b++ {
				if (i+1)&(1<<b) != 0 {
					keep = append(keep, fmt.Sprintf("c%d", b+1))
				}
			}
			body, _ := json.Marshal(Ballot{Keep: keep})
			if _, err := f.cast(t, f.delegates[i], poll.ID, fmt.Sprintf("secret-%04d", i), string(body)); err != nil {
				t.Fatal(err)
			}
		}
		voterOf := func(choices string) int {
			var b Ballot
			if err := json.Unmarshal([]byte(choices), &b); err != nil {
				t.Fatal(err)
			}
			v := 0
			for _, id := range b.Keep {
				var k int
				fmt.Sscanf(id, "c%d", &k)
				v |= 1 << (k - 1)
			}
			return v - 1
		}
		read := func(order string) []int {
			rows, err := db.R().QueryContext(context.Background(), `SELECT id, voter_id, choices FROM poll_ballots WHERE poll_id = ? `+order, poll.ID)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []int
			for rows.Next() {
				var id, choices string
				var voter *string
				if err := rows.Scan(&id, &voter, &choices); err != nil {
					t.Fatal(err)
				}
				if voter != nil {
					t.Errorf("a secret ballot names its voter")
				}
				if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id) {
					t.Errorf("ballot key %q is not 128 random bits in hex", id)
				}
				out = append(out, voterOf(choices))
			}
			if len(out) != n {
				t.Fatalf("%d ballots, want %d", len(out), n)
			}
			return out
		}
		checkOrder := func(what string, order []int) {
			rho := spearman(order)
			t.Logf("%s: rank correlation with the voting order %.3f", what, rho)
			if rho > 0.6 || rho < -0.6 {
				t.Errorf("%s: the ballots' order follows the voters' order (ρ = %.2f): %v", what, rho, order)
			}
		}
		checkOrder("open, by key", read(`ORDER BY poll_id, id`))
		if err := f.svc.Close(ctxT(), f.chair, f.mid, poll.ID); err != nil {
			t.Fatal(err)
		}
		checkOrder("closed, by key", read(`ORDER BY poll_id, id`))
		if db.Dialect == store.Postgres {
			checkOrder("closed, physical order (ctid)", read(`ORDER BY ctid`))
			var xmins int
			db.R().QueryRowContext(context.Background(), `SELECT COUNT(DISTINCT xmin::text) FROM poll_ballots WHERE poll_id = ?`, poll.ID).Scan(&xmins)
			if xmins != 1 {
				t.Errorf("closed ballots carry %d transaction IDs, want 1 (the closing transaction)", xmins)
			}
		} else {
			checkOrder("closed, plain scan", read(``))
		}
		// No column of the ballot table holds a time.
		cols := ballotColumns(t, db)
		for _, c := range cols {
			if strings.HasSuffix(c, "_at") || strings.Contains(c, "time") || strings.Contains(c, "date") {
				t.Errorf("ballot table column %q looks like a timestamp", c)
			}
		}
		for _, s := range []string{logs.String(), f.ev.all()} {
			if strings.Contains(s, "keep") || strings.Contains(s, `"c1"`) {
				t.Errorf("a choice leaked into the logs or events:\n%s", s)
			}
		}
		// The audit log: one identical digest for every vote.
		digests := map[string]bool{}
		db.AuditEntries(context.Background(), 1, 0, func(e store.AuditEntry) error {
			if e.Action == "poll.vote" {
				digests[e.Digest] = true
			}
			return nil
		})
		if len(digests) != 1 {
			t.Errorf("vote audit entries have %d distinct digests, want 1", len(digests))
		}
	})
}

func ballotColumns(t *testing.T, db *store.DB) []string {
	rows, err := db.R().QueryContext(context.Background(), `SELECT * FROM poll_ballots WHERE 1 = 0`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	return cols
}

// spearman is the rank correlation between positions 0…n-1 and the values (a permutation).
func spearman(v []int) float64 {
	rank := make([]int, len(v))
	sorted := append([]int(nil), v...)
	for i := range sorted {
		for j := i + 1; j < len(sorted); j++ {
			if sorted[j] < sorted[i] {
				sorted[i], sorted[j] = sorted[j], sorted[i]
			}
		}
	}
	pos := map[int]int{}
	for i, x := range sorted {
		pos[x] = i
	}
	for i, x := range v {
		rank[i] = pos[x]
	}
	n := float64(len(v))
	var d2 float64
	for i, r := range rank {
		d := float64(i - r)
		d2 += d * d
	}
	return 1 - 6*d2/(n*(n*n-1))
}
