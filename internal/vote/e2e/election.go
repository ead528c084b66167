package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Setup is an election after key generation: the manifest, its hash, the trustees'
// public parts, the joint key P and the base hash Q.
type Setup struct {
	Manifest     *Manifest
	ManifestJSON []byte // JCS form, as the record holds it
	ManifestHash [32]byte
	Trustees     []*TrusteePublic
	P            *Point
	Q            [32]byte
}

// NewSetup assembles a setup from the trustees' published parts, checking each
// keygen proof.
func NewSetup(m *Manifest, trustees []*TrusteePublic) (*Setup, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	raw, err := MarshalManifest(m)
	if err != nil {
		return nil, err
	}
	s := &Setup{Manifest: m, ManifestJSON: raw}
	s.ManifestHash, _ = ManifestHash(raw)
	if len(trustees) != m.Trustees {
		return nil, invalid("err.e2e_trustees", "%d trustees published, the manifest says %d", len(trustees), m.Trustees)
	}
	for i, t := range trustees {
		if t.Index != i+1 || len(t.Commitments) != m.Threshold || len(t.Proofs) != m.Threshold {
			return nil, invalid("err.e2e_trustees", "trustee %d: wrong index or number of commitments", i+1)
		}
		for j, C := range t.Commitments {
			if isIdentity(C) || !VerifyKeygen(s.ManifestHash, t.Index, j, C, t.Proofs[j]) {
				return nil, invalid("err.e2e_keygen", "trustee %d, commitment %d: keygen proof invalid", t.Index, j)
			}
		}
	}
	s.Trustees = trustees
	s.P = JointKey(trustees)
	s.Q = BaseHash(s.ManifestHash, s.P, trustees)
	return s, nil
}

// Ceremony runs the whole key generation in one process — every trustee deals, every
// share is checked against its dealer's commitments — and returns the setup and each
// trustee's secret s_m (index m-1). Real trustees run Dealer on their own devices;
// this is for tests, the demo and the benchmark.
func Ceremony(rand io.Reader, m *Manifest) (*Setup, []*Scalar, error) {
	raw, err := MarshalManifest(m)
	if err != nil {
		return nil, nil, err
	}
	mh, err := ManifestHash(raw)
	if err != nil {
		return nil, nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, nil, err
	}
	dealers := make([]*Dealer, m.Trustees)
	pubs := make([]*TrusteePublic, m.Trustees)
	for i := range dealers {
		if dealers[i], err = NewDealer(rand, i+1, m.Threshold); err != nil {
			return nil, nil, err
		}
		if pubs[i], err = dealers[i].Publish(rand, mh); err != nil {
			return nil, nil, err
		}
	}
	secrets := make([]*Scalar, m.Trustees)
	for mi := 1; mi <= m.Trustees; mi++ {
		var got []*Scalar
		for i, d := range dealers {
			sh := d.Share(mi)
			if !VerifyShare(pubs[i].Commitments, mi, sh) {
				return nil, nil, fmt.Errorf("e2e: share from trustee %d to %d does not match the commitments", i+1, mi)
			}
			got = append(got, sh)
		}
		secrets[mi-1] = SecretShare(got)
	}
	s, err := NewSetup(m, pubs)
	return s, secrets, err
}

// Board is the public bulletin board of one election: cast ballots in order with their
// tracking codes, and spoiled ballots. It refuses invalid and copied ballots.
type Board struct {
	Setup   *Setup
	ballots []*Ballot
	codes   [][32]byte
	spoiled []*Spoiled
	alphas  map[[Size]byte]bool
	last    [32]byte
}

// NewBoard returns the empty board.
func NewBoard(s *Setup) *Board {
	return &Board{Setup: s, alphas: map[[Size]byte]bool{}, last: ChainStart(s.Q)}
}

func (b *Board) checkFresh(alphas []*Point) error {
	seen := map[[Size]byte]bool{}
	for j, a := range alphas {
		var k [Size]byte
		copy(k[:], PointBytes(a))
		if b.alphas[k] || seen[k] {
			return invalid("err.e2e_ballot_copy", "option %d: this encryption was already posted", j)
		}
		seen[k] = true
	}
	return nil
}

func (b *Board) remember(alphas []*Point) {
	for _, a := range alphas {
		var k [Size]byte
		copy(k[:], PointBytes(a))
		b.alphas[k] = true
	}
}

