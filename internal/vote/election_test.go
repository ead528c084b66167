package vote

import (
	"fmt"
	"testing"

	"dais/internal/store"
	"dais/internal/store/storetest"
)

// TestElectionRunoffAndPaper: an election with electronic and paper ballots, double
// entry with a discrepancy the committee resolves, an over-full paper ballot counted
// invalid, reconciliation, a tie for the last seat and its runoff, and a further round.
func TestElectionRunoffAndPaper(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 4)
		ctx := ctxT()
		// 4 candidates for 3 seats (surplus 1 ≤ 30% of 3 rounds down to 0: loosen).
		poll := f.openPoll(t, loose(election(4, 3)))
		// Electronic: c1 c2 kept by all four; c3 by two; c4 by two.
		for i, keep := range []string{`["c1","c2","c3"]`, `["c1","c2","c3"]`, `["c1","c2","c4"]`, `["c1","c2","c4"]`} {
			if _, err := f.cast(t, f.delegates[i], poll.ID, fmt.Sprintf("elect-%04d", i), `{"keep":`+keep+`}`); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.svc.Close(ctx, f.chair, f.mid, poll.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetPaper(ctx, f.counter, f.mid, poll.ID, 4, 1); err != nil {
			t.Fatal(err)
		}
		c1 := store.WithActor(ctx, f.counter.UserID)
		c2 := store.WithActor(ctx, f.counter2.UserID)
		first := []PaperEntry{
			{Serial: 1, Ballot: Ballot{Keep: []string{"c1", "c3"}}},
			{Serial: 2, Ballot: Ballot{Keep: []string{"c2", "c4"}}},
			{Serial: 3, Ballot: Ballot{Keep: []string{"c1", "c2", "c3", "c4"}}}, // keeps 4 of 3: invalid
		}
		if err := f.svc.EnterPaper(c1, f.counter, f.mid, poll.ID, 1, first); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.EnterPaper(c1, f.counter, f.mid, poll.ID, 2, first[:1]); code(err) != store.EFORBIDDEN {
			t.Errorf("one person entering both counts: %v, want forbidden", err)
		}
		if err := f.svc.EnterPaper(c1, f.counter, f.mid, poll.ID, 1, []PaperEntry{{Serial: 9, Ballot: Ballot{Keep: []string{"c1"}}}}); code(err) != store.EINVALID {
			t.Errorf("a serial never issued: %v", err)
		}
		if err := f.svc.EnterPaper(c1, f.counter, f.mid, poll.ID, 1, []PaperEntry{{Serial: 1, Ballot: Ballot{Keep: []string{"zz"}}}}); code(err) != store.EINVALID {
			t.Errorf("an unknown name: %v", err)
		}
		if err := f.svc.EnterPaper(c1, f.delegates[0], f.mid, poll.ID, 1, first); code(err) != store.EFORBIDDEN {
			t.Errorf("a delegate entering paper ballots: %v", err)
		}
		second := []PaperEntry{
			{Serial: 1, Ballot: Ballot{Keep: []string{"c1", "c3"}}},
			{Serial: 2, Ballot: Ballot{Keep: []string{"c2"}}}, // disagrees with counter 1
			{Serial: 3, Ballot: Ballot{Keep: []string{"c1", "c2", "c3", "c4"}}},
		}
		if err := f.svc.EnterPaper(c2, f.counter2, f.mid, poll.ID, 2, second); err != nil {
			t.Fatal(err)
		}
		rows, err := f.svc.PaperRows(ctx, f.counter, f.mid, poll.ID)
		if err != nil || len(rows) != 3 || rows[0].State != "agreed" || rows[1].State != "discrepant" || rows[2].State != "agreed" || rows[2].Valid1 {
			t.Fatalf("paper rows %+v %v", rows, err)
		}
		if err := f.svc.Publish(ctx, f.chair, f.mid, poll.ID); code(err) != store.ECONFLICT {
			t.Errorf("publishing with a discrepancy: %v, want conflict", err)
		}
		res, _ := f.svc.Results(ctx, f.chair, f.mid, poll.ID)
		if res.Paper.Pending != 1 || len(res.Paper.Discrepant) != 1 || res.Paper.Discrepant[0] != 2 || !res.Paper.Reconciled {
			t.Errorf("paper summary %+v", res.Paper)
		}
		if err := f.svc.ResolvePaper(c1, f.counter, f.mid, poll.ID, PaperEntry{Serial: 2, Ballot: Ballot{Keep: []string{"c2", "c4"}}}); err != nil {
			t.Fatal(err)
		}
		res, err = f.svc.Results(ctx, f.chair, f.mid, poll.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Counts: c1 4+1 = 5, c2 4+1 = 5, c3 2+1 = 3, c4 2+1 = 3. Base: convened 5 → need 3.
		want := []int{5, 5, 3, 3}
		for j, w := range want {
			if res.Options[j].Votes != w {
				t.Errorf("candidate %d: %d votes, want %d", j+1, res.Options[j].Votes, w)
			}
		}
		if res.Returned != 7 || res.Valid != 6 || res.Invalid != 1 || res.Issued != 8 || res.Base != 5 {
			t.Errorf("figures: returned %d valid %d invalid %d issued %d base %d", res.Returned, res.Valid, res.Invalid, res.Issued, res.Base)
		}
		if res.Outcome == nil || len(res.Outcome.Elected) != 2 || len(res.Outcome.Runoff) != 2 || !res.Options[2].Runoff {
			t.Fatalf("outcome %+v", res.Outcome)
		}
		if _, err := f.svc.FurtherRound(ctx, f.chair, f.mid, poll.ID, nil); code(err) != store.ECONFLICT {
			t.Errorf("further round before the tie is re-voted: %v", err)
		}
		run, err := f.svc.Runoff(ctx, f.chair, f.mid, poll.ID)
		if err != nil {
			t.Fatal(err)
		}
		if run.Seats != 1 || len(run.Candidates) != 2 || run.Round != 2 || run.ParentID != poll.ID || run.Candidates[0].Name != "Ứng cử viên 03" {
			t.Errorf("runoff %+v", run)
		}
		if err := f.svc.Publish(ctx, f.chair, f.mid, poll.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.EnterPaper(c1, f.counter, f.mid, poll.ID, 1, first); code(err) != store.ECONFLICT {
			t.Errorf("paper entry after publication: %v", err)
		}
		// The runoff: nobody reaches the majority → too few elected → a further round.
		if err := f.svc.Open(ctx, f.chair, f.mid, run.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.cast(t, f.delegates[0], run.ID, "runoff-0001", `{"keep":["c1"]}`); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Close(ctx, f.chair, f.mid, run.ID); err != nil {
			t.Fatal(err)
		}
		further, err := f.svc.FurtherRound(ctx, f.chair, f.mid, run.ID, nil)
		if err != nil || further.Seats != 1 || len(further.Candidates) != 2 || further.Round != 3 {
			t.Errorf("further round %+v %v", further, err)
		}
	})
}

func TestNominationAndConfidence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 4)
		ctx := ctxT()
		nom := f.openPoll(t, Input{Kind: KindNomination, Title: "Giới thiệu tại Đại hội", Candidates: []Candidate{{Name: "A", Floor: true}, {Name: "B", Floor: true}}})
		// convened 5 → more than 30% means at least 2.
		for i, keep := range []string{`["c1","c2"]`, `["c1"]`, `[]`} {
			if _, err := f.cast(t, f.delegates[i], nom.ID, fmt.Sprintf("nom-%05d", i), `{"keep":`+keep+`}`); err != nil {
				t.Fatal(err)
			}
		}
		f.svc.Close(ctx, f.chair, f.mid, nom.ID)
		res, err := f.svc.Results(ctx, f.chair, f.mid, nom.ID)
		if err != nil || !res.Options[0].Entered || res.Options[1].Entered {
			t.Errorf("nomination %+v %v", res.Options, err)
		}
		conf := f.openPoll(t, Input{Kind: KindConfidence, Title: "Lấy phiếu tín nhiệm", Candidates: []Candidate{{Name: "A"}, {Name: "B"}}})
		if _, err := f.cast(t, f.delegates[0], conf.ID, "conf-00001", `{"ratings":{"c1":"high"}}`); code(err) != store.EINVALID {
			t.Errorf("a rating missing: %v", err)
		}
		if _, err := f.cast(t, f.delegates[0], conf.ID, "conf-00002", `{"ratings":{"c1":"high","c2":"great"}}`); code(err) != store.EINVALID {
			t.Errorf("an unknown level: %v", err)
		}
		for i, r := range []string{`{"c1":"high","c2":"low"}`, `{"c1":"medium","c2":"low"}`} {
			if _, err := f.cast(t, f.delegates[i], conf.ID, fmt.Sprintf("conf-1%04d", i), `{"ratings":`+r+`}`); err != nil {
				t.Fatal(err)
			}
		}
		f.svc.Close(ctx, f.chair, f.mid, conf.ID)
		res, _ = f.svc.Results(ctx, f.chair, f.mid, conf.ID)
		if res.Options[0].High != 1 || res.Options[0].Medium != 1 || res.Options[1].Low != 2 || res.Options[1].LowPct != 40 {
			t.Errorf("confidence %+v", res.Options)
		}
	})
}

