package org_test

import (
	"context"
	"strings"
	"testing"

	"dais/internal/account"
	"dais/internal/member"
	"dais/internal/org"
	"dais/internal/store"
	"dais/internal/store/storetest"
)

func TestUnitOperations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := store.WithActor(context.Background(), "test")
		s := org.NewService(db)
		members := member.NewService(db)
		accounts := account.NewService(db)
		mk := func(parent, code, typ string) org.Unit {
			t.Helper()
			u, err := s.Create(ctx, nil, org.NewUnit{ParentCode: parent, Code: code, Name: "Đảng bộ " + code, Type: typ})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		root := mk("", "P", org.TypeProvince)
		a := mk("P", "P.A", org.TypeCommune)
		b := mk("P", "P.B", org.TypeCommune)
		mk("P.A", "P.A.1", org.TypeCell)
		mk("P.A", "P.A.2", org.TypeCell)
		mk("P.B", "P.B.1", org.TypeCell)
		add := func(unit, card string) member.Member {
			t.Helper()
			m, err := members.Create(ctx, nil, member.Record{UnitCode: unit, FullName: "Nguyễn Văn " + string(rune('A'+card[7]-'0')), Gender: "male",
				BirthDate: "1970-01-01", CardNumber: card, AdmissionDate: "1995-01-01", OfficialDate: "1996-01-01"}, "test")
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		inA := add("P.A", "00000001") // directly in the commune committee
		add("P.A.1", "00000002")
		add("P.B.1", "00000003")
		u, err := accounts.CreateUser(ctx, account.NewUser{Username: "tochuc", DisplayName: "Cán bộ A", Password: "mật khẩu dài đủ"})
		if err != nil {
			t.Fatal(err)
		}
		if err := accounts.Grant(ctx, u.ID, store.RoleOrgOfficer, a.ID); err != nil {
			t.Fatal(err)
		}
		officerA := &store.Principal{UserID: u.ID, Grants: []store.Grant{{Role: store.RoleOrgOfficer, UnitPath: a.Path}}}
		province := &store.Principal{UserID: "sec", Grants: []store.Grant{{Role: store.RoleSecretary, UnitPath: root.Path}}}

		t.Run("an officer of A cannot merge B", func(t *testing.T) {
			_, err := s.Merge(ctx, officerA, []string{"P.A", "P.B"}, org.NewUnit{Code: "P.C", Name: "Đảng bộ mới"}, members, accounts)
			if err == nil {
				t.Fatal("merge across communes by a commune officer")
			}
		})

		var c org.Unit
		t.Run("merge A + B into a new C", func(t *testing.T) {
			var err error
			c, err = s.Merge(ctx, province, []string{"P.A", "P.B"}, org.NewUnit{Code: "P.C", Name: "Đảng bộ xã Hợp Nhất"}, members, accounts)
			if err != nil {
				t.Fatal(err)
			}
			kids, _ := s.Children(ctx, province, c)
			if len(kids) != 3 {
				t.Fatalf("C has %d sub-units, want 3", len(kids))
			}
			for _, k := range kids {
				if !strings.HasPrefix(k.Path, c.Path) || k.Depth != c.Depth+1 {
					t.Errorf("sub-unit %s path %s depth %d under %s", k.Code, k.Path, k.Depth, c.Path)
				}
			}
			if _, err := s.ByCode(ctx, province, "P.A"); store.ErrorCode(err) != store.ENOTFOUND {
				t.Fatalf("merged unit still open: %v", err)
			}
			m, err := members.Get(ctx, province, inA.ID)
			if err != nil || m.UnitCode != "P.C" || m.Version != 2 {
				t.Fatalf("member of A after merge: %+v %v", m, err)
			}
			if n, _ := members.CountInSubtree(ctx, c.Path); n != 3 {
				t.Fatalf("C holds %d members, want 3", n)
			}
			gs, _ := accounts.Grants(ctx, u.ID)
			if len(gs) != 1 || gs[0].UnitCode != "P.C" {
				t.Fatalf("grant did not follow: %+v", gs)
			}
			h, err := s.History(ctx, province, "P.C")
			if err != nil || len(h) != 3 || h[0].Kind != "merge_in" || h[2].Kind != "create" {
				t.Fatalf("history of C: %+v %v", h, err)
			}
			var n int
			db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM unit_events WHERE unit_id = ? AND kind = 'merged_into'`, a.ID).Scan(&n)
			if n != 1 {
				t.Fatal("A's history lacks the merge")
			}
		})

		t.Run("split C into C and D", func(t *testing.T) {
			parts := []org.SplitPart{{Unit: org.NewUnit{Code: "P.D", Name: "Đảng bộ xã Tách Ra"}, SubUnits: []string{"P.B.1"}, MemberIDs: []string{inA.ID}}}
			out, err := s.Split(ctx, province, "P.C", parts, members)
			if err != nil || len(out) != 1 {
				t.Fatalf("split: %v", err)
			}
			d := out[0]
			if n, _ := members.CountInSubtree(ctx, d.Path); n != 2 {
				t.Fatalf("D holds %d members, want 2", n)
			}
			bad := []org.SplitPart{{Unit: org.NewUnit{Code: "P.E", Name: "E"}, SubUnits: []string{"P.A.1"}, MemberIDs: []string{"nope"}}}
			if _, err := s.Split(ctx, province, "P.C", bad, members); err == nil {
				t.Fatal("split with a stranger member")
			}
			if _, err := s.ByCode(ctx, province, "P.E"); store.ErrorCode(err) != store.ENOTFOUND {
				t.Fatal("failed split left a unit behind")
			}
		})

		t.Run("move and dissolve", func(t *testing.T) {
			if _, err := s.Move(ctx, province, "P.C", "P.A.1"); err == nil {
				t.Fatal("moved a unit under its own descendant")
			}
			if _, err := s.Move(ctx, province, "P.A.2", "P.D"); err != nil {
				t.Fatal(err)
			}
			if err := s.Dissolve(ctx, province, "P.D", "sáp nhập", members); store.ErrorCode(err) != store.ECONFLICT {
				t.Fatalf("dissolved a unit with members: %v", err)
			}
			if err := s.Dissolve(ctx, province, "P.A.2", "không còn đảng viên", members); err != nil {
				t.Fatal(err)
			}
			_ = b
		})
	})
}
