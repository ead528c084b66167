package e2e

import (
	"io"
	"sort"
)

// Tally is the homomorphic sum of the cast ballots: A_j = Σ α_j, B_j = Σ β_j.
type Tally struct {
	A, B []*Point
}

// NewTally returns the empty tally of N options (identities).
func NewTally(n int) *Tally {
	t := &Tally{A: make([]*Point, n), B: make([]*Point, n)}
	for j := range t.A {
		t.A[j], t.B[j] = Identity(), Identity()
	}
	return t
}

// Add adds a cast ballot to the tally.
func (t *Tally) Add(b *Ballot) {
	for j, s := range b.Selections {
		t.A[j].Add(t.A[j], s.Alpha)
		t.B[j].Add(t.B[j], s.Beta)
	}
}

// DecryptionShare is trustee m's partial decryption M_mj = s_m·A_j of every option, with
// a Chaum–Pedersen proof for each.
type DecryptionShare struct {
	Index  int
	M      []*Point
	Proofs []Proof
}

// Decrypt computes trustee m's share of the tally with its secret s_m. For each option,
// one nonce is drawn from rand.
func Decrypt(rand io.Reader, Q [32]byte, m int, sm *Scalar, t *Tally) (*DecryptionShare, error) {
	ds := &DecryptionShare{Index: m}
	for j, A := range t.A {
		M := NewPoint().ScalarMult(sm, A)
		w, err := RandomScalar(rand)
		if err != nil {
			return nil, err
		}
		ds.M = append(ds.M, M)
		ds.Proofs = append(ds.Proofs, ProveShare(Q, m, j, sm, A, M, w))
	}
	return ds, nil
}

// ProveShare proves log_G(P_m) == log_A(M) = s_m with nonce w.
func ProveShare(Q [32]byte, m, j int, sm *Scalar, A, M *Point, w *Scalar) Proof {
	a := BaseMul(w)
	b := NewPoint().ScalarMult(w, A)
	c := shareChallenge(Q, m, j, A, M, a, b)
	u := NewScalar().Multiply(c, sm)
	u.Subtract(w, u)
	return Proof{C: c, U: u}
}

func shareChallenge(Q [32]byte, m, j int, A, M, a, b *Point) *Scalar {
	return Hs("dais/share", Q[:], U64(uint64(m)), U64(uint64(j)), PointBytes(A), PointBytes(M), PointBytes(a), PointBytes(b))
}

// VerifyShareProof checks a decryption share proof: a' = u·G + c·P_m,
// b' = u·A + c·M, c == Hs(…, a', b').
func VerifyShareProof(Q [32]byte, m, j int, Pm, A, M *Point, p Proof) bool {
	a := NewPoint().VarTimeDoubleScalarBaseMult(p.C, Pm, p.U)
	b := NewPoint().VarTimeMultiScalarMult([]*Scalar{p.U, p.C}, []*Point{A, M})
	return shareChallenge(Q, m, j, A, M, a, b).Equal(p.C) == 1
}

// Lagrange returns λ_m = Π_{k∈S, k≠m} k·(k − m)^(-1) mod ℓ for each m in S (distinct).
func Lagrange(S []int) []*Scalar {
	out := make([]*Scalar, len(S))
	for i, m := range S {
		num, den := ScalarFromUint64(1), ScalarFromUint64(1)
		for _, k := range S {
			if k == m {
				continue
			}
			ks := ScalarFromUint64(uint64(k))
			num.Multiply(num, ks)
			den.Multiply(den, NewScalar().Subtract(ks, ScalarFromUint64(uint64(m))))
		}
		out[i] = num.Multiply(num, NewScalar().Invert(den))
	}
	return out
}

// Combine returns M_j = Σ_{m∈S} λ_m·M_mj for every option.
func Combine(shares []*DecryptionShare, n int) []*Point {
	S := make([]int, len(shares))
	for i, s := range shares {
		S[i] = s.Index
	}
	lambda := Lagrange(S)
	out := make([]*Point, n)
	for j := 0; j < n; j++ {
		pts := make([]*Point, len(shares))
		for i, s := range shares {
			pts[i] = s.M[j]
		}
		out[j] = NewPoint().VarTimeMultiScalarMult(lambda, pts)
	}
	return out
}

// Counts solves T_j·G = B_j − M_j for T_j in 0…max (the number of cast ballots) with a
// baby-step giant-step table; ok is false when some option has no such T_j.
func Counts(t *Tally, M []*Point, max int) (counts []int, ok bool) {
	dl := NewDlog(max)
	counts = make([]int, len(t.B))
	for j := range t.B {
		T, found := dl.Solve(NewPoint().Subtract(t.B[j], M[j]))
		if !found {
			return nil, false
		}
		counts[j] = T
	}
	return counts, true
}

// Dlog finds small discrete logarithms x·G for x in 0…max (baby-step giant-step).
type Dlog struct {
	max, m int
	baby   map[[Size]byte]int // j·G → j for j in 0…m-1
	giant  *Point             // −m·G
}

// NewDlog prepares the table for counts up to max (about √max points).
func NewDlog(max int) *Dlog {
	if max < 0 {
		max = 0
	}
	m := 1
	for m*m <= max {
		m++
	}
	d := &Dlog{max: max, m: m, baby: make(map[[Size]byte]int, m)}
	p := Identity()
	g := G()
	for j := 0; j < m; j++ {
		var k [Size]byte
		copy(k[:], PointBytes(p))
		d.baby[k] = j
		p.Add(p, g)
	}
	d.giant = NewPoint().Negate(p) // p = m·G
	return d
}

// Solve returns x in 0…max with x·G == y.
func (d *Dlog) Solve(y *Point) (int, bool) {
	g := clonePoint(y)
	for i := 0; i*d.m <= d.max; i++ {
		var k [Size]byte
		copy(k[:], PointBytes(g))
		if j, ok := d.baby[k]; ok {
			x := i*d.m + j
			return x, x <= d.max
		}
		g.Add(g, d.giant)
	}
	return 0, false
}

// Outcome is what the rule makes of the counts.
type Outcome struct {
	Elected []string `json:"elected"`
	Runoff  []string `json:"runoff"`
}

// Apply applies the manifest's rule (majority-of-base, ELECTION.md §2) to the counts.
// cast is the number of cast ballots (the base when the rule's base is "cast").
func Apply(m *Manifest, counts []int, cast int) Outcome {
	base := m.Rule.Convened
	if m.Rule.Base == BaseCast {
		base = cast
	}
	var q []int // qualifying options
	for j, T := range counts {
		if 2*T > base {
			q = append(q, j)
		}
	}
	// Ranked by T_j, highest first; equal counts keep ballot order (stable), which does
	// not matter for who is elected: ties across the cut go to the runoff together.
	sort.SliceStable(q, func(a, b int) bool { return counts[q[a]] > counts[q[b]] })
	out := Outcome{Elected: []string{}, Runoff: []string{}}
	K := m.MaxSelections
	if len(q) <= K {
		for _, j := range q {
			out.Elected = append(out.Elected, m.Candidates[j].ID)
		}
		return out
	}
	cut := counts[q[K-1]] // the K-th place
	if counts[q[K]] != cut {
		for _, j := range q[:K] {
			out.Elected = append(out.Elected, m.Candidates[j].ID)
		}
		return out
	}
	for _, j := range q {
		switch {
		case counts[j] > cut:
			out.Elected = append(out.Elected, m.Candidates[j].ID)
		case counts[j] == cut:
			out.Runoff = append(out.Runoff, m.Candidates[j].ID)
		}
	}
	return out
}
