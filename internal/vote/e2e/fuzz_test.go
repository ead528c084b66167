package e2e

import (
	"encoding/json"
	"testing"
)

func FuzzParseRecord(f *testing.F) {
	m := testManifest(2, 1, 1, 1)
	m.Rule.Convened = 2
	rec, _ := election(f, NewTestRand("fuzz"), m, 2, votesPattern(2, 1), []int{1})
	data, _ := rec.Marshal()
	f.Add(data)
	f.Add([]byte(`{"version":"dais-election-record/1","manifest":{}}`))
	f.Add([]byte(`{"manifest":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRecord(data)
		if err != nil {
			return
		}
		rep := Verify(r, Options{Workers: 1})
		if rep.OK {
			// Whatever verifies must survive a round trip unchanged.
			again, err := r.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			r2, err := ParseRecord(again)
			if err != nil || !Verify(r2, Options{Workers: 1}).OK {
				t.Fatal("a verified record does not verify after a round trip")
			}
		}
		if len(rep.Checks) != len(CheckNames) {
			t.Fatalf("%d checks reported", len(rep.Checks))
		}
	})
}

func FuzzParseBallot(f *testing.F) {
	rand := NewTestRand("fuzz-ballot")
	setup, _, _ := Ceremony(rand, testManifest(3, 2, 1, 1))
	b, _, _ := Encrypt(rand, setup.P, setup.Q, 2, []bool{true, false, true})
	rb := RecordOfBallot([32]byte{}, b)
	data, _ := json.Marshal(rb)
	f.Add(data)
	f.Add([]byte(`{"selections":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBallot(data, 3, 2)
		if err != nil {
			return
		}
		_ = VerifyBallot(setup.P, setup.Q, 3, 2, b) // must not panic
	})
}

func FuzzCanonicalize(f *testing.F) {
	f.Add([]byte(`{"b":[1,"x"],"a":{"c":true}}`))
	f.Add([]byte(`{"election_id":"e","candidates":[{"id":"a","name":"Ă"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Canonicalize(data)
		if err != nil {
			return
		}
		c2, err := Canonicalize(c)
		if err != nil || string(c2) != string(c) {
			t.Fatalf("JCS not idempotent: %s → %s (%v)", c, c2, err)
		}
		_, _ = ParseManifest(data)
	})
}

func FuzzParsePoint(f *testing.F) {
	f.Add(PointHex(G()))
	f.Add("0000000000000000000000000000000000000000000000000000000000000000")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePoint(s)
		if err != nil {
			return
		}
		if PointHex(p) != s {
			t.Fatalf("accepted a non-canonical encoding %s", s)
		}
	})
}
