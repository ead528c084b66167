package vote

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"dais/internal/store"
)

// OptionCount is one line of the results: a motion's choice or a candidate.
type OptionCount struct {
	ID    string  `json:"id"`
	Label string  `json:"label"` // the candidate's name; "" for motion choices (translated by the page)
	Note  string  `json:"note,omitempty"`
	Votes int     `json:"votes"`
	Pct   float64 `json:"pct"` // of the base, in percent (two decimals)
	// Confidence votes: the count of each level and its percentage of the base.
	High    int     `json:"high,omitempty"`
	Medium  int     `json:"medium,omitempty"`
	Low     int     `json:"low,omitempty"`
	HighPct float64 `json:"high_pct,omitempty"`
	LowPct  float64 `json:"low_pct,omitempty"`
	// Elections: elected, in the runoff; nominations: entered the list.
	Elected bool `json:"elected,omitempty"`
	Runoff  bool `json:"runoff,omitempty"`
	Entered bool `json:"entered,omitempty"`
	Rank    int  `json:"rank,omitempty"`
}

// NamedVote is one voter's choice in an open (named) motion.
type NamedVote struct {
	Name           string `json:"name"`
	DelegateNumber string `json:"delegate_number"`
	Choice         string `json:"choice"`
}

// Paper sums up the paper ballots of a poll.
type Paper struct {
	Issued     int   `json:"issued"`
	Unused     int   `json:"unused"`
	Returned   int   `json:"returned"`   // serials entered by at least one counter
	Agreed     int   `json:"agreed"`     // both entries agree
	Resolved   int   `json:"resolved"`   // settled by the counting committee
	Pending    int   `json:"pending"`    // entered once, or entries disagree and not resolved
	Discrepant []int `json:"discrepant"` // serials whose two entries disagree (not resolved)
	// Reconciled: issued = returned + unused.
	Reconciled bool `json:"reconciled"`
}

// Results are a closed poll's figures: every number the counting minutes print.
type Results struct {
	Poll     Poll          `json:"poll"`
	Convened int           `json:"convened"`
	Present  int           `json:"present"`
	Issued   int           `json:"issued"`   // electronic ballots (eligible voters) + paper ballots issued
	Returned int           `json:"returned"` // ballots cast: electronic + paper returned
	Valid    int           `json:"valid"`
	Invalid  int           `json:"invalid"`
	Base     int           `json:"base"` // the majority's base under the rule
	Options  []OptionCount `json:"options"`
	Passed   *bool         `json:"passed,omitempty"` // motions
	Outcome  *Outcome      `json:"outcome,omitempty"`
	Named    []NamedVote   `json:"named,omitempty"`
	Paper    Paper         `json:"paper"`
	// Sealed: a verifiable poll, whose counts come from the trustees' decryption.
	Sealed bool `json:"sealed,omitempty"`
}

func pct(n, base int) float64 {
	if base <= 0 {
		return 0
	}
	return float64(int(float64(n)*10000/float64(base)+0.5)) / 100
}

// Results returns a poll's results: after closing for those who run the meeting and the
// counting committee, after publication for every participant.
func (s *Service) Results(ctx context.Context, p *store.Principal, meetingID, pollID string) (Results, error) {
	a, err := s.access(ctx, p, meetingID)
	if err != nil {
		return Results{}, err
	}
	poll, err := readPoll(ctx, s.db.R(), meetingID, pollID, "")
	if err != nil {
		return Results{}, err
	}
	switch {
	case poll.Status == StatusDraft && !a.run:
		return Results{}, store.NotFound("poll")
	case poll.Status == StatusDraft || poll.Status == StatusOpen:
		return Results{}, &store.Error{Code: store.ECONFLICT, Key: "vote.results_later", Message: "results are shown after the poll closes"}
	case poll.Status == StatusClosed && !a.count:
		return Results{}, &store.Error{Code: store.ECONFLICT, Key: "vote.results_later", Message: "results are shown when the chair publishes them"}
	}
	return tally(ctx, s.db.R(), poll)
}

type paperBallot struct {
	serial  int
	choices string
	valid   bool
}

