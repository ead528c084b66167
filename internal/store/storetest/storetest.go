// Package storetest runs store tests on every database: SQLite always, PostgreSQL when
// DAIS_TEST_PG holds a connection URL. Each test gets a fresh store (a temp directory, or
// its own PostgreSQL schema), migrated, and cleaned up afterwards.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"dais/internal/store"
)

// Each runs fn once per available database, as subtests named "sqlite" and "postgres".
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, Open(t, store.SQLite)) })
	if os.Getenv("DAIS_TEST_PG") != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, Open(t, store.Postgres)) })
	}
}

// Dialects lists the dialects available to tests.
func Dialects() []store.Dialect {
	if os.Getenv("DAIS_TEST_PG") != "" {
		return []store.Dialect{store.SQLite, store.Postgres}
	}
	return []store.Dialect{store.SQLite}
}

// Open returns a fresh migrated store of the given dialect, closed and dropped at cleanup.
func Open(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	dir := t.TempDir()
	u := URL(t, d)
	db, err := store.Open(context.Background(), store.Options{DataDir: dir, URL: u})
	if err != nil {
		t.Fatalf("open %s store: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s store: %v", d, err)
	}
	return db
}

// URL returns a database URL for a fresh, empty database of dialect d: "" for SQLite (the
// store then lives in the data dir), or a PostgreSQL URL whose search_path is a new schema
// that is dropped when the test ends.
func URL(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return ""
	}
	base := os.Getenv("DAIS_TEST_PG")
	if base == "" {
		t.Skip("DAIS_TEST_PG not set")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Logf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	pu, err := url.Parse(base)
	if err != nil {
		t.Fatalf("DAIS_TEST_PG: %v", err)
	}
	q := pu.Query()
	q.Set("search_path", schema)
	pu.RawQuery = q.Encode()
	return pu.String()
}
