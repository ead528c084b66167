package org_test

import (
	"context"
	"fmt"
	"testing"

	"dais/internal/audit"
	"dais/internal/org"
	"dais/internal/store"
	"dais/internal/store/storetest"
)

// A tree of 1,201 units in bulk: every unit with its path, depth and "create" event, one
// audit entry per thousand units, a verifiable log; a code already taken refuses the
// whole batch and leaves nothing.
func TestBulk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := store.WithActor(context.Background(), "test")
		var root org.Unit
		err := db.Write(ctx, func(tx *store.Tx) error {
			b := org.NewBulk(tx)
			var err error
			if root, err = b.Add(ctx, org.NewUnit{Code: "Q", Name: "Đảng bộ tỉnh Q", Type: org.TypeProvince}, nil); err != nil {
				return err
			}
			for c := range 40 {
				commune, err := b.Add(ctx, org.NewUnit{Code: fmt.Sprintf("Q.X%02d", c), Name: fmt.Sprintf("Đảng bộ xã %d", c), Type: org.TypeCommune}, &root)
				if err != nil {
					return err
				}
				for k := range 29 {
					if _, err := b.Add(ctx, org.NewUnit{Code: fmt.Sprintf("Q.X%02d.CB%02d", c, k), Name: fmt.Sprintf("Chi bộ %d", k), Type: org.TypeCell}, &commune); err != nil {
						return err
					}
				}
			}
			if err := b.Finish(ctx); err != nil {
				return err
			}
			if b.Count != 1201 {
				return fmt.Errorf("count %d", b.Count)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var units, events, entries, deep int
		db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM units WHERE path LIKE ?`, root.Path+"%").Scan(&units)
		db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM unit_events e JOIN units u ON u.id = e.unit_id WHERE u.path LIKE ? AND e.kind = 'create'`, root.Path+"%").Scan(&events)
		db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'unit.create_bulk'`).Scan(&entries)
		db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM units u JOIN units p ON p.id = u.parent_id WHERE u.code = 'Q.X07.CB03' AND p.code = 'Q.X07' AND u.depth = 2 AND u.path = p.path || u.id || '/'`).Scan(&deep)
		if units != 1201 || events != 1201 || entries != 2 || deep != 1 {
			t.Fatalf("%d units, %d events, %d audit entries, cell under its commune %d", units, events, entries, deep)
		}
		if rep, err := audit.Verify(ctx, db); err != nil || rep.Entries == 0 {
			t.Fatalf("audit: %+v %v", rep, err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			b := org.NewBulk(tx)
			if _, err := b.Add(ctx, org.NewUnit{Code: "R", Name: "Đảng bộ R", Type: org.TypeProvince}, nil); err != nil {
				return err
			}
			if _, err := b.Add(ctx, org.NewUnit{Code: "Q.X01", Name: "Trùng mã", Type: org.TypeCommune}, &root); err != nil {
				return err
			}
			return b.Finish(ctx)
		})
		var r int
		db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM units WHERE code = 'R'`).Scan(&r)
		if store.ErrorCode(err) != store.ECONFLICT || r != 0 {
			t.Fatalf("a taken code: %v, %d units R kept", err, r)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := org.NewBulk(tx).Add(ctx, org.NewUnit{Code: "bad code!", Name: "x", Type: org.TypeCell}, &root)
			return err
		}); store.ErrorCode(err) != store.EINVALID {
			t.Fatalf("a bad code: %v", err)
		}
	})
}
