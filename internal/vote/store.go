package vote

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"time"

	"dais/internal/meeting"
	"dais/internal/store"
)

// Meetings is what the vote package needs of internal/meeting (its *Service has these
// methods): the meeting as the caller sees it, what the caller may do there, and its
// participants with their roles and answers.
type Meetings interface {
	Get(ctx context.Context, p *store.Principal, id string) (meeting.Meeting, error)
	Rights(p *store.Principal, m meeting.Meeting) meeting.Rights
	Participants(ctx context.Context, p *store.Principal, meetingID string) ([]meeting.Participant, error)
}

// Publisher sends live events (internal/live's hub). nil sends nothing.
type Publisher = meeting.Publisher

// Service reads and writes polls.
type Service struct {
	db       *store.DB
	meetings Meetings
	pub      Publisher
	log      *slog.Logger
	sealed   Sealed // the verifiable mode's ballot checker; nil: verifiable polls refused
}

// NewService returns the vote service. pub and log may be nil.
func NewService(db *store.DB, meetings Meetings, pub Publisher, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: db, meetings: meetings, pub: pub, log: log}
}

func (s *Service) publish(ctx context.Context, meetingID, typ string, data map[string]any) {
	if s.pub == nil {
		return
	}
	data["meeting_id"] = meetingID
	b, err := json.Marshal(data)
	if err == nil {
		_, err = s.pub.Publish(ctx, meeting.Topic(meetingID), typ, b)
	}
	if err != nil {
		s.log.WarnContext(ctx, "vote: publish", "meeting", meetingID, "type", typ, "err", err)
	}
}

func forbidden(msg string) error {
	return &store.Error{Code: store.EFORBIDDEN, Key: "vote.forbidden", Message: msg}
}

var idRE = regexp.MustCompile(`^[0-9a-f-]{1,64}$`)

// access is what the caller may do in a meeting's polls.
type access struct {
	m       meeting.Meeting
	run     bool // create, open, close, publish (chair, secretariat, organizers)
	count   bool // enter paper ballots (counting committee, and those who run)
	counter bool // a member of the counting committee
}

func (s *Service) access(ctx context.Context, p *store.Principal, meetingID string) (access, error) {
	if !idRE.MatchString(meetingID) {
		return access{}, store.NotFound("meeting")
	}
	m, err := s.meetings.Get(ctx, p, meetingID)
	if err != nil {
		return access{}, err
	}
	if p == nil {
		return access{m: m, run: true, count: true, counter: true}, nil
	}
	r := s.meetings.Rights(p, m)
	a := access{m: m, run: r.Run}
	a.counter = r.Role == meeting.RoleCounting
	a.count = a.run || a.counter
	return a, nil
}

const pollCols = `id, meeting_id, kind, secret, verifiable, title, description, seats, rule, status, parent_id, round,
	convened, present, version, created_at, opened_at, closed_at, published_at`

func scanPoll(r store.Scanner) (Poll, error) {
	var p Poll
	var rule string
	var opened, closed, published sql.NullTime
	err := r.Scan(&p.ID, &p.MeetingID, &p.Kind, &p.Secret, &p.Verifiable, &p.Title, &p.Description, &p.Seats, &rule, &p.Status,
		&p.ParentID, &p.Round, &p.Convened, &p.Present, &p.Version, &p.CreatedAt, &opened, &closed, &published)
	if errors.Is(err, sql.ErrNoRows) {
		return p, store.NotFound("poll")
	}
	if err != nil {
		return p, fmt.Errorf("scan poll: %w", err)
	}
	if err := json.Unmarshal([]byte(rule), &p.Rule); err != nil {
		return p, fmt.Errorf("poll %s rule: %w", p.ID, err)
	}
	t := func(n sql.NullTime) *time.Time {
		if !n.Valid {
			return nil
		}
		v := n.Time.UTC()
		return &v
	}
	p.CreatedAt = p.CreatedAt.UTC()
	p.OpenedAt, p.ClosedAt, p.PublishedAt = t(opened), t(closed), t(published)
	return p, nil
}

