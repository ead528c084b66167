package e2e

import (
	"io"
)

// Proof is a Schnorr-style challenge/response pair {"c", "u"}.
type Proof struct {
	C, U *Scalar
}

// Dealer is trustee i's secret polynomial f_i(x) = a_i0 + a_i1·x + … (ELECTION.md §3).
type Dealer struct {
	Index  int
	Coeffs []*Scalar // a_i0 … a_i(t-1)
}

// TrusteePublic is what trustee i publishes: commitments C_ij = a_ij·G with proofs.
type TrusteePublic struct {
	Index       int
	Commitments []*Point
	Proofs      []Proof
}

// NewDealer draws trustee index's t coefficients from rand.
func NewDealer(rand io.Reader, index, t int) (*Dealer, error) {
	d := &Dealer{Index: index}
	for j := 0; j < t; j++ {
		a, err := RandomScalar(rand)
		if err != nil {
			return nil, err
		}
		d.Coeffs = append(d.Coeffs, a)
	}
	return d, nil
}

// Publish computes the commitments and their keygen proofs; the nonces are drawn from
// rand in order j = 0 … t-1.
func (d *Dealer) Publish(rand io.Reader, manifestHash [32]byte) (*TrusteePublic, error) {
	tp := &TrusteePublic{Index: d.Index}
	for j, a := range d.Coeffs {
		C := BaseMul(a)
		w, err := RandomScalar(rand)
		if err != nil {
			return nil, err
		}
		tp.Commitments = append(tp.Commitments, C)
		tp.Proofs = append(tp.Proofs, ProveKeygen(manifestHash, d.Index, j, a, C, w))
	}
	return tp, nil
}

// ProveKeygen is the Schnorr proof of knowledge of a with C = a·G, nonce w.
func ProveKeygen(manifestHash [32]byte, i, j int, a *Scalar, C *Point, w *Scalar) Proof {
	h := BaseMul(w)
	c := keygenChallenge(manifestHash, i, j, C, h)
	u := NewScalar().Multiply(c, a)
	u.Add(u, w)
	return Proof{C: c, U: u}
}

func keygenChallenge(mh [32]byte, i, j int, C, h *Point) *Scalar {
	return Hs("dais/keygen", mh[:], U64(uint64(i)), U64(uint64(j)), PointBytes(C), PointBytes(h))
}

// VerifyKeygen checks a keygen proof: h' = u·G − c·C, c == Hs(…, h').
func VerifyKeygen(manifestHash [32]byte, i, j int, C *Point, p Proof) bool {
	negc := NewScalar().Negate(p.C)
	h := NewPoint().VarTimeDoubleScalarBaseMult(negc, C, p.U)
	return keygenChallenge(manifestHash, i, j, C, h).Equal(p.C) == 1
}

// Share is f_i(m), the share dealer i sends privately to trustee m.
func (d *Dealer) Share(m int) *Scalar {
	x := ScalarFromUint64(uint64(m))
	acc := NewScalar()
	for j := len(d.Coeffs) - 1; j >= 0; j-- { // Horner
		acc.Multiply(acc, x)
		acc.Add(acc, d.Coeffs[j])
	}
	return acc
}

// VerifyShare checks a received share against the dealer's commitments:
// f_i(m)·G == Σ_j m^j·C_ij.
func VerifyShare(commitments []*Point, m int, share *Scalar) bool {
	return BaseMul(share).Equal(evalCommitments(commitments, m)) == 1
}

// evalCommitments is Σ_j m^j·C_j.
func evalCommitments(cs []*Point, m int) *Point {
	x := ScalarFromUint64(uint64(m))
	pow := ScalarFromUint64(1)
	scalars := make([]*Scalar, len(cs))
	for j := range cs {
		scalars[j] = NewScalar().Add(pow, NewScalar())
		pow.Multiply(pow, x)
	}
	return NewPoint().VarTimeMultiScalarMult(scalars, cs)
}

// JointKey is P = Σ_i C_i0.
func JointKey(trustees []*TrusteePublic) *Point {
	P := Identity()
	for _, t := range trustees {
		P.Add(P, t.Commitments[0])
	}
	return P
}

// PublicShare is P_m = Σ_i Σ_j m^j·C_ij.
func PublicShare(trustees []*TrusteePublic, m int) *Point {
	var all []*Point
	for _, t := range trustees {
		all = append(all, t.Commitments...)
	}
	x := ScalarFromUint64(uint64(m))
	var scalars []*Scalar
	for _, t := range trustees {
		pow := ScalarFromUint64(1)
		for range t.Commitments {
			scalars = append(scalars, NewScalar().Add(pow, NewScalar()))
			pow.Multiply(pow, x)
		}
	}
	return NewPoint().VarTimeMultiScalarMult(scalars, all)
}

// SecretShare is s_m = Σ_i f_i(m), from the shares trustee m received.
func SecretShare(shares []*Scalar) *Scalar {
	s := NewScalar()
	for _, x := range shares {
		s.Add(s, x)
	}
	return s
}

// BaseHash is Q = Hb("dais/base", manifest_hash, P, C_10, …, C_n(t-1)).
func BaseHash(manifestHash [32]byte, P *Point, trustees []*TrusteePublic) [32]byte {
	parts := [][]byte{manifestHash[:], PointBytes(P)}
	for _, t := range trustees {
		for _, C := range t.Commitments {
			parts = append(parts, PointBytes(C))
		}
	}
	return Hb("dais/base", parts...)
}
