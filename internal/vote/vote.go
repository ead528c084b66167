// Package vote runs polls in meetings: open (named) and secret motions, nomination votes
// (phiếu giới thiệu), confidence votes (phiếu tín nhiệm) and elections choosing up to K of
// N candidates under the organization's election regulation (rules.go), with paper
// ballots counted by double entry, results for the hall's projector and the counting
// minutes (biên bản kiểm phiếu) as a PDF.
//
// A poll goes draft → open → closed → published. The meeting's chair (or whoever runs
// the meeting: internal/meeting's Rights.Run) creates, opens, closes and publishes it; the
// eligible voters are the meeting's delegates who are not excused, snapshotted into the
// eligibility table when the poll opens; results exist only after closing.
//
// Secrecy: see doc.go. Every committed change is published on the meeting's live topic
// ("meeting.<id>") as an event of type "poll" (state) or "turnout" (someone voted).
package vote

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"dais/internal/store"
)

// Kinds of poll.
const (
	KindMotion     = "motion"     // biểu quyết: yes / no / abstain
	KindNomination = "nomination" // phiếu giới thiệu: agree with floor nominations (keep any)
	KindConfidence = "confidence" // phiếu tín nhiệm: high / medium / low per person
	KindElection   = "election"   // bầu cử: keep up to K of N names (strike out the rest)
)

// Kinds lists the kinds in display order.
var Kinds = []string{KindMotion, KindNomination, KindConfidence, KindElection}

// Statuses of a poll.
const (
	StatusDraft     = "draft"
	StatusOpen      = "open"
	StatusClosed    = "closed"
	StatusPublished = "published"
)

// Motion choices and confidence levels.
const (
	Yes     = "yes"
	No      = "no"
	Abstain = "abstain"
	High    = "high"
	Medium  = "medium"
	Low     = "low"
)

// MotionChoices and Levels list the fixed options in display order.
var (
	MotionChoices = []string{Yes, No, Abstain}
	Levels        = []string{High, Medium, Low}
)

// Event types published on the meeting's topic.
const (
	EventPoll    = "poll"    // a poll was created, changed, opened, closed or published
	EventTurnout = "turnout" // a ballot was cast (the data carries only the count)
)

// Candidate is one name on an election, nomination or confidence ballot.
type Candidate struct {
	ID    string `json:"id"`   // "c1", "c2"… stable within the poll
	Name  string `json:"name"` // full name
	Note  string `json:"note"` // e.g. year of birth and position held
	Floor bool   `json:"floor"`
}

// Poll is a poll as stored.
type Poll struct {
	ID          string      `json:"id"`
	MeetingID   string      `json:"meeting_id"`
	Kind        string      `json:"kind"`
	Secret      bool        `json:"secret"`
	Verifiable  bool        `json:"verifiable"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Seats       int         `json:"seats"` // K
	Rule        Rule        `json:"rule"`
	Status      string      `json:"status"`
	ParentID    string      `json:"parent_id,omitempty"`
	Round       int         `json:"round"`
	Convened    int         `json:"convened"`
	Present     int         `json:"present"`
	Candidates  []Candidate `json:"candidates"`
	Version     int         `json:"version"`
	CreatedAt   time.Time   `json:"created_at"`
	OpenedAt    *time.Time  `json:"opened_at,omitempty"`
	ClosedAt    *time.Time  `json:"closed_at,omitempty"`
	PublishedAt *time.Time  `json:"published_at,omitempty"`
}

// MaxKeep is how many names a valid ballot of p may keep (K; every name for nominations).
func (p Poll) MaxKeep() int {
	if p.Kind == KindNomination {
		return len(p.Candidates)
	}
	return p.Seats
}

// HasCandidates reports whether the poll's ballot lists names.
func (p Poll) HasCandidates() bool { return p.Kind != KindMotion }

// Input creates a poll (or edits a draft).
type Input struct {
	Kind        string      `json:"kind"`
	Secret      bool        `json:"secret"`
	Verifiable  bool        `json:"verifiable"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Seats       int         `json:"seats"`
	Rule        *Rule       `json:"rule"`
	Candidates  []Candidate `json:"candidates"`

	anySurplus bool // a runoff among the tied is not bound by the surplus rule
}