// tally counts a closed poll: electronic ballots and the paper ballots both counters
// agree on (or the committee resolved), then applies the rule.
func tally(ctx context.Context, q store.Querier, poll Poll) (Results, error) {
	r := Results{Poll: poll, Convened: poll.Convened, Present: poll.Present, Options: []OptionCount{}}
	var eligible int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM poll_voters WHERE poll_id = ?`, poll.ID).Scan(&eligible); err != nil {
		return r, fmt.Errorf("eligible: %w", err)
	}
	var ballots []Ballot
	rows, err := q.QueryContext(ctx, `SELECT choices, valid, voter_id FROM poll_ballots WHERE poll_id = ?`, poll.ID)
	type stored struct {
		choices string
		valid   bool
		voter   sql.NullString
	}
	all, err := store.Collect(rows, err, func(s store.Scanner) (stored, error) {
		var x stored
		return x, s.Scan(&x.choices, &x.valid, &x.voter)
	})
	if err != nil {
		return r, fmt.Errorf("read ballots: %w", err)
	}
	r.Issued, r.Returned = eligible, len(all)
	if poll.Verifiable {
		r.Sealed = true
		r.Valid = len(all)
		return r, nil
	}
	voters := map[string]Ballot{}
	for _, x := range all {
		if !x.valid {
			r.Invalid++
			continue
		}
		var b Ballot
		if err := json.Unmarshal([]byte(x.choices), &b); err != nil {
			return r, fmt.Errorf("stored ballot: %w", err)
		}
		ballots = append(ballots, b)
		if x.voter.Valid {
			voters[x.voter.String] = b
		}
	}
	paper, pballots, err := readPaper(ctx, q, poll.ID)
	if err != nil {
		return r, err
	}
	r.Paper = paper
	r.Issued += paper.Issued
	r.Returned += paper.Agreed + paper.Resolved
	for _, pb := range pballots {
		if !pb.valid {
			r.Invalid++
			continue
		}
		var b Ballot
		if err := json.Unmarshal([]byte(pb.choices), &b); err != nil {
			return r, fmt.Errorf("paper ballot %d: %w", pb.serial, err)
		}
		ballots = append(ballots, b)
	}
	r.Valid = len(ballots)
	r.Base = poll.Convened
	if poll.Rule.Base == BaseCast {
		r.Base = r.Returned
	}
	switch poll.Kind {
	case KindMotion:
		n := map[string]int{}
		for _, b := range ballots {
			n[b.Choice]++
		}
		for _, c := range MotionChoices {
			r.Options = append(r.Options, OptionCount{ID: c, Votes: n[c], Pct: pct(n[c], r.Base)})
		}
		passed := MotionPassed(n[Yes], r.Base)
		r.Passed = &passed
		if !poll.Secret {
			named, err := namedVotes(ctx, q, poll.ID, voters)
			if err != nil {
				return r, err
			}
			r.Named = named
		}
	case KindConfidence:
		for _, c := range poll.Candidates {
			o := OptionCount{ID: c.ID, Label: c.Name, Note: c.Note}
			for _, b := range ballots {
				switch b.Ratings[c.ID] {
				case High:
					o.High++
				case Medium:
					o.Medium++
				case Low:
					o.Low++
				}
			}
			o.Votes, o.Pct = o.High, pct(o.High, r.Base)
			o.HighPct, o.LowPct = pct(o.High, r.Base), pct(o.Low, r.Base)
			r.Options = append(r.Options, o)
		}
	default: // election, nomination
		counts := make([]int, len(poll.Candidates))
		index := map[string]int{}
		for j, c := range poll.Candidates {
			index[c.ID] = j
		}
		for _, b := range ballots {
			for _, id := range b.Keep {
				counts[index[id]]++
			}
		}
		for j, c := range poll.Candidates {
			r.Options = append(r.Options, OptionCount{ID: c.ID, Label: c.Name, Note: c.Note, Votes: counts[j], Pct: pct(counts[j], r.Base)})
		}
		if poll.Kind == KindNomination {
			for j := range r.Options {
				r.Options[j].Entered = FloorAgreement(counts[j], poll.Convened, poll.Rule.FloorPct)
			}
			break
		}
		out := Elect(counts, poll.Seats, r.Base)
		for rank, j := range out.Elected {
			r.Options[j].Elected, r.Options[j].Rank = true, rank+1
		}
		for _, j := range out.Runoff {
			r.Options[j].Runoff = true
		}
		r.Outcome = &out
	}
	return r, nil
}

func namedVotes(ctx context.Context, q store.Querier, pollID string, byVoter map[string]Ballot) ([]NamedVote, error) {
	rows, err := q.QueryContext(ctx, `SELECT v.user_id, us.display_name, v.delegate_number FROM poll_voters v JOIN users us ON us.id = v.user_id
		WHERE v.poll_id = ? ORDER BY LENGTH(v.delegate_number), v.delegate_number, us.display_name`, pollID)
	out, err := store.Collect(rows, err, func(s store.Scanner) (NamedVote, error) {
		var uid string
		var n NamedVote
		if err := s.Scan(&uid, &n.Name, &n.DelegateNumber); err != nil {
			return n, err
		}
		if b, ok := byVoter[uid]; ok {
			n.Choice = b.Choice
		}
		return n, nil
	})
	if err != nil {
		return nil, fmt.Errorf("named votes: %w", err)
	}
	return out, nil
}

// readPaper sums up the paper ballots and returns those that count: both entries agree,
// or the committee resolved the serial.
func readPaper(ctx context.Context, q store.Querier, pollID string) (Paper, []paperBallot, error) {
	var pp Paper
	err := q.QueryRowContext(ctx, `SELECT issued, unused FROM poll_paper WHERE poll_id = ?`, pollID).Scan(&pp.Issued, &pp.Unused)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return pp, nil, fmt.Errorf("paper: %w", err)
	}
	pp.Discrepant = []int{}
	type entry struct {
		serial, counter int
		choices         string
		valid           bool
	}
	rows, err := q.QueryContext(ctx, `SELECT serial, counter, choices, valid FROM poll_paper_entries WHERE poll_id = ? ORDER BY serial, counter`, pollID)
	entries, err := store.Collect(rows, err, func(s store.Scanner) (entry, error) {
		var e entry
		return e, s.Scan(&e.serial, &e.counter, &e.choices, &e.valid)
	})
	if err != nil {
		return pp, nil, fmt.Errorf("paper entries: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT serial, choices, valid FROM poll_paper_resolved WHERE poll_id = ?`, pollID)
	resolved, err := store.Collect(rows, err, func(s store.Scanner) (paperBallot, error) {
		var b paperBallot
		return b, s.Scan(&b.serial, &b.choices, &b.valid)
	})
	if err != nil {
		return pp, nil, fmt.Errorf("paper resolutions: %w", err)
	}
	res := map[int]paperBallot{}
	for _, b := range resolved {
		res[b.serial] = b
	}
	bySerial := map[int][]entry{}
	var serials []int
	for _, e := range entries {
		if len(bySerial[e.serial]) == 0 {
			serials = append(serials, e.serial)
		}
		bySerial[e.serial] = append(bySerial[e.serial], e)
	}
	for s := range res {
		if len(bySerial[s]) == 0 {
			serials = append(serials, s)
		}
	}
	slices.Sort(serials)
	var counted []paperBallot
	for _, s := range serials {
		es := bySerial[s]
		if b, ok := res[s]; ok {
			pp.Resolved++
			counted = append(counted, b)
			continue
		}
		switch {
		case len(es) == 2 && es[0].choices == es[1].choices && es[0].valid == es[1].valid:
			pp.Agreed++
			counted = append(counted, paperBallot{serial: s, choices: es[0].choices, valid: es[0].valid})
		case len(es) == 2:
			pp.Pending++
			pp.Discrepant = append(pp.Discrepant, s)
		default:
			pp.Pending++
		}
	}
	pp.Returned = len(serials)
	pp.Reconciled = pp.Issued == pp.Returned+pp.Unused
	return pp, counted, nil
}
