package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migration is one numbered schema change. Files are named NNNN_name.sql; a file
// NNNN_name.sqlite.sql or NNNN_name.postgres.sql replaces it for that dialect only.
// In shared files, a few tokens stand for the types that differ (see dialectTokens).
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// dialectTokens: the only differences our schema needs.
var dialectTokens = map[Dialect]*strings.Replacer{
	// SQLite: DATETIME makes the driver return time.Time; BLOB for bytes; bytewise
	// comparison is SQLite's default collation; {{WITHOUT_ROWID}} after a table keyed by
	// its primary key alone stores rows in key order (no insertion-ordered rowid).
	SQLite: strings.NewReplacer("TIMESTAMPTZ", "DATETIME", "BYTEA", "BLOB", "{{BINARY}}", "", "{{WITHOUT_ROWID}}", "WITHOUT ROWID"),
	// PostgreSQL: COLLATE "C" compares bytes, which the materialized-path range needs;
	// tables have no rowid.
	Postgres: strings.NewReplacer("{{BINARY}}", `COLLATE "C"`, "{{WITHOUT_ROWID}}", ""),
}

// Migrations returns the ordered list of migrations for a dialect.
func Migrations(d Dialect) ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	byVersion := map[int]Migration{}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".sql")
		variant := ""
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name, variant = name[:i], name[i+1:]
		}
		if variant != "" && variant != string(d) {
			continue
		}
		num, label, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s: want NNNN_name.sql", e.Name())
		}
		if _, taken := byVersion[v]; taken && variant == "" {
			continue // this dialect's own variant of the migration wins
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		byVersion[v] = Migration{Version: v, Name: label, SQL: dialectTokens[d].Replace(string(b))}
	}
	out := make([]Migration, 0, len(byVersion))
	for _, m := range byVersion {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrations must be numbered 1, 2, 3… without gaps: found %d at position %d", m.Version, i+1)
		}
	}
	return out, nil
}

// Migrate applies every migration not applied yet, each in its own transaction, and
// returns how many it applied. Safe to run from several replicas at once on PostgreSQL
// (an advisory lock serializes them).
func (db *DB) Migrate(ctx context.Context) (int, error) {
	ms, err := Migrations(db.Dialect)
	if err != nil {
		return 0, err
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	applied := 0
	for _, m := range ms {
		done, err := db.applyMigration(ctx, m)
		if err != nil {
			return applied, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if done {
			applied++
		}
	}
	return applied, nil
}

func (db *DB) applyMigration(ctx context.Context, m Migration) (bool, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if db.Dialect == Postgres {
		// Replicas starting together: one migrates, the others wait and then see it done.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(4242001)`); err != nil {
			return false, err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), m.Version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
		m.Version, m.Name, Now().Format("2006-01-02T15:04:05.000000Z")); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// SchemaVersion returns the highest applied migration, 0 for an empty store.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}
