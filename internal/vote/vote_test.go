package vote

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"dais/internal/meeting"
	"dais/internal/store"
	"dais/internal/store/storetest"
)

// fixture: a province P with a congress; a chair, a counting committee member, n
// delegates (one excused) and an outsider.
type fixture struct {
	db        *store.DB
	svc       *Service
	meetings  *meeting.Service
	ev        *events
	mid       string
	chair     *store.Principal
	counter   *store.Principal
	counter2  *store.Principal
	delegates []*store.Principal // not excused
	excused   *store.Principal
	outsider  *store.Principal
	path      string
}

type events struct {
	mu  sync.Mutex
	got []string
}

func (e *events) Publish(ctx context.Context, topic, typ string, data []byte) (uint64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got = append(e.got, topic+" "+typ+" "+string(data))
	return uint64(len(e.got)), nil
}

func (e *events) all() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.got, "\n")
}

func newFixture(t testing.TB, db *store.DB, n int) *fixture {
	t.Helper()
	ctx := store.WithActor(context.Background(), "test")
	f := &fixture{db: db, ev: &events{}}
	users := map[string]string{}
	unitID := store.NewID()
	f.path = "/" + unitID + "/"
	names := []string{"chutoa", "kiemphieu", "kiemphieu2", "vang", "ngoai"}
	for i := 0; i < n; i++ {
		names = append(names, fmt.Sprintf("daibieu%03d", i))
	}
	err := db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO units (id, code, name, type, parent_id, path, depth, created_at) VALUES (?, 'P', 'Đảng bộ tỉnh P', 'province', NULL, ?, 0, ?)`,
			unitID, f.path, store.Now()); err != nil {
			return err
		}
		for _, u := range names {
			id := store.NewID()
			users[u] = id
			if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, display_name, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, 'x', ?, ?)`,
				id, u, "Đồng chí "+u, store.Now(), store.Now()); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, "test.setup", "test", "fixture", nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	f.meetings = meeting.NewService(db, nil, nil)
	f.svc = NewService(db, f.meetings, f.ev, nil)
	m, err := f.meetings.Create(ctx, nil, "P", meeting.Input{Kind: meeting.KindCongress, Title: "Đại hội đại biểu Đảng bộ tỉnh P",
		StartsAt: time.Date(2026, 10, 1, 1, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	f.mid = m.ID
	as := func(u string) *store.Principal {
		return &store.Principal{UserID: users[u], Username: u, Grants: []store.Grant{{Role: store.RoleDelegate, UnitPath: f.path, UnitCode: "P"}}}
	}
	invite := func(u, role, num string) {
		if _, err := f.meetings.AddParticipant(ctx, nil, m.ID, meeting.ParticipantInput{Username: u, Role: role, DelegateNumber: num}); err != nil {
			t.Fatal(err)
		}
	}
	invite("chutoa", meeting.RoleChair, "001")
	invite("kiemphieu", meeting.RoleCounting, "002")
	invite("kiemphieu2", meeting.RoleCounting, "003")
	invite("vang", meeting.RoleDelegate, "004")
	if err := f.meetings.Answer(ctx, nil, m.ID, users["vang"], meeting.AnswerExcused, "Ốm"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		u := fmt.Sprintf("daibieu%03d", i)
		invite(u, meeting.RoleDelegate, fmt.Sprint(100+i))
		f.delegates = append(f.delegates, as(u))
	}
	f.chair, f.counter, f.counter2, f.excused = as("chutoa"), as("kiemphieu"), as("kiemphieu2"), as("vang")
	f.outsider = &store.Principal{UserID: users["ngoai"], Username: "ngoai"}
	return f
}

func ctxT() context.Context { return store.WithActor(context.Background(), "test") }

func code(err error) string {
	if err == nil {
		return ""
	}
	return store.ErrorCode(err)
}

func (f *fixture) cast(t testing.TB, p *store.Principal, pollID, key, ballot string) (Receipt, error) {
	t.Helper()
	return f.svc.Cast(store.WithActor(context.Background(), p.UserID), p, f.mid, pollID, key, []byte(ballot))
}

func (f *fixture) openPoll(t testing.TB, in Input) Poll {
	t.Helper()
	p, err := f.svc.Create(ctxT(), f.chair, f.mid, in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if err := f.svc.Open(ctxT(), f.chair, f.mid, p.ID); err != nil {
		t.Fatalf("open: %v", err)
	}
	return p
}

func election(n, k int) Input {
	in := Input{Kind: KindElection, Title: "Bầu Ban Chấp hành", Seats: k}
	for i := 0; i < n; i++ {
		in.Candidates = append(in.Candidates, Candidate{Name: fmt.Sprintf("Ứng cử viên %02d", i+1)})
	}
	return in
}

// loose lets a small test election list more candidates than the 30% surplus allows.
func loose(in Input) Input {
	r := DefaultRule()
	r.MaxSurplusPct = 100
	in.Rule = &r
	return in
}

func TestMotionLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 5)
		ctx := ctxT()
		poll, err := f.svc.Create(ctx, f.chair, f.mid, Input{Kind: KindMotion, Title: "Thông qua chương trình Đại hội"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Create(ctx, f.delegates[0], f.mid, Input{Kind: KindMotion, Title: "x"}); code(err) != store.EFORBIDDEN {
			t.Errorf("a delegate creating a poll: %v, want forbidden", err)
		}
		if _, err := f.cast(t, f.delegates[0], poll.ID, "key-00000001", `{"choice":"yes"}`); code(err) != store.ENOTFOUND {
			t.Errorf("casting in a draft: %v, want not found", err)
		}
		if _, err := f.svc.Get(ctx, f.delegates[0], f.mid, poll.ID); code(err) != store.ENOTFOUND {
			t.Errorf("a delegate sees a draft: %v", err)
		}
		if err := f.svc.Open(ctx, f.delegates[0], f.mid, poll.ID); code(err) != store.EFORBIDDEN {
			t.Errorf("a delegate opening: %v", err)
		}
		if err := f.svc.Open(ctx, f.chair, f.mid, poll.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := f.svc.Get(ctx, f.chair, f.mid, poll.ID)
		if got.Convened != 6 || got.Present != 5 || got.Status != StatusOpen {
			t.Errorf("opened poll: convened %d present %d status %s, want 6 5 open", got.Convened, got.Present, got.Status)
		}
		choices := []string{"yes", "yes", "no", "abstain"}
		for i, c := range choices {
			rc, err := f.cast(t, f.delegates[i], poll.ID, fmt.Sprintf("key-%08d", i), `{"choice":"`+c+`"}`)
			if err != nil || rc.Code == "" || rc.Replayed {
				t.Fatalf("cast %d: %+v %v", i, rc, err)
			}
		}
		if _, err := f.svc.Results(ctx, f.chair, f.mid, poll.ID); code(err) != store.ECONFLICT {
			t.Errorf("results while open: %v, want conflict", err)
		}
		tu, err := f.svc.Turnout(ctx, f.chair, f.mid, poll.ID)
		if err != nil || tu.Eligible != 5 || tu.Voted != 4 || len(tu.Missing) != 1 || tu.Missing[0].DelegateNumber != "104" {
			t.Errorf("turnout %+v %v: want 4 of 5, missing delegate 104", tu, err)
		}
		if tu, _ := f.svc.Turnout(ctx, f.delegates[0], f.mid, poll.ID); tu.Missing != nil || !tu.MeVoted || !tu.MeEligible {
			t.Errorf("a delegate's turnout %+v: no names, me voted", tu)
		}
		if err := f.svc.Close(ctx, f.chair, f.mid, poll.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.cast(t, f.delegates[4], poll.ID, "key-late0001", `{"choice":"no"}`); code(err) != store.ECONFLICT {
			t.Errorf("cast after closing: %v, want conflict", err)
		}
		if _, err := f.svc.Results(ctx, f.delegates[0], f.mid, poll.ID); code(err) != store.ECONFLICT {
			t.Errorf("a delegate sees results before publication: %v", err)
		}
		res, err := f.svc.Results(ctx, f.chair, f.mid, poll.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Options[0].Votes != 2 || res.Options[1].Votes != 1 || res.Options[2].Votes != 1 || res.Returned != 4 || res.Base != 6 || *res.Passed {
			t.Errorf("results %+v: want 2 yes 1 no 1 abstain of base 6, not passed (2·2 ≤ 6)", res)
		}
		if len(res.Named) != 5 || res.Named[0].Choice != "yes" || res.Named[2].Choice != "no" || res.Named[4].Choice != "" {
			t.Errorf("named votes %+v", res.Named)
		}
		if err := f.svc.Publish(ctx, f.chair, f.mid, poll.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Results(ctx, f.delegates[0], f.mid, poll.ID); err != nil {
			t.Errorf("a delegate after publication: %v", err)
		}
		evs := f.ev.all()
		if strings.Count(evs, " turnout ") != 4 || !strings.Contains(evs, `"status":"published"`) || !strings.Contains(evs, "meeting."+f.mid+" poll ") {
			t.Errorf("events:\n%s", evs)
		}
		if strings.Contains(evs, "abstain") || strings.Contains(evs, `"yes"`) {
			t.Errorf("an event carries a choice:\n%s", evs)
		}
	})
}

func TestBadBallots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 3)
		poll := f.openPoll(t, loose(election(4, 3)))
		d := f.delegates[0]
		for _, tc := range []struct {
			name, key, ballot, code string
		}{
			{"malformed", "key-bad00001", `{"keep":`, store.EINVALID},
			{"unknown field", "key-bad00002", `{"keep":["c1"],"x":1}`, store.EINVALID},
			{"too many", "key-bad00003", `{"keep":["c1","c2","c3","c4"]}`, store.EINVALID},
			{"twice", "key-bad00004", `{"keep":["c1","c1"]}`, store.EINVALID},
			{"unknown candidate", "key-bad00005", `{"keep":["c9"]}`, store.EINVALID},
			{"motion choice on an election", "key-bad00006", `{"choice":"yes"}`, store.EINVALID},
			{"trailing data", "key-bad00007", `{"keep":[]} {}`, store.EINVALID},
			{"bad key", "k", `{"keep":[]}`, store.EINVALID},
		} {
			if _, err := f.cast(t, d, poll.ID, tc.key, tc.ballot); code(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
		if _, err := f.cast(t, f.excused, poll.ID, "key-excused1", `{"keep":[]}`); code(err) != store.EFORBIDDEN {
			t.Errorf("excused delegate: %v", err)
		}
		if _, err := f.cast(t, f.counter, poll.ID, "key-counter1", `{"keep":[]}`); code(err) != store.EFORBIDDEN {
			t.Errorf("counting committee member (not a delegate): %v", err)
		}
		if _, err := f.svc.Cast(ctxT(), f.outsider, f.mid, poll.ID, "key-outside1", []byte(`{"keep":[]}`)); code(err) != store.ENOTFOUND && code(err) != store.EFORBIDDEN {
			t.Errorf("outsider: %v", err)
		}
		rc, err := f.cast(t, d, poll.ID, "key-good0001", `{"keep":["c3","c1"]}`)
		if err != nil {
			t.Fatal(err)
		}
		again, err := f.cast(t, d, poll.ID, "key-good0001", `{"keep":["c3","c1"]}`)
		if err != nil || !again.Replayed || again.Code != rc.Code {
			t.Errorf("replayed request: %+v %v, want the same receipt %s", again, err, rc.Code)
		}
		if _, err := f.cast(t, d, poll.ID, "key-other001", `{"keep":["c2"]}`); code(err) != store.ECONFLICT {
			t.Errorf("second ballot: %v, want conflict", err)
		}
		var n int
		db.R().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM poll_ballots WHERE poll_id = ?`, poll.ID).Scan(&n)
		if n != 1 {
			t.Errorf("%d ballots stored, want 1", n)
		}
		if err := f.svc.Close(ctxT(), f.chair, f.mid, poll.ID); err != nil {
			t.Fatal(err)
		}
		res, _ := f.svc.Results(ctxT(), f.chair, f.mid, poll.ID)
		if res.Returned != 1 || res.Options[0].Votes != 1 || res.Options[2].Votes != 1 || res.Options[1].Votes != 0 {
			t.Errorf("results %+v", res.Options)
		}
	})
}

func TestCreateValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 1)
		for _, tc := range []struct {
			name string
			in   Input
			key  string
		}{
			{"surplus over 30%", election(11, 8), "vote.surplus"},
			{"more seats than candidates", election(3, 4), "vote.seats_invalid"},
			{"no candidates", Input{Kind: KindElection, Title: "x", Seats: 1}, "vote.candidates_required"},
			{"unknown kind", Input{Kind: "referendum", Title: "x"}, "vote.kind_invalid"},
			{"no title", Input{Kind: KindMotion}, "vote.required"},
			{"bad base", Input{Kind: KindMotion, Title: "x", Rule: &Rule{Base: "half"}}, "vote.base_invalid"},
			{"unknown rule", Input{Kind: KindMotion, Title: "x", Rule: &Rule{Name: "plurality", Base: BaseCast}}, "vote.rule_unknown"},
			{"verifiable without the core", func() Input { in := loose(election(2, 1)); in.Verifiable = true; return in }(), "vote.verifiable_unavailable"},
		} {
			_, err := f.svc.Create(ctxT(), f.chair, f.mid, tc.in)
			var se *store.Error
			if !asErr(err, &se) || se.Key != tc.key {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.key)
			}
		}
		p, err := f.svc.Create(ctxT(), f.chair, f.mid, election(10, 8))
		if err != nil || len(p.Candidates) != 10 || p.Candidates[9].ID != "c10" || !p.Secret {
			t.Errorf("10 for 8: %+v %v", p, err)
		}
	})
}

func TestConcurrentCasts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, 2)
		poll := f.openPoll(t, Input{Kind: KindMotion, Secret: true, Title: "Biểu quyết kín"})
		d := f.delegates[0]
		const attempts = 500
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, conflicts, codes := 0, 0, map[string]bool{}
		for i := 0; i < attempts; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				key := fmt.Sprintf("race-%04d", i%7) // some requests retry with the same key
				rc, err := f.cast(t, d, poll.ID, key, `{"choice":"yes"}`)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
					codes[rc.Code] = true
				case code(err) == store.ECONFLICT:
					conflicts++
				default:
					t.Errorf("attempt %d: %v", i, err)
				}
			}(i)
		}
		wg.Wait()
		var ballots, marks int
		db.R().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM poll_ballots WHERE poll_id = ?`, poll.ID).Scan(&ballots)
		db.R().QueryRowContext(context.Background(), `SELECT COUNT(voted_at) FROM poll_voters WHERE poll_id = ?`, poll.ID).Scan(&marks)
		if ballots != 1 || marks != 1 {
			t.Fatalf("%d ballots and %d marks after %d attempts, want 1 and 1", ballots, marks, attempts)
		}
		if len(codes) != 1 || ok+conflicts != attempts {
			t.Errorf("%d acknowledged with %d distinct receipts, %d conflicts", ok, len(codes), conflicts)
		}
	})
}