// Limits.
const (
	MaxCandidatesPerPoll = 500 // the Central Committee elects ~180 of ~200
	MaxBallotBytes       = 64 << 10
	maxTitle             = 300
	maxName              = 120
	maxNote              = 300
	maxDescription       = 4000
)

func (in *Input) validate() error {
	var err error
	if !slices.Contains(Kinds, in.Kind) {
		return store.Invalid("kind", "vote.kind_invalid", "unknown kind of poll")
	}
	if in.Title, err = cleanLine("title", in.Title, maxTitle, true); err != nil {
		return err
	}
	in.Description = strings.Join(strings.Fields(in.Description), " ")
	if in.Description, err = cleanLine("description", in.Description, maxDescription, false); err != nil {
		return err
	}
	r := DefaultRule()
	if in.Rule != nil {
		r = *in.Rule
		if r.Name == "" {
			r.Name = RuleMajorityOfBase
		}
	}
	if r.Name != RuleMajorityOfBase {
		return store.Invalid("rule", "vote.rule_unknown", "unknown rule set %q", r.Name)
	}
	if r.Base != BaseConvened && r.Base != BaseCast {
		return store.Invalid("rule", "vote.base_invalid", "the base must be convened or cast")
	}
	if r.MaxSurplusPct < 0 || r.MaxSurplusPct > 100 || r.FloorPct < 0 || r.FloorPct > 100 {
		return store.Invalid("rule", "vote.pct_invalid", "percentages are between 0 and 100")
	}
	if r.Convened < 0 || r.Present < 0 || r.Present > r.Convened || r.Convened > 100000 {
		return store.Invalid("rule", "vote.convened_invalid", "convened and present are counts, present at most convened")
	}
	in.Rule = &r
	if in.Kind == KindMotion {
		in.Candidates, in.Seats = nil, 1
		if in.Verifiable {
			in.Verifiable = false // a motion is verifiable as an election of one option later; not now
		}
		return nil
	}
	in.Secret = in.Secret || in.Kind != KindMotion // elections and personnel votes are always secret
	if len(in.Candidates) == 0 {
		return store.Invalid("candidates", "vote.candidates_required", "list at least one candidate")
	}
	if len(in.Candidates) > MaxCandidatesPerPoll {
		return store.Invalid("candidates", "vote.candidates_many", "at most %d candidates", MaxCandidatesPerPoll)
	}
	seen := map[string]bool{}
	for i := range in.Candidates {
		c := &in.Candidates[i]
		if c.Name, err = cleanLine("candidates", c.Name, maxName, true); err != nil {
			return err
		}
		if c.Note, err = cleanLine("candidates", c.Note, maxNote, false); err != nil {
			return err
		}
		key := strings.ToLower(c.Name + "\x00" + c.Note)
		if seen[key] {
			return store.Invalid("candidates", "vote.candidate_twice", "%s is listed twice", c.Name)
		}
		seen[key] = true
		c.ID = fmt.Sprintf("c%d", i+1)
	}
	switch in.Kind {
	case KindElection:
		if in.Seats < 1 || in.Seats > len(in.Candidates) {
			return store.Invalid("seats", "vote.seats_invalid", "seats must be between 1 and the number of candidates")
		}
		if !in.anySurplus && !r.SurplusOK(len(in.Candidates), in.Seats) {
			return store.Invalid("candidates", "vote.surplus", "%d candidates for %d seats: the surplus may be at most %d%% of the seats (at most %d candidates)",
				len(in.Candidates), in.Seats, r.MaxSurplusPct, r.MaxCandidates(in.Seats))
		}
	default:
		in.Seats = len(in.Candidates)
	}
	return nil
}

// Ballot is what a voter chose, in its canonical form (as stored and counted).
type Ballot struct {
	Choice  string            `json:"choice,omitempty"`  // motion: yes, no or abstain
	Keep    []string          `json:"keep,omitempty"`    // election, nomination: candidate IDs kept (not struck out)
	Ratings map[string]string `json:"ratings,omitempty"` // confidence: candidate ID → high, medium or low
}

