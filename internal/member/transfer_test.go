package member

import (
	"context"
	"testing"
	"time"

	"dais/internal/store"
	"dais/internal/store/storetest"
)

func TestTransfers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := store.WithActor(context.Background(), "test")
		s := NewService(db)
		paths := tree(t, db)
		a, b := officer(store.RoleOrgOfficer, paths["P.A"]), officer(store.RoleOrgOfficer, paths["P.B"])
		prov := officer(store.RoleSecretary, paths["P"])
		m, err := s.Create(ctx, a, rec("P.A", "20000001", "Hoàng Văn Thái"), "test")
		if err != nil {
			t.Fatal(err)
		}

		t.Run("validation", func(t *testing.T) {
			for _, in := range []NewTransfer{
				{MemberID: m.ID, ToUnitCode: "P.B", Kind: "forever", Reason: "x"},
				{MemberID: m.ID, ToUnitCode: "P.B", Kind: TransferOfficial},
				{MemberID: m.ID, ToUnitCode: "NOPE", Kind: TransferOfficial, Reason: "x"},
				{MemberID: m.ID, ToUnitCode: "P.A", Kind: TransferOfficial, Reason: "x"},
				{MemberID: m.ID, ToUnitCode: "P.B", Kind: TransferTemporary, Reason: "x", EndsOn: "2001-01-01"},
			} {
				if _, err := s.IssueTransfer(ctx, a, in); store.ErrorCode(err) != store.EINVALID {
					t.Errorf("%+v: %v", in, err)
				}
			}
			if _, err := s.IssueTransfer(ctx, b, NewTransfer{MemberID: m.ID, ToUnitCode: "P.B", Kind: TransferOfficial, Reason: "x"}); store.ErrorCode(err) != store.ENOTFOUND {
				t.Errorf("B issued A's member: %v", err)
			}
		})

		var tr Transfer
		t.Run("official: issue, in transit, receive", func(t *testing.T) {
			var err error
			tr, err = s.IssueTransfer(ctx, a, NewTransfer{MemberID: m.ID, ToUnitCode: "p.b", Kind: TransferOfficial, Reason: "chuyển nơi cư trú"})
			if err != nil || tr.LetterNo != "1/GGT-P.A" || tr.State != TransferIssued {
				t.Fatalf("issue: %+v %v", tr, err)
			}
			got, _ := s.Get(ctx, a, m.ID)
			if got.Status != StatusInTransit || got.UnitCode != "P.A" {
				t.Fatalf("member during transfer: %s in %s", got.Status, got.UnitCode)
			}
			if _, err := s.IssueTransfer(ctx, a, NewTransfer{MemberID: m.ID, ToUnitCode: "P.B", Kind: TransferOfficial, Reason: "again"}); store.ErrorCode(err) != store.ECONFLICT {
				t.Fatalf("second transfer: %v", err)
			}
			// Both ends see it.
			for _, p := range []*store.Principal{a, b} {
				if _, err := s.GetTransfer(ctx, p, tr.ID); err != nil {
					t.Fatalf("not visible: %v", err)
				}
			}
			if _, err := s.ReceiveTransfer(ctx, a, tr.ID); store.ErrorCode(err) != store.EFORBIDDEN {
				t.Fatalf("source received its own transfer: %v", err)
			}
			if _, err := s.ReceiveTransfer(ctx, b, tr.ID); err != nil {
				t.Fatal(err)
			}
			got, err = s.Get(ctx, b, m.ID)
			if err != nil || got.Status != StatusOfficial || got.UnitCode != "P.B" {
				t.Fatalf("after receipt: %+v %v", got, err)
			}
			if _, err := s.Get(ctx, a, m.ID); store.ErrorCode(err) != store.ENOTFOUND {
				t.Fatal("the member is still visible in the old unit")
			}
			if _, err := s.CancelTransfer(ctx, prov, tr.ID); store.ErrorCode(err) != store.ECONFLICT {
				t.Fatalf("cancelled a received transfer: %v", err)
			}
		})

		t.Run("cancel and expiry restore the member", func(t *testing.T) {
			t2, err := s.IssueTransfer(ctx, b, NewTransfer{MemberID: m.ID, ToUnitCode: "P.A", Kind: TransferOfficial, Reason: "trở về"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.CancelTransfer(ctx, b, t2.ID); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Get(ctx, b, m.ID); got.Status != StatusOfficial {
				t.Fatalf("status after cancel: %s", got.Status)
			}
			t3, err := s.IssueTransfer(ctx, b, NewTransfer{MemberID: m.ID, ToUnitCode: "P.A", Kind: TransferOfficial, Reason: "trở về"})
			if err != nil {
				t.Fatal(err)
			}
			db.WriteUnaudited(ctx, func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE transfers SET expires_at = ? WHERE id = ?`, store.Now().Add(-time.Hour), t3.ID)
				return err
			})
			if n, err := s.ExpireTransfers(ctx); err != nil || n != 1 {
				t.Fatalf("expired %d: %v", n, err)
			}
			got, _ := s.Get(ctx, b, m.ID)
			if got.Status != StatusOfficial || got.UnitCode != "P.B" {
				t.Fatalf("after expiry: %s in %s", got.Status, got.UnitCode)
			}
		})

		t.Run("temporary transfer keeps the home unit", func(t *testing.T) {
			end := store.Now().AddDate(0, 3, 0).Format(time.DateOnly)
			t4, err := s.IssueTransfer(ctx, b, NewTransfer{MemberID: m.ID, ToUnitCode: "P.A", Kind: TransferTemporary, Reason: "đi công tác", EndsOn: end})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.ReceiveTransfer(ctx, a, t4.ID); err != nil {
				t.Fatal(err)
			}
			got, _ := s.Get(ctx, b, m.ID)
			if got.Status != StatusOfficial || got.UnitCode != "P.B" {
				t.Fatalf("temporary moved the member: %s in %s", got.Status, got.UnitCode)
			}
			list, err := s.Transfers(ctx, a, paths["P.A"])
			if err != nil || len(list) == 0 {
				t.Fatalf("A's transfers: %v", err)
			}
		})

		t.Run("across the tree only through the common level", func(t *testing.T) {
			if got := exitPoint("/p/a/c1/", "/p/b/c2/"); got != "/p/a/" {
				t.Fatalf("exit point %s", got)
			}
			if got := exitPoint("/tw/p1/a/", "/tw/p2/x/"); got != "/tw/p1/" {
				t.Fatalf("exit point %s", got)
			}
		})
	})
}
