package member

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"dais/internal/store"
	"dais/internal/store/storetest"
)

// tree makes province P with communes A and B and returns their paths by code.
func tree(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	ctx := store.WithActor(context.Background(), "test")
	paths := map[string]string{}
	err := db.Write(ctx, func(tx *store.Tx) error {
		add := func(code, parent string) error {
			id := store.NewID()
			path := paths[parent] + id + "/"
			if parent == "" {
				path = "/" + id + "/"
			}
			paths[code] = path
			var pid any
			if parent != "" {
				pid = strings.Split(strings.Trim(paths[parent], "/"), "/")[len(strings.Split(strings.Trim(paths[parent], "/"), "/"))-1]
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO units (id, code, name, type, parent_id, path, depth, created_at) VALUES (?, ?, ?, 'commune', ?, ?, 0, ?)`,
				id, code, "Đơn vị "+code, pid, path, store.Now())
			return err
		}
		for _, u := range [][2]string{{"P", ""}, {"P.A", "P"}, {"P.B", "P"}} {
			if err := add(u[0], u[1]); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, "unit.create", "unit", "P", nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

func officer(role, path string) *store.Principal {
	return &store.Principal{UserID: "u-" + role, Grants: []store.Grant{{Role: role, UnitPath: path}}}
}

func rec(unit, card, name string) Record {
	return Record{UnitCode: unit, FullName: name, Gender: "Nữ", BirthDate: "1980-05-17", CardNumber: card,
		IDNumber: "001180012345", AdmissionDate: "2005-03-26", OfficialDate: "2006-03-26", Hometown: "xã Đông Xuyên, tỉnh Bắc Ninh"}
}

func TestMemberRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := store.WithActor(context.Background(), "test")
		s := NewService(db)
		paths := tree(t, db)
		a := officer(store.RoleOrgOfficer, paths["P.A"])
		chairA := officer(store.RoleChair, paths["P.A"])

		t.Run("validation reports every problem", func(t *testing.T) {
			r := Record{UnitCode: "P.A", FullName: "Nguyễn 2", Gender: "x", BirthDate: "31/02/1980", CardNumber: "12a",
				IDNumber: "123", AdmissionDate: "2030-01-01", Status: StatusOfficial}
			r.Normalize()
			errs := r.Validate(store.Now())
			fields := map[string]bool{}
			for _, e := range errs {
				fields[e.Field] = true
			}
			for _, f := range []string{"full_name", "gender", "birth_date", "card_number", "id_number", "admission_date", "official_date"} {
				if !fields[f] {
					t.Errorf("no error for %s in %v", f, errs)
				}
			}
			if _, err := s.Create(ctx, a, r, "test"); store.ErrorCode(err) != store.EINVALID {
				t.Fatalf("Create invalid: %v", err)
			}
		})

		var m Member
		t.Run("create in own unit, not in another", func(t *testing.T) {
			var err error
			m, err = s.Create(ctx, a, rec("p.a", "00012345", "  Nguyễn   Thị Hoà "), "kết nạp")
			if err != nil {
				t.Fatal(err)
			}
			if m.FullName != "Nguyễn Thị Hoà" || m.Gender != "female" || m.Status != StatusOfficial || m.Version != 1 {
				t.Fatalf("created %+v", m)
			}
			if _, err := s.Create(ctx, a, rec("P.B", "00099999", "Trần Văn An"), "x"); err == nil {
				t.Fatal("created a member in another commune")
			}
			if _, err := s.Create(ctx, a, rec("P.A", "00012345", "Trần Văn An"), "x"); store.ErrorCode(err) != store.ECONFLICT {
				t.Fatalf("duplicate card: %v", err)
			}
		})

		t.Run("ID number sealed, blind-indexed, masked for readers", func(t *testing.T) {
			var sealed []byte
			var blind, nameKey string
			db.R().QueryRowContext(ctx, `SELECT id_number_sealed, id_number_blind, name_key FROM members WHERE id = ?`, m.ID).Scan(&sealed, &blind, &nameKey)
			if len(sealed) == 0 || strings.Contains(string(sealed), "001180012345") {
				t.Fatal("ID number not sealed")
			}
			if blind != IDBlind(db.Keys, "001180012345") || nameKey != "nguyen thi hoa" {
				t.Fatalf("blind %q name_key %q", blind, nameKey)
			}
			full, _ := s.Get(ctx, a, m.ID)
			masked, _ := s.Get(ctx, chairA, m.ID)
			if full.IDNumber != "001180012345" || masked.IDNumber != "•••••••••345" {
				t.Fatalf("officer sees %q, chair sees %q", full.IDNumber, masked.IDNumber)
			}
		})

		t.Run("update makes a version with a diff", func(t *testing.T) {
			name, res := "Nguyễn Thị Hòa", "phường Từ Sơn"
			u, err := s.Update(ctx, a, m.ID, Patch{FullName: &name, Residence: &res, Reason: "sửa chính tả", Version: 1})
			if err != nil || u.Version != 2 {
				t.Fatalf("update: %+v %v", u, err)
			}
			if _, err := s.Update(ctx, a, m.ID, Patch{FullName: &name, Version: 1}); store.ErrorCode(err) != store.ECONFLICT {
				t.Fatalf("stale version: %v", err)
			}
			if _, err := s.Update(ctx, chairA, m.ID, Patch{FullName: &name, Version: 2}); store.ErrorCode(err) != store.EFORBIDDEN {
				t.Fatalf("chair edited: %v", err)
			}
			vs, err := s.Versions(ctx, a, m.ID)
			if err != nil || len(vs) != 2 || vs[0].Reason != "sửa chính tả" || vs[0].Actor != "test" {
				t.Fatalf("versions %+v %v", vs, err)
			}
			d := Diff(vs[1], vs[0])
			if len(d) != 2 || d[0] != (Change{"full_name", "Nguyễn Thị Hoà", "Nguyễn Thị Hòa"}) || d[1].Field != "residence" {
				t.Fatalf("diff %+v", d)
			}
			if strings.Contains(vs[0].Data.IDNumber, "0011800") {
				t.Fatal("ID number in clear in the history")
			}
		})

		t.Run("status lifecycle", func(t *testing.T) {
			p, err := s.Create(ctx, a, Record{UnitCode: "P.A", FullName: "Lê Văn Nam", Gender: "Nam", BirthDate: "1995-01-02",
				CardNumber: "00054321", AdmissionDate: "2025-12-01"}, "kết nạp")
			if err != nil || p.Status != StatusProbationary {
				t.Fatalf("probationary: %+v %v", p, err)
			}
			if _, err := s.ChangeStatus(ctx, a, p.ID, StatusInTransit, "2026-01-01", "x", 1); store.ErrorCode(err) != store.EINVALID {
				t.Fatalf("manual in_transit: %v", err)
			}
			o, err := s.ChangeStatus(ctx, a, p.ID, StatusOfficial, "2026-11-01", "hết thời gian dự bị", 1)
			if err != nil || o.Status != StatusOfficial || o.OfficialDate != "2026-11-01" {
				t.Fatalf("official: %+v %v", o, err)
			}
			d, err := s.ChangeStatus(ctx, a, p.ID, StatusDeceased, "2026-11-10", "từ trần", 2)
			if err != nil || d.Status != StatusDeceased {
				t.Fatal(err)
			}
			if _, err := s.ChangeStatus(ctx, a, p.ID, StatusOfficial, "2026-11-11", "x", 3); store.ErrorCode(err) != store.EINVALID {
				t.Fatalf("from deceased: %v", err)
			}
		})

		t.Run("import is keyed by card number and idempotent", func(t *testing.T) {
			recs := []Record{rec("P.A", "10000001", "Phạm Văn Hùng"), rec("P.A", "10000002", "Vũ Thị Mai"), rec("P.B", "10000003", "Đỗ Minh Tuấn")}
			run := func(p *store.Principal, recs []Record) (map[string]int, error) {
				var counts map[string]int
				err := db.Write(ctx, func(tx *store.Tx) error {
					im, err := NewImporter(ctx, tx, p, "nhập từ tệp")
					if err != nil {
						return err
					}
					for _, r := range recs {
						r.Normalize()
						if _, err := im.Put(ctx, r); err != nil {
							return err
						}
					}
					counts = im.Counts
					return im.Finish(ctx)
				})
				return counts, err
			}
			if _, err := run(a, recs); store.ErrorCode(err) != store.EINVALID {
				t.Fatalf("import into another commune: %v", err)
			}
			var n int
			db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE card_number LIKE '1000000%'`).Scan(&n)
			if n != 0 {
				t.Fatalf("failed import left %d rows", n)
			}
			c, err := run(nil, recs)
			if err != nil || c[Created] != 3 {
				t.Fatalf("first import %v %v", c, err)
			}
			c, err = run(nil, recs)
			if err != nil || c[Unchanged] != 3 || c[Created]+c[Updated] != 0 {
				t.Fatalf("re-import %v %v", c, err)
			}
			recs[1].Hometown = "xã Tam Sơn"
			c, err = run(nil, recs)
			if err != nil || c[Updated] != 1 || c[Unchanged] != 2 {
				t.Fatalf("changed import %v %v", c, err)
			}
			recs[0].UnitCode = "P.B"
			if _, err := run(nil, recs); store.ErrorCode(err) != store.ECONFLICT {
				t.Fatalf("import moving a member: %v", err)
			}
		})

		t.Run("batched import with deferred indexes", func(t *testing.T) {
			indexes := func() []string {
				var q string
				if db.Dialect == store.SQLite {
					q = `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'members' ORDER BY name`
				} else {
					q = `SELECT indexname FROM pg_indexes WHERE tablename = 'members' AND schemaname = current_schema() ORDER BY indexname`
				}
				rows, err := db.R().QueryContext(ctx, q)
				names, err := store.Collect(rows, err, func(r store.Scanner) (string, error) {
					var n string
					return n, r.Scan(&n)
				})
				if err != nil {
					t.Fatal(err)
				}
				return names
			}
			before := indexes()
			// 2.5 chunks of ImportRows: the first 3 cards exist already (one changed).
			recs := make([]Record, ImportRows*5/2)
			for i := range recs {
				recs[i] = rec("P.B", fmt.Sprintf("2%07d", i), "Hoàng Thị Lan")
				recs[i].Normalize()
			}
			batch := func(recs []Record, deferIdx bool) (map[string]int, []string, error) {
				var counts map[string]int
				var out []string
				err := db.Write(ctx, func(tx *store.Tx) error {
					im, err := NewImporter(ctx, tx, nil, "nhập lô")
					if err != nil {
						return err
					}
					if deferIdx {
						if err := im.DeferIndexes(ctx); err != nil {
							return err
						}
					}
					if out, err = im.PutBatch(ctx, recs); err != nil {
						return err
					}
					counts = im.Counts
					return im.Finish(ctx)
				})
				return counts, out, err
			}
			if c, out, err := batch(recs[:3], false); err != nil || c[Created] != 3 || out[2] != Created {
				t.Fatalf("first batch: %v %v %v", c, out, err)
			}
			recs[1].Residence = "phường Kinh Bắc"
			c, out, err := batch(recs, true)
			if err != nil || c[Created] != len(recs)-3 || c[Updated] != 1 || c[Unchanged] != 2 || out[1] != Updated || out[len(out)-1] != Created {
				t.Fatalf("batch: %v %v", c, err)
			}
			if after := indexes(); !slices.Equal(before, after) {
				t.Fatalf("indexes before %v, after %v", before, after)
			}
			var members, versions int
			db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE card_number LIKE '2%'`).Scan(&members)
			db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM member_versions v JOIN members m ON m.id = v.member_id WHERE m.card_number LIKE '2%'`).Scan(&versions)
			if members != len(recs) || versions != len(recs)+1 {
				t.Fatalf("%d members, %d versions", members, versions)
			}
			// An error names the record's index in the whole batch, and nothing is kept.
			more := make([]Record, ImportRows+10)
			for i := range more {
				more[i] = rec("P.B", fmt.Sprintf("3%07d", i), "Trịnh Văn Đức")
				more[i].Normalize()
			}
			more[ImportRows+5].UnitCode = "P.NOPE"
			var re *RecordError
			if _, _, err := batch(more, true); !errors.As(err, &re) || re.Index != ImportRows+5 || store.ErrorCode(err) != store.EINVALID {
				t.Fatalf("bad unit: %v", err)
			}
			more[ImportRows+5] = more[ImportRows+4]
			if _, _, err := batch(more, false); !errors.As(err, &re) || re.Index != ImportRows+5 {
				t.Fatalf("card twice: %v", err)
			}
			db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE card_number LIKE '3%'`).Scan(&members)
			if after := indexes(); members != 0 || !slices.Equal(before, after) {
				t.Fatalf("failed batches left %d members, indexes %v", members, after)
			}
		})
	})
}
