package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dais/internal/member"
	"dais/internal/member/imports"
	"dais/internal/store"
)

const importHelp = "usage: dais import members FILE [--dry-run] [--encoding utf-8|windows-1258|tcvn3] [--data DIR] [--db URL]"

// cmdImport runs `dais import members FILE`: it checks the whole file first and prints
// every problem as `row N, column "X": message`; a file with any problem imports
// nothing. Otherwise (and unless --dry-run) it writes every record in one transaction,
// keyed by card number, so importing the same file again changes nothing.
func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "members" {
		return usageError(importHelp)
	}
	fs := newFlags("import members", stderr)
	c := bind(fs, "data", "db", "key-file", "log-level")
	dryRun := fs.Bool("dry-run", false, "check the file and report every problem; import nothing")
	encoding := fs.String("encoding", "", "text encoding of a CSV file: utf-8, windows-1258 or tcvn3 (default: detected)")
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError(importHelp)
	}
	if _, err := imports.ParseEncoding(*encoding); err != nil {
		return usageError(err.Error())
	}
	path := pos[0]
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	opts := imports.Options{Encoding: *encoding, Progress: progressPrinter(stderr, st.Size())}
	rd, err := imports.Open(f, st.Size(), filepath.Base(path), opts)
	var fe *imports.FileError
	if errors.As(err, &fe) {
		for _, p := range fe.Problems {
			fmt.Fprintln(stdout, p.String())
		}
		return fmt.Errorf("%s cannot be imported; nothing was imported", path)
	}
	if err != nil {
		return err
	}
	describe := fmt.Sprintf("%s: %s, %s", filepath.Base(path), strings.ToUpper(rd.Format), rd.Encoding)
	if rd.Sheet != "" {
		describe += fmt.Sprintf(", sheet %q", rd.Sheet)
	}
	fmt.Fprintln(stdout, describe)

	db, err := openStore(ctx, c, newLogger(stderr, c.get("log-level")))
	if err != nil {
		return err
	}
	defer db.Close()
	known, lookupErr := unitLookup(ctx, db)
	rep, err := imports.Check(ctx, rd, time.Now(), known)
	if err == nil {
		err = *lookupErr
	}
	if err != nil {
		return err
	}
	for _, w := range rep.Warnings {
		fmt.Fprintln(stdout, "warning:", w.String())
	}
	if rep.WarningCount > len(rep.Warnings) {
		fmt.Fprintf(stdout, "warning: … and %d more warnings\n", rep.WarningCount-len(rep.Warnings))
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, p.String())
	}
	if !rep.OK() {
		if rep.ProblemCount > len(rep.Problems) {
			fmt.Fprintf(stdout, "… and %d more problems\n", rep.ProblemCount-len(rep.Problems))
		}
		if rep.Stopped {
			fmt.Fprintln(stdout, "reading stopped at the last problem: the rest of the file could not be read")
		}
		return fmt.Errorf("%d problems in %d of %d rows (%s); nothing was imported", rep.ProblemCount, rep.BadRows, rep.Rows, rowList(rep.ProblemRows(), rep.BadRows))
	}
	if *dryRun {
		fmt.Fprintf(stdout, "dry run: %d rows checked, no problems, %d warnings; nothing was imported\n", rep.Rows, rep.WarningCount)
		return nil
	}
	counts, err := importMembers(store.WithActor(ctx, "cli:"+cliUser()), db, rd, "import of "+filepath.Base(path))
	if err != nil {
		return fmt.Errorf("%w; nothing was imported", err)
	}
	fmt.Fprintf(stdout, "imported %d rows: %d created, %d updated, %d unchanged\n", rep.Rows, counts.Created, counts.Updated, counts.Unchanged)
	return nil
}

// importWriter is what an import writes through: member.Importer inside one transaction.
type importWriter interface {
	imports.Writer
	Finish(ctx context.Context) error
}

// newImportWriter starts the writer of an import inside tx, as the system (the CLI runs
// with the store's own rights).
func newImportWriter(ctx context.Context, tx *store.Tx, reason string) (importWriter, error) {
	return member.NewImporter(ctx, tx, nil, reason)
}

// importMembers writes every record of a checked file in one transaction: all or nothing.
func importMembers(ctx context.Context, db *store.DB, rd *imports.Reader, reason string) (imports.Counts, error) {
	var counts imports.Counts
	err := db.Write(ctx, func(tx *store.Tx) error {
		w, err := newImportWriter(ctx, tx, reason)
		if err != nil {
			return err
		}
		if err := deferIndexes(ctx, tx, w, rd); err != nil {
			return err
		}
		if counts, err = imports.Import(ctx, rd, w); err != nil {
			return err
		}
		return w.Finish(ctx)
	})
	return counts, err
}

// deferIndexes has a large import build the member indexes once at the end, when the file
// holds more records than the store has members (see member.Importer.DeferIndexes).
func deferIndexes(ctx context.Context, tx *store.Tx, w importWriter, rd *imports.Reader) error {
	d, ok := w.(interface{ DeferIndexes(context.Context) error })
	if !ok || rd.Rows() < 10_000 {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM members`).Scan(&n); err != nil {
		return fmt.Errorf("count members: %w", err)
	}
	if rd.Rows() <= n {
		return nil
	}
	return d.DeferIndexes(ctx)
}

// unitLookup answers whether a unit code exists and is not dissolved, as member.Importer
// will require; a database error is kept in *errp, for after the check.
func unitLookup(ctx context.Context, db *store.DB) (func(code string) bool, *error) {
	var lookupErr error
	return func(code string) bool {
		var one int
		err := db.R().QueryRowContext(ctx, `SELECT 1 FROM units WHERE code = ? AND dissolved_at IS NULL`, code).Scan(&one)
		if err != nil && !errors.Is(err, sql.ErrNoRows) && lookupErr == nil {
			lookupErr = fmt.Errorf("look up unit %s: %w", code, err)
		}
		return err == nil
	}, &lookupErr
}

// rowList names the first rows with problems: "rows 3, 7, 12 and 40 more".
func rowList(rows []int, total int) string {
	const show = 20
	var b strings.Builder
	b.WriteString("row")
	if total != 1 {
		b.WriteString("s")
	}
	for i, r := range rows[:min(len(rows), show)] {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " %d", r)
	}
	if more := total - min(len(rows), show); more > 0 {
		fmt.Fprintf(&b, " and %d more", more)
	}
	return b.String()
}

// progressPrinter reports every tenth of a large file read, on stderr.
func progressPrinter(w io.Writer, size int64) func(done, total int64) {
	if size < 32<<20 {
		return nil
	}
	last := int64(-1)
	return func(done, total int64) {
		if pct := done * 10 / max(total, 1); pct != last {
			last = pct
			fmt.Fprintf(w, "… %d%% read\n", pct*10)
		}
	}
}
