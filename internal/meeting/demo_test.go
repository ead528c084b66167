package meeting

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"dais/internal/demo"
	"dais/internal/store"
	"dais/internal/store/storetest"
)

func TestSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Seed(ctx, db, demo.Options{Seed: 1, Members: 60, Communes: 4, Cells: 2}, nil); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
		res, err := Seed(ctx, db, SeedOptions{Now: now, Documents: []string{"doc-bao-cao-chinh-tri"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Meetings) != 4 {
			t.Fatalf("seeded %d meetings", len(res.Meetings))
		}
		congress := res.Meetings[0]
		if congress.UnitCode != "BN" || congress.Status != StatusOpen || !strings.Contains(congress.Title, "lần thứ XXI") {
			t.Errorf("congress %+v", congress)
		}
		s := NewService(db, nil, nil)
		_, ag, err := s.Agenda(ctx, nil, congress.ID)
		if err != nil || len(ag.Sessions) != 3 || ag.Items != 12 || ag.Current == nil || !strings.HasPrefix(ag.Current.Title, "Báo cáo chính trị") ||
			ag.Current.Documents[0] != "doc-bao-cao-chinh-tri" {
			t.Errorf("congress agenda %+v, %v", ag, err)
		}
		var daibieu string
		if err := db.R().QueryRowContext(ctx, `SELECT id FROM users WHERE username = 'daibieu'`).Scan(&daibieu); err != nil {
			t.Fatal(err)
		}
		mine, err := s.Mine(ctx, &store.Principal{UserID: daibieu})
		if err != nil || len(mine) != 1 || mine[0].MyRole != RoleDelegate {
			t.Errorf("the demo delegate's meetings: %+v, %v", mine, err)
		}
		held := res.Meetings[2]
		mn, err := s.Final(ctx, nil, held.ID, 0)
		if err != nil || mn.Final != 1 || len(mn.Sections) != 4 {
			t.Fatalf("cell minutes %+v, %v", mn, err)
		}
		var buf bytes.Buffer
		if err := MinutesPDF(&buf, mn, PDFOptions{Place: "Bắc Ninh", Created: now}); err != nil {
			t.Fatal(err)
		}
		if text := pdfText(t, buf.Bytes()); !strings.Contains(text, "62 tạ/ha") || !strings.Contains(text, "BIÊN BẢN") {
			t.Errorf("cell minutes PDF:\n%s", text)
		}
		rem, err := s.Reminders(ctx, nil, res.Meetings[1].ID)
		if err != nil || len(rem) != 3 {
			t.Errorf("committee reminders %+v, %v", rem, err)
		}
		again, err := Seed(ctx, db, SeedOptions{Now: now})
		if err != nil || len(again.Meetings) != 0 {
			t.Errorf("second seed: %+v, %v", again, err)
		}
	})
}