func readCandidates(ctx context.Context, q store.Querier, pollID string) ([]Candidate, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, note, floor FROM poll_candidates WHERE poll_id = ? ORDER BY position`, pollID)
	return store.Collect(rows, err, func(r store.Scanner) (Candidate, error) {
		var c Candidate
		return c, r.Scan(&c.ID, &c.Name, &c.Note, &c.Floor)
	})
}

// readPoll reads a poll of the meeting with its candidates. lock takes a shared row lock
// on PostgreSQL (FOR SHARE), so that a cast and a close of the same poll serialize: a
// ballot is committed before the poll closes, or refused. SQLite has one writer.
func readPoll(ctx context.Context, q store.Querier, meetingID, pollID string, lock string) (Poll, error) {
	if !idRE.MatchString(pollID) {
		return Poll{}, store.NotFound("poll")
	}
	p, err := scanPoll(q.QueryRowContext(ctx, `SELECT `+pollCols+` FROM polls WHERE id = ? AND meeting_id = ?`+lock, pollID, meetingID))
	if err != nil {
		return p, err
	}
	if p.Candidates, err = readCandidates(ctx, q, pollID); err != nil {
		return p, fmt.Errorf("read candidates: %w", err)
	}
	return p, nil
}

func forShare(tx *store.Tx) string {
	if tx.Dialect() == store.Postgres {
		return ` FOR SHARE`
	}
	return ""
}

func forUpdate(tx *store.Tx) string {
	if tx.Dialect() == store.Postgres {
		return ` FOR UPDATE`
	}
	return ""
}

// List returns the polls of a meeting the caller may see, oldest first.
func (s *Service) List(ctx context.Context, p *store.Principal, meetingID string) ([]Poll, error) {
	a, err := s.access(ctx, p, meetingID)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + pollCols + ` FROM polls WHERE meeting_id = ?`
	if !a.run {
		q += ` AND status <> 'draft'` // drafts are the presidium's until opened
	}
	rows, err := s.db.R().QueryContext(ctx, q+` ORDER BY created_at, id`, meetingID)
	polls, err := store.Collect(rows, err, scanPoll)
	if err != nil {
		return nil, fmt.Errorf("list polls: %w", err)
	}
	for i := range polls {
		if polls[i].Candidates, err = readCandidates(ctx, s.db.R(), polls[i].ID); err != nil {
			return nil, err
		}
	}
	return polls, nil
}

// Get returns one poll. Drafts are visible only to those who run the meeting.
func (s *Service) Get(ctx context.Context, p *store.Principal, meetingID, pollID string) (Poll, error) {
	a, err := s.access(ctx, p, meetingID)
	if err != nil {
		return Poll{}, err
	}
	poll, err := readPoll(ctx, s.db.R(), meetingID, pollID, "")
	if err != nil {
		return poll, err
	}
	if poll.Status == StatusDraft && !a.run {
		return Poll{}, store.NotFound("poll")
	}
	return poll, nil
}

// Create adds a draft poll to a meeting.
func (s *Service) Create(ctx context.Context, p *store.Principal, meetingID string, in Input) (Poll, error) {
	return s.create(ctx, p, meetingID, in, "", 1)
}

func (s *Service) create(ctx context.Context, p *store.Principal, meetingID string, in Input, parentID string, round int) (Poll, error) {
	if err := in.validate(); err != nil {
		return Poll{}, err
	}
	a, err := s.access(ctx, p, meetingID)
	if err != nil {
		return Poll{}, err
	}
	if !a.run {
		return Poll{}, forbidden("only the chair creates polls")
	}
	if in.Verifiable && s.sealed == nil {
		return Poll{}, store.Invalid("verifiable", "vote.verifiable_unavailable", "the verifiable mode is not available on this server")
	}
	rule, _ := json.Marshal(in.Rule)
	poll := Poll{ID: store.NewID(), MeetingID: meetingID, Kind: in.Kind, Secret: in.Secret, Verifiable: in.Verifiable, Title: in.Title,
		Description: in.Description, Seats: in.Seats, Rule: *in.Rule, Status: StatusDraft, ParentID: parentID, Round: round,
		Candidates: in.Candidates, Version: 1, CreatedAt: store.Now()}
	if poll.Candidates == nil {
		poll.Candidates = []Candidate{}
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO polls (id, meeting_id, kind, secret, verifiable, title, description, seats, rule, status,
			parent_id, round, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?)`,
			poll.ID, meetingID, poll.Kind, poll.Secret, poll.Verifiable, poll.Title, poll.Description, poll.Seats, string(rule),
			parentID, round, tx.Actor(), poll.CreatedAt); err != nil {
			return fmt.Errorf("insert poll: %w", err)
		}
		if err := writeCandidates(ctx, tx, poll.ID, poll.Candidates); err != nil {
			return err
		}
		return tx.Audit(ctx, "poll.create", "poll", poll.ID, poll)
	})
	if err != nil {
		return Poll{}, err
	}
	s.publish(ctx, meetingID, EventPoll, map[string]any{"poll_id": poll.ID, "status": poll.Status})
	return poll, nil
}

