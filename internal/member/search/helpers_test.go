package search

import (
	"context"
	"encoding/hex"
	"testing"

	"dais/internal/store"
	"dais/internal/vntext"
)

// The tests seed the store with raw INSERTs of their own (the columns of migrations 0002,
// 0004 and 0005), so they do not depend on the member package's write path.

type tunit struct{ id, code, path string }

type tmember struct {
	unit     string // unit code
	name     string
	card     string
	birth    string
	status   string
	idNumber string
}

type fixture struct {
	db    *store.DB
	units map[string]tunit
	ids   map[string]string // card → member ID
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	return &fixture{db: db, units: map[string]tunit{}, ids: map[string]string{}}
}

// unit adds a unit under parent ("" for a root).
func (f *fixture) unit(t *testing.T, code, parent string) tunit {
	t.Helper()
	u := tunit{id: store.NewID(), code: code}
	var parentID any
	depth := 0
	if parent != "" {
		p := f.units[parent]
		u.path, parentID, depth = p.path+u.id+"/", p.id, len(p.path)
	} else {
		u.path = "/" + u.id + "/"
	}
	err := f.db.WriteUnaudited(context.Background(), func(tx *store.Tx) error {
		_, err := tx.ExecContext(context.Background(), `INSERT INTO units (id, code, name, type, parent_id, path, depth, created_at)
			VALUES (?, ?, ?, 'cell', ?, ?, ?, ?)`, u.id, u.code, "Đơn vị "+code, parentID, u.path, depth, store.Now())
		return err
	})
	if err != nil {
		t.Fatalf("insert unit %s: %v", code, err)
	}
	f.units[code] = u
	return u
}

// member inserts a member; audited writes go through db.Write with an audit entry, as
// the product's own writes do.
func (f *fixture) member(t *testing.T, m tmember, audited bool) string {
	t.Helper()
	id := store.NewID()
	if m.birth == "" {
		m.birth = "1970-01-01"
	}
	if m.status == "" {
		m.status = "official"
	}
	var blind any
	if m.idNumber != "" {
		blind = hex.EncodeToString(f.db.Keys.Blind(BlindDomain, m.idNumber))
	}
	now := store.Now()
	fn := func(tx *store.Tx) error {
		_, err := tx.ExecContext(context.Background(), `INSERT INTO members (id, unit_id, full_name, gender, birth_date, card_number,
			admission_date, official_date, status, version, created_at, updated_at, name_key, id_number_blind)
			VALUES (?, ?, ?, 'male', ?, ?, '2000-01-01', '2001-01-01', ?, 1, ?, ?, ?, ?)`,
			id, f.units[m.unit].id, m.name, m.birth, m.card, m.status, now, now, vntext.Fold(m.name), blind)
		if err != nil {
			return err
		}
		if audited {
			return tx.Audit(context.Background(), "member.create", "member", id, map[string]string{"card": m.card})
		}
		return nil
	}
	var err error
	if audited {
		err = f.db.Write(context.Background(), fn)
	} else {
		err = f.db.WriteUnaudited(context.Background(), fn)
	}
	if err != nil {
		t.Fatalf("insert member %s: %v", m.name, err)
	}
	f.ids[m.card] = id
	return id
}

// exec runs a statement with an audit entry (object type and ID given), as a product
// write would.
func (f *fixture) exec(t *testing.T, objType, objID, q string, args ...any) {
	t.Helper()
	err := f.db.Write(context.Background(), func(tx *store.Tx) error {
		if _, err := tx.ExecContext(context.Background(), q, args...); err != nil {
			return err
		}
		return tx.Audit(context.Background(), "test.change", objType, objID, args)
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// principal holds role on the units with the given codes.
func (f *fixture) principal(role string, codes ...string) *store.Principal {
	p := &store.Principal{Username: "u-" + role}
	for _, c := range codes {
		u := f.units[c]
		p.Grants = append(p.Grants, store.Grant{Role: role, UnitID: u.id, UnitPath: u.path, UnitCode: u.code})
	}
	return p
}
