package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"dais/internal/meeting"
	"dais/internal/store"
	"dais/internal/vote"
	"dais/internal/vote/e2e"
	"dais/internal/web"
)

const benchVoteHelp = "usage: dais bench vote [--voters V] [--candidates N] [--seats K] [--verifiable] [--record FILE] [--pg URL] [--concurrency C]"

// cmdBenchVote runs issue 6's measurement: a whole election of V voters choosing up to
// K of N candidates.
//
// Plain (secret) mode goes through the real server on a fresh store (SQLite, and
// PostgreSQL with --pg): V delegates cast concurrently through the JSON API with bearer
// tokens and idempotency keys; the figures are durable ballots acknowledged per second,
// the cast latencies, closing and counting, and lost = acknowledged − counted.
//
// Verifiable mode (--verifiable) runs the crypto pipeline of internal/vote/e2e in this
// process, because the server does not take verifiable ballots yet (vote.SetSealed has
// no implementation): key ceremony, parallel encryption, each ballot cast on a Board
// (its proofs checked), tally, threshold decryption, the record (written with
// --record) and its full verification; beside it the same 0/1 proofs over
// ElectionGuard's 4096-bit group with math/big (e2e.RefBench).
//
// The last line of the output is one JSON object.
func cmdBenchVote(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench vote", stderr)
	voters := fs.Int("voters", 1600, "delegates who vote")
	candidates := fs.Int("candidates", 30, "candidates on the ballot (N)")
	seats := fs.Int("seats", 15, "seats: a ballot keeps at most K names")
	verifiable := fs.Bool("verifiable", false, "measure the verifiable (end-to-end) pipeline in-process instead of the server")
	record := fs.String("record", "", "verifiable mode: write the election record to this file")
	trustees := fs.Int("trustees", 3, "verifiable mode: trustees of the key ceremony")
	threshold := fs.Int("threshold", 2, "verifiable mode: trustees needed to decrypt")
	refSamples := fs.Int("ref-samples", 40, "verifiable mode: options proved and checked by the 4096-bit reference")
	pg := fs.String("pg", os.Getenv("DAIS_TEST_PG"), "PostgreSQL URL to measure as well (plain mode; a temporary schema is created and dropped)")
	conc := fs.Int("concurrency", 64, "plain mode: voters casting at the same time")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageError(benchVoteHelp)
	}
	maxN := vote.MaxCandidatesPerPoll
	if *verifiable {
		maxN = e2e.MaxCandidates
	}
	switch {
	case *voters < 1 || *voters > 100_000:
		return usageError("--voters must be in [1, 100000]")
	case *candidates < 1 || *candidates > maxN:
		return usageError(fmt.Sprintf("--candidates must be in [1, %d]", maxN))
	case *seats < 1 || *seats > *candidates:
		return usageError("--seats must be in [1, --candidates]")
	case *conc < 1 || *conc > 1024:
		return usageError("--concurrency must be in [1, 1024]")
	case *record != "" && !*verifiable:
		return usageError("--record needs --verifiable (a plain election has no public record)")
	case *trustees < 1 || *trustees > e2e.MaxTrustees || *threshold < 1 || *threshold > *trustees:
		return usageError("--threshold must be in [1, --trustees] and --trustees in [1, 100]")
	case *refSamples < 1 || *refSamples > 10_000:
		return usageError("--ref-samples must be in [1, 10000]")
	}
	if *verifiable {
		return benchVoteVerifiable(stdout, stderr, verifiableConfig{Voters: *voters, Candidates: *candidates, Seats: *seats,
			Trustees: *trustees, Threshold: *threshold, RefSamples: *refSamples, Record: *record})
	}
	if _, err := surplusPct(*candidates, *seats); err != nil {
		return err
	}
	type target struct{ dialect, url string }
	targets := []target{{"sqlite", ""}}
	if *pg != "" {
		targets = append(targets, target{"postgres", *pg})
	}
	var results []plainVoteResult
	for _, t := range targets {
		fmt.Fprintf(stderr, "bench vote %s: setting up %d delegates…\n", t.dialect, *voters)
		r, err := benchVotePlain(ctx, t.dialect, t.url, *voters, *candidates, *seats, *conc, stderr)
		if err != nil {
			return fmt.Errorf("bench vote %s: %w", t.dialect, err)
		}
		results = append(results, r)
	}
	fmt.Fprintf(stdout, "dais bench vote (plain, secret ballot through the server): %d voters, %d candidates, %d seats, %d concurrent voters on loopback; %d CPUs, %s/%s, %s\n\n",
		*voters, *candidates, *seats, *conc, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "store\tacknowledged\tcounted\tlost\trefused\tcount mismatches\tcast s\tcast/s\tp50 ms\tp99 ms\tmax ms\tclose ms\ttally ms\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%.2f\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t\n", r.Store, r.Acked, r.Counted, r.Lost, r.Refused,
			r.Mismatches, r.CastSec, r.CastPerS, r.P50, r.P99, r.Max, r.CloseMs, r.TallyMs)
	}
	tw.Flush()
	for _, r := range results {
		if r.FirstError != "" {
			fmt.Fprintf(stdout, "%s: first refused ballot: %s\n", r.Store, r.FirstError)
		}
	}
	out := map[string]any{"bench": "vote", "mode": "plain", "voters": *voters, "candidates": *candidates, "seats": *seats,
		"concurrency": *conc, "cpus": runtime.NumCPU(), "verify_record_ms": nil}
	for i, r := range results {
		prefix := r.Store + "_"
		if i == 0 {
			prefix = "" // the headline figures are SQLite's
		}
		out[prefix+"cast_per_s"], out[prefix+"p50_ms"], out[prefix+"p99_ms"], out[prefix+"max_ms"] = r.CastPerS, r.P50, r.P99, r.Max
		out[prefix+"acknowledged"], out[prefix+"counted"], out[prefix+"lost"], out[prefix+"refused"] = r.Acked, r.Counted, r.Lost, r.Refused
		out[prefix+"count_mismatches"], out[prefix+"tally_ms"], out[prefix+"close_ms"] = r.Mismatches, r.TallyMs, r.CloseMs
	}
	line, _ := json.Marshal(out)
	fmt.Fprintln(stdout, string(line))
	for _, r := range results {
		if r.Lost != 0 || r.Mismatches != 0 {
			return fmt.Errorf("bench vote %s: %d acknowledged ballots lost, %d candidates counted wrong", r.Store, r.Lost, r.Mismatches)
		}
	}
	return nil
}

