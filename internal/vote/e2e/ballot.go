package e2e

import (
	"encoding/base32"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// RangeProof is the disjunctive Chaum–Pedersen proof that (α, β) encrypts some k in
// 0…L (ELECTION.md §4): L+1 challenge/response pairs.
type RangeProof struct {
	C, U []*Scalar
}

// Selection is the encryption of one option: α = r·G, β = r·P + v·G, with its 0/1 proof.
type Selection struct {
	Alpha, Beta *Point
	Proof       RangeProof
}

// Ballot is a cast ballot: N selections and the proof that at most K are chosen.
type Ballot struct {
	Selections []Selection
	SumProof   RangeProof
}

// Opening is what the device knows of a ballot: each option's r and v. It is revealed
// only when the voter audits (spoils) the ballot.
type Opening struct {
	R []*Scalar
	V []int
}

// SpoiledSelection is one opened option of an audited ballot.
type SpoiledSelection struct {
	Alpha, Beta *Point
	R           *Scalar
	V           int
}

// Spoiled is an audited ballot: posted with its fingerprint and opened, never counted.
type Spoiled struct {
	Fingerprint [32]byte
	Selections  []SpoiledSelection
}

// OptionContext is ctx of option j's proof: "option:" + j in decimal.
func OptionContext(j int) string { return "option:" + strconv.Itoa(j) }

// SumContext is ctx of the sum proof.
const SumContext = "sum"

// Encrypt encrypts the voter's choices (votes[j] true: candidate j kept) under the
// joint key P with base hash Q. At most K choices. Randomness is drawn from rand in this
// order: for each option j, r_j then the option proof's scalars (for k = 0, 1: w if k is
// the true value, else c_k then u_k); then the sum proof's scalars the same way.
func Encrypt(rand io.Reader, P *Point, Q [32]byte, K int, votes []bool) (*Ballot, *Opening, error) {
	n := len(votes)
	chosen := 0
	for _, v := range votes {
		if v {
			chosen++
		}
	}
	if n == 0 || K < 1 || K > n {
		return nil, nil, invalid("err.e2e_ballot_shape", "ballot: K=%d with %d options", K, n)
	}
	if chosen > K {
		return nil, nil, invalid("err.e2e_ballot_too_many", "ballot: %d choices, at most %d allowed", chosen, K)
	}
	b := &Ballot{Selections: make([]Selection, n)}
	op := &Opening{R: make([]*Scalar, n), V: make([]int, n)}
	rSum := NewScalar()
	aSum, bSum := Identity(), Identity()
	for j, vote := range votes {
		r, err := RandomScalar(rand)
		if err != nil {
			return nil, nil, err
		}
		v := 0
		if vote {
			v = 1
		}
		alpha, beta := encryptOne(P, r, v)
		proof, err := ProveRange(rand, P, Q, OptionContext(j), 1, alpha, beta, r, v)
		if err != nil {
			return nil, nil, err
		}
		b.Selections[j] = Selection{Alpha: alpha, Beta: beta, Proof: proof}
		op.R[j], op.V[j] = r, v
		rSum.Add(rSum, r)
		aSum.Add(aSum, alpha)
		bSum.Add(bSum, beta)
	}
	sp, err := ProveRange(rand, P, Q, SumContext, K, aSum, bSum, rSum, chosen)
	if err != nil {
		return nil, nil, err
	}
	b.SumProof = sp
	return b, op, nil
}

func encryptOne(P *Point, r *Scalar, v int) (alpha, beta *Point) {
	alpha = BaseMul(r)
	beta = NewPoint().ScalarMult(r, P)
	if v != 0 {
		beta.Add(beta, NewPoint().ScalarBaseMult(ScalarFromUint64(uint64(v))))
	}
	return alpha, beta
}

// ProveRange proves that (α, β) = (r·G, r·P + v·G) with v in 0…L. Called with v outside
// 0…L (or a wrong r) it still returns a proof — one that does not verify.
func ProveRange(rand io.Reader, P *Point, Q [32]byte, ctx string, L int, alpha, beta *Point, r *Scalar, v int) (RangeProof, error) {
	pr := RangeProof{C: make([]*Scalar, L+1), U: make([]*Scalar, L+1)}
	commits := make([][]byte, 0, 2*(L+1))
	var w *Scalar
	d := clonePoint(beta) // β − k·G
	g := G()
	for k := 0; k <= L; k++ {
		var a, bk *Point
		if k == v {
			var err error
			if w, err = RandomScalar(rand); err != nil {
				return pr, err
			}
			a = BaseMul(w)
			bk = NewPoint().ScalarMult(w, P)
		} else {
			c, err := RandomScalar(rand)
			if err != nil {
				return pr, err
			}
			u, err := RandomScalar(rand)
			if err != nil {
				return pr, err
			}
			pr.C[k], pr.U[k] = c, u
			a, bk = rangeCommit(P, alpha, d, c, u)
		}
		commits = append(commits, PointBytes(a), PointBytes(bk))
		d.Subtract(d, g)
	}
	c := rangeChallenge(Q, ctx, L, alpha, beta, commits)
	if v < 0 || v > L {
		// No true branch: the challenges cannot be made to add up. Fill the pairs so the
		// proof is well formed (and fails verification).
		pr.C[0] = c
		pr.U[0] = NewScalar()
		for k := 1; k <= L; k++ {
			pr.C[0].Subtract(pr.C[0], pr.C[k])
		}
		pr.C[0].Add(pr.C[0], ScalarFromUint64(1))
		return pr, nil
	}
	cv := NewScalar().Add(c, NewScalar())
	for k := 0; k <= L; k++ {
		if k != v {
			cv.Subtract(cv, pr.C[k])
		}
	}
	uv := NewScalar().Multiply(cv, r)
	uv.Subtract(w, uv)
	pr.C[v], pr.U[v] = cv, uv
	return pr, nil
}

// rangeCommit recomputes a_k = u·G + c·α and b_k = u·P + c·(β − k·G), with d = β − k·G.
func rangeCommit(P, alpha, d *Point, c, u *Scalar) (a, b *Point) {
	a = NewPoint().VarTimeDoubleScalarBaseMult(c, alpha, u)
	b = NewPoint().VarTimeMultiScalarMult([]*Scalar{u, c}, []*Point{P, d})
	return a, b
}

func rangeChallenge(Q [32]byte, ctx string, L int, alpha, beta *Point, commits [][]byte) *Scalar {
	parts := make([][]byte, 0, 5+len(commits))
	parts = append(parts, Q[:], []byte(ctx), U64(uint64(L)), PointBytes(alpha), PointBytes(beta))
	parts = append(parts, commits...)
	return Hs("dais/range", parts...)
}

// VerifyRange checks a range proof for (α, β) with L and ctx.
func VerifyRange(P *Point, Q [32]byte, ctx string, L int, alpha, beta *Point, pr RangeProof) bool {
	if len(pr.C) != L+1 || len(pr.U) != L+1 {
		return false
	}
	commits := make([][]byte, 0, 2*(L+1))
	sum := NewScalar()
	d := clonePoint(beta)
	g := G()
	for k := 0; k <= L; k++ {
		a, b := rangeCommit(P, alpha, d, pr.C[k], pr.U[k])
		commits = append(commits, PointBytes(a), PointBytes(b))
		sum.Add(sum, pr.C[k])
		d.Subtract(d, g)
	}
	return rangeChallenge(Q, ctx, L, alpha, beta, commits).Equal(sum) == 1
}

// BallotError names the part of a ballot whose proof failed: Option j, or the sum proof
// (Option == -1).
type BallotError struct{ Option int }

func (e *BallotError) Error() string {
	if e.Option < 0 {
		return "sum proof invalid"
	}
	return fmt.Sprintf("option %d: proof invalid", e.Option)
}

// VerifyBallot checks a cast ballot's N option proofs (L = 1) and its sum proof (L = K).
func VerifyBallot(P *Point, Q [32]byte, N, K int, b *Ballot) error {
	if len(b.Selections) != N {
		return invalid("err.e2e_ballot_shape", "ballot has %d selections, want %d", len(b.Selections), N)
	}
	aSum, bSum := Identity(), Identity()
	for j, s := range b.Selections {
		if !VerifyRange(P, Q, OptionContext(j), 1, s.Alpha, s.Beta, s.Proof) {
			return &BallotError{Option: j}
		}
		aSum.Add(aSum, s.Alpha)
		bSum.Add(bSum, s.Beta)
	}
	if !VerifyRange(P, Q, SumContext, K, aSum, bSum, b.SumProof) {
		return &BallotError{Option: -1}
	}
	return nil
}

// ChainStart is code_0 = Hb("dais/chain", Q).
func ChainStart(Q [32]byte) [32]byte { return Hb("dais/chain", Q[:]) }

// TrackingCode is code_b = Hb("dais/ballot", code_(b-1), α_0, β_0, …).
func TrackingCode(prev [32]byte, b *Ballot) [32]byte {
	parts := [][]byte{prev[:]}
	for _, s := range b.Selections {
		parts = append(parts, PointBytes(s.Alpha), PointBytes(s.Beta))
	}
	return Hb("dais/ballot", parts...)
}

// Fingerprint is Hb("dais/fingerprint", Q, α_0, β_0, …), shown before cast or audit.
func Fingerprint(Q [32]byte, b *Ballot) [32]byte {
	parts := [][]byte{Q[:]}
	for _, s := range b.Selections {
		parts = append(parts, PointBytes(s.Alpha), PointBytes(s.Beta))
	}
	return Hb("dais/fingerprint", parts...)
}

// DisplayCode is the first 10 bytes of a code in base32 (RFC 4648, upper case, no
// padding), in groups of 4 joined by "-": e.g. "ABCD-EFGH-IJKL-MNOP".
func DisplayCode(code [32]byte) string {
	s := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(code[:10])
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
}

// NormalizeDisplayCode turns what a voter typed into the display form: case and
// separators are forgiven, other characters refused.
func NormalizeDisplayCode(typed string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToUpper(typed) {
		switch {
		case r >= 'A' && r <= 'Z' || r >= '2' && r <= '7':
			b.WriteRune(r)
		case r == '-' || r == ' ':
		default:
			return "", invalid("err.e2e_code", "tracking code: unexpected character %q", r)
		}
	}
	s := b.String()
	if len(s) != 16 {
		return "", invalid("err.e2e_code", "tracking code: want 16 characters, got %d", len(s))
	}
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16], nil
}

