package e2e

import (
	"crypto/rand"
	"fmt"
	"testing"
)

func benchSetup(b *testing.B, n, k int) *Setup {
	s, _, err := Ceremony(rand.Reader, testManifest(n, k, 3, 2))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkOptionProofVerify(b *testing.B) {
	s := benchSetup(b, 2, 1)
	bal, _, _ := Encrypt(rand.Reader, s.P, s.Q, 1, []bool{true, false})
	sel := bal.Selections[0]
	for b.Loop() {
		if !VerifyRange(s.P, s.Q, OptionContext(0), 1, sel.Alpha, sel.Beta, sel.Proof) {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkPointDecode(b *testing.B) {
	h := PointHex(BaseMul(ScalarFromUint64(12345)))
	for b.Loop() {
		if _, err := ParsePoint(h); err != nil {
			b.Fatal(err)
		}
	}
}

// The Central Committee case: choose up to 180 of 200.
func BenchmarkBallot180of200(b *testing.B) {
	s := benchSetup(b, 200, 180)
	votes := make([]bool, 200)
	for j := 0; j < 180; j++ {
		votes[j] = true
	}
	var bal *Ballot
	b.Run("encrypt+prove", func(b *testing.B) {
		for b.Loop() {
			var err error
			if bal, _, err = Encrypt(rand.Reader, s.P, s.Q, 180, votes); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if err := VerifyBallot(s.P, s.Q, 200, 180, bal); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkElection runs whole elections: go test -bench Election -benchtime 1x.
func BenchmarkElection(b *testing.B) {
	for _, c := range []BenchConfig{{Voters: 100, Candidates: 10, Seats: 4}, {Voters: 1600, Candidates: 30, Seats: 15}} {
		b.Run(fmt.Sprintf("V%d_N%d_K%d", c.Voters, c.Candidates, c.Seats), func(b *testing.B) {
			for b.Loop() {
				r, err := BenchElection(rand.Reader, c)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(r.ProofCheckMsPerOption, "ms/option")
				b.ReportMetric(r.VerifyRecordMs, "verify-ms")
				b.ReportMetric(r.VerifyRecordCPUMs, "verify-cpu-ms")
				b.ReportMetric(r.EncryptMsPerBallot, "encrypt-ms/ballot")
				b.ReportMetric(r.TallyMs, "tally-ms")
				b.ReportMetric(r.DecryptMs, "decrypt-ms")
				b.ReportMetric(float64(r.RecordBytes)/1e6, "record-MB")
			}
		})
	}
}
