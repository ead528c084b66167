package e2e

import (
	"math/big"
	"testing"
)

func TestElectionGuardGroup(t *testing.T) {
	gr := ElectionGuardGroup()
	if gr.P.BitLen() != 4096 || gr.Q.BitLen() != 256 {
		t.Fatal("sizes")
	}
	if new(big.Int).Mod(new(big.Int).Sub(gr.P, big.NewInt(1)), gr.Q).Sign() != 0 {
		t.Fatal("q does not divide p−1")
	}
	if !gr.P.ProbablyPrime(4) || !gr.Q.ProbablyPrime(16) {
		t.Fatal("not prime")
	}
	if !gr.member(gr.G) || gr.G.Cmp(big.NewInt(1)) == 0 {
		t.Fatal("g not of order q")
	}
}

func TestReferenceProofs(t *testing.T) {
	rand := NewTestRand("ref")
	gr := ElectionGuardGroup()
	s, _ := gr.random(rand)
	K := gr.exp(gr.G, s)
	for v := 0; v <= 1; v++ {
		ct, pr, err := gr.RefEncrypt(rand, K, v, 1)
		if err != nil || !gr.RefVerifyRange(K, ct, 1, pr) {
			t.Fatalf("v=%d: %v", v, err)
		}
		pr.U[0] = new(big.Int).Add(pr.U[0], big.NewInt(1))
		if gr.RefVerifyRange(K, ct, 1, pr) {
			t.Fatal("altered proof verifies")
		}
	}
	if _, _, err := gr.RefEncrypt(rand, K, 2, 1); err == nil {
		t.Fatal("v=2 encrypted with a 0…1 proof")
	}
	ct, _, _ := gr.RefEncrypt(rand, K, 1, 1)
	M, c, u, _ := gr.RefShareProof(rand, s, ct.Alpha)
	if !gr.RefVerifyShare(K, ct.Alpha, M, c, u) || gr.RefVerifyShare(K, ct.Alpha, gr.mul(M, gr.G), c, u) {
		t.Fatal("share proof")
	}
}

func BenchmarkReference(b *testing.B) {
	for b.Loop() {
		r, err := RefBench(NewTestRand("ref-bench"), 10)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(r.ProofCheckMsPerOption, "ms/option")
		b.ReportMetric(r.ShareCheckMs, "ms/share")
	}
}