// surplusPct is the smallest surplus percentage (at least the regulation's default 30)
// under which n candidates for k seats are a valid election; the regulation allows at
// most 100 %, so n ≤ 2k.
func surplusPct(n, k int) (int, error) {
	pct := max(vote.DefaultRule().MaxSurplusPct, (100*(n-k)+k-1)/k)
	if pct > 100 {
		return 0, usageError(fmt.Sprintf("%d candidates for %d seats: the election regulation allows at most %d candidates (surplus ≤ 100 %% of the seats)", n, k, 2*k))
	}
	return pct, nil
}

type plainVoteResult struct {
	Store                string
	Acked, Counted, Lost int
	Refused, Mismatches  int
	CastSec, CastPerS    float64
	P50, P99, Max        float64
	CloseMs, TallyMs     float64
	FirstError           string
}

// benchVotePlain builds a fresh store with one congress of v delegates, serves it on
// loopback and runs one election through the JSON API.
func benchVotePlain(ctx context.Context, dialect, pgURL string, v, n, k, conc int, stderr io.Writer) (plainVoteResult, error) {
	res := plainVoteResult{Store: dialect}
	env, err := newBenchEnv(ctx, dialect, pgURL, "", stderr)
	if err != nil {
		return res, err
	}
	defer env.close()
	db, c, log := env.db, env.c, env.log
	a, err := newApp(db, c, log)
	if err != nil {
		return res, err
	}
	mid, chairToken, tokens, err := benchVoteSeed(ctx, db, a.meetings, v)
	if err != nil {
		return res, fmt.Errorf("seed: %w", err)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	urlc := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- a.serve(sctx, "127.0.0.1:0", func(u string) { urlc <- u }) }()
	var base string
	select {
	case base = <-urlc:
	case err := <-errc:
		return res, err
	}
	defer func() { cancel(); <-errc }()

	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}
	defer tr.CloseIdleConnections()
	api := &benchAPI{base: base, c: &http.Client{Transport: tr, Timeout: time.Minute}}

	// The chair creates and opens the election through the API.
	pct, err := surplusPct(n, k)
	if err != nil {
		return res, err
	}
	in := vote.Input{Kind: vote.KindElection, Title: "Bầu Ban Chấp hành (bench)", Seats: k,
		Rule: &vote.Rule{Name: vote.RuleMajorityOfBase, Base: vote.BaseConvened, MaxSurplusPct: pct, FloorPct: vote.DefaultRule().FloorPct}}
	for j := range n {
		in.Candidates = append(in.Candidates, vote.Candidate{Name: fmt.Sprintf("Nguyễn Văn Ứng Cử %d", j+1), Note: fmt.Sprintf("Sinh năm %d", 1960+j%30)})
	}
	var created struct{ Poll vote.Poll }
	polls := "/api/v1/meetings/" + mid + "/polls"
	if err := api.do(chairToken, "POST", polls, in, http.StatusCreated, &created); err != nil {
		return res, fmt.Errorf("create the election: %w", err)
	}
	poll := created.Poll
	if len(poll.Candidates) != n {
		return res, fmt.Errorf("the election lists %d candidates, want %d", len(poll.Candidates), n)
	}
	if err := api.do(chairToken, "POST", polls+"/"+poll.ID+"/open", nil, http.StatusOK, nil); err != nil {
		return res, fmt.Errorf("open the election: %w", err)
	}

	// Every delegate casts once, conc at a time. Voter i keeps k names drawn from a
	// generator seeded with i; a request that fails in transit is retried with the same
	// idempotency key, as the tablet does.
	ids := make([]string, n)
	for j, c := range poll.Candidates {
		ids[j] = c.ID
	}
	type ack struct {
		keep []int
		lat  time.Duration
	}
	acks := make([]*ack, v)
	var mu sync.Mutex
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				rng := mrand.New(mrand.NewPCG(uint64(i), 6))
				keep := rng.Perm(n)[:k]
				slices.Sort(keep)
				ballot := vote.Ballot{Keep: make([]string, k)}
				for x, j := range keep {
					ballot.Keep[x] = ids[j]
				}
				body := map[string]any{"idempotency_key": fmt.Sprintf("bench-%06d-%s", i, poll.ID[len(poll.ID)-8:]), "ballot": ballot}
				t0 := time.Now()
				var err error
				for try := 0; try < 3; try++ {
					var st int
					st, err = api.call(tokens[i], "POST", polls+"/"+poll.ID+"/ballots", body, nil)
					if err == nil && st != http.StatusCreated && st != http.StatusOK {
						err = fmt.Errorf("status %d", st)
					}
					var te *transportError
					if err == nil || !errors.As(err, &te) {
						break
					}
				}
				if err != nil {
					mu.Lock()
					res.Refused++
					if res.FirstError == "" {
						res.FirstError = err.Error()
					}
					mu.Unlock()
					continue
				}
				acks[i] = &ack{keep: keep, lat: time.Since(t0)}
			}
		}()
	}
	for i := range v {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)

	var lat []time.Duration
	want := make([]int, n)
	for _, a := range acks {
		if a == nil {
			continue
		}
		lat = append(lat, a.lat)
		for _, j := range a.keep {
			want[j]++
		}
	}
	res.Acked = len(lat)
	res.CastSec = elapsed.Seconds()
	res.CastPerS = float64(res.Acked) / elapsed.Seconds()
	res.P50, res.P99, res.Max = percentiles(lat)

	t0 := time.Now()
	if err := api.do(chairToken, "POST", polls+"/"+poll.ID+"/close", nil, http.StatusOK, nil); err != nil {
		return res, fmt.Errorf("close the election: %w", err)
	}
	res.CloseMs = msOf(time.Since(t0))
	var got struct{ Results vote.Results }
	t0 = time.Now()
	if err := api.do(chairToken, "GET", polls+"/"+poll.ID+"/results", nil, http.StatusOK, &got); err != nil {
		return res, fmt.Errorf("results: %w", err)
	}
	res.TallyMs = msOf(time.Since(t0))
	res.Counted = got.Results.Returned
	res.Lost = max(0, res.Acked-res.Counted)
	if len(got.Results.Options) != n {
		return res, fmt.Errorf("results list %d candidates, want %d", len(got.Results.Options), n)
	}
	for j, o := range got.Results.Options {
		if o.ID != ids[j] || o.Votes != want[j] {
			res.Mismatches++
		}
	}
	if res.Counted > res.Acked {
		// A ballot counted that no voter saw acknowledged: as wrong as a lost one.
		res.Mismatches += res.Counted - res.Acked
	}
	return res, nil
}

