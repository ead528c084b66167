package e2e

import (
	"encoding/json"
	"os/exec"
	"testing"
)

func needNode(t *testing.T) string {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	return node
}

// TestBrowserVectors runs the browser bundle's own tests (js/vectors.test.mjs) against
// testdata/vectors.json.
func TestBrowserVectors(t *testing.T) {
	node := needNode(t)
	out, err := exec.Command(node, "--test", "js/").CombinedOutput()
	if err != nil {
		t.Fatalf("node --test js/: %v\n%s", err, out)
	}
}

// TestBrowserBallotVerifiesInGo: ballots the browser code makes with real randomness
// pass the Go checks, are counted, and the record verifies.
func TestBrowserBallotVerifiesInGo(t *testing.T) {
	node := needNode(t)
	m := testManifest(5, 3, 2, 2)
	m.Rule.Convened = 3
	setup, secrets, err := Ceremony(NewTestRand("js"), m)
	if err != nil {
		t.Fatal(err)
	}
	board := NewBoard(setup)
	var lastCode [32]byte
	for _, votes := range []string{"11100", "00000", "10011"} {
		out, err := exec.Command(node, "js/make-ballot.mjs", PointHex(setup.P), hexHash(setup.Q), "3", votes).Output()
		if err != nil {
			t.Fatalf("make-ballot: %v", err)
		}
		var js struct {
			Ballot      json.RawMessage `json:"ballot"`
			Fingerprint string          `json:"fingerprint"`
		}
		if err := json.Unmarshal(out, &js); err != nil {
			t.Fatal(err)
		}
		b, err := ParseBallot(js.Ballot, 5, 3)
		if err != nil {
			t.Fatal(err)
		}
		if hexHash(Fingerprint(setup.Q, b)) != js.Fingerprint {
			t.Fatal("fingerprints differ between Go and JS")
		}
		if lastCode, err = board.Cast(b); err != nil {
			t.Fatalf("JS ballot %s refused: %v", votes, err)
		}
	}
	// A ballot keeping 4 of K=3 is refused by the browser code itself.
	if err := exec.Command(node, "js/make-ballot.mjs", PointHex(setup.P), hexHash(setup.Q), "3", "11110").Run(); err == nil {
		t.Fatal("the browser encrypted 4 choices with K=3")
	}
	tally := board.Tally()
	var shares []*DecryptionShare
	for _, mi := range []int{1, 2} {
		s, _ := Decrypt(NewTestRand("js-dec"), setup.Q, mi, secrets[mi-1], tally)
		shares = append(shares, s)
	}
	counts, out, err := board.Result(tally, shares)
	if err != nil {
		t.Fatal(err)
	}
	if got := jsonString(counts); got != "[2,1,1,1,1]" {
		t.Fatalf("counts %v", counts)
	}
	rec := board.Record(tally, shares, counts, out)
	if rep := Verify(rec, Options{}); !rep.OK {
		t.Fatalf("record with browser ballots fails: %+v", rep.FirstFailure())
	}
	if rec.Ballots[2].Code != hexHash(lastCode) {
		t.Fatal("tracking code not the one the board returned")
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
