package e2e

import (
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
)

// The checks of ELECTION.md §7, in the order Verify runs and reports them.
const (
	CheckVersion      = "version"
	CheckManifest     = "manifest"
	CheckManifestHash = "manifest_hash"
	CheckTrustees     = "trustees"
	CheckEncodings    = "encodings"
	CheckKeygen       = "keygen_proofs"
	CheckJointKey     = "joint_key"
	CheckBaseHash     = "base_hash"
	CheckBallots      = "ballot_proofs"
	CheckCodes        = "tracking_codes"
	CheckCopies       = "no_copied_ballots"
	CheckSpoiled      = "spoiled_ballots"
	CheckTally        = "tally"
	CheckShares       = "decryption_shares"
	CheckCounts       = "counts"
	CheckOutcome      = "elected_runoff"
)

// CheckNames lists every check with its item number in ELECTION.md §7.
var CheckNames = []struct {
	Name string
	Item int
}{
	{CheckVersion, 1}, {CheckManifest, 1}, {CheckManifestHash, 1}, {CheckTrustees, 1}, {CheckEncodings, 1},
	{CheckKeygen, 2}, {CheckJointKey, 2}, {CheckBaseHash, 2},
	{CheckBallots, 3}, {CheckCodes, 3}, {CheckCopies, 3},
	{CheckSpoiled, 4}, {CheckTally, 5}, {CheckShares, 6}, {CheckCounts, 6}, {CheckOutcome, 7},
}

// Status of a check.
const (
	StatusOK      = "ok"
	StatusFailed  = "FAILED"
	StatusSkipped = "skipped" // an earlier failure left nothing sound to check
)

