package e2e

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync"
	"testing"
)

var (
	smallOnce sync.Once
	smallRec  []byte
)

// smallRecord is a valid record (3 trustees, threshold 2, 5 candidates, K=2, 6 ballots,
// one spoiled), as JSON so each test changes its own copy.
func smallRecord(t *testing.T) *Record {
	smallOnce.Do(func() {
		m := testManifest(5, 2, 3, 2)
		m.Rule.Convened = 8
		rec, _ := election(t, NewTestRand("tamper"), m, 6, votesPattern(5, 2), []int{2, 3})
		smallRec, _ = rec.Marshal()
	})
	r, err := ParseRecord(smallRec)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func addG(t *testing.T, h string) string {
	p, err := ParsePoint(h)
	if err != nil {
		t.Fatal(err)
	}
	return PointHex(p.Add(p, G()))
}

func addOne(t *testing.T, h string) string {
	s, err := ParseScalar(h)
	if err != nil {
		t.Fatal(err)
	}
	return ScalarHex(s.Add(s, ScalarFromUint64(1)))
}

func flipByte(h string) string {
	b, _ := hex.DecodeString(h)
	b[5] ^= 1
	return hex.EncodeToString(b)
}

// rechain recomputes every tracking code so a change to the ballots is caught by the
// check that is meant to catch it, not by the chain.
func rechain(t *testing.T, r *Record) {
	Q, _ := ParseHash(r.BaseHash)
	code := ChainStart(Q)
	for i := range r.Ballots {
		code = trackingCodeHex(code, r.Ballots[i].Selections)
		r.Ballots[i].Code = hex.EncodeToString(code[:])
	}
}

func TestVerifyCatchesEveryAlteration(t *testing.T) {
	if rep := Verify(smallRecord(t), Options{}); !rep.OK {
		t.Fatalf("the untouched record fails: %+v", rep.FirstFailure())
	}
	cases := []struct {
		name   string
		check  string
		detail string // the failing element must be named
		alter  func(t *testing.T, r *Record)
	}{
		{"version", CheckVersion, "version", func(t *testing.T, r *Record) { r.Version = "dais-election-record/2" }},
		{"manifest title", CheckManifestHash, "manifest_hash", func(t *testing.T, r *Record) {
			r.Manifest = json.RawMessage(strings.Replace(string(r.Manifest), "Bầu", "Bau", 1))
		}},
		{"manifest K > N", CheckManifest, "max_selections", func(t *testing.T, r *Record) {
			r.Manifest = json.RawMessage(strings.Replace(string(r.Manifest), `"max_selections":2`, `"max_selections":6`, 1))
		}},
		{"trustee order", CheckTrustees, "index", func(t *testing.T, r *Record) {
			r.Trustees[0], r.Trustees[1] = r.Trustees[1], r.Trustees[0]
		}},
		{"uppercase hex", CheckEncodings, "ballot 2: option 1 alpha", func(t *testing.T, r *Record) {
			r.Ballots[1].Selections[1].Alpha = strings.ToUpper(r.Ballots[1].Selections[1].Alpha)
		}},
		{"non-canonical point", CheckEncodings, "trustee 1, commitment 0", func(t *testing.T, r *Record) {
			r.Trustees[0].Commitments[0] = strings.Repeat("ff", 32)
		}},
		{"scalar not below ℓ", CheckEncodings, "u[1]", func(t *testing.T, r *Record) {
			r.Ballots[0].SumProof.U[1] = strings.Repeat("ff", 32)
		}},
		{"identity joint key", CheckEncodings, "joint_key", func(t *testing.T, r *Record) {
			r.JointKey = strings.Repeat("00", 32)
		}},
		{"keygen proof", CheckKeygen, "trustee 2, commitment 1", func(t *testing.T, r *Record) {
			r.Trustees[1].Proofs[1].U = addOne(t, r.Trustees[1].Proofs[1].U)
		}},
		{"commitment", CheckKeygen, "trustee 3, commitment 1", func(t *testing.T, r *Record) {
			r.Trustees[2].Commitments[1] = addG(t, r.Trustees[2].Commitments[1])
		}},
		{"joint key", CheckJointKey, "joint_key", func(t *testing.T, r *Record) { r.JointKey = addG(t, r.JointKey) }},
		{"base hash", CheckBaseHash, "base_hash", func(t *testing.T, r *Record) { r.BaseHash = flipByte(r.BaseHash) }},
		{"ballot alpha", CheckBallots, "ballot 3: option 1", func(t *testing.T, r *Record) {
			r.Ballots[2].Selections[1].Alpha = addG(t, r.Ballots[2].Selections[1].Alpha)
		}},
		{"ballot beta", CheckBallots, "ballot 4: option 0", func(t *testing.T, r *Record) {
			r.Ballots[3].Selections[0].Beta = addG(t, r.Ballots[3].Selections[0].Beta)
		}},
		{"option proof", CheckBallots, "ballot 1: option 4", func(t *testing.T, r *Record) {
			r.Ballots[0].Selections[4].Proof.C[0] = addOne(t, r.Ballots[0].Selections[4].Proof.C[0])
		}},
		{"sum proof", CheckBallots, "ballot 6: sum proof", func(t *testing.T, r *Record) {
			r.Ballots[5].SumProof.U[2] = addOne(t, r.Ballots[5].SumProof.U[2])
		}},
		{"tracking code", CheckCodes, "ballot 2", func(t *testing.T, r *Record) { r.Ballots[1].Code = flipByte(r.Ballots[1].Code) }},
		{"ballots reordered", CheckCodes, "ballot 1", func(t *testing.T, r *Record) {
			r.Ballots[0], r.Ballots[1] = r.Ballots[1], r.Ballots[0]
		}},
		{"copied ballot", CheckCopies, "ballot 7, option 0", func(t *testing.T, r *Record) {
			r.Ballots = append(r.Ballots, r.Ballots[0])
			rechain(t, r)
		}},
		{"spoiled r", CheckSpoiled, "spoiled ballot 1: option 2", func(t *testing.T, r *Record) {
			r.Spoiled[0].Selections[2].R = addOne(t, r.Spoiled[0].Selections[2].R)
		}},
		{"spoiled v", CheckSpoiled, "spoiled ballot 1: option 0", func(t *testing.T, r *Record) {
			r.Spoiled[0].Selections[0].V = 2
		}},
		{"spoiled fingerprint", CheckSpoiled, "fingerprint", func(t *testing.T, r *Record) {
			r.Spoiled[0].Fingerprint = flipByte(r.Spoiled[0].Fingerprint)
		}},
		{"tally alpha", CheckTally, "option 3", func(t *testing.T, r *Record) { r.Tally.Alpha[3] = addG(t, r.Tally.Alpha[3]) }},
		{"tally beta", CheckTally, "option 0", func(t *testing.T, r *Record) { r.Tally.Beta[0] = addG(t, r.Tally.Beta[0]) }},
		{"share", CheckShares, "trustee 3, option 2", func(t *testing.T, r *Record) { r.Shares[1].M[2] = addG(t, r.Shares[1].M[2]) }},
		{"share proof", CheckShares, "trustee 2, option 4", func(t *testing.T, r *Record) {
			r.Shares[0].Proofs[4].C = addOne(t, r.Shares[0].Proofs[4].C)
		}},
		{"too few shares", CheckShares, "at least 2", func(t *testing.T, r *Record) { r.Shares = r.Shares[:1] }},
		{"same trustee twice", CheckShares, "two shares from trustee 2", func(t *testing.T, r *Record) {
			r.Shares[1] = r.Shares[0]
		}},
		{"share index out of range", CheckShares, "share index 4", func(t *testing.T, r *Record) { r.Shares[1].Index = 4 }},
		{"counts", CheckCounts, "option 1", func(t *testing.T, r *Record) { r.Counts[1]++ }},
		{"negative count", CheckCounts, "option 2", func(t *testing.T, r *Record) { r.Counts[2] = -1 }},
		{"elected", CheckOutcome, "elected", func(t *testing.T, r *Record) { r.Elected = append(r.Elected, "c04") }},
		{"runoff", CheckOutcome, "runoff", func(t *testing.T, r *Record) { r.Runoff = []string{"c03"} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := smallRecord(t)
			tc.alter(t, r)
			// Through JSON, as a verifier reads it.
			data, err := r.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			r2, err := ParseRecord(data)
			if err != nil {
				t.Fatal(err)
			}
			rep := Verify(r2, Options{Workers: 2})
			if rep.OK {
				t.Fatal("altered record verifies")
			}
			f := rep.FirstFailure()
			if f.Name != tc.check {
				t.Fatalf("first failing check %q (%s), want %q", f.Name, f.Detail, tc.check)
			}
			if !strings.Contains(f.Detail, tc.detail) {
				t.Fatalf("detail %q does not name %q", f.Detail, tc.detail)
			}
		})
	}
}
