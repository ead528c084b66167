package e2e

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.json from the Go code")

const vectorsPath = "testdata/vectors.json"

// Vectors are the test vectors shared by the Go code and the browser code
// (js/vectors.test.mjs): fixed inputs and fixed randomness (TestRand), exact outputs.
type Vectors struct {
	Note string `json:"note"`
	Enc  []struct {
		Tag   string   `json:"tag"`
		Parts []string `json:"parts"`
		Enc   string   `json:"enc"`
		Hs    string   `json:"hs"`
		Hb    string   `json:"hb"`
	} `json:"enc"`
	Rand struct {
		Seed  string `json:"seed"`
		Bytes string `json:"first_150_bytes"`
		S0    string `json:"first_scalar"`
	} `json:"rand"`
	Manifest     json.RawMessage `json:"manifest"`
	ManifestJCS  string          `json:"manifest_jcs"`
	ManifestHash string          `json:"manifest_hash"`
	Points       []struct {
		Scalar string `json:"scalar"`
		Point  string `json:"point"`
	} `json:"points"`
	Keygen struct {
		ManifestHash string      `json:"manifest_hash"`
		I            int         `json:"i"`
		J            int         `json:"j"`
		A            string      `json:"a"`
		W            string      `json:"w"`
		C            string      `json:"C"`
		Proof        RecordProof `json:"proof"`
	} `json:"keygen"`
	Ballot struct {
		Seed        string       `json:"seed"`
		P           string       `json:"joint_key"`
		Q           string       `json:"base_hash"`
		K           int          `json:"max_selections"`
		Votes       []bool       `json:"votes"`
		Ballot      RecordBallot `json:"ballot"`
		R           []string     `json:"r"`
		Fingerprint string       `json:"fingerprint"`
		PrevCode    string       `json:"prev_code"`
		Code        string       `json:"code"`
		Display     string       `json:"display"`
	} `json:"ballot"`
	Share struct {
		Q     string      `json:"base_hash"`
		M     int         `json:"m"`
		J     int         `json:"j"`
		S     string      `json:"s"`
		A     string      `json:"A"`
		W     string      `json:"w"`
		Mmj   string      `json:"M"`
		Proof RecordProof `json:"proof"`
	} `json:"share"`
}

