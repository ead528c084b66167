package e2e

import (
	"encoding/hex"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"dais/internal/store"
)

func TestEnc(t *testing.T) {
	got := hex.EncodeToString(Enc("ab", []byte{1}, nil))
	if want := "00000002" + "6162" + "00000001" + "01" + "00000000"; got != want {
		t.Fatalf("enc = %s, want %s", got, want)
	}
}

func TestDecodersRefuse(t *testing.T) {
	g := PointHex(G())
	for _, s := range []string{
		"", g[:62], g + "00", strings.ToUpper(g), "zz" + g[2:],
		strings.Repeat("ff", 32),        // ≥ p
		"01" + strings.Repeat("00", 31), // negative (odd) s
	} {
		if _, err := ParsePoint(s); err == nil || store.ErrorCode(err) != store.EINVALID {
			t.Errorf("ParsePoint(%q) = %v, want EINVALID", s, err)
		}
	}
	// ℓ itself, and 2^256-1, are not canonical scalars; ℓ-1 is.
	ell := "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"
	for _, s := range []string{ell, strings.Repeat("ff", 32), strings.ToUpper(ScalarHex(ScalarFromUint64(10)))} {
		if _, err := ParseScalar(s); err == nil {
			t.Errorf("ParseScalar(%q) accepted", s)
		}
	}
	if _, err := ParseScalar("ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"); err != nil {
		t.Errorf("ℓ-1 refused: %v", err)
	}
}

func TestSumProofRefusesKPlusOne(t *testing.T) {
	rand := NewTestRand("k+1")
	m := testManifest(6, 3, 1, 1)
	setup, _, err := Ceremony(rand, m)
	if err != nil {
		t.Fatal(err)
	}
	votes := []bool{true, true, true, true, false, false} // K+1 = 4
	if _, _, err := Encrypt(rand, setup.P, setup.Q, 3, votes); err == nil {
		t.Fatal("Encrypt accepted K+1 choices")
	}
	// A cheating device encrypts 4 ones anyway: whatever it claims, the sum proof fails.
	b := &Ballot{}
	rSum := NewScalar()
	aSum, bSum := Identity(), Identity()
	for j, v := range votes {
		r, _ := RandomScalar(rand)
		vi := 0
		if v {
			vi = 1
		}
		a, be := encryptOne(setup.P, r, vi)
		p, _ := ProveRange(rand, setup.P, setup.Q, OptionContext(j), 1, a, be, r, vi)
		b.Selections = append(b.Selections, Selection{Alpha: a, Beta: be, Proof: p})
		rSum.Add(rSum, r)
		aSum.Add(aSum, a)
		bSum.Add(bSum, be)
	}
	for claim := 0; claim <= 4; claim++ {
		b.SumProof, _ = ProveRange(rand, setup.P, setup.Q, SumContext, 3, aSum, bSum, rSum, claim)
		err := VerifyBallot(setup.P, setup.Q, 6, 3, b)
		if be, ok := err.(*BallotError); !ok || be.Option != -1 {
			t.Fatalf("claim %d: VerifyBallot = %v, want the sum proof refused", claim, err)
		}
	}
	// The same ballot with an honest 3 passes: the proofs themselves are sound.
	votes[3] = false
	hb, _, err := Encrypt(rand, setup.P, setup.Q, 3, votes)
	if err != nil || VerifyBallot(setup.P, setup.Q, 6, 3, hb) != nil {
		t.Fatal("honest ballot refused")
	}
	// An option encrypting 2 has no valid 0/1 proof.
	r, _ := RandomScalar(rand)
	a, be := encryptOne(setup.P, r, 2)
	for claim := 0; claim <= 2; claim++ {
		p, _ := ProveRange(rand, setup.P, setup.Q, OptionContext(0), 1, a, be, r, claim)
		if VerifyRange(setup.P, setup.Q, OptionContext(0), 1, a, be, p) {
			t.Fatalf("v=2 proved as %d", claim)
		}
	}
}

func TestProofBoundToContext(t *testing.T) {
	rand := NewTestRand("ctx")
	setup, _, _ := Ceremony(rand, testManifest(3, 1, 1, 1))
	b, _, _ := Encrypt(rand, setup.P, setup.Q, 1, []bool{false, true, false})
	// Swapping two options' encryptions with their proofs breaks the proofs' ctx.
	b.Selections[0], b.Selections[1] = b.Selections[1], b.Selections[0]
	if err := VerifyBallot(setup.P, setup.Q, 3, 1, b); err == nil {
		t.Fatal("swapped options verify")
	}
}