// Cast verifies a ballot and appends it, returning its tracking code.
func (b *Board) Cast(bal *Ballot) ([32]byte, error) {
	m := b.Setup.Manifest
	if err := VerifyBallot(b.Setup.P, b.Setup.Q, m.N(), m.MaxSelections, bal); err != nil {
		var be *BallotError
		if errors.As(err, &be) {
			return [32]byte{}, invalid("err.e2e_ballot_proof", "ballot refused: %v", err)
		}
		return [32]byte{}, err
	}
	alphas := make([]*Point, len(bal.Selections))
	for j, s := range bal.Selections {
		alphas[j] = s.Alpha
	}
	if err := b.checkFresh(alphas); err != nil {
		return [32]byte{}, err
	}
	b.remember(alphas)
	code := TrackingCode(b.last, bal)
	b.last = code
	b.ballots = append(b.ballots, bal)
	b.codes = append(b.codes, code)
	return code, nil
}

// Spoil checks and posts an audited ballot.
func (b *Board) Spoil(sp *Spoiled) error {
	m := b.Setup.Manifest
	if err := VerifySpoiled(b.Setup.P, b.Setup.Q, m.N(), m.MaxSelections, sp); err != nil {
		return err
	}
	alphas := make([]*Point, len(sp.Selections))
	for j, s := range sp.Selections {
		alphas[j] = s.Alpha
	}
	if err := b.checkFresh(alphas); err != nil {
		return err
	}
	b.remember(alphas)
	b.spoiled = append(b.spoiled, sp)
	return nil
}

// Ballots returns the number of cast ballots.
func (b *Board) Ballots() int { return len(b.ballots) }

// Tally sums the cast ballots.
func (b *Board) Tally() *Tally {
	t := NewTally(b.Setup.Manifest.N())
	for _, bal := range b.ballots {
		t.Add(bal)
	}
	return t
}

// Result decrypts the tally from the shares (checking each proof), and applies the rule.
func (b *Board) Result(t *Tally, shares []*DecryptionShare) (counts []int, out Outcome, err error) {
	m := b.Setup.Manifest
	if len(shares) < m.Threshold {
		return nil, out, invalid("err.e2e_shares", "%d shares, at least %d needed", len(shares), m.Threshold)
	}
	seen := map[int]bool{}
	for _, s := range shares {
		if s.Index < 1 || s.Index > m.Trustees || seen[s.Index] || len(s.M) != m.N() {
			return nil, out, invalid("err.e2e_shares", "share of trustee %d: bad index or shape", s.Index)
		}
		seen[s.Index] = true
		Pm := PublicShare(b.Setup.Trustees, s.Index)
		for j := range s.M {
			if !VerifyShareProof(b.Setup.Q, s.Index, j, Pm, t.A[j], s.M[j], s.Proofs[j]) {
				return nil, out, invalid("err.e2e_share_proof", "trustee %d, option %d: share proof invalid", s.Index, j)
			}
		}
	}
	counts, ok := Counts(t, Combine(shares, m.N()), len(b.ballots))
	if !ok {
		return nil, out, invalid("err.e2e_counts", "the decrypted tally is not a count of the cast ballots")
	}
	return counts, Apply(m, counts, len(b.ballots)), nil
}

// Record assembles the election record of ELECTION.md §6.
func (b *Board) Record(t *Tally, shares []*DecryptionShare, counts []int, out Outcome) *Record {
	s := b.Setup
	r := &Record{
		Version:      RecordVersion,
		Manifest:     json.RawMessage(s.ManifestJSON),
		ManifestHash: hexHash(s.ManifestHash),
		JointKey:     PointHex(s.P),
		BaseHash:     hexHash(s.Q),
		Ballots:      make([]RecordBallot, len(b.ballots)),
		Spoiled:      []RecordSpoiled{},
		Counts:       counts,
		Elected:      out.Elected,
		Runoff:       out.Runoff,
	}
	for _, tp := range s.Trustees {
		r.Trustees = append(r.Trustees, RecordOfTrustee(tp))
	}
	for i, bal := range b.ballots {
		r.Ballots[i] = RecordOfBallot(b.codes[i], bal)
	}
	for _, sp := range b.spoiled {
		r.Spoiled = append(r.Spoiled, RecordOfSpoiled(sp))
	}
	for j := range t.A {
		r.Tally.Alpha = append(r.Tally.Alpha, PointHex(t.A[j]))
		r.Tally.Beta = append(r.Tally.Beta, PointHex(t.B[j]))
	}
	for _, sh := range shares {
		r.Shares = append(r.Shares, RecordOfShare(sh))
	}
	return r
}
