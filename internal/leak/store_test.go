package leak_test

import (
	"context"
	"testing"
	"time"

	"dais/internal/leak"
	"dais/internal/store"
	"dais/internal/store/storetest"
)

func TestIssueLookup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := store.WithActor(context.Background(), "test")
		at := time.Date(2026, 11, 25, 7, 3, 0, 0, time.UTC)
		a, err := leak.Record(ctx, db, leak.Copy{ReaderID: "u1", ReaderName: " Nguyễn Văn An ", Delegate: "12",
			DocumentID: "doc1", Version: 2, Kind: leak.KindPDF, IssuedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || a.ID > leak.MaxID || a.ReaderName != "Nguyễn Văn An" || !a.IssuedAt.Equal(at) {
			t.Fatalf("issued %+v", a)
		}
		b, err := leak.Record(ctx, db, leak.Copy{ReaderID: "u2", ReaderName: "Trần Thị Bình", DocumentID: "doc1", Version: 2, Kind: leak.KindHTML, IssuedAt: at.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if b.ID == a.ID {
			t.Fatalf("two copies share ID %d", a.ID)
		}
		got, err := leak.Lookup(ctx, db.R(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got != a {
			t.Fatalf("lookup: got %+v, want %+v", got, a)
		}
		if _, err := leak.Lookup(ctx, db.R(), a.ID^1); store.ErrorCode(err) != store.ENOTFOUND {
			t.Fatalf("unknown ID: %v", err)
		}
		list, err := leak.Copies(ctx, db.R(), "doc1")
		if err != nil || len(list) != 2 || list[1].ID != a.ID {
			t.Fatalf("copies: %+v %v", list, err)
		}
		// Every issue is in the audit log, under the copy's code.
		var n int
		if err := db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'copy.issue' AND object_id IN (?, ?)`,
			a.Code(), b.Code()).Scan(&n); err != nil || n != 2 {
			t.Fatalf("audit entries: %d %v", n, err)
		}
		for _, bad := range []leak.Copy{
			{ReaderName: "x", DocumentID: "d", Version: 1, Kind: leak.KindPDF},
			{ReaderID: "u", ReaderName: "x", DocumentID: "d", Version: 0, Kind: leak.KindPDF},
			{ReaderID: "u", ReaderName: "x", DocumentID: "d", Version: 1, Kind: "docx"},
		} {
			if _, err := leak.Record(ctx, db, bad); store.ErrorCode(err) != store.EINVALID {
				t.Errorf("%+v: got %v, want EINVALID", bad, err)
			}
		}
	})
}

func TestCodes(t *testing.T) {
	for _, id := range []uint64{1, 0x9a3c5e7f11, leak.MaxID} {
		code := leak.FormatCode(id)
		if len(code) != 8 {
			t.Fatalf("%d: code %q", id, code)
		}
		got, err := leak.ParseCode(code[:4] + "-" + code[4:])
		if err != nil || got != id {
			t.Fatalf("%q: got %d %v, want %d", code, got, err, id)
		}
	}
	if got, err := leak.ParseCode("0000000o"); err == nil {
		t.Fatalf("zero code accepted: %d", got)
	}
	for _, bad := range []string{"", "ABC", "ABCDEFGHJ", "ABCD-EFU1"} {
		if _, err := leak.ParseCode(bad); store.ErrorCode(err) != store.EINVALID {
			t.Errorf("%q: %v", bad, err)
		}
	}
	c := leak.Copy{ID: 42, ReaderName: "Lê Văn Cường", Delegate: "7", IssuedAt: time.Date(2026, 11, 25, 7, 3, 0, 0, time.UTC)}
	if got, want := leak.VisibleLine(c, "vi"), "Lê Văn Cường · Đại biểu số 7 · 2026-11-25 14:03 · 0000001A"; got != want {
		t.Errorf("visible line: %q, want %q", got, want)
	}
}
