package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"testing"
)

func testManifest(n, k, trustees, threshold int) *Manifest {
	m := &Manifest{ElectionID: "test-election", Title: "Bầu Ban Chấp hành khóa mới", MaxSelections: k,
		Trustees: trustees, Threshold: threshold, Rule: Rule{Name: RuleMajorityOfBase, Base: BaseConvened, Convened: 60}}
	for j := 0; j < n; j++ {
		m.Candidates = append(m.Candidates, Candidate{ID: fmt.Sprintf("c%02d", j), Name: fmt.Sprintf("Nguyễn Văn %c", 'A'+j)})
	}
	return m
}

// election runs a whole election with deterministic randomness: V voters, voter i keeps
// the candidates votes(i) says, one ballot spoiled before the first cast, shares from
// the trustees listed in decryptors.
func election(t testing.TB, rand io.Reader, m *Manifest, V int, votes func(i int) []bool, decryptors []int) (*Record, []int) {
	t.Helper()
	setup, secrets, err := Ceremony(rand, m)
	if err != nil {
		t.Fatal(err)
	}
	board := NewBoard(setup)
	// A voter audits a ballot first (Benaloh): posted opened, never counted.
	spoilVotes := make([]bool, m.N())
	spoilVotes[0] = true
	sb, op, err := Encrypt(rand, setup.P, setup.Q, m.MaxSelections, spoilVotes)
	if err != nil {
		t.Fatal(err)
	}
	if err := board.Spoil(Spoil(setup.Q, sb, op)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < V; i++ {
		b, _, err := Encrypt(rand, setup.P, setup.Q, m.MaxSelections, votes(i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := board.Cast(b); err != nil {
			t.Fatalf("ballot %d: %v", i, err)
		}
	}
	tally := board.Tally()
	var shares []*DecryptionShare
	for _, mi := range decryptors {
		s, err := Decrypt(rand, setup.Q, mi, secrets[mi-1], tally)
		if err != nil {
			t.Fatal(err)
		}
		shares = append(shares, s)
	}
	counts, out, err := board.Result(tally, shares)
	if err != nil {
		t.Fatal(err)
	}
	return board.Record(tally, shares, counts, out), counts
}

// votes50 is a deterministic pattern: voter i keeps candidate j when (i+j) % 3 != 0,
// limited to the first K kept; voter 7 keeps nobody.
func votesPattern(n, k int) func(i int) []bool {
	return func(i int) []bool {
		v := make([]bool, n)
		kept := 0
		if i == 7 {
			return v
		}
		for j := 0; j < n && kept < k; j++ {
			if (i*j+j+i)%3 != 0 || j < 2 {
				v[j] = true
				kept++
			}
		}
		return v
	}
}

func TestWholeElection(t *testing.T) {
	m := testManifest(10, 4, 3, 2)
	m.Rule.Convened = 60
	V := 50
	votes := votesPattern(10, 4)
	rec, counts := election(t, NewTestRand("whole"), m, V, votes, []int{3, 1})
	want := make([]int, 10)
	for i := 0; i < V; i++ {
		for j, x := range votes(i) {
			if x {
				want[j]++
			}
		}
	}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Fatalf("counts %v, want %v", counts, want)
	}
	data, err := rec.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	rec2, err := ParseRecord(data)
	if err != nil {
		t.Fatal(err)
	}
	rep := Verify(rec2, Options{})
	if !rep.OK {
		t.Fatalf("record does not verify: %+v", rep.FirstFailure())
	}
	if len(rep.Checks) != len(CheckNames) {
		t.Fatalf("%d checks reported, want %d", len(rep.Checks), len(CheckNames))
	}
	// Candidates 0 and 1 are kept by 49 of 50 voters: more than half of 60 convened.
	if len(rec.Elected) == 0 || rec.Elected[0] != "c00" && rec.Elected[0] != "c01" {
		t.Fatalf("elected %v", rec.Elected)
	}
	// Any other threshold set decrypts the same.
	rec3, counts3 := election(t, NewTestRand("whole"), m, V, votes, []int{1, 2, 3})
	if fmt.Sprint(counts3) != fmt.Sprint(want) || !Verify(rec3, Options{Workers: 1}).OK {
		t.Fatal("three shares do not give the same verified counts")
	}
}

func TestDeterministicRecord(t *testing.T) {
	m := testManifest(3, 2, 2, 2)
	r1, _ := election(t, NewTestRand("det"), m, 3, votesPattern(3, 2), []int{1, 2})
	r2, _ := election(t, NewTestRand("det"), m, 3, votesPattern(3, 2), []int{1, 2})
	a, _ := json.Marshal(r1)
	b, _ := json.Marshal(r2)
	if string(a) != string(b) {
		t.Fatal("same randomness, different records")
	}
}
