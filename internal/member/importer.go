package member

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
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

// Importer writes records keyed by card number inside one transaction: a new card is a
// new member, a known card with other data a new version, the same data nothing.
// Re-importing a file therefore changes nothing. Callers validate first (the whole file),
// then Put every record; an error aborts the transaction and nothing is kept.
type Importer struct {
	tx      *store.Tx
	p       *store.Principal
	reason  string
	units   map[string]string // code → id where p may write members
	find    *sql.Stmt
	stmts   writeStmts
	batch   []string
	batchNo int
	Counts  map[string]int
}

// NewImporter prepares an import inside tx for principal p (nil: the system).
func NewImporter(ctx context.Context, tx *store.Tx, p *store.Principal, reason string) (*Importer, error) {
	im := &Importer{tx: tx, p: p, reason: reason, units: map[string]string{}, Counts: map[string]int{}}
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
	im.find, err = tx.PrepareContext(ctx, `SELECT m.id, m.unit_id, u.code, u.name, u.path, m.full_name, m.other_names, m.gender, m.birth_date,
		m.card_number, m.id_number_sealed, m.ethnicity, m.religion, m.hometown, m.residence, m.admission_date, m.official_date,
		m.positions, m.education, m.professional_level, m.theory_level, m.photo_sha256, m.status, m.status_date, m.status_reason,
		m.version, m.updated_at FROM members m JOIN units u ON u.id = m.unit_id WHERE m.card_number = ?`)
	if err != nil {
		return nil, fmt.Errorf("prepare import: %w", err)
	}
	if im.stmts.member, err = tx.PrepareContext(ctx, insertMemberSQL); err != nil {
		return nil, fmt.Errorf("prepare import: %w", err)
	}
	if im.stmts.version, err = tx.PrepareContext(ctx, insertVersionSQL); err != nil {
		return nil, fmt.Errorf("prepare import: %w", err)
	}
	return im, nil
}

// HasUnit reports whether the import may put members in the unit with this code.
func (im *Importer) HasUnit(code string) bool { _, ok := im.units[strings.ToUpper(code)]; return ok }

// Put writes one normalized, validated record and says what it did.
func (im *Importer) Put(ctx context.Context, r Record) (string, error) {
	unitID, ok := im.units[r.UnitCode]
	if !ok {
		return "", &store.Error{Code: store.EINVALID, Key: "mem.unit_unknown", Field: "unit_code", Message: "unknown unit code " + r.UnitCode}
	}
	old, err := scanMember(im.find.QueryRowContext(ctx, r.CardNumber))
	var outcome string
	switch {
	case store.ErrorCode(err) == store.ENOTFOUND:
		m := Member{UnitID: unitID, UnitCode: r.UnitCode}
		m.fromRecord(r)
		if err := insertWith(ctx, im.tx, &im.stmts, &m, im.reason); err != nil {
			return "", err
		}
		outcome = Created
	case err != nil:
		return "", err
	default:
		if len(old.idSealed) > 0 {
			b, err := im.tx.Keys().Open(old.idSealed, idAAD(old.ID))
			if err != nil {
				return "", err
			}
			old.IDNumber = string(b)
		}
		if old.record() == r && old.UnitID == unitID {
			outcome = Unchanged
			break
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
		outcome = Updated
	}
	im.Counts[outcome]++
	if outcome != Unchanged {
		im.batch = append(im.batch, outcome+":"+r.CardNumber)
		if len(im.batch) >= importBatch {
			if err := im.flush(ctx); err != nil {
				return "", err
			}
		}
	}
	return outcome, nil
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
		im.find.Close()
		im.stmts.member.Close()
		im.stmts.version.Close()
	}()
	if im.batchNo == 0 && len(im.batch) == 0 {
		return im.tx.Audit(ctx, "member.import", "import_batch", "0", map[string]any{"reason": im.reason, "records": 0, "unchanged": im.Counts[Unchanged]})
	}
	return im.flush(ctx)
}