func mustHex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// makeVectors computes every vector from the Go code.
func makeVectors(t *testing.T) *Vectors {
	v := &Vectors{Note: "Dais ELECTION.md v1 test vectors; randomness is TestRand (block i = SHA-512(seed || u64be(i))). Regenerate: go test ./internal/vote/e2e -run Vectors -update"}
	for _, e := range []struct {
		tag   string
		parts []string
	}{{"dais/test", nil}, {"dais/test", []string{"", "00", "0102030405"}}, {"option:3", []string{hex.EncodeToString([]byte("sum"))}}} {
		var parts [][]byte
		for _, p := range e.parts {
			parts = append(parts, mustHex(t, p))
		}
		hb := Hb(e.tag, parts...)
		v.Enc = append(v.Enc, struct {
			Tag   string   `json:"tag"`
			Parts []string `json:"parts"`
			Enc   string   `json:"enc"`
			Hs    string   `json:"hs"`
			Hb    string   `json:"hb"`
		}{e.tag, append([]string{}, e.parts...), hex.EncodeToString(Enc(e.tag, parts...)), ScalarHex(Hs(e.tag, parts...)), hex.EncodeToString(hb[:])})
	}
	v.Rand.Seed = "dais-vectors"
	buf := make([]byte, 150)
	NewTestRand(v.Rand.Seed).Read(buf)
	v.Rand.Bytes = hex.EncodeToString(buf)
	s0, _ := RandomScalar(NewTestRand(v.Rand.Seed))
	v.Rand.S0 = ScalarHex(s0)

	m := testManifest(4, 2, 3, 2)
	m.Title = "Bầu Ban Chấp hành \"khóa\" XV\n<test> & ﬁ 😀"
	m.Rule.Convened = 350
	raw, _ := json.Marshal(m)
	v.Manifest = raw
	jcs, err := MarshalManifest(m)
	if err != nil {
		t.Fatal(err)
	}
	v.ManifestJCS = string(jcs)
	mh, _ := ManifestHash(raw)
	v.ManifestHash = hex.EncodeToString(mh[:])

	for _, s := range []*Scalar{ScalarFromUint64(1), ScalarFromUint64(2), ScalarFromUint64(3), ScalarFromUint64(1600), Hs("dais/test-point")} {
		v.Points = append(v.Points, struct {
			Scalar string `json:"scalar"`
			Point  string `json:"point"`
		}{ScalarHex(s), PointHex(BaseMul(s))})
	}

	a, w := Hs("dais/test-a"), Hs("dais/test-w")
	C := BaseMul(a)
	kp := ProveKeygen(mh, 2, 1, a, C, w)
	v.Keygen.ManifestHash, v.Keygen.I, v.Keygen.J = v.ManifestHash, 2, 1
	v.Keygen.A, v.Keygen.W, v.Keygen.C, v.Keygen.Proof = ScalarHex(a), ScalarHex(w), PointHex(C), recordProof(kp)

	setup, secrets, err := Ceremony(NewTestRand("dais-vectors-keygen"), m)
	if err != nil {
		t.Fatal(err)
	}
	v.Ballot.Seed = "dais-vectors-ballot"
	v.Ballot.P, v.Ballot.Q, v.Ballot.K = PointHex(setup.P), hexHash(setup.Q), m.MaxSelections
	v.Ballot.Votes = []bool{true, false, false, true}
	b, op, err := Encrypt(NewTestRand(v.Ballot.Seed), setup.P, setup.Q, m.MaxSelections, v.Ballot.Votes)
	if err != nil {
		t.Fatal(err)
	}
	prev := ChainStart(setup.Q)
	code := TrackingCode(prev, b)
	v.Ballot.Ballot = RecordOfBallot(code, b)
	for _, r := range op.R {
		v.Ballot.R = append(v.Ballot.R, ScalarHex(r))
	}
	fp := Fingerprint(setup.Q, b)
	v.Ballot.Fingerprint, v.Ballot.PrevCode, v.Ballot.Code, v.Ballot.Display = hexHash(fp), hexHash(prev), hexHash(code), DisplayCode(code)

	tally := NewTally(m.N())
	tally.Add(b)
	sw := Hs("dais/test-share-w")
	M := NewPoint().ScalarMult(secrets[1], tally.A[3])
	sp := ProveShare(setup.Q, 2, 3, secrets[1], tally.A[3], M, sw)
	v.Share.Q, v.Share.M, v.Share.J, v.Share.S = hexHash(setup.Q), 2, 3, ScalarHex(secrets[1])
	v.Share.A, v.Share.W, v.Share.Mmj, v.Share.Proof = PointHex(tally.A[3]), ScalarHex(sw), PointHex(M), recordProof(sp)
	return v
}

func TestVectors(t *testing.T) {
	v := makeVectors(t)
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(vectorsPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("the Go code no longer produces testdata/vectors.json: the protocol changed (or run -update if intended)")
	}
	// The vectors' proofs verify and the ballot is valid under its key.
	var fv Vectors
	if err := json.Unmarshal(want, &fv); err != nil {
		t.Fatal(err)
	}
	P, _ := ParsePoint(fv.Ballot.P)
	Q, _ := ParseHash(fv.Ballot.Q)
	b, err := DecodeBallot(&fv.Ballot.Ballot, 4, fv.Ballot.K)
	if err != nil || VerifyBallot(P, Q, 4, fv.Ballot.K, b) != nil {
		t.Fatalf("vector ballot invalid: %v", err)
	}
	mh, _ := ParseHash(fv.Keygen.ManifestHash)
	C, _ := ParsePoint(fv.Keygen.C)
	kp, _ := decodeProof(fv.Keygen.Proof)
	if !VerifyKeygen(mh, fv.Keygen.I, fv.Keygen.J, C, kp) {
		t.Fatal("vector keygen proof invalid")
	}
}