func writeCandidates(ctx context.Context, tx *store.Tx, pollID string, cs []Candidate) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM poll_candidates WHERE poll_id = ?`, pollID); err != nil {
		return fmt.Errorf("clear candidates: %w", err)
	}
	for i, c := range cs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO poll_candidates (poll_id, id, position, name, note, floor) VALUES (?, ?, ?, ?, ?, ?)`,
			pollID, c.ID, i, c.Name, c.Note, c.Floor); err != nil {
			return fmt.Errorf("insert candidate: %w", err)
		}
	}
	return nil
}

// Update replaces a draft's title, description, seats, rule and candidate list (the
// surplus rule is checked again).
func (s *Service) Update(ctx context.Context, p *store.Principal, meetingID, pollID string, in Input) (Poll, error) {
	if err := in.validate(); err != nil {
		return Poll{}, err
	}
	a, err := s.access(ctx, p, meetingID)
	if err != nil {
		return Poll{}, err
	}
	if !a.run {
		return Poll{}, forbidden("only the chair edits polls")
	}
	var out Poll
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		cur, err := readPoll(ctx, tx, meetingID, pollID, forUpdate(tx))
		if err != nil {
			return err
		}
		if cur.Status != StatusDraft {
			return &store.Error{Code: store.ECONFLICT, Key: "vote.not_draft", Message: "only a draft can be changed"}
		}
		if in.Kind != cur.Kind {
			return store.Invalid("kind", "vote.kind_fixed", "the kind of a poll cannot change")
		}
		rule, _ := json.Marshal(in.Rule)
		if _, err := tx.ExecContext(ctx, `UPDATE polls SET secret = ?, title = ?, description = ?, seats = ?, rule = ?, version = version + 1 WHERE id = ?`,
			in.Secret, in.Title, in.Description, in.Seats, string(rule), pollID); err != nil {
			return fmt.Errorf("update poll: %w", err)
		}
		if err := writeCandidates(ctx, tx, pollID, in.Candidates); err != nil {
			return err
		}
		out = cur
		out.Secret, out.Title, out.Description, out.Seats, out.Rule, out.Candidates = in.Secret, in.Title, in.Description, in.Seats, *in.Rule, in.Candidates
		out.Version++
		return tx.Audit(ctx, "poll.update", "poll", pollID, out)
	})
	if err != nil {
		return Poll{}, err
	}
	s.publish(ctx, meetingID, EventPoll, map[string]any{"poll_id": pollID, "status": out.Status})
	return out, nil
}

// transition is a chair's change of one poll's state: the caller must run the meeting,
// the poll must be in state from (else conflict), change does the rest inside the
// transaction, its audit entry included, and the event with status follows the commit.
func (s *Service) transition(ctx context.Context, p *store.Principal, meetingID, pollID, from string, conflict *store.Error,
	denied, status string, change func(tx *store.Tx, poll Poll) error) error {
	a, err := s.access(ctx, p, meetingID)
	if err != nil {
		return err
	}
	if !a.run {
		return forbidden(denied)
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		poll, err := readPoll(ctx, tx, meetingID, pollID, forUpdate(tx))
		if err != nil {
			return err
		}
		if poll.Status != from {
			return conflict
		}
		return change(tx, poll)
	})
	if err != nil {
		return err
	}
	s.publish(ctx, meetingID, EventPoll, map[string]any{"poll_id": pollID, "status": status})
	return nil
}

