package e2e

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// BenchConfig is the size of a benchmark election: V voters, N candidates, K seats.
type BenchConfig struct {
	Voters, Candidates, Seats int
	Trustees, Threshold       int // 0 → 3 and 2
	Workers                   int // verification goroutines; 0 → GOMAXPROCS
}

// BenchResult holds the figures `dais bench vote` reports for the verifiable mode.
type BenchResult struct {
	Voters, Candidates, Seats int
	EncryptMsPerBallot        float64 `json:"encrypt_ms_per_ballot"`     // wall time / V, Workers goroutines
	ProofCheckMsPerOption     float64 `json:"proof_check_ms_per_option"` // one option's 0/1 proof
	ProofCheckMsPerBallot     float64 `json:"proof_check_ms_per_ballot"` // N option proofs + the sum proof
	TallyMs                   float64 `json:"tally_ms"`                  // homomorphic sum of V ballots
	DecryptMs                 float64 `json:"decrypt_ms"`                // t shares with proofs, combination, dlog
	VerifyRecordMs            float64 `json:"verify_record_ms"`          // Verify of the whole record
	VerifyRecordCPUMs         float64 `json:"verify_record_cpu_ms"`      // CPU time of it, all threads: the work, whatever the load
	RecordBytes               int     `json:"record_bytes"`
	OK                        bool    `json:"ok"`
	Record                    *Record `json:"-"`
}

// BenchElection runs a whole verifiable election in memory and times each step. Voter i
// keeps K candidates chosen deterministically from i. rand supplies all randomness.
func BenchElection(rand io.Reader, c BenchConfig) (*BenchResult, error) {
	if c.Trustees == 0 {
		c.Trustees, c.Threshold = 3, 2
	}
	m := &Manifest{ElectionID: "bench", Title: "Bench", MaxSelections: c.Seats, Trustees: c.Trustees, Threshold: c.Threshold,
		Rule: Rule{Name: RuleMajorityOfBase, Base: BaseCast}}
	for j := 0; j < c.Candidates; j++ {
		m.Candidates = append(m.Candidates, Candidate{ID: fmt.Sprintf("c%d", j+1), Name: fmt.Sprintf("Candidate %d", j+1)})
	}
	setup, secrets, err := Ceremony(rand, m)
	if err != nil {
		return nil, err
	}
	res := &BenchResult{Voters: c.Voters, Candidates: c.Candidates, Seats: c.Seats}
	ballots := make([]*Ballot, c.Voters)
	errs := make([]error, c.Voters)
	lr := &lockedReader{r: rand}
	t0 := time.Now()
	// The voters' devices encrypt in parallel, as they would in the hall.
	parallel(c.Voters, c.Workers, func(i int) {
		votes := make([]bool, c.Candidates)
		for k := 0; k < c.Seats; k++ {
			votes[(i*7+k*k+k)%c.Candidates] = true
		}
		ballots[i], _, errs[i] = Encrypt(lr, setup.P, setup.Q, c.Seats, votes)
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	res.EncryptMsPerBallot = ms(time.Since(t0)) / float64(max(1, c.Voters))

	// Proof checking, one goroutine: options and whole ballots over a sample.
	sample := min(c.Voters, 20)
	t0 = time.Now()
	for i := 0; i < sample; i++ {
		for j, s := range ballots[i].Selections {
			if !VerifyRange(setup.P, setup.Q, OptionContext(j), 1, s.Alpha, s.Beta, s.Proof) {
				return nil, fmt.Errorf("bench: ballot %d option %d does not verify", i, j)
			}
		}
	}
	res.ProofCheckMsPerOption = ms(time.Since(t0)) / float64(max(1, sample*c.Candidates))
	t0 = time.Now()
	for i := 0; i < sample; i++ {
		if err := VerifyBallot(setup.P, setup.Q, c.Candidates, c.Seats, ballots[i]); err != nil {
			return nil, err
		}
	}
	res.ProofCheckMsPerBallot = ms(time.Since(t0)) / float64(max(1, sample))

	board := NewBoard(setup)
	for _, b := range ballots {
		board.ballots = append(board.ballots, b)
		board.last = TrackingCode(board.last, b)
		board.codes = append(board.codes, board.last)
	}
	t0 = time.Now()
	tally := board.Tally()
	res.TallyMs = ms(time.Since(t0))

	t0 = time.Now()
	var shares []*DecryptionShare
	for mi := 1; mi <= c.Threshold; mi++ {
		s, err := Decrypt(rand, setup.Q, mi, secrets[mi-1], tally)
		if err != nil {
			return nil, err
		}
		shares = append(shares, s)
	}
	counts, out, err := board.Result(tally, shares)
	if err != nil {
		return nil, err
	}
	res.DecryptMs = ms(time.Since(t0))

	rec := board.Record(tally, shares, counts, out)
	data, err := rec.Marshal()
	if err != nil {
		return nil, err
	}
	res.RecordBytes = len(data)
	t0 = time.Now()
	cpu0 := processCPU()
	parsed, err := ParseRecord(data)
	if err != nil {
		return nil, err
	}
	rep := Verify(parsed, Options{Workers: c.Workers})
	res.VerifyRecordMs = ms(time.Since(t0))
	res.VerifyRecordCPUMs = processCPU() - cpu0
	res.OK = rep.OK
	res.Record = rec
	if !rep.OK {
		f := rep.FirstFailure()
		return res, fmt.Errorf("bench: record fails %s: %s", f.Name, f.Detail)
	}
	return res, nil
}

// lockedReader lets goroutines share one randomness source.
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
