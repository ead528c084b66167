package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"dais/internal/store"
	"dais/internal/store/storetest"
)

func addUnit(ctx context.Context, tx *store.Tx, code string) error {
	id := store.NewID()
	if _, err := tx.ExecContext(ctx, `INSERT INTO units (id, code, name, type, path, depth, created_at) VALUES (?, ?, ?, 'cell', ?, 0, ?)`,
		id, code, "Chi bộ "+code, "/"+id+"/", store.Now()); err != nil {
		return err
	}
	return tx.Audit(ctx, "unit.create", "unit", id, map[string]string{"code": code})
}

func TestStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := store.WithActor(context.Background(), "test")

		t.Run("migrate twice applies nothing", func(t *testing.T) {
			n, err := db.Migrate(ctx)
			if err != nil || n != 0 {
				t.Fatalf("second migrate: applied %d, err %v", n, err)
			}
			v, err := db.SchemaVersion(ctx)
			ms, _ := store.Migrations(db.Dialect)
			if err != nil || v != len(ms) {
				t.Fatalf("schema version %d (err %v), want %d", v, err, len(ms))
			}
		})

		t.Run("write without audit entry is refused", func(t *testing.T) {
			err := db.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO units (id, code, name, type, path, depth, created_at) VALUES ('x', 'NOAUDIT', 'x', 'cell', '/x/', 0, ?)`, store.Now())
				return err
			})
			if store.ErrorCode(err) != store.EINTERNAL || !strings.Contains(err.Error(), "no audit entry") {
				t.Fatalf("got %v, want refusal", err)
			}
			var n int
			if err := db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM units WHERE code = 'NOAUDIT'`).Scan(&n); err != nil || n != 0 {
				t.Fatalf("unaudited row committed: n=%d err=%v", n, err)
			}
		})

		t.Run("error rolls back write and entry", func(t *testing.T) {
			boom := errors.New("boom")
			err := db.Write(ctx, func(tx *store.Tx) error {
				if err := addUnit(ctx, tx, "ROLLBACK"); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("got %v", err)
			}
			var n int
			db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`).Scan(&n)
			if n != 0 {
				t.Fatalf("audit entries after rollback: %d", n)
			}
		})

		t.Run("unique violation is recognized", func(t *testing.T) {
			if err := db.Write(ctx, func(tx *store.Tx) error { return addUnit(ctx, tx, "DUP") }); err != nil {
				t.Fatal(err)
			}
			err := db.Write(ctx, func(tx *store.Tx) error { return addUnit(ctx, tx, "DUP") })
			if !store.IsUniqueViolation(err) {
				t.Fatalf("want unique violation, got %v", err)
			}
		})

		t.Run("concurrent writers keep one chain", func(t *testing.T) {
			var wg sync.WaitGroup
			errs := make(chan error, 40)
			for i := range 40 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- db.Write(ctx, func(tx *store.Tx) error { return addUnit(ctx, tx, fmt.Sprintf("C%02d", i)) })
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			var prev = store.GenesisHash
			var n int64
			err := db.AuditEntries(ctx, 1, 0, func(e store.AuditEntry) error {
				n++
				if e.Seq != n || e.PrevHash != prev || store.EntryHash(e) != e.Hash || e.Actor != "test" {
					return fmt.Errorf("entry %d broken: %+v", n, e)
				}
				prev = e.Hash
				return nil
			})
			if err != nil || n != 41 {
				t.Fatalf("chain: %d entries, err %v", n, err)
			}
		})

		t.Run("read pool refuses writes", func(t *testing.T) {
			if _, err := db.R().ExecContext(ctx, `DELETE FROM units`); err == nil {
				t.Fatal("write through read pool succeeded")
			}
		})
	})
}

func TestRebind(t *testing.T) {
	pg := &store.DB{Dialect: store.Postgres}
	lite := &store.DB{Dialect: store.SQLite}
	for _, tc := range []struct{ in, pg string }{
		{"SELECT 1", "SELECT 1"},
		{"a = ? AND b = ?", "a = $1 AND b = $2"},
		{"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"},
	} {
		if got := pg.Rebind(tc.in); got != tc.pg {
			t.Errorf("postgres Rebind(%q) = %q, want %q", tc.in, got, tc.pg)
		}
		if got := lite.Rebind(tc.in); got != tc.in {
			t.Errorf("sqlite Rebind(%q) = %q", tc.in, got)
		}
	}
}

func TestKeys(t *testing.T) {
	k, err := store.LoadKeys(t.TempDir()+"/k", true)
	if err != nil {
		t.Fatal(err)
	}
	sealed := k.Seal([]byte("079201001234"), "members.id_number:1")
	if strings.Contains(string(sealed), "079201001234") {
		t.Fatal("plaintext visible in sealed value")
	}
	pt, err := k.Open(sealed, "members.id_number:1")
	if err != nil || string(pt) != "079201001234" {
		t.Fatalf("open: %q %v", pt, err)
	}
	if _, err := k.Open(sealed, "members.id_number:2"); err == nil {
		t.Fatal("sealed value opened under another row's aad")
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := k.Open(sealed, "members.id_number:1"); err == nil {
		t.Fatal("tampered ciphertext opened")
	}
	dir := t.TempDir()
	a, _ := store.LoadKeys(dir+"/k", true)
	b, _ := store.LoadKeys(dir+"/k", false)
	if string(a.PublicKey()) != string(b.PublicKey()) {
		t.Fatal("reloading the key file gives another key")
	}
	if _, err := store.LoadKeys(t.TempDir()+"/missing", false); err == nil {
		t.Fatal("missing key file accepted")
	}
}

func TestScope(t *testing.T) {
	p := &store.Principal{Grants: []store.Grant{
		{Role: store.RoleOrgOfficer, UnitPath: "/a/b/"},
		{Role: store.RoleMember, UnitPath: "/a/c/"},
		{Role: store.RoleSecretary, UnitPath: "/a/b/d/"},
	}}
	cases := []struct {
		perm store.Perm
		path string
		want bool
	}{
		{store.PermMemberRead, "/a/b/", true},
		{store.PermMemberRead, "/a/b/x/y/", true},
		{store.PermMemberRead, "/a/c/", false},
		{store.PermUnitRead, "/a/c/z/", true},
		{store.PermMemberWrite, "/a/", false},
		{store.PermUserManage, "/a/b/d/e/", true},
		{store.PermUserManage, "/a/b/", false},
	}
	for _, c := range cases {
		if got := p.Can(c.perm, c.path); got != c.want {
			t.Errorf("Can(%s, %s) = %v, want %v", c.perm, c.path, got, c.want)
		}
	}
	if got := p.Paths(store.PermMemberRead); len(got) != 1 || got[0] != "/a/b/" {
		t.Errorf("nested paths not collapsed: %v", got)
	}
	if sql, args := (&store.Principal{}).ScopeSQL(store.PermMemberRead, "u.path"); sql != "1=0" || args != nil {
		t.Errorf("empty scope = %q %v", sql, args)
	}
	if !p.NeedsMFA() || (&store.Principal{Grants: []store.Grant{{Role: store.RoleMember}}}).NeedsMFA() {
		t.Error("NeedsMFA wrong")
	}
}
