package demo

import (
	"context"
	"strings"
	"testing"

	"dais/internal/audit"
	"dais/internal/store"
	"dais/internal/store/storetest"
)

func TestSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		res, err := Seed(ctx, db, Options{Seed: 7, Members: 400, Communes: 5, Cells: 4}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Members != 400 || res.Units < 10 || len(res.Logins) != 10 {
			t.Fatalf("seeded %+v", res)
		}
		var n, withID int
		db.R().QueryRowContext(ctx, `SELECT COUNT(*), COUNT(id_number_blind) FROM members`).Scan(&n, &withID)
		if n != 400 || withID != 400 {
			t.Fatalf("%d members, %d with ID numbers", n, withID)
		}
		seeded, err := Seeded(ctx, db)
		if err != nil || !seeded {
			t.Fatalf("Seeded = %v, %v", seeded, err)
		}
		officers := 0
		for _, l := range res.Logins {
			if l.TOTPSecret != "" {
				officers++
			}
		}
		if officers != 7 {
			t.Fatalf("%d officers with TOTP, want 7", officers)
		}
		again, err := Logins(ctx, db, 7)
		if err != nil || len(again) != len(res.Logins) {
			t.Fatalf("Logins: %d, %v", len(again), err)
		}
		var merged, transfers int
		db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM units WHERE merged_into IS NOT NULL`).Scan(&merged)
		db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM transfers`).Scan(&transfers)
		if merged != 2 || transfers != 3 {
			t.Fatalf("demo history: %d merged units, %d transfers; want 2 and 3", merged, transfers)
		}
		if rep, err := audit.Verify(ctx, db); err != nil || rep.Entries == 0 {
			t.Fatalf("audit after seeding: %+v %v", rep, err)
		}
	})
}

func TestSeedDeterministic(t *testing.T) {
	names := func() []string {
		db := storetest.Open(t, store.SQLite)
		if _, err := Seed(context.Background(), db, Options{Seed: 42, Members: 50, Communes: 2, Cells: 3}, nil); err != nil {
			t.Fatal(err)
		}
		rows, err := db.R().QueryContext(context.Background(), `SELECT full_name || card_number FROM members ORDER BY card_number`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, s)
		}
		return out
	}
	a, b := names(), names()
	if len(a) != 50 || len(a) != len(b) {
		t.Fatalf("%d vs %d members", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("seed 42 differs at %d: %q vs %q", i, a[i], b[i])
		}
	}
}

// The national dataset (34 provinces, one seeding transaction with the member indexes
// built at the end) keeps the accounts and the reorganization in Bắc Ninh.
func TestSeedNational(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		res, err := Seed(ctx, db, Options{Seed: 3, Members: 3000, National: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var provinces, members, versions, outside int
		db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM units WHERE type = 'province'`).Scan(&provinces)
		db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM members`).Scan(&members)
		db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM member_versions`).Scan(&versions)
		if provinces != 34 || members != 3000 || res.Members != 3000 || versions < members {
			t.Fatalf("%d provinces, %d members (%d reported), %d versions", provinces, members, res.Members, versions)
		}
		for _, l := range res.Logins {
			if l.UnitCode != "TW" && !strings.HasPrefix(l.UnitCode, "BN") {
				outside++
			}
		}
		var merged int
		db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM units WHERE merged_into IS NOT NULL AND code LIKE 'BN.%'`).Scan(&merged)
		if outside != 0 || merged != 2 {
			t.Fatalf("%d logins outside Bắc Ninh, %d merged communes there", outside, merged)
		}
		if db.Dialect == store.SQLite {
			var idx int
			db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'members' AND sql IS NOT NULL`).Scan(&idx)
			if idx != 3 {
				t.Fatalf("%d member indexes after seeding, want 3", idx)
			}
		}
	})
}
