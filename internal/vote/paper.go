package vote

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"dais/internal/store"
)

// MaxPaper bounds the paper ballots of one poll.
const MaxPaper = 10000

// PaperEntry is one counter's reading of one returned paper ballot.
type PaperEntry struct {
	Serial  int    `json:"serial"`
	Invalid bool   `json:"invalid"` // spoiled, unreadable, marked: invalid whatever it keeps
	Ballot  Ballot `json:"ballot"`
}

// checkPaper turns a counter's reading into what is stored: a paper ballot that keeps
// more names than allowed is entered as read and counted invalid (the regulation), not
// refused; a name that is not a candidate is a typing error and is refused.
func checkPaper(poll Poll, e PaperEntry) (choices string, valid bool, err error) {
	if e.Serial < 1 || e.Serial > MaxPaper {
		return "", false, store.Invalid("serial", "vote.serial_invalid", "the serial must be between 1 and %d", MaxPaper)
	}
	if e.Invalid {
		return "{}", false, nil
	}
	b := e.Ballot
	if poll.HasCandidates() && poll.Kind != KindConfidence && len(b.Keep) > poll.MaxKeep() {
		over := poll
		over.Seats = len(poll.Candidates)
		if over.Kind == KindNomination {
			over.Kind = KindElection
		}
		c, err := b.check(over) // the names must still be candidates
		if err != nil {
			return "", false, err
		}
		return c.canonical(), false, nil
	}
	c, err := b.check(poll)
	if err != nil {
		return "", false, err
	}
	return c.canonical(), true, nil
}

func (s *Service) paperPoll(ctx context.Context, tx *store.Tx, p *store.Principal, meetingID, pollID string) (Poll, error) {
	a, err := s.access(ctx, p, meetingID)
	if err != nil {
		return Poll{}, err
	}
	if !a.count {
		return Poll{}, forbidden("only the counting committee enters paper ballots")
	}
	poll, err := readPoll(ctx, tx, meetingID, pollID, forUpdate(tx))
	if err != nil {
		return poll, err
	}
	if poll.Status != StatusOpen && poll.Status != StatusClosed {
		return poll, &store.Error{Code: store.ECONFLICT, Key: "vote.paper_state_err", Message: "paper ballots are counted while the poll is open or closed, before publication"}
	}
	if poll.Verifiable {
		return poll, store.Invalid("poll", "vote.paper_verifiable", "a verifiable poll has no paper ballots")
	}
	return poll, nil
}

// SetPaper records how many paper ballots were issued and how many came back unused.
func (s *Service) SetPaper(ctx context.Context, p *store.Principal, meetingID, pollID string, issued, unused int) error {
	if issued < 0 || issued > MaxPaper || unused < 0 || unused > issued {
		return store.Invalid("issued", "vote.paper_counts_err", "issued is 0–%d and unused at most issued", MaxPaper)
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := s.paperPoll(ctx, tx, p, meetingID, pollID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM poll_paper WHERE poll_id = ?`, pollID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO poll_paper (poll_id, issued, unused) VALUES (?, ?, ?)`, pollID, issued, unused); err != nil {
			return fmt.Errorf("paper counts: %w", err)
		}
		return tx.Audit(ctx, "poll.paper", "poll", pollID, map[string]int{"issued": issued, "unused": unused})
	})
	if err == nil {
		s.publish(ctx, meetingID, EventPoll, map[string]any{"poll_id": pollID, "paper": true})
	}
	return err
}