// benchVoteSeed creates, in a few transactions, a unit, a chair and v delegates with
// bearer sessions, and a congress they take part in. Accounts and sessions are written
// directly (one password hash per account and one login each would take minutes of
// argon2id and measure nothing of voting); a session row is what account.Login writes:
// the token's SHA-256, the second factor marked done. Returns the meeting's ID and the
// tokens.
func benchVoteSeed(ctx context.Context, db *store.DB, meetings *meeting.Service, v int) (mid, chair string, tokens []string, err error) {
	ctx = store.WithActor(ctx, "bench")
	unitID := store.NewID()
	now := store.Now()
	userIDs := make([]string, v+1) // [0] is the chair
	tokens = make([]string, v+1)
	for i := range userIDs {
		userIDs[i], tokens[i] = store.NewID(), web.RandomToken(32)
	}
	const batch = 500
	for lo := 0; lo <= v; lo += batch {
		err = db.Write(ctx, func(tx *store.Tx) error {
			if lo == 0 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO units (id, code, name, type, parent_id, path, depth, created_at) VALUES (?, 'BV', 'Đảng bộ bench', 'province', NULL, ?, 0, ?)`,
					unitID, "/"+unitID+"/", now); err != nil {
					return fmt.Errorf("unit: %w", err)
				}
			}
			for i := lo; i < min(lo+batch, v+1); i++ {
				name := fmt.Sprintf("daibieu%05d", i)
				if i == 0 {
					name = "chutoa"
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, display_name, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, '-', ?, ?)`,
					userIDs[i], name, fmt.Sprintf("Đại biểu số %d", i), now, now); err != nil {
					return fmt.Errorf("user: %w", err)
				}
				sum := sha256.Sum256([]byte(tokens[i]))
				if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at, mfa_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, '127.0.0.1', 'dais bench vote')`,
					hex.EncodeToString(sum[:]), userIDs[i], web.RandomToken(16), now, now.Add(12*time.Hour), now); err != nil {
					return fmt.Errorf("session: %w", err)
				}
			}
			return tx.Audit(ctx, "bench.accounts", "unit", unitID, map[string]int{"from": lo, "to": min(lo+batch, v+1) - 1})
		})
		if err != nil {
			return "", "", nil, err
		}
	}
	m, err := meetings.Create(ctx, nil, "BV", meeting.Input{Kind: meeting.KindCongress, Title: "Đại hội đại biểu (bench)", StartsAt: now})
	if err != nil {
		return "", "", nil, err
	}
	// Participants as meeting.AddParticipant writes them, in batches.
	for lo := 0; lo <= v; lo += batch {
		err = db.Write(ctx, func(tx *store.Tx) error {
			for i := lo; i < min(lo+batch, v+1); i++ {
				role := meeting.RoleDelegate
				if i == 0 {
					role = meeting.RoleChair
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO meeting_participants (meeting_id, user_id, role, delegate_number, status, invited_at) VALUES (?, ?, ?, ?, ?, ?)`,
					m.ID, userIDs[i], role, fmt.Sprint(10000+i), meeting.AnswerInvited, now); err != nil {
					return fmt.Errorf("participant: %w", err)
				}
			}
			return tx.Audit(ctx, "bench.invite", "meeting", m.ID, map[string]int{"from": lo, "to": min(lo+batch, v+1) - 1})
		})
		if err != nil {
			return "", "", nil, err
		}
	}
	return m.ID, tokens[0], tokens[1:], nil
}

