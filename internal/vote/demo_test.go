package vote

import (
	"bytes"
	"context"
	"testing"
	"time"

	"dais/internal/demo"
	"dais/internal/meeting"
	"dais/internal/store"
	"dais/internal/store/storetest"
)

func TestSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Seed(ctx, db, demo.Options{Seed: 1, Members: 60, Communes: 4, Cells: 2}, nil); err != nil {
			t.Fatal(err)
		}
		res, err := meeting.Seed(ctx, db, meeting.SeedOptions{Now: time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		congress := res.Meetings[0].ID
		s := NewService(db, meeting.NewService(db, nil, nil), nil, nil)
		if err := Seed(ctx, s, congress); err != nil {
			t.Fatal(err)
		}
		if err := Seed(ctx, s, congress); err != nil { // a second run adds nothing
			t.Fatal(err)
		}
		polls, err := s.List(ctx, nil, congress)
		if err != nil || len(polls) != 3 {
			t.Fatalf("%d polls, %v", len(polls), err)
		}
		if polls[0].Status != StatusPublished || polls[1].Status != StatusPublished || polls[2].Status != StatusOpen || !polls[2].Secret {
			t.Errorf("states %s %s %s", polls[0].Status, polls[1].Status, polls[2].Status)
		}
		r, err := s.Results(ctx, nil, congress, polls[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("election: convened %d present %d issued %d returned %d valid %d invalid %d elected %v runoff %v", r.Convened, r.Present, r.Issued, r.Returned, r.Valid, r.Invalid, r.Outcome.Elected, r.Outcome.Runoff)
		for _, o := range r.Options {
			t.Logf("  %-22s %3d %6.2f%% %v", o.Label, o.Votes, o.Pct, o.Elected)
		}
		if r.Convened != 350 || r.Present != 342 || !r.Paper.Reconciled || r.Paper.Resolved != 1 || r.Invalid != 5 || r.Returned != 340 || len(r.Outcome.Elected) != 8 {
			t.Errorf("election results %+v", r)
		}
		var buf bytes.Buffer
		m, _ := meeting.NewService(db, nil, nil).Get(ctx, nil, congress)
		if err := CountingMinutesPDF(&buf, m, r, []string{"Vũ Đức Long"}, MinutesOptions{Place: "Bắc Ninh"}); err != nil || buf.Len() < 1000 {
			t.Errorf("minutes: %v", err)
		}
	})
}