// Check is one named verification with its outcome; Detail names the first failing
// element (ballot, option, trustee…) or, when it passed, what was checked.
type Check struct {
	Name   string `json:"name"`
	Item   int    `json:"item"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// Report is the outcome of Verify. OK only when every check passed.
type Report struct {
	OK      bool    `json:"ok"`
	Checks  []Check `json:"checks"`
	Ballots int     `json:"ballots"`
	Spoiled int     `json:"spoiled"`
	Counts  []int   `json:"counts,omitempty"`
}

// FirstFailure returns the first check that did not pass, or nil.
func (r *Report) FirstFailure() *Check {
	for i := range r.Checks {
		if r.Checks[i].Status != StatusOK {
			return &r.Checks[i]
		}
	}
	return nil
}

// Status returns the status of the named check ("" if absent).
func (r *Report) Status(name string) string {
	for _, c := range r.Checks {
		if c.Name == name {
			return c.Status
		}
	}
	return ""
}

// Options tune Verify.
type Options struct {
	Workers int // goroutines checking ballots; 0 → GOMAXPROCS
}

// decoded is the record with every encoding checked and turned into group elements.
type decoded struct {
	manifest *Manifest
	mhash    [32]byte
	trustees []*TrusteePublic
	P        *Point
	Q        [32]byte
	ballots  []*Ballot
	codes    [][32]byte
	spoiled  []*Spoiled
	tally    *Tally
	shares   []*DecryptionShare
}

type reporter struct {
	r      *Report
	failed bool
}

func (rp *reporter) add(name string, err error, okDetail string) bool {
	item := 0
	for _, c := range CheckNames {
		if c.Name == name {
			item = c.Item
		}
	}
	c := Check{Name: name, Item: item, Status: StatusOK, Detail: okDetail}
	if err != nil {
		c.Status, c.Detail = StatusFailed, err.Error()
		rp.failed = true
	}
	rp.r.Checks = append(rp.r.Checks, c)
	return err == nil
}

func (rp *reporter) skipRest() {
	for _, c := range CheckNames {
		if !slices.ContainsFunc(rp.r.Checks, func(x Check) bool { return x.Name == c.Name }) {
			rp.r.Checks = append(rp.r.Checks, Check{Name: c.Name, Item: c.Item, Status: StatusSkipped})
		}
	}
}

// Verify checks a record as ELECTION.md §7 says, item by item, and reports each check.
// It trusts nothing in the record: every proof is recomputed.
func Verify(rec *Record, opt Options) *Report {
	rep := &Report{Ballots: len(rec.Ballots), Spoiled: len(rec.Spoiled)}
	rp := &reporter{r: rep}
	defer func() { rep.OK = !rp.failed && rep.FirstFailure() == nil }()
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}

	// 1. version, manifest, manifest_hash, trustees' shape, encodings.
	var verr error
	if rec.Version != RecordVersion {
		verr = fmt.Errorf("version %q, want %q", rec.Version, RecordVersion)
	}
	rp.add(CheckVersion, verr, RecordVersion)
	m, err := ParseManifest(rec.Manifest)
	if !rp.add(CheckManifest, err, "") {
		rp.skipRest()
		return rep
	}
	rep.Checks[len(rep.Checks)-1].Detail = fmt.Sprintf("N=%d K=%d trustees=%d threshold=%d", m.N(), m.MaxSelections, m.Trustees, m.Threshold)
	d := &decoded{manifest: m}
	d.mhash, _ = ManifestHash(rec.Manifest)
	var herr error
	if got, err := ParseHash(rec.ManifestHash); err != nil {
		herr = fmt.Errorf("manifest_hash: %w", err)
	} else if got != d.mhash {
		herr = fmt.Errorf("manifest_hash is not SHA-256 of the JCS manifest (%x)", d.mhash)
	}
	rp.add(CheckManifestHash, herr, "")
	if !rp.add(CheckTrustees, checkTrusteeShape(rec, m), fmt.Sprintf("%d trustees, %d commitments each", m.Trustees, m.Threshold)) {
		rp.skipRest()
		return rep
	}
	if !rp.add(CheckEncodings, d.decode(rec, workers), "every point and scalar canonical") {
		rp.skipRest()
		return rep
	}
	N, K := m.N(), m.MaxSelections

	// 2. keygen proofs, joint key, base hash.
	rp.add(CheckKeygen, func() error {
		for _, t := range d.trustees {
			for j, C := range t.Commitments {
				if !VerifyKeygen(d.mhash, t.Index, j, C, t.Proofs[j]) {
					return fmt.Errorf("trustee %d, commitment %d: keygen proof invalid", t.Index, j)
				}
			}
		}
		return nil
	}(), fmt.Sprintf("%d proofs", m.Trustees*m.Threshold))
	var jerr error
	if JointKey(d.trustees).Equal(d.P) != 1 {
		jerr = errors.New("joint_key is not the sum of the trustees' C_i0")
	}
	rp.add(CheckJointKey, jerr, "")
	var berr error
	if BaseHash(d.mhash, d.P, d.trustees) != d.Q {
		berr = errors.New("base_hash is not Hb(\"dais/base\", manifest_hash, P, C_10 …)")
	}
	rp.add(CheckBaseHash, berr, "")

	// 3. cast ballots: proofs (in parallel), tracking-code chain, copies.
	errs := make([]error, len(d.ballots))
	parallel(len(d.ballots), workers, func(i int) {
		errs[i] = VerifyBallot(d.P, d.Q, N, K, d.ballots[i])
	})
	var perr error
	for i, e := range errs {
		if e != nil {
			perr = fmt.Errorf("ballot %d: %w", i+1, e)
			break
		}
	}
	rp.add(CheckBallots, perr, fmt.Sprintf("%d ballots, %d option proofs, %d sum proofs", len(d.ballots), len(d.ballots)*N, len(d.ballots)))
	var cerr error
	code := ChainStart(d.Q)
	for i, rb := range rec.Ballots {
		code = trackingCodeHex(code, rb.Selections)
		if code != d.codes[i] {
			cerr = fmt.Errorf("ballot %d: tracking code does not follow the chain", i+1)
			break
		}
	}
	rp.add(CheckCodes, cerr, "")
	rp.add(CheckCopies, checkCopies(rec), "")

	// 4. spoiled ballots.
	rp.add(CheckSpoiled, func() error {
		cast := map[string]bool{}
		for _, b := range rec.Ballots {
			for _, s := range b.Selections {
				cast[s.Alpha] = true
			}
		}
		for i, sp := range d.spoiled {
			if err := VerifySpoiled(d.P, d.Q, N, K, sp); err != nil {
				return fmt.Errorf("spoiled ballot %d: %w", i+1, err)
			}
			for j, s := range rec.Spoiled[i].Selections {
				if cast[s.Alpha] {
					return fmt.Errorf("spoiled ballot %d, option %d: alpha also in a cast ballot", i+1, j)
				}
			}
		}
		return nil
	}(), fmt.Sprintf("%d spoiled ballots", len(d.spoiled)))

	// 5. tally.
	sum := NewTally(N)
	for _, b := range d.ballots {
		sum.Add(b)
	}
	rp.add(CheckTally, func() error {
		for j := 0; j < N; j++ {
			if sum.A[j].Equal(d.tally.A[j]) != 1 {
				return fmt.Errorf("option %d: tally alpha is not the sum of the cast ballots", j)
			}
			if sum.B[j].Equal(d.tally.B[j]) != 1 {
				return fmt.Errorf("option %d: tally beta is not the sum of the cast ballots", j)
			}
		}
		return nil
	}(), "")

	// 6. decryption shares, counts.
	shareErr := d.checkShares(workers)
	rp.add(CheckShares, shareErr, fmt.Sprintf("%d shares", len(d.shares)))
	var counts []int
	if shareErr != nil {
		rp.add(CheckCounts, errors.New("no valid set of shares to check the counts against"), "")
	} else {
		err := func() error {
			if len(rec.Counts) != N {
				return fmt.Errorf("%d counts, want %d", len(rec.Counts), N)
			}
			M := Combine(d.shares, N)
			for j, T := range rec.Counts {
				if T < 0 || T > len(d.ballots) {
					return fmt.Errorf("option %d: count %d not in 0…%d", j, T, len(d.ballots))
				}
				want := NewPoint().Subtract(d.tally.B[j], M[j])
				if BaseMul(ScalarFromUint64(uint64(T))).Equal(want) != 1 {
					return fmt.Errorf("option %d: count %d is not the decryption (T·G ≠ B − M)", j, T)
				}
			}
			counts = rec.Counts
			return nil
		}()
		rp.add(CheckCounts, err, "")
	}
	rep.Counts = rec.Counts

	// 7. elected and runoff.
	if counts == nil {
		rp.add(CheckOutcome, errors.New("counts not established"), "")
	} else {
		want := Apply(m, counts, len(d.ballots))
		var oerr error
		if !sameSet(want.Elected, rec.Elected) {
			oerr = fmt.Errorf("elected %q, the rule gives %q", rec.Elected, want.Elected)
		} else if !sameSet(want.Runoff, rec.Runoff) {
			oerr = fmt.Errorf("runoff %q, the rule gives %q", rec.Runoff, want.Runoff)
		}
		rp.add(CheckOutcome, oerr, fmt.Sprintf("%d elected, %d in runoff", len(want.Elected), len(want.Runoff)))
	}
	return rep
}

// sameSet compares two lists of candidate ids ignoring order (ELECTION.md does not fix
// the order; Dais writes them ranked). Duplicates count.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

func checkTrusteeShape(rec *Record, m *Manifest) error {
	if len(rec.Trustees) != m.Trustees {
		return fmt.Errorf("%d trustees, the manifest says %d", len(rec.Trustees), m.Trustees)
	}
	for i, t := range rec.Trustees {
		if t.Index != i+1 {
			return fmt.Errorf("trustee %d has index %d (want index order 1…n)", i+1, t.Index)
		}
		if len(t.Commitments) != m.Threshold || len(t.Proofs) != m.Threshold {
			return fmt.Errorf("trustee %d: %d commitments and %d proofs, want %d", t.Index, len(t.Commitments), len(t.Proofs), m.Threshold)
		}
	}
	return nil
}

// decode checks every encoding of the record and fills d.
func (d *decoded) decode(rec *Record, workers int) error {
	m := d.manifest
	N, K := m.N(), m.MaxSelections
	for _, t := range rec.Trustees {
		tp := &TrusteePublic{Index: t.Index}
		for j := range t.Commitments {
			C, err := ParsePoint(t.Commitments[j])
			if err != nil {
				return fmt.Errorf("trustee %d, commitment %d: %w", t.Index, j, err)
			}
			if isIdentity(C) {
				return fmt.Errorf("trustee %d, commitment %d: the identity", t.Index, j)
			}
			p, err := decodeProof(t.Proofs[j])
			if err != nil {
				return fmt.Errorf("trustee %d, proof %d: %w", t.Index, j, err)
			}
			tp.Commitments = append(tp.Commitments, C)
			tp.Proofs = append(tp.Proofs, p)
		}
		d.trustees = append(d.trustees, tp)
	}
	var err error
	if d.P, err = ParsePoint(rec.JointKey); err != nil {
		return fmt.Errorf("joint_key: %w", err)
	}
	if isIdentity(d.P) {
		return errors.New("joint_key: the identity")
	}
	if d.Q, err = ParseHash(rec.BaseHash); err != nil {
		return fmt.Errorf("base_hash: %w", err)
	}
	d.ballots = make([]*Ballot, len(rec.Ballots))
	d.codes = make([][32]byte, len(rec.Ballots))
	errs := make([]error, len(rec.Ballots))
	parallel(len(rec.Ballots), workers, func(i int) {
		rb := &rec.Ballots[i]
		if d.codes[i], errs[i] = ParseHash(rb.Code); errs[i] != nil {
			errs[i] = fmt.Errorf("code: %w", errs[i])
			return
		}
		d.ballots[i], errs[i] = DecodeBallot(rb, N, K)
	})
	for i, e := range errs {
		if e != nil {
			return fmt.Errorf("ballot %d: %w", i+1, e)
		}
	}
	for i, rs := range rec.Spoiled {
		sp := &Spoiled{}
		if sp.Fingerprint, err = ParseHash(rs.Fingerprint); err != nil {
			return fmt.Errorf("spoiled ballot %d fingerprint: %w", i+1, err)
		}
		for j, s := range rs.Selections {
			var ss SpoiledSelection
			if ss.Alpha, err = ParsePoint(s.Alpha); err != nil {
				return fmt.Errorf("spoiled ballot %d, option %d alpha: %w", i+1, j, err)
			}
			if ss.Beta, err = ParsePoint(s.Beta); err != nil {
				return fmt.Errorf("spoiled ballot %d, option %d beta: %w", i+1, j, err)
			}
			if ss.R, err = ParseScalar(s.R); err != nil {
				return fmt.Errorf("spoiled ballot %d, option %d r: %w", i+1, j, err)
			}
			ss.V = s.V
			sp.Selections = append(sp.Selections, ss)
		}
		d.spoiled = append(d.spoiled, sp)
	}
	if len(rec.Tally.Alpha) != N || len(rec.Tally.Beta) != N {
		return fmt.Errorf("tally: %d alpha and %d beta, want %d", len(rec.Tally.Alpha), len(rec.Tally.Beta), N)
	}
	d.tally = &Tally{A: make([]*Point, N), B: make([]*Point, N)}
	for j := 0; j < N; j++ {
		if d.tally.A[j], err = ParsePoint(rec.Tally.Alpha[j]); err != nil {
			return fmt.Errorf("tally alpha %d: %w", j, err)
		}
		if d.tally.B[j], err = ParsePoint(rec.Tally.Beta[j]); err != nil {
			return fmt.Errorf("tally beta %d: %w", j, err)
		}
	}
	for i, rs := range rec.Shares {
		if len(rs.M) != N || len(rs.Proofs) != N {
			return fmt.Errorf("share %d (trustee %d): %d M and %d proofs, want %d", i+1, rs.Index, len(rs.M), len(rs.Proofs), N)
		}
		ds := &DecryptionShare{Index: rs.Index}
		for j := 0; j < N; j++ {
			M, err := ParsePoint(rs.M[j])
			if err != nil {
				return fmt.Errorf("share of trustee %d, M %d: %w", rs.Index, j, err)
			}
			p, err := decodeProof(rs.Proofs[j])
			if err != nil {
				return fmt.Errorf("share of trustee %d, proof %d: %w", rs.Index, j, err)
			}
			ds.M = append(ds.M, M)
			ds.Proofs = append(ds.Proofs, p)
		}
		d.shares = append(d.shares, ds)
	}
	return nil
}

func (d *decoded) checkShares(workers int) error {
	m := d.manifest
	if len(d.shares) < m.Threshold {
		return fmt.Errorf("%d shares, at least %d needed", len(d.shares), m.Threshold)
	}
	seen := map[int]bool{}
	for _, s := range d.shares {
		if s.Index < 1 || s.Index > m.Trustees {
			return fmt.Errorf("share index %d not in 1…%d", s.Index, m.Trustees)
		}
		if seen[s.Index] {
			return fmt.Errorf("two shares from trustee %d", s.Index)
		}
		seen[s.Index] = true
	}
	type job struct{ s, j int }
	var jobs []job
	pm := make([]*Point, len(d.shares))
	for i, s := range d.shares {
		pm[i] = PublicShare(d.trustees, s.Index)
		for j := range s.M {
			jobs = append(jobs, job{i, j})
		}
	}
	bad := make([]bool, len(jobs))
	parallel(len(jobs), workers, func(k int) {
		jb := jobs[k]
		s := d.shares[jb.s]
		bad[k] = !VerifyShareProof(d.Q, s.Index, jb.j, pm[jb.s], d.tally.A[jb.j], s.M[jb.j], s.Proofs[jb.j])
	})
	for k, b := range bad {
		if b {
			return fmt.Errorf("trustee %d, option %d: share proof invalid", d.shares[jobs[k].s].Index, jobs[k].j)
		}
	}
	return nil
}

// checkCopies refuses an alpha that appears twice among cast and spoiled selections.
func checkCopies(rec *Record) error {
	seen := map[string]string{}
	for i, b := range rec.Ballots {
		for j, s := range b.Selections {
			where := fmt.Sprintf("ballot %d, option %d", i+1, j)
			if prev, ok := seen[s.Alpha]; ok {
				return fmt.Errorf("%s: alpha already in %s", where, prev)
			}
			seen[s.Alpha] = where
		}
	}
	for i, b := range rec.Spoiled {
		for j, s := range b.Selections {
			where := fmt.Sprintf("spoiled ballot %d, option %d", i+1, j)
			if prev, ok := seen[s.Alpha]; ok {
				return fmt.Errorf("%s: alpha already in %s", where, prev)
			}
			seen[s.Alpha] = where
		}
	}
	return nil
}

// trackingCodeHex chains a code over a ballot's selections as the record holds them
// (already checked to be canonical hex), avoiding re-encoding points.
func trackingCodeHex(prev [32]byte, sels []RecordSelection) [32]byte {
	parts := make([][]byte, 0, 1+2*len(sels))
	parts = append(parts, prev[:])
	for _, s := range sels {
		a, _ := hex.DecodeString(s.Alpha)
		b, _ := hex.DecodeString(s.Beta)
		parts = append(parts, a, b)
	}
	return Hb("dais/ballot", parts...)
}

// parallel runs f(0…n-1) on up to workers goroutines (0: GOMAXPROCS).
func parallel(n, workers int, f func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}