// benchAPI is a bearer-token JSON client.
type benchAPI struct {
	base string
	c    *http.Client
}

// transportError is a request that got no answer: the caller may retry it.
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }

func (a *benchAPI) call(token, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := a.c.Do(req)
	if err != nil {
		return 0, &transportError{err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, &transportError{err}
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: status %d: %.300s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

func (a *benchAPI) do(token, method, path string, body any, want int, out any) error {
	st, err := a.call(token, method, path, body, out)
	if err != nil {
		return err
	}
	if st != want {
		return fmt.Errorf("%s %s: status %d, want %d", method, path, st, want)
	}
	return nil
}

func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// percentiles returns p50, p99 and the maximum of lat in milliseconds (lat is sorted).
func percentiles(lat []time.Duration) (p50, p99, mx float64) {
	if len(lat) == 0 {
		return 0, 0, 0
	}
	slices.Sort(lat)
	at := func(p float64) float64 { return msOf(lat[min(len(lat)-1, int(p*float64(len(lat))))]) }
	return at(0.50), at(0.99), msOf(lat[len(lat)-1])
}

type verifiableConfig struct {
	Voters, Candidates, Seats int
	Trustees, Threshold       int
	RefSamples                int
	Record                    string
}

// verifiableResult holds the verifiable pipeline's figures (JSON names of the last line).
type verifiableResult struct {
	CeremonyMs            float64 `json:"ceremony_ms"`
	EncryptMsPerBallot    float64 `json:"encrypt_ms_per_ballot"`
	EncryptSec            float64 `json:"encrypt_s"`
	CastSec               float64 `json:"cast_s"`
	CastPerS              float64 `json:"cast_per_s"`
	ProofCheckMsPerBallot float64 `json:"proof_check_ms_per_ballot"`
	ProofCheckMsPerOption float64 `json:"proof_check_ms_per_option"`
	TallyMs               float64 `json:"tally_ms"`
	DecryptMs             float64 `json:"decrypt_ms"`
	RecordMs              float64 `json:"record_ms"`
	RecordBytes           int     `json:"record_bytes"`
	VerifyRecordMs        float64 `json:"verify_record_ms"`
	VerifyRecordCPUMs     float64 `json:"verify_record_cpu_ms"` // process CPU time of it, all threads (Linux; 0 elsewhere)
	ParallelCheckPerS     float64 `json:"parallel_check_ballots_per_s"`
	EndToEndSec           float64 `json:"end_to_end_s"`
	Acked                 int     `json:"acknowledged"`
	Counted               int     `json:"counted"`
	Lost                  int     `json:"lost"`
	Mismatches            int     `json:"count_mismatches"`
	Elected               int     `json:"elected"`
	RecordOK              bool    `json:"record_ok"`
}

// benchVoteVerifiable runs the verifiable election in this process with the public API
// of internal/vote/e2e, timing each step, then the 4096-bit reference.
func benchVoteVerifiable(stdout, stderr io.Writer, c verifiableConfig) error {
	var r verifiableResult
	start := time.Now()
	m := &e2e.Manifest{ElectionID: "bench-" + web.RandomToken(4), Title: "Bầu Ban Chấp hành (bench)", MaxSelections: c.Seats,
		Trustees: c.Trustees, Threshold: c.Threshold, Rule: e2e.Rule{Name: e2e.RuleMajorityOfBase, Base: e2e.BaseConvened, Convened: c.Voters}}
	for j := range c.Candidates {
		m.Candidates = append(m.Candidates, e2e.Candidate{ID: fmt.Sprintf("c%d", j+1), Name: fmt.Sprintf("Nguyễn Văn Ứng Cử %d", j+1)})
	}
	t0 := time.Now()
	setup, secrets, err := e2e.Ceremony(rand.Reader, m)
	if err != nil {
		return fmt.Errorf("key ceremony: %w", err)
	}
	r.CeremonyMs = msOf(time.Since(t0))

	// The voters' devices encrypt in parallel, as they would in the hall.
	fmt.Fprintf(stderr, "bench vote: encrypting %d ballots of %d options…\n", c.Voters, c.Candidates)
	ballots := make([]*e2e.Ballot, c.Voters)
	errs := make([]error, c.Voters)
	want := make([]int, c.Candidates)
	t0 = time.Now()
	benchParallel(c.Voters, func(i int) {
		rng := mrand.New(mrand.NewPCG(uint64(i), 6))
		votes := make([]bool, c.Candidates)
		for _, j := range rng.Perm(c.Candidates)[:c.Seats] {
			votes[j] = true
		}
		ballots[i], _, errs[i] = e2e.Encrypt(rand.Reader, setup.P, setup.Q, c.Seats, votes)
	})
	r.EncryptSec = time.Since(t0).Seconds()
	r.EncryptMsPerBallot = r.EncryptSec * 1000 / float64(c.Voters)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("encrypt: %w", err)
	}
	for i := range c.Voters {
		rng := mrand.New(mrand.NewPCG(uint64(i), 6))
		for _, j := range rng.Perm(c.Candidates)[:c.Seats] {
			want[j]++
		}
	}

	// The board takes ballots one after the other, checking every proof of each.
	board := e2e.NewBoard(setup)
	t0 = time.Now()
	for i, b := range ballots {
		if _, err := board.Cast(b); err != nil {
			return fmt.Errorf("cast ballot %d: %w", i, err)
		}
		r.Acked++
	}
	r.CastSec = time.Since(t0).Seconds()
	r.CastPerS = float64(r.Acked) / r.CastSec

	// Proof checking alone, one goroutine, over a sample: per option and per ballot.
	sample := min(c.Voters, max(1, 600/c.Candidates), 20)
	t0 = time.Now()
	for i := range sample {
		for j, s := range ballots[i].Selections {
			if !e2e.VerifyRange(setup.P, setup.Q, e2e.OptionContext(j), 1, s.Alpha, s.Beta, s.Proof) {
				return fmt.Errorf("ballot %d option %d: proof does not verify", i, j)
			}
		}
	}
	r.ProofCheckMsPerOption = msOf(time.Since(t0)) / float64(sample*c.Candidates)
	t0 = time.Now()
	for i := range sample {
		if err := e2e.VerifyBallot(setup.P, setup.Q, c.Candidates, c.Seats, ballots[i]); err != nil {
			return fmt.Errorf("ballot %d: %w", i, err)
		}
	}
	r.ProofCheckMsPerBallot = msOf(time.Since(t0)) / float64(sample)
	// What a server checking ballots on every core could take (Board.Cast is sequential).
	psample := min(c.Voters, 200)
	t0 = time.Now()
	benchParallel(psample, func(i int) {
		errs[i] = e2e.VerifyBallot(setup.P, setup.Q, c.Candidates, c.Seats, ballots[i])
	})
	r.ParallelCheckPerS = float64(psample) / time.Since(t0).Seconds()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("parallel check: %w", err)
	}

	t0 = time.Now()
	tally := board.Tally()
	r.TallyMs = msOf(time.Since(t0))

	t0 = time.Now()
	var shares []*e2e.DecryptionShare
	for mi := 1; mi <= c.Threshold; mi++ {
		s, err := e2e.Decrypt(rand.Reader, setup.Q, mi, secrets[mi-1], tally)
		if err != nil {
			return fmt.Errorf("decrypt (trustee %d): %w", mi, err)
		}
		shares = append(shares, s)
	}
	counts, outcome, err := board.Result(tally, shares)
	if err != nil {
		return fmt.Errorf("result: %w", err)
	}
	r.DecryptMs = msOf(time.Since(t0))
	r.Counted = board.Ballots()
	r.Lost = max(0, r.Acked-r.Counted)
	r.Elected = len(outcome.Elected)
	for j := range want {
		if counts[j] != want[j] {
			r.Mismatches++
		}
	}

	t0 = time.Now()
	data, err := board.Record(tally, shares, counts, outcome).Marshal()
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	if c.Record != "" {
		if err := os.WriteFile(c.Record, data, 0o644); err != nil {
			return err
		}
	}
	r.RecordMs, r.RecordBytes = msOf(time.Since(t0)), len(data)

	// The verifier starts from the record's bytes, as `dais verify-election` does.
	t0 = time.Now()
	cpu0 := cpuSeconds()
	parsed, err := e2e.ParseRecord(data)
	if err != nil {
		return fmt.Errorf("parse the record: %w", err)
	}
	rep := e2e.Verify(parsed, e2e.Options{})
	r.VerifyRecordMs = msOf(time.Since(t0))
	if cpu0 > 0 {
		r.VerifyRecordCPUMs = (cpuSeconds() - cpu0) * 1000
	}
	r.RecordOK = rep.OK
	r.EndToEndSec = time.Since(start).Seconds()

	fmt.Fprintf(stderr, "bench vote: the 4096-bit reference over %d options…\n", c.RefSamples)
	ref, err := e2e.RefBench(rand.Reader, c.RefSamples)
	if err != nil {
		return fmt.Errorf("reference: %w", err)
	}

	fmt.Fprintf(stdout, "dais bench vote (verifiable, IN-PROCESS: the server does not take verifiable ballots yet, so cast/s is the bulletin board's, not the server's): "+
		"%d voters, %d candidates, %d seats, %d-of-%d trustees; %d CPUs, %s/%s, %s\n\n",
		c.Voters, c.Candidates, c.Seats, c.Threshold, c.Trustees, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	row := func(step, fig, note string) { fmt.Fprintf(tw, "%s\t%s\t%s\n", step, fig, note) }
	row("step", "figure", "")
	row("key ceremony", fmt.Sprintf("%.1f ms", r.CeremonyMs), fmt.Sprintf("%d trustees deal, every share checked", c.Trustees))
	row("encrypt (parallel)", fmt.Sprintf("%.2f s", r.EncryptSec), fmt.Sprintf("%.2f ms/ballot on %d goroutines", r.EncryptMsPerBallot, runtime.GOMAXPROCS(0)))
	row("cast on the board", fmt.Sprintf("%.0f ballots/s", r.CastPerS), fmt.Sprintf("%.2f s; every proof checked, one goroutine", r.CastSec))
	row("proof check, all cores", fmt.Sprintf("%.0f ballots/s", r.ParallelCheckPerS), fmt.Sprintf("VerifyBallot on %d goroutines: what a server could take", runtime.GOMAXPROCS(0)))
	row("proof check / ballot", fmt.Sprintf("%.3f ms", r.ProofCheckMsPerBallot), fmt.Sprintf("%d option proofs + the sum proof", c.Candidates))
	row("proof check / option", fmt.Sprintf("%.4f ms", r.ProofCheckMsPerOption), fmt.Sprintf("target ≤ 0.3 ms; 4096-bit reference %.3f ms (%.0f×)", ref.ProofCheckMsPerOption, ref.ProofCheckMsPerOption/max(r.ProofCheckMsPerOption, 1e-9)))
	row("tally", fmt.Sprintf("%.1f ms", r.TallyMs), "homomorphic sum")
	row("threshold decryption", fmt.Sprintf("%.1f ms", r.DecryptMs), fmt.Sprintf("%d shares with proofs, checked, combined, discrete logs", c.Threshold))
	row("record", fmt.Sprintf("%.1f ms", r.RecordMs), fmt.Sprintf("%d bytes%s", r.RecordBytes, map[bool]string{true: ", written to " + c.Record}[c.Record != ""]))
	row("verify the record", fmt.Sprintf("%.0f ms", r.VerifyRecordMs), fmt.Sprintf("ok=%v, all checks of ELECTION.md §7; CPU %.0f ms (all threads)", r.RecordOK, r.VerifyRecordCPUMs))
	row("end to end", fmt.Sprintf("%.2f s", r.EndToEndSec), "ceremony to verified record (reference excluded)")
	row("reference encrypt / option", fmt.Sprintf("%.3f ms", ref.EncryptMsPerOption), "ElectionGuard 4096-bit group, math/big")
	row("reference share check", fmt.Sprintf("%.3f ms", ref.ShareCheckMs), "")
	row("lost", fmt.Sprintf("%d", r.Lost), fmt.Sprintf("%d acknowledged, %d counted, %d counts wrong, %d elected", r.Acked, r.Counted, r.Mismatches, r.Elected))
	tw.Flush()

	out := map[string]any{"bench": "vote", "mode": "verifiable", "through_server": false, "voters": c.Voters, "candidates": c.Candidates,
		"seats": c.Seats, "trustees": c.Trustees, "threshold": c.Threshold, "cpus": runtime.NumCPU()}
	for _, v := range []any{r, ref} {
		b, _ := json.Marshal(v)
		if err := json.Unmarshal(b, &out); err != nil {
			return err
		}
	}
	line, _ := json.Marshal(out)
	fmt.Fprintln(stdout, string(line))
	if !rep.OK {
		f := rep.FirstFailure()
		return fmt.Errorf("bench vote: the record fails %s: %s", f.Name, f.Detail)
	}
	if r.Lost != 0 || r.Mismatches != 0 {
		return fmt.Errorf("bench vote: %d ballots lost, %d candidates counted wrong", r.Lost, r.Mismatches)
	}
	return nil
}

// cpuSeconds is this process's CPU time (user + system, all threads) from
// /proc/self/stat, or 0 where there is none: on a shared machine the wall time of a
// parallel step says little, its CPU time says how much work it was.
func cpuSeconds() float64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3 (state): utime and stime are fields 14 and 15
	if len(f) < 13 {
		return 0
	}
	ut, err1 := strconv.ParseFloat(f[11], 64)
	st, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return (ut + st) / 100 // USER_HZ is 100 on Linux
}

// benchParallel runs f(0…n-1) on GOMAXPROCS goroutines.
func benchParallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