// Open opens a draft: the meeting's delegates who are not excused become its eligible
// voters (snapshotted now), and they may cast their ballots.
func (s *Service) Open(ctx context.Context, p *store.Principal, meetingID, pollID string) error {
	a, err := s.access(ctx, p, meetingID)
	if err != nil {
		return err
	}
	if !a.run {
		return forbidden("only the chair opens polls")
	}
	ps, err := s.meetings.Participants(ctx, p, meetingID)
	if err != nil {
		return err
	}
	var delegates, eligible []meeting.Participant
	for _, x := range ps {
		if x.Role != meeting.RoleDelegate {
			continue
		}
		delegates = append(delegates, x)
		if x.Answer != meeting.AnswerExcused {
			eligible = append(eligible, x)
		}
	}
	return s.transition(ctx, p, meetingID, pollID, StatusDraft,
		&store.Error{Code: store.ECONFLICT, Key: "vote.not_draft", Message: "only a draft can be opened"},
		"only the chair opens polls", StatusOpen, func(tx *store.Tx, poll Poll) error {
			if len(eligible) == 0 && poll.Rule.Convened == 0 {
				return &store.Error{Code: store.ECONFLICT, Key: "vote.no_delegates", Message: "the meeting has no delegates to vote"}
			}
			convened, present := len(delegates), len(eligible)
			if poll.Rule.Convened > 0 {
				convened, present = poll.Rule.Convened, poll.Rule.Present
				if present == 0 {
					present = convened
				}
			}
			now := store.Now()
			if _, err := tx.ExecContext(ctx, `UPDATE polls SET status = 'open', opened_at = ?, convened = ?, present = ?, version = version + 1 WHERE id = ?`,
				now, convened, present, pollID); err != nil {
				return fmt.Errorf("open poll: %w", err)
			}
			for _, e := range eligible {
				if _, err := tx.ExecContext(ctx, `INSERT INTO poll_voters (poll_id, user_id, delegate_number) VALUES (?, ?, ?)`,
					pollID, e.UserID, e.DelegateNumber); err != nil {
					return fmt.Errorf("eligibility: %w", err)
				}
			}
			return tx.Audit(ctx, "poll.open", "poll", pollID, map[string]any{"convened": convened, "present": present, "eligible": len(eligible)})
		})
}

// Close ends the voting. The poll's ballots are rewritten in a random order in the same
// transaction (doc.go: this erases the insertion order PostgreSQL keeps on its heap).
func (s *Service) Close(ctx context.Context, p *store.Principal, meetingID, pollID string) error {
	return s.transition(ctx, p, meetingID, pollID, StatusOpen,
		&store.Error{Code: store.ECONFLICT, Key: "vote.not_open", Message: "the poll is not open"},
		"only the chair closes polls", StatusClosed, func(tx *store.Tx, poll Poll) error {
			if _, err := tx.ExecContext(ctx, `UPDATE polls SET status = 'closed', closed_at = ?, version = version + 1 WHERE id = ?`, store.Now(), pollID); err != nil {
				return fmt.Errorf("close poll: %w", err)
			}
			if !poll.Verifiable {
				if err := shuffleBallots(ctx, tx, pollID); err != nil {
					return err
				}
			}
			return tx.Audit(ctx, "poll.close", "poll", pollID, map[string]any{"status": StatusClosed})
		})
}

// shuffleBallots deletes a poll's ballots and inserts them again in a random order, with
// fresh random IDs: on PostgreSQL every row then sits where the shuffle put it and carries
// the closing transaction's ID, on SQLite the B-tree is rebuilt.
func shuffleBallots(ctx context.Context, tx *store.Tx, pollID string) error {
	type row struct {
		voter   sql.NullString
		choices string
		valid   bool
	}
	rows, err := tx.QueryContext(ctx, `SELECT voter_id, choices, valid FROM poll_ballots WHERE poll_id = ?`, pollID)
	all, err := store.Collect(rows, err, func(r store.Scanner) (row, error) {
		var x row
		return x, r.Scan(&x.voter, &x.choices, &x.valid)
	})
	if err != nil {
		return fmt.Errorf("read ballots: %w", err)
	}
	mrand.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	if _, err := tx.ExecContext(ctx, `DELETE FROM poll_ballots WHERE poll_id = ?`, pollID); err != nil {
		return fmt.Errorf("clear ballots: %w", err)
	}
	for _, x := range all {
		if _, err := tx.ExecContext(ctx, `INSERT INTO poll_ballots (poll_id, id, voter_id, choices, valid) VALUES (?, ?, ?, ?, ?)`,
			pollID, randomID(), x.voter, x.choices, x.valid); err != nil {
			return fmt.Errorf("rewrite ballot: %w", err)
		}
	}
	return nil
}