// EnterPaper records counter 1's or counter 2's readings of paper ballots (one
// transaction for the batch). The same person cannot be both counters of a ballot, and a
// counter's entry for a serial replaces their earlier one (a correction).
func (s *Service) EnterPaper(ctx context.Context, p *store.Principal, meetingID, pollID string, counter int, entries []PaperEntry) error {
	if counter != 1 && counter != 2 {
		return store.Invalid("counter", "vote.counter_invalid", "counter 1 or counter 2")
	}
	if len(entries) == 0 || len(entries) > MaxPaper {
		return store.Invalid("entries", "vote.entries_invalid", "enter 1–%d ballots", MaxPaper)
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		poll, err := s.paperPoll(ctx, tx, p, meetingID, pollID)
		if err != nil {
			return err
		}
		var issued int
		_ = tx.QueryRowContext(ctx, `SELECT issued FROM poll_paper WHERE poll_id = ?`, pollID).Scan(&issued)
		for _, e := range entries {
			if e.Serial > issued {
				return store.Invalid("serial", "vote.serial_unissued", "ballot %d was not issued (%d issued)", e.Serial, issued)
			}
			choices, valid, err := checkPaper(poll, e)
			if err != nil {
				return err
			}
			var other string
			err = tx.QueryRowContext(ctx, `SELECT entered_by FROM poll_paper_entries WHERE poll_id = ? AND serial = ? AND counter = ?`,
				pollID, e.Serial, 3-counter).Scan(&other)
			if err == nil && other == tx.Actor() && p != nil {
				return forbidden("the two entries of a ballot are made by two different counters")
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM poll_paper_entries WHERE poll_id = ? AND serial = ? AND counter = ?`, pollID, e.Serial, counter); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO poll_paper_entries (poll_id, serial, counter, entered_by, choices, valid, entered_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, pollID, e.Serial, counter, tx.Actor(), choices, valid, store.Now()); err != nil {
				return fmt.Errorf("paper entry: %w", err)
			}
		}
		return tx.Audit(ctx, "poll.paper_entry", "poll", pollID, map[string]any{"counter": counter, "entries": entries})
	})
	if err == nil {
		s.publish(ctx, meetingID, EventPoll, map[string]any{"poll_id": pollID, "paper": true})
	}
	return err
}

// ResolvePaper settles a paper ballot whose two entries disagree: the counting committee
// looked at the paper and records what it says.
func (s *Service) ResolvePaper(ctx context.Context, p *store.Principal, meetingID, pollID string, e PaperEntry) error {
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		poll, err := s.paperPoll(ctx, tx, p, meetingID, pollID)
		if err != nil {
			return err
		}
		choices, valid, err := checkPaper(poll, e)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM poll_paper_resolved WHERE poll_id = ? AND serial = ?`, pollID, e.Serial); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO poll_paper_resolved (poll_id, serial, choices, valid, resolved_by, resolved_at) VALUES (?, ?, ?, ?, ?, ?)`,
			pollID, e.Serial, choices, valid, tx.Actor(), store.Now()); err != nil {
			return fmt.Errorf("resolve paper: %w", err)
		}
		return tx.Audit(ctx, "poll.paper_resolve", "poll", pollID, e)
	})
	if err == nil {
		s.publish(ctx, meetingID, EventPoll, map[string]any{"poll_id": pollID, "paper": true})
	}
	return err
}

// PaperRow is one paper ballot on the counting page: both entries and its state.
type PaperRow struct {
	Serial     int    `json:"serial"`
	Entry1     string `json:"entry1"` // canonical ballot JSON, "" when not entered
	Entry2     string `json:"entry2"`
	Valid1     bool   `json:"valid1"`
	Valid2     bool   `json:"valid2"`
	Resolved   string `json:"resolved,omitempty"`
	State      string `json:"state"` // "agreed", "discrepant", "resolved", "single"
	Discrepant bool   `json:"discrepant"`
}

// PaperRows lists the entered paper ballots for the counting committee.
func (s *Service) PaperRows(ctx context.Context, p *store.Principal, meetingID, pollID string) ([]PaperRow, error) {
	a, err := s.access(ctx, p, meetingID)
	if err != nil {
		return nil, err
	}
	if !a.count {
		return nil, forbidden("only the counting committee sees paper entries")
	}
	if _, err := readPoll(ctx, s.db.R(), meetingID, pollID, ""); err != nil {
		return nil, err
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT serial, counter, choices, valid FROM poll_paper_entries WHERE poll_id = ? ORDER BY serial, counter`, pollID)
	type entry struct {
		serial, counter int
		choices         string
		valid           bool
	}
	es, err := store.Collect(rows, err, func(r store.Scanner) (entry, error) {
		var e entry
		return e, r.Scan(&e.serial, &e.counter, &e.choices, &e.valid)
	})
	if err != nil {
		return nil, err
	}
	rows, err = s.db.R().QueryContext(ctx, `SELECT serial, choices FROM poll_paper_resolved WHERE poll_id = ?`, pollID)
	type res struct {
		serial  int
		choices string
	}
	rs, err := store.Collect(rows, err, func(r store.Scanner) (res, error) {
		var x res
		return x, r.Scan(&x.serial, &x.choices)
	})
	if err != nil {
		return nil, err
	}
	by := map[int]*PaperRow{}
	var out []*PaperRow
	get := func(s int) *PaperRow {
		if r, ok := by[s]; ok {
			return r
		}
		r := &PaperRow{Serial: s}
		by[s] = r
		out = append(out, r)
		return r
	}
	for _, e := range es {
		r := get(e.serial)
		if e.counter == 1 {
			r.Entry1, r.Valid1 = e.choices, e.valid
		} else {
			r.Entry2, r.Valid2 = e.choices, e.valid
		}
	}
	for _, x := range rs {
		get(x.serial).Resolved = x.choices
	}
	slices.SortFunc(out, func(a, b *PaperRow) int { return a.Serial - b.Serial })
	list := make([]PaperRow, 0, len(out))
	for _, r := range out {
		switch {
		case r.Resolved != "":
			r.State = "resolved"
		case r.Entry1 != "" && r.Entry2 != "" && r.Entry1 == r.Entry2 && r.Valid1 == r.Valid2:
			r.State = "agreed"
		case r.Entry1 != "" && r.Entry2 != "":
			r.State, r.Discrepant = "discrepant", true
		default:
			r.State = "single"
		}
		list = append(list, *r)
	}
	return list, nil
}

// Describe renders a stored ballot's choices for people: kept names, a motion's choice
// or the ratings, with the poll's candidate names.
func Describe(poll Poll, choices string, valid bool) string {
	if choices == "" {
		return ""
	}
	var b Ballot
	if err := json.Unmarshal([]byte(choices), &b); err != nil {
		return "?"
	}
	prefix := ""
	if !valid {
		prefix = "✗ "
	}
	names := map[string]string{}
	for _, c := range poll.Candidates {
		names[c.ID] = c.Name
	}
	switch {
	case b.Choice != "":
		return prefix + b.Choice
	case b.Ratings != nil:
		out := ""
		for _, c := range poll.Candidates {
			if out != "" {
				out += "; "
			}
			out += c.Name + ": " + b.Ratings[c.ID]
		}
		return prefix + out
	default:
		out := ""
		for _, id := range b.Keep {
			if out != "" {
				out += ", "
			}
			out += names[id]
		}
		if out == "" {
			out = "—"
		}
		return prefix + out
	}
}