func TestApplyRule(t *testing.T) {
	m := testManifest(6, 3, 1, 1)
	m.Rule.Convened = 10 // more than 5 votes needed
	cases := []struct {
		counts          []int
		elected, runoff string
	}{
		{[]int{9, 8, 7, 6, 5, 0}, "[c00 c01 c02]", "[]"},
		{[]int{9, 8, 7, 7, 5, 0}, "[c00 c01]", "[c02 c03]"},
		{[]int{9, 7, 7, 7, 5, 0}, "[c00]", "[c01 c02 c03]"},
		{[]int{7, 7, 7, 7, 5, 0}, "[]", "[c00 c01 c02 c03]"},
		{[]int{9, 8, 5, 5, 5, 0}, "[c00 c01]", "[]"}, // 5 is not more than half of 10
		{[]int{6, 6, 6, 0, 0, 0}, "[c00 c01 c02]", "[]"},
		{[]int{0, 9, 0, 8, 0, 7}, "[c01 c03 c05]", "[]"},
		{[]int{9, 8, 7, 6, 6, 0}, "[c00 c01 c02]", "[]"}, // tie below the cut
	}
	for _, c := range cases {
		o := Apply(m, c.counts, 10)
		if fmt.Sprint(o.Elected) != c.elected || fmt.Sprint(o.Runoff) != c.runoff {
			t.Errorf("%v: elected %v runoff %v, want %s %s", c.counts, o.Elected, o.Runoff, c.elected, c.runoff)
		}
	}
	m.Rule = Rule{Name: RuleMajorityOfBase, Base: BaseCast}
	if o := Apply(m, []int{3, 2, 1, 0, 0, 0}, 4); fmt.Sprint(o.Elected) != "[c00]" {
		t.Errorf("base cast: %v", o.Elected)
	}
}

func TestDlog(t *testing.T) {
	d := NewDlog(1600)
	for _, x := range []int{0, 1, 2, 39, 40, 41, 1599, 1600} {
		got, ok := d.Solve(BaseMul(ScalarFromUint64(uint64(x))))
		if !ok || got != x {
			t.Errorf("Solve(%d·G) = %d, %v", x, got, ok)
		}
	}
	if _, ok := d.Solve(BaseMul(ScalarFromUint64(1601))); ok {
		t.Error("1601 found in a table up to 1600")
	}
}

func TestManifestValidate(t *testing.T) {
	bad := map[string]func(m *Manifest){
		"no id":         func(m *Manifest) { m.ElectionID = "" },
		"dup candidate": func(m *Manifest) { m.Candidates[1].ID = m.Candidates[0].ID },
		"K zero":        func(m *Manifest) { m.MaxSelections = 0 },
		"K > N":         func(m *Manifest) { m.MaxSelections = 7 },
		"t > n":         func(m *Manifest) { m.Threshold = 4 },
		"rule":          func(m *Manifest) { m.Rule.Name = "plurality" },
		"base":          func(m *Manifest) { m.Rule.Base = "members" },
		"convened 0":    func(m *Manifest) { m.Rule.Convened = 0 },
	}
	for name, f := range bad {
		m := testManifest(6, 3, 3, 2)
		f(m)
		if err := m.Validate(); store.ErrorCode(err) != store.EINVALID {
			t.Errorf("%s: Validate = %v", name, err)
		}
	}
}

func TestCanonicalize(t *testing.T) {
	cases := map[string]string{
		`{"b": 1, "a": [true, null, "x\u00e9\n\u001f\"/"]}`: `{"a":[true,null,"xé\n\u001f\"/"],"b":1}`,
		`{"\ufb01":1,"\ud83d\ude00":2,"z":3}`:               `{"z":3,"😀":2,"ﬁ":1}`, // UTF-16 order, not code points
		`-0`:                                                `0`,
	}
	for in, want := range cases {
		got, err := Canonicalize([]byte(in))
		if err != nil || string(got) != want {
			t.Errorf("Canonicalize(%s) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{`{"a":1,"a":2}`, `1.5`, `1e3`, `9007199254740992`, `{"a":1} x`, "\"\xff\"", `"\ud800"`, ``} {
		if _, err := Canonicalize([]byte(in)); err == nil {
			t.Errorf("Canonicalize(%q) accepted", in)
		}
	}
}

func TestDisplayCode(t *testing.T) {
	var c [32]byte
	for i := range c {
		c[i] = byte(i)
	}
	got := DisplayCode(c)
	if got != "AAAQ-EAYE-AUDA-OCAJ" {
		t.Fatalf("DisplayCode = %s", got)
	}
	if n, err := NormalizeDisplayCode(" aaaq eaye-audaocaj "); err != nil || n != got {
		t.Fatalf("Normalize = %q, %v", n, err)
	}
	if _, err := NormalizeDisplayCode("AAAQ-EAYE-AUDA-OCA1"); err == nil {
		t.Fatal("digit 1 accepted")
	}
}

// Every error key used in the package has both languages, one %s each.
func TestMessagesCoverKeys(t *testing.T) {
	out, err := exec.Command("grep", "-rhoE", `"err\.e2e_[a-z_]+"`, ".").Output()
	if err != nil {
		t.Skip("grep unavailable")
	}
	for _, k := range strings.Fields(string(out)) {
		k = strings.Trim(k, `"`)
		m, ok := Messages[k]
		if !ok {
			t.Errorf("%s has no message", k)
			continue
		}
		for _, lang := range []string{"vi", "en"} {
			if strings.Count(m[lang], "%s") != 1 {
				t.Errorf("%s[%s] = %q: want one %%s", k, lang, m[lang])
			}
		}
	}
}
