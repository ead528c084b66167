package member

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"dais/internal/store"
)

// Outcomes of Importer.Put.
const (
	Created   = "created"
	Updated   = "updated"
	Unchanged = "unchanged"
)

// importBatch is how many records one audit entry covers: the import's records are all
// in the log (the entry's digest covers their card numbers and outcomes) without one
// entry per row.
const importBatch = 1000

// ImportRows is how many records one round trip to the database looks up and inserts
// (multi-row statements: 26 parameters a member, well inside both databases' limits).
const ImportRows = 250

// RecordError is an error about the record at Index of a batch given to PutBatch.
type RecordError struct {
	Index int
	Err   error
}

func (e *RecordError) Error() string { return fmt.Sprintf("record %d: %v", e.Index, e.Err) }
func (e *RecordError) Unwrap() error { return e.Err }

// Importer writes records keyed by card number inside one transaction: a new card is a
// new member, a known card with other data a new version, the same data nothing.
// Re-importing a file therefore changes nothing. Callers validate first (the whole file),
// then Put every record; an error aborts the transaction and nothing is kept.
//
// Records go to the database in chunks of ImportRows: one lookup of the chunk's cards,
// one multi-row INSERT of its new members and one of their first versions. That is what
// makes a national import take minutes rather than hours (docs/BENCHMARKS.md).
type Importer struct {
	tx      *store.Tx
	p       *store.Principal
	reason  string
	units   map[string]string    // code → id where p may write members
	stmts   map[string]*sql.Stmt // prepared multi-row statements by kind and row count
	batch   []string
	batchNo int
	rebuild []string // indexes to build again at Finish (DeferIndexes)
	Counts  map[string]int
}

// NewImporter prepares an import inside tx for principal p (nil: the system).
func NewImporter(ctx context.Context, tx *store.Tx, p *store.Principal, reason string) (*Importer, error) {
	im := &Importer{tx: tx, p: p, reason: reason, units: map[string]string{}, stmts: map[string]*sql.Stmt{}, Counts: map[string]int{}}
	rows, err := tx.QueryContext(ctx, `SELECT id, code, path FROM units WHERE dissolved_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	for rows.Next() {
		var id, code, path string
		if err := rows.Scan(&id, &code, &path); err != nil {
			rows.Close()
			return nil, err
		}
		if p == nil || p.Can(store.PermMemberWrite, path) {
			im.units[code] = id
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return im, nil
}

// DeferIndexes drops the members table's secondary indexes for the rest of the
// transaction and has Finish build them again: for an import that adds more members than
// the store holds, one sort at the end beats updating each index row by row. SQLite only
// (readers keep seeing the indexes of their snapshot until the commit); on PostgreSQL
// DROP INDEX would lock the table for every reader during the import, so it does nothing.
func (im *Importer) DeferIndexes(ctx context.Context) error {
	if im.tx.Dialect() != store.SQLite || im.rebuild != nil {
		return nil
	}
	rows, err := im.tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'members' AND sql IS NOT NULL`)
	type index struct{ name, sql string }
	idx, err := store.Collect(rows, err, func(r store.Scanner) (index, error) {
		var i index
		return i, r.Scan(&i.name, &i.sql)
	})
	if err != nil {
		return fmt.Errorf("defer member indexes: %w", err)
	}
	for _, i := range idx {
		if _, err := im.tx.ExecContext(ctx, `DROP INDEX "`+i.name+`"`); err != nil {
			return fmt.Errorf("defer member index %s: %w", i.name, err)
		}
		im.rebuild = append(im.rebuild, i.sql)
	}
	if im.rebuild == nil {
		im.rebuild = []string{}
	}
	return nil
}

// HasUnit reports whether the import may put members in the unit with this code.
func (im *Importer) HasUnit(code string) bool { _, ok := im.units[strings.ToUpper(code)]; return ok }

// Put writes one normalized, validated record and says what it did.
func (im *Importer) Put(ctx context.Context, r Record) (string, error) {
	out, err := im.PutBatch(ctx, []Record{r})
	if err != nil {
		var re *RecordError
		if errors.As(err, &re) {
			return "", re.Err
		}
		return "", err
	}
	return out[0], nil
}