// Publish freezes the results (with the paper ballots counted so far) and shows them.
func (s *Service) Publish(ctx context.Context, p *store.Principal, meetingID, pollID string) error {
	return s.transition(ctx, p, meetingID, pollID, StatusClosed,
		&store.Error{Code: store.ECONFLICT, Key: "vote.not_closed", Message: "close the poll before publishing"},
		"only the chair publishes results", StatusPublished, func(tx *store.Tx, poll Poll) error {
			res, err := tally(ctx, tx, poll)
			if err != nil {
				return err
			}
			if res.Paper.Pending > 0 {
				return &store.Error{Code: store.ECONFLICT, Key: "vote.paper_pending", Args: []any{res.Paper.Pending},
					Message: fmt.Sprintf("%d paper ballots are not agreed by both counters yet", res.Paper.Pending)}
			}
			frozen, _ := json.Marshal(res)
			if _, err := tx.ExecContext(ctx, `UPDATE polls SET status = 'published', published_at = ?, result = ?, version = version + 1 WHERE id = ?`,
				store.Now(), string(frozen), pollID); err != nil {
				return fmt.Errorf("publish poll: %w", err)
			}
			return tx.Audit(ctx, "poll.publish", "poll", pollID, res)
		})
}

// Delete removes a draft.
func (s *Service) Delete(ctx context.Context, p *store.Principal, meetingID, pollID string) error {
	return s.transition(ctx, p, meetingID, pollID, StatusDraft,
		&store.Error{Code: store.ECONFLICT, Key: "vote.not_draft", Message: "only a draft can be deleted"},
		"only the chair deletes polls", "deleted", func(tx *store.Tx, poll Poll) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM polls WHERE id = ?`, pollID); err != nil {
				return fmt.Errorf("delete poll: %w", err)
			}
			return tx.Audit(ctx, "poll.delete", "poll", pollID, nil)
		})
}

// randomID is a ballot's key: 128 bits from crypto/rand, hex. Unlike store.NewID it
// carries no time, so neither its value nor its sort order says when it was cast.
func randomID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

// Receipt is what the voter gets back when a ballot is recorded.
type Receipt struct {
	PollID string `json:"poll_id"`
	// Code confirms that the ballot was recorded: derived from the poll, the voter and
	// the request's idempotency key under the server's key, so that a retried request
	// answers the same code. It says nothing of the ballot's content and is not stored.
	Code string `json:"code"`
	// Tracking is the verifiable ballot's tracking code (verifiable polls only): the
	// voter finds it on the bulletin board.
	Tracking string `json:"tracking,omitempty"`
	Replayed bool   `json:"replayed"`
}

var idemRE = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

func (s *Service) receiptCode(pollID, userID, key string) string {
	sum := s.db.Keys.Blind("vote-receipt", pollID+"\x00"+userID+"\x00"+key)
	code := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:10])
	return code[:4] + "-" + code[4:8] + "-" + code[8:12] + "-" + code[12:16]
}

// Cast records the caller's ballot in an open poll, once. The eligibility mark and the
// ballot are written in one transaction (both or neither), committed durably before the
// receipt is returned. idemKey (8–64 letters, digits, - or _) makes the request safe to
// retry: the same key answers the same receipt (Replayed) without a second ballot, even
// when the first answer was lost. A second ballot with another key is ECONFLICT.
func (s *Service) Cast(ctx context.Context, p *store.Principal, meetingID, pollID, idemKey string, raw []byte) (Receipt, error) {
	if p == nil {
		return Receipt{}, forbidden("only a delegate votes")
	}
	if !idemRE.MatchString(idemKey) {
		return Receipt{}, store.Invalid("idempotency_key", "vote.idem_invalid", "the idempotency key must be 8–64 letters, digits, - or _")
	}
	if !idRE.MatchString(meetingID) || !idRE.MatchString(pollID) {
		return Receipt{}, store.NotFound("poll")
	}
	rc := Receipt{PollID: pollID, Code: s.receiptCode(pollID, p.UserID, idemKey)}
	var eligibleCount, voted int
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		poll, err := readPoll(ctx, tx, meetingID, pollID, forShare(tx))
		if err != nil {
			return err
		}
		var votedAt sql.NullTime
		var prevKey string
		err = tx.QueryRowContext(ctx, `SELECT voted_at, idem_key FROM poll_voters WHERE poll_id = ? AND user_id = ?`+forUpdate(tx),
			pollID, p.UserID).Scan(&votedAt, &prevKey)
		eligible := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("eligibility: %w", err)
		}
		if eligible && votedAt.Valid && prevKey == idemKey {
			rc.Replayed = true // the answer to this very request was lost: answer it again
			return errReplay
		}
		if poll.Status == StatusDraft {
			return store.NotFound("poll")
		}
		if poll.Status != StatusOpen {
			return &store.Error{Code: store.ECONFLICT, Key: "vote.closed", Message: "the poll is closed"}
		}
		if !eligible {
			if _, err := s.access(ctx, p, meetingID); err != nil {
				return err // not even a participant: the meeting does not exist for them
			}
			return forbidden("only the meeting's delegates vote in this poll")
		}
		if votedAt.Valid {
			return &store.Error{Code: store.ECONFLICT, Key: "vote.already", Message: "you have voted in this poll already"}
		}
		var choices, code, fp string
		if poll.Verifiable {
			if choices, code, fp, err = s.checkSealed(ctx, tx, poll, raw); err != nil {
				return err
			}
			rc.Tracking = TrackingCode(code)
		} else {
			b, err := ParseBallot(poll, raw)
			if err != nil {
				return err
			}
			choices = b.canonical()
		}
		res, err := tx.ExecContext(ctx, `UPDATE poll_voters SET voted_at = ?, idem_key = ? WHERE poll_id = ? AND user_id = ? AND voted_at IS NULL`,
			store.Now(), idemKey, pollID, p.UserID)
		if err != nil {
			return fmt.Errorf("mark voter: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &store.Error{Code: store.ECONFLICT, Key: "vote.already", Message: "you have voted in this poll already"}
		}
		var voter any // secret polls: no voter column at all
		if !poll.Secret {
			voter = p.UserID
		}
		var seq any
		if poll.Verifiable {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM poll_ballots WHERE poll_id = ?`, pollID).Scan(&n); err != nil {
				return err
			}
			seq = n + 1
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO poll_ballots (poll_id, id, voter_id, choices, valid, code, fingerprint, board_seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, pollID, randomID(), voter, choices, true, code, fp, seq); err != nil {
			return fmt.Errorf("insert ballot: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(voted_at) FROM poll_voters WHERE poll_id = ?`, pollID).Scan(&eligibleCount, &voted); err != nil {
			return fmt.Errorf("turnout: %w", err)
		}
		// The audit entry says who voted in which poll, never what or which ballot.
		return tx.Audit(ctx, "poll.vote", "poll", pollID, map[string]any{"voted": true})
	})
	if errors.Is(err, errReplay) {
		return rc, nil
	}
	if err != nil {
		return Receipt{}, err
	}
	s.publish(ctx, meetingID, EventTurnout, map[string]any{"poll_id": pollID, "voted": voted, "eligible": eligibleCount})
	return rc, nil
}