func errBallot(key, english string, args ...any) error {
	return store.Invalid("ballot", key, english, args...)
}

// ParseBallot reads a ballot for p from JSON and returns it in canonical form (kept IDs
// in list order). Anything but a well-formed, complete ballot for this poll is an
// EINVALID error: unknown fields, unknown or repeated candidates, more kept names than
// the poll allows, a missing rating.
func ParseBallot(p Poll, raw []byte) (Ballot, error) {
	var b Ballot
	if len(raw) > MaxBallotBytes {
		return b, errBallot("vote.ballot_large", "the ballot is too large")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return Ballot{}, errBallot("vote.ballot_malformed", "the ballot is not well-formed")
	}
	if _, err := dec.Token(); err != io.EOF {
		return Ballot{}, errBallot("vote.ballot_malformed", "the ballot is not well-formed")
	}
	return b.check(p)
}

// check validates b for p and canonicalizes it.
func (b Ballot) check(p Poll) (Ballot, error) {
	switch p.Kind {
	case KindMotion:
		if b.Keep != nil || b.Ratings != nil || !slices.Contains(MotionChoices, b.Choice) {
			return Ballot{}, errBallot("vote.ballot_choice", "choose yes, no or abstain")
		}
		return Ballot{Choice: b.Choice}, nil
	case KindConfidence:
		if b.Choice != "" || b.Keep != nil {
			return Ballot{}, errBallot("vote.ballot_malformed", "the ballot is not well-formed")
		}
		if len(b.Ratings) != len(p.Candidates) {
			return Ballot{}, errBallot("vote.ballot_rating", "give one rating for every name")
		}
		out := Ballot{Ratings: map[string]string{}}
		for _, c := range p.Candidates {
			l, ok := b.Ratings[c.ID]
			if !ok || !slices.Contains(Levels, l) {
				return Ballot{}, errBallot("vote.ballot_rating", "give one rating for every name")
			}
			out.Ratings[c.ID] = l
		}
		return out, nil
	default: // election, nomination
		if b.Choice != "" || b.Ratings != nil {
			return Ballot{}, errBallot("vote.ballot_malformed", "the ballot is not well-formed")
		}
		if len(b.Keep) > p.MaxKeep() {
			return Ballot{}, errBallot("vote.ballot_too_many", "the ballot keeps %d names; at most %d may be kept", len(b.Keep), p.MaxKeep())
		}
		kept := map[string]bool{}
		for _, id := range b.Keep {
			if kept[id] {
				return Ballot{}, errBallot("vote.ballot_twice", "a name is kept twice")
			}
			kept[id] = true
		}
		out := Ballot{Keep: []string{}}
		for _, c := range p.Candidates {
			if kept[c.ID] {
				out.Keep = append(out.Keep, c.ID)
			}
		}
		if len(out.Keep) != len(kept) {
			return Ballot{}, errBallot("vote.ballot_unknown", "the ballot names someone who is not a candidate")
		}
		return out, nil
	}
}

// canonical is the stored form of a checked ballot.
func (b Ballot) canonical() string {
	out, _ := json.Marshal(b) // maps are written with sorted keys: one form per ballot
	return string(out)
}

func oneOf(s string, set []string) bool { return slices.Contains(set, s) }

// cleanLine tidies a one-line text field: NFC, trimmed, no control characters.
func cleanLine(field, s string, max int, required bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", store.Invalid(field, "vote.text_invalid", "%s contains invalid characters", field)
	}
	s = strings.TrimSpace(norm.NFC.String(s))
	if strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "", store.Invalid(field, "vote.text_invalid", "%s contains invalid characters", field)
	}
	if required && s == "" {
		return "", store.Invalid(field, "vote.required", "%s is required", field)
	}
	if utf8.RuneCountInString(s) > max {
		return "", &store.Error{Code: store.EINVALID, Key: "err.too_long", Args: []any{max}, Field: field,
			Message: fmt.Sprintf("%s too long (at most %d characters)", field, max)}
	}
	return s, nil
}
