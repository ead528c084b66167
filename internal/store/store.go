// Package store is Dais's one API over SQLite (embedded default) and PostgreSQL (at scale):
// connections, embedded migrations, transactions with retry, the audited write path,
// application errors, IDs, keys for encryption and signing, and the caller's scope.
//
// Queries are written once with `?` placeholders; Rebind turns them into `$n` for
// PostgreSQL. Where the dialects differ, the code branches on DB.Dialect with a comment.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the SQL database behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open store. For SQLite it holds two pools: one connection for writes (SQLite
// allows one writer; a single connection avoids SQLITE_BUSY between our own writers) and
// several for reads. For PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB
	Keys    *Keys
	log     *slog.Logger
}

// Options configure Open.
type Options struct {
	DataDir string // directory for the SQLite file, blobs and the key file
	URL     string // empty → SQLite in DataDir; postgres://… → PostgreSQL
	KeyFile string // empty → DataDir/dais.key (created if missing)
	Logger  *slog.Logger
}

// Open connects to the store described by opts (creating the data directory and the key
// file when missing) and runs no migrations: call Migrate.
func Open(ctx context.Context, opts Options) (*DB, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.DataDir == "" {
		opts.DataDir = "dais-data"
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	keyFile := opts.KeyFile
	if keyFile == "" {
		keyFile = filepath.Join(opts.DataDir, "dais.key")
	}
	keys, err := LoadKeys(keyFile, true)
	if err != nil {
		return nil, err
	}
	db := &DB{Keys: keys, log: opts.Logger}
	switch {
	case opts.URL == "" || strings.HasPrefix(opts.URL, "sqlite:") || strings.HasPrefix(opts.URL, "file:"):
		path := strings.TrimPrefix(strings.TrimPrefix(opts.URL, "sqlite:"), "file:")
		if path == "" {
			path = filepath.Join(opts.DataDir, "dais.db")
		}
		if err := db.openSQLite(path); err != nil {
			return nil, err
		}
	case strings.HasPrefix(opts.URL, "postgres://") || strings.HasPrefix(opts.URL, "postgresql://"):
		if err := db.openPostgres(opts.URL); err != nil {
			return nil, err
		}
	default:
		return nil, Errorf(EINVALID, "database URL must be empty (SQLite), sqlite:PATH or postgres://…, got %q", redactURL(opts.URL))
	}
	if err := db.read.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", db.Dialect, err)
	}
	return db, nil
}

func redactURL(u string) string {
	if i := strings.Index(u, "@"); i > 0 {
		if j := strings.Index(u, "://"); j > 0 && j < i {
			return u[:j+3] + "…" + u[i:]
		}
	}
	return u
}

func (db *DB) openSQLite(path string) error {
	db.Dialect = SQLite
	// WAL lets readers run beside the writer; synchronous(FULL) makes every commit durable
	// (ballots must survive kill -9 and power loss); busy_timeout waits for a lock instead of
	// failing at once; _txlock=immediate takes the write lock at BEGIN so a read-then-write
	// transaction cannot fail half-way with SQLITE_BUSY. The one write connection keeps a
	// 64 MiB page cache (readers the default 2 MiB each): a large transaction — an import of
	// a province's members — otherwise spills dirty index pages to the WAL again and again
	// (measured: a 100,000-member import ran 1.5 times slower with the default cache).
	// journal_size_limit truncates the WAL back to 64 MiB after a checkpoint: one large
	// import otherwise leaves a WAL as large as itself on disk for good (8 GB after the
	// 5.6 million member demo).
	base := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_size_limit(67108864)&_time_format=sqlite"
	w, err := sql.Open("sqlite", base+"&_txlock=immediate&_pragma=cache_size(-65536)&_pragma=temp_store(2)")
	if err != nil {
		return fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	// The write connection creates the file and switches it to WAL before readers open it.
	if err := w.Ping(); err != nil {
		w.Close()
		r.Close()
		return fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.write, db.read = w, r
	return nil
}

func (db *DB) openPostgres(url string) error {
	db.Dialect = Postgres
	p, err := sql.Open("pgx", url)
	if err != nil {
		return fmt.Errorf("open postgres: %w", err)
	}
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(16)
	p.SetConnMaxIdleTime(5 * time.Minute)
	db.write, db.read = p, p
	return nil
}

// Close closes every pool.
func (db *DB) Close() error {
	var errs []error
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	if db.read != nil && db.read != db.write {
		errs = append(errs, db.read.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the store answers (used by /readyz).
func (db *DB) Ping(ctx context.Context) error { return db.write.PingContext(ctx) }

// Rebind turns `?` placeholders into `$1, $2…` for PostgreSQL. Queries must not contain a
// literal question mark outside placeholders.
func (db *DB) Rebind(q string) string {
	if db.Dialect != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// Querier is what both *DB reads and *Tx offer: enough for helpers that run inside or
// outside a transaction.
type Querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// reader runs rebound queries on the read pool.
type reader struct{ db *DB }

func (r reader) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return r.db.read.QueryContext(ctx, r.db.Rebind(q), args...)
}
func (r reader) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return r.db.read.QueryRowContext(ctx, r.db.Rebind(q), args...)
}
func (r reader) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return nil, Errorf(EINTERNAL, "write through the read pool: %s", q)
}

// R returns a Querier over the read pool (SQLite: query_only connections).
func (db *DB) R() Querier { return reader{db} }

// Tx is a write transaction. Every Tx opened by Write must append at least one audit
// entry (Tx.Audit) before it commits; see audit.go.
type Tx struct {
	tx      *sql.Tx
	db      *DB
	actor   string
	audited int
}

func (t *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.db.Rebind(q), args...)
}
func (t *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.db.Rebind(q), args...)
}
func (t *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.db.Rebind(q), args...)
}