var errReplay = errors.New("replayed request")

// Turnout is how many of the eligible voters have voted.
type Turnout struct {
	PollID   string `json:"poll_id"`
	Status   string `json:"status"`
	Eligible int    `json:"eligible"`
	Voted    int    `json:"voted"`
	// Missing names the eligible voters who have not voted yet: only for open (named)
	// polls, and only for those who run the meeting.
	Missing []Voter `json:"missing,omitempty"`
	// Me: whether the caller is eligible and has voted.
	MeEligible bool `json:"me_eligible"`
	MeVoted    bool `json:"me_voted"`
}

// Voter is an eligible voter, named.
type Voter struct {
	UserID         string `json:"user_id"`
	Name           string `json:"name"`
	DelegateNumber string `json:"delegate_number"`
}

// Turnout returns a poll's turnout as the caller may see it.
func (s *Service) Turnout(ctx context.Context, p *store.Principal, meetingID, pollID string) (Turnout, error) {
	a, err := s.access(ctx, p, meetingID)
	if err != nil {
		return Turnout{}, err
	}
	poll, err := readPoll(ctx, s.db.R(), meetingID, pollID, "")
	if err != nil {
		return Turnout{}, err
	}
	if poll.Status == StatusDraft && !a.run {
		return Turnout{}, store.NotFound("poll")
	}
	t := Turnout{PollID: pollID, Status: poll.Status}
	if err := s.db.R().QueryRowContext(ctx, `SELECT COUNT(*), COUNT(voted_at) FROM poll_voters WHERE poll_id = ?`, pollID).Scan(&t.Eligible, &t.Voted); err != nil {
		return t, fmt.Errorf("turnout: %w", err)
	}
	if p != nil {
		var at sql.NullTime
		err := s.db.R().QueryRowContext(ctx, `SELECT voted_at FROM poll_voters WHERE poll_id = ? AND user_id = ?`, pollID, p.UserID).Scan(&at)
		t.MeEligible, t.MeVoted = err == nil, err == nil && at.Valid
	}
	if a.run && !poll.Secret {
		rows, err := s.db.R().QueryContext(ctx, `SELECT v.user_id, us.display_name, v.delegate_number FROM poll_voters v JOIN users us ON us.id = v.user_id
			WHERE v.poll_id = ? AND v.voted_at IS NULL ORDER BY LENGTH(v.delegate_number), v.delegate_number, us.display_name`, pollID)
		if t.Missing, err = store.Collect(rows, err, func(r store.Scanner) (Voter, error) {
			var v Voter
			return v, r.Scan(&v.UserID, &v.Name, &v.DelegateNumber)
		}); err != nil {
			return t, fmt.Errorf("missing voters: %w", err)
		}
	}
	return t, nil
}