// PutBatch writes normalized, validated records and says what it did to each. An error
// about one record is a *RecordError naming its index in recs.
func (im *Importer) PutBatch(ctx context.Context, recs []Record) ([]string, error) {
	out := make([]string, len(recs))
	for start := 0; start < len(recs); start += ImportRows {
		end := min(start+ImportRows, len(recs))
		if err := im.putChunk(ctx, recs[start:end], out[start:end]); err != nil {
			var re *RecordError
			if errors.As(err, &re) {
				re.Index += start
			}
			return nil, err
		}
	}
	return out, nil
}

// stmt prepares (once per transaction) a statement of n rows built by build.
func (im *Importer) stmt(ctx context.Context, kind string, n int, build func(int) string) (*sql.Stmt, error) {
	key := fmt.Sprint(kind, n)
	if st, ok := im.stmts[key]; ok {
		return st, nil
	}
	st, err := im.tx.PrepareContext(ctx, build(n))
	if err != nil {
		return nil, fmt.Errorf("prepare import %s: %w", kind, err)
	}
	im.stmts[key] = st
	return st, nil
}

func findCardsSQL(n int) string {
	return `SELECT ` + memberCols + ` FROM members m JOIN units u ON u.id = m.unit_id WHERE m.card_number IN (` +
		strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + `)`
}