// PrepareContext prepares a rebound statement inside the transaction (bulk writes).
func (t *Tx) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return t.tx.PrepareContext(ctx, t.db.Rebind(q))
}

// Dialect is the dialect of the transaction's store.
func (t *Tx) Dialect() Dialect { return t.db.Dialect }

// Actor is who the transaction acts for (see WithActor).
func (t *Tx) Actor() string { return t.actor }

// Keys gives access to the store's encryption keys inside a transaction.
func (t *Tx) Keys() *Keys { return t.db.Keys }

type actorKey struct{}

// WithActor records who acts (a user ID, "cli:NAME" or "system") for the audit log.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// ActorFrom returns the actor set by WithActor, or "system".
func ActorFrom(ctx context.Context) string {
	if a, ok := ctx.Value(actorKey{}).(string); ok && a != "" {
		return a
	}
	return "system"
}

// Write runs fn in a write transaction, retrying on SQLite busy/locked and PostgreSQL
// serialization failures and deadlocks. fn must append at least one audit entry
// (tx.Audit): the commit is refused otherwise, so no write escapes the audit log.
// fn may run more than once; it must not have side effects outside tx.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	return db.write1(ctx, true, fn)
}

// WriteUnaudited is for housekeeping that is not the organization's data and would flood
// the audit log: login rate-limit counters, session expiry. Do not use it for anything a
// user would want to trace.
func (db *DB) WriteUnaudited(ctx context.Context, fn func(tx *Tx) error) error {
	return db.write1(ctx, false, fn)
}

const maxAttempts = 8

func (db *DB) write1(ctx context.Context, audited bool, fn func(tx *Tx) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err = db.tryWrite(ctx, audited, fn)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
		// Jittered exponential backoff: 2, 4, 8… ms, capped at 200 ms.
		d := time.Duration(min(200, 1<<attempt)) * time.Millisecond
		d += time.Duration(rand.Int64N(int64(d)))
		db.log.DebugContext(ctx, "store: retrying transaction", "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
	}
	return fmt.Errorf("transaction failed after %d attempts: %w", maxAttempts, err)
}

func (db *DB) tryWrite(ctx context.Context, audited bool, fn func(tx *Tx) error) (err error) {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{tx: sqlTx, db: db, actor: ActorFrom(ctx)}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if audited && tx.audited == 0 {
		return Errorf(EINTERNAL, "write transaction by %s appended no audit entry", tx.actor)
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// retryable reports whether err is a transient conflict worth running the transaction again.
func retryable(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return true
		}
	}
	return false
}

// IsUniqueViolation reports whether err is a unique-constraint violation on either database.
func IsUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// Scanner is what a row offers: *sql.Row and *sql.Rows both have Scan.
type Scanner interface{ Scan(dest ...any) error }

// Collect runs scan over every row of a query and closes the rows: the loop every list
// query needs, once. Pass the query's (rows, err) straight in.
func Collect[T any](rows *sql.Rows, err error, scan func(Scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