// Spoil opens an audited ballot for posting: its fingerprint and every r_j and v_j.
func Spoil(Q [32]byte, b *Ballot, op *Opening) *Spoiled {
	sp := &Spoiled{Fingerprint: Fingerprint(Q, b)}
	for j, s := range b.Selections {
		sp.Selections = append(sp.Selections, SpoiledSelection{Alpha: s.Alpha, Beta: s.Beta, R: op.R[j], V: op.V[j]})
	}
	return sp
}

// VerifySpoiled checks that an audited ballot opens correctly: α = r·G, β = r·P + v·G,
// v in {0,1}, Σ v ≤ K, N selections, and its fingerprint.
func VerifySpoiled(P *Point, Q [32]byte, N, K int, sp *Spoiled) error {
	if len(sp.Selections) != N {
		return invalid("err.e2e_spoiled", "spoiled ballot has %d selections, want %d", len(sp.Selections), N)
	}
	total := 0
	b := &Ballot{}
	for j, s := range sp.Selections {
		if s.V != 0 && s.V != 1 {
			return invalid("err.e2e_spoiled", "option %d: v=%d is not 0 or 1", j, s.V)
		}
		total += s.V
		alpha, beta := encryptOne(P, s.R, s.V)
		if alpha.Equal(s.Alpha) != 1 || beta.Equal(s.Beta) != 1 {
			return invalid("err.e2e_spoiled", "option %d: r and v do not open alpha, beta", j)
		}
		b.Selections = append(b.Selections, Selection{Alpha: s.Alpha, Beta: s.Beta})
	}
	if total > K {
		return invalid("err.e2e_spoiled", "%d options chosen, at most %d", total, K)
	}
	if Fingerprint(Q, b) != sp.Fingerprint {
		return invalid("err.e2e_spoiled", "fingerprint does not match")
	}
	return nil
}