// Runoff creates the re-vote among the candidates tied for the last seat(s) of a closed
// election, for the seats that remain (a draft the chair then opens).
func (s *Service) Runoff(ctx context.Context, p *store.Principal, meetingID, pollID string) (Poll, error) {
	return s.nextRound(ctx, p, meetingID, pollID, true, nil)
}

// FurtherRound creates, when fewer were elected than seats, a further round for the
// remaining seats among the given candidates (the congress decides who stands again;
// empty: every candidate not elected).
func (s *Service) FurtherRound(ctx context.Context, p *store.Principal, meetingID, pollID string, candidateIDs []string) (Poll, error) {
	return s.nextRound(ctx, p, meetingID, pollID, false, candidateIDs)
}

func (s *Service) nextRound(ctx context.Context, p *store.Principal, meetingID, pollID string, runoff bool, ids []string) (Poll, error) {
	res, err := s.Results(ctx, p, meetingID, pollID)
	if err != nil {
		return Poll{}, err
	}
	poll := res.Poll
	if poll.Kind != KindElection || res.Outcome == nil {
		return Poll{}, store.Invalid("poll", "vote.not_election", "only an election has further rounds")
	}
	pick := map[string]bool{}
	switch {
	case runoff:
		if len(res.Outcome.Runoff) == 0 {
			return Poll{}, &store.Error{Code: store.ECONFLICT, Key: "vote.no_runoff", Message: "no tie for the last seat"}
		}
		for _, j := range res.Outcome.Runoff {
			pick[poll.Candidates[j].ID] = true
		}
	default:
		if !res.Outcome.Short || len(res.Outcome.Runoff) > 0 {
			return Poll{}, &store.Error{Code: store.ECONFLICT, Key: "vote.not_short", Message: "every seat is filled (or a tie must be re-voted first)"}
		}
		elected := map[int]bool{}
		for _, j := range res.Outcome.Elected {
			elected[j] = true
		}
		want := map[string]bool{}
		for _, id := range ids {
			want[id] = true
		}
		for j, c := range poll.Candidates {
			if !elected[j] && (len(ids) == 0 || want[c.ID]) {
				pick[c.ID] = true
			}
		}
	}
	var cs []Candidate
	for _, c := range poll.Candidates {
		if pick[c.ID] {
			cs = append(cs, Candidate{Name: c.Name, Note: c.Note, Floor: c.Floor})
		}
	}
	seats := res.Outcome.Remaining
	if len(cs) < seats {
		return Poll{}, store.Invalid("candidates", "vote.too_few_candidates", "fewer candidates than remaining seats")
	}
	rule := poll.Rule
	label := " – bầu bổ sung vòng " + strconv.Itoa(poll.Round+1)
	if runoff {
		label = " – bầu lại (các ứng cử viên bằng phiếu), vòng " + strconv.Itoa(poll.Round+1)
	}
	title := poll.Title
	if i := strings.Index(title, " – "); i > 0 {
		title = title[:i]
	}
	return s.create(ctx, p, meetingID, Input{Kind: KindElection, Secret: true, Verifiable: poll.Verifiable, Title: title + label,
		Description: poll.Description, Seats: seats, Rule: &rule, Candidates: cs, anySurplus: runoff}, poll.ID, poll.Round+1)
}