func (im *Importer) putChunk(ctx context.Context, recs []Record, out []string) error {
	cards := make([]any, len(recs))
	seen := make(map[string]bool, len(recs))
	for i, r := range recs {
		if seen[r.CardNumber] {
			return &RecordError{Index: i, Err: &store.Error{Code: store.EINVALID, Key: "mem.card_taken", Field: "card_number",
				Message: "card number " + r.CardNumber + " appears twice"}}
		}
		seen[r.CardNumber] = true
		cards[i] = r.CardNumber
	}
	find, err := im.stmt(ctx, "find", len(recs), findCardsSQL)
	if err != nil {
		return err
	}
	rows, err := find.QueryContext(ctx, cards...)
	old, err := store.Collect(rows, err, scanMember)
	if err != nil {
		return fmt.Errorf("look up cards: %w", err)
	}
	known := make(map[string]*Member, len(old))
	for i := range old {
		known[old[i].CardNumber] = &old[i]
	}
	fresh := make([]Member, 0, len(recs))
	for i, r := range recs {
		unitID, ok := im.units[r.UnitCode]
		if !ok {
			return &RecordError{Index: i, Err: &store.Error{Code: store.EINVALID, Key: "mem.unit_unknown", Field: "unit_code", Message: "unknown unit code " + r.UnitCode}}
		}
		o := known[r.CardNumber]
		if o == nil {
			m := Member{UnitID: unitID, UnitCode: r.UnitCode}
			m.fromRecord(r)
			fresh = append(fresh, m)
			out[i] = Created
			continue
		}
		if out[i], err = im.change(ctx, *o, r, unitID); err != nil {
			return &RecordError{Index: i, Err: err}
		}
	}
	if err := insertMany(ctx, im, fresh); err != nil {
		return err
	}
	for i, r := range recs {
		im.Counts[out[i]]++
		if out[i] != Unchanged {
			im.batch = append(im.batch, out[i]+":"+r.CardNumber)
			if len(im.batch) >= importBatch {
				if err := im.flush(ctx); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// change writes a known card's new data as a new version, or nothing if it is the same.
func (im *Importer) change(ctx context.Context, old Member, r Record, unitID string) (string, error) {
	if len(old.idSealed) > 0 {
		b, err := im.tx.Keys().Open(old.idSealed, idAAD(old.ID))
		if err != nil {
			return "", err
		}
		old.IDNumber = string(b)
	}
	if old.record() == r && old.UnitID == unitID {
		return Unchanged, nil
	}
	if old.UnitID != unitID {
		// Moving a member between units is a transfer, not an import's business.
		return "", &store.Error{Code: store.ECONFLICT, Key: "mem.import_moves", Field: "unit_code",
			Message: fmt.Sprintf("card %s belongs to unit %s: move members with a transfer", r.CardNumber, old.UnitCode)}
	}
	m := old
	m.fromRecord(r)
	if err := updateTx(ctx, im.tx, &m, old.Version, im.reason); err != nil {
		return "", err
	}
	return Updated, nil
}

// insertMany inserts new members and their first versions with one statement each.
func insertMany(ctx context.Context, im *Importer, ms []Member) error {
	if len(ms) == 0 {
		return nil
	}
	now := store.Now()
	margs := make([]any, 0, len(ms)*memberInsertArgs)
	vargs := make([]any, 0, len(ms)*6)
	for i := range ms {
		m := &ms[i]
		margs = append(margs, newMemberArgs(im.tx, m, now)...)
		v, err := versionArgs(im.tx, m, im.reason, now)
		if err != nil {
			return err
		}
		vargs = append(vargs, v...)
	}
	st, err := im.stmt(ctx, "members", len(ms), func(n int) string { return orRollback(im.tx, multiRow(insertMemberSQL, n)) })
	if err != nil {
		return err
	}
	if _, err := st.ExecContext(ctx, margs...); err != nil {
		if store.IsUniqueViolation(err) {
			return &store.Error{Code: store.ECONFLICT, Key: "mem.card_taken", Field: "card_number", Message: "a card number of the file was added meanwhile by someone else"}
		}
		return fmt.Errorf("insert members: %w", err)
	}
	if st, err = im.stmt(ctx, "versions", len(ms), func(n int) string { return orRollback(im.tx, multiRow(insertVersionSQL, n)) }); err != nil {
		return err
	}
	if _, err := st.ExecContext(ctx, vargs...); err != nil {
		return fmt.Errorf("insert member versions: %w", err)
	}
	return nil
}

// orRollback makes an INSERT roll the whole transaction back if a row fails, on SQLite: a
// failing row ends the import anyway, so its constraints need not be undoable statement by
// statement. (SQLite still keeps a statement journal for a multi-row INSERT, because the
// members' foreign keys are immediate: what it journals is every index page the statement
// touches, which is why DeferIndexes pays off so well. Declaring the foreign keys
// DEFERRABLE INITIALLY DEFERRED would remove it, but SQLite can only do that by rebuilding
// the tables.)
func orRollback(tx *store.Tx, q string) string {
	if tx.Dialect() != store.SQLite {
		return q
	}
	return strings.Replace(q, "INSERT INTO", "INSERT OR ROLLBACK INTO", 1)
}

// multiRow repeats the VALUES tuple of a one-row INSERT n times.
func multiRow(one string, n int) string {
	i := strings.LastIndex(one, "VALUES ")
	tuple := one[i+len("VALUES "):]
	var b strings.Builder
	b.Grow(len(one) + n*(len(tuple)+2))
	b.WriteString(one[:i+len("VALUES ")])
	for k := range n {
		if k > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tuple)
	}
	return b.String()
}

func (im *Importer) flush(ctx context.Context) error {
	if len(im.batch) == 0 {
		return nil
	}
	im.batchNo++
	h := sha256.New()
	for _, b := range im.batch {
		h.Write([]byte(b))
		h.Write([]byte{'\n'})
	}
	state := map[string]any{"reason": im.reason, "records": len(im.batch), "cards_sha256": hex.EncodeToString(h.Sum(nil))}
	im.batch = im.batch[:0]
	return im.tx.Audit(ctx, "member.import", "import_batch", fmt.Sprint(im.batchNo), state)
}

// Finish writes the last audit entry (always at least one, so even an import that
// changed nothing is recorded) and releases the statements.
func (im *Importer) Finish(ctx context.Context) error {
	defer func() {
		for _, st := range im.stmts {
			st.Close()
		}
	}()
	for _, q := range im.rebuild {
		if _, err := im.tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("rebuild member index: %w", err)
		}
	}
	im.rebuild = nil
	if im.batchNo == 0 && len(im.batch) == 0 {
		return im.tx.Audit(ctx, "member.import", "import_batch", "0", map[string]any{"reason": im.reason, "records": 0, "unchanged": im.Counts[Unchanged]})
	}
	return im.flush(ctx)
}