func FuzzParseBallot(f *testing.F) {
	polls := []Poll{
		{Kind: KindMotion, Seats: 1},
		{Kind: KindElection, Seats: 2, Candidates: []Candidate{{ID: "c1"}, {ID: "c2"}, {ID: "c3"}}},
		{Kind: KindNomination, Candidates: []Candidate{{ID: "c1"}, {ID: "c2"}}},
		{Kind: KindConfidence, Candidates: []Candidate{{ID: "c1"}, {ID: "c2"}}},
	}
	for _, s := range []string{`{"choice":"yes"}`, `{"keep":["c1","c2"]}`, `{"keep":[]}`, `{"ratings":{"c1":"high","c2":"low"}}`,
		`{"keep":["c1","c1"]}`, `{"keep":null}`, `{}`, `[]`, `{"choice":"yes","keep":["c1"]}`, "\x00", `{"keep":["c3","c2","c1"]}`} {
		for i := range polls {
			f.Add(i, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, which int, raw []byte) {
		if which < 0 {
			which = -which
		}
		p := polls[which%len(polls)]
		b, err := ParseBallot(p, raw)
		if err != nil {
			if code(err) != store.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		// An accepted ballot is canonical: parsing its stored form gives the same form,
		// and it respects the poll's limits.
		again, err := ParseBallot(p, []byte(b.canonical()))
		if err != nil || again.canonical() != b.canonical() {
			t.Fatalf("canonical form %s does not round-trip: %v", b.canonical(), err)
		}
		if len(b.Keep) > p.MaxKeep() {
			t.Fatalf("accepted %d kept names, max %d", len(b.Keep), p.MaxKeep())
		}
	})
}
