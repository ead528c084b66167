package e2e

// The reference for the benchmark: the same proofs — disjunctive Chaum–Pedersen 0/1
// range proof and the decryption-share proof — over ElectionGuard 2.0's 4096-bit integer
// group with math/big, the construction most verifiable-voting systems use. Nothing in
// Dais's protocol uses it; `dais bench vote` times it beside ristretto255.

import (
	"crypto/sha256"
	"fmt"
	"io"
	"math/big"
	"time"
)

// RefGroup is a Schnorr group: p prime, q | p−1 prime, g of order q.
type RefGroup struct {
	P, Q, G *big.Int
}

// ElectionGuardGroup returns ElectionGuard 2.0's standard parameters: p a 4096-bit prime
// (64 one-bits, bits of ln 2, 64 one-bits), q = 2^256 − 189, g of order q.
func ElectionGuardGroup() *RefGroup {
	p, _ := new(big.Int).SetString(egP, 16)
	g, _ := new(big.Int).SetString(egG, 16)
	q := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(189))
	return &RefGroup{P: p, Q: q, G: g}
}

const egP = "" +
	"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" +
	"B17217F7D1CF79ABC9E3B39803F2F6AF40F343267298B62D8A0D175B8BAAFA2B" +
	"E7B876206DEBAC98559552FB4AFA1B10ED2EAE35C138214427573B291169B825" +
	"3E96CA16224AE8C51ACBDA11317C387EB9EA9BC3B136603B256FA0EC7657F74B" +
	"72CE87B19D6548CAF5DFA6BD38303248655FA1872F20E3A2DA2D97C50F3FD5C6" +
	"07F4CA11FB5BFB90610D30F88FE551A2EE569D6DFC1EFA157D2E23DE1400B396" +
	"17460775DB8990E5C943E732B479CD33CCCC4E659393514C4C1A1E0BD1D6095D" +
	"25669B333564A3376A9C7F8A5E148E82074DB6015CFE7AA30C480A5417350D2C" +
	"955D5179B1E17B9DAE313CDB6C606CB1078F735D1B2DB31B5F50B5185064C18B" +
	"4D162DB3B365853D7598A1951AE273EE5570B6C68F96983496D4E6D330AF889B" +
	"44A02554731CDC8EA17293D1228A4EF98D6F5177FBCF0755268A5C1F9538B982" +
	"61AFFD446B1CA3CF5E9222B88C66D3C5422183EDC99421090BBB16FAF3D949F2" +
	"36E02B20CEE886B905C128D53D0BD2F9621363196AF503020060E49908391A0C" +
	"57339BA2BEBA7D052AC5B61CC4E9207CEF2F0CE2D7373958D762265890445744" +
	"FB5F2DA4B751005892D356890DEFE9CAD9B9D4B713E06162A2D8FDD0DF2FD608" +
	"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"

const egG = "" +
	"36036FED214F3B50DC566D3A312FE4131FEE1C2BCE6D02EA39B477AC05F7F885" +
	"F38CFE77A7E45ACF4029114C4D7A9BFE058BF2F995D2479D3DDA618FFD910D3C" +
	"4236AB2CFDD783A5016F7465CF59BBF45D24A22F130F2D04FE93B2D58BB9C1D1" +
	"D27FC9A17D2AF49A779F3FFBDCA22900C14202EE6C99616034BE35CBCDD3E7BB" +
	"7996ADFE534B63CCA41E21FF5DC778EBB1B86C53BFBE99987D7AEA0756237FB4" +
	"0922139F90A62F2AA8D9AD34DFF799E33C857A6468D001ACF3B681DB87DC4242" +
	"755E2AC5A5027DB81984F033C4D178371F273DBB4FCEA1E628C23E52759BC776" +
	"5728035CEA26B44C49A65666889820A45C33DD37EA4A1D00CB62305CD541BE1E" +
	"8A92685A07012B1A20A746C3591A2DB3815000D2AACCFE43DC49E828C1ED7387" +
	"466AFD8E4BF1935593B2A442EEC271C50AD39F733797A1EA11802A2557916534" +
	"662A6B7E9A9E449A24C8CFF809E79A4D806EB681119330E6C57985E39B200B48" +
	"93639FDFDEA49F76AD1ACD997EBA13657541E79EC57437E504EDA9DD01106151" +
	"6C643FB30D6D58AFCCD28B73FEDA29EC12B01A5EB86399A593A9D5F450DE39CB" +
	"92962C5EC6925348DB54D128FD99C14B457F883EC20112A75A6A0581D3D80A3B" +
	"4EF09EC86F9552FFDA1653F133AA2534983A6F31B0EE4697935A6B1EA2F75B85" +
	"E7EBA151BA486094D68722B054633FEC51CA3F29B31E77E317B178B6B9D8AE0F"

func (gr *RefGroup) exp(b, e *big.Int) *big.Int { return new(big.Int).Exp(b, e, gr.P) }
func (gr *RefGroup) mul(a, b *big.Int) *big.Int {
	x := new(big.Int).Mul(a, b)
	return x.Mod(x, gr.P)
}

// member checks 0 < x < p and x^q = 1 (ElectionGuard checks every received element).
func (gr *RefGroup) member(x *big.Int) bool {
	return x.Sign() > 0 && x.Cmp(gr.P) < 0 && gr.exp(x, gr.Q).Cmp(big.NewInt(1)) == 0
}

func (gr *RefGroup) random(rand io.Reader) (*big.Int, error) {
	var b [64]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return nil, err
	}
	x := new(big.Int).SetBytes(b[:])
	return x.Mod(x, gr.Q), nil
}

func (gr *RefGroup) challenge(tag string, xs ...*big.Int) *big.Int {
	parts := make([][]byte, len(xs))
	for i, x := range xs {
		parts[i] = x.FillBytes(make([]byte, 512))
	}
	h := sha256.Sum256(Enc(tag, parts...))
	c := new(big.Int).SetBytes(h[:])
	return c.Mod(c, gr.Q)
}

// RefCiphertext is (α, β) = (g^r, K^r · g^v).
type RefCiphertext struct{ Alpha, Beta *big.Int }

// RefRangeProof holds the L+1 challenge/response pairs.
type RefRangeProof struct{ C, U []*big.Int }

// RefEncrypt encrypts v under K with a 0…L range proof.
func (gr *RefGroup) RefEncrypt(rand io.Reader, K *big.Int, v, L int) (RefCiphertext, RefRangeProof, error) {
	if v < 0 || v > L {
		return RefCiphertext{}, RefRangeProof{}, fmt.Errorf("reference: %d is not in 0…%d", v, L)
	}
	r, err := gr.random(rand)
	if err != nil {
		return RefCiphertext{}, RefRangeProof{}, err
	}
	ct := RefCiphertext{gr.exp(gr.G, r), gr.mul(gr.exp(K, r), gr.exp(gr.G, big.NewInt(int64(v))))}
	pr := RefRangeProof{C: make([]*big.Int, L+1), U: make([]*big.Int, L+1)}
	var commits []*big.Int
	var w *big.Int
	for k := 0; k <= L; k++ {
		d := gr.mul(ct.Beta, gr.exp(gr.G, new(big.Int).Sub(gr.Q, big.NewInt(int64(k))))) // β / g^k
		if k == v {
			if w, err = gr.random(rand); err != nil {
				return ct, pr, err
			}
			commits = append(commits, gr.exp(gr.G, w), gr.exp(K, w))
			continue
		}
		c, err := gr.random(rand)
		if err != nil {
			return ct, pr, err
		}
		u, err := gr.random(rand)
		if err != nil {
			return ct, pr, err
		}
		pr.C[k], pr.U[k] = c, u
		commits = append(commits, gr.mul(gr.exp(gr.G, u), gr.exp(ct.Alpha, c)), gr.mul(gr.exp(K, u), gr.exp(d, c)))
	}
	c := gr.challenge("ref/range", append([]*big.Int{K, ct.Alpha, ct.Beta}, commits...)...)
	cv := new(big.Int).Set(c)
	for k := 0; k <= L; k++ {
		if k != v {
			cv.Sub(cv, pr.C[k])
		}
	}
	cv.Mod(cv, gr.Q)
	uv := new(big.Int).Mul(cv, r)
	uv.Sub(w, uv).Mod(uv, gr.Q)
	pr.C[v], pr.U[v] = cv, uv
	return ct, pr, nil
}

// RefVerifyRange checks membership of α and β, then the range proof.
func (gr *RefGroup) RefVerifyRange(K *big.Int, ct RefCiphertext, L int, pr RefRangeProof) bool {
	if !gr.member(ct.Alpha) || !gr.member(ct.Beta) || len(pr.C) != L+1 || len(pr.U) != L+1 {
		return false
	}
	var commits []*big.Int
	sum := new(big.Int)
	for k := 0; k <= L; k++ {
		d := gr.mul(ct.Beta, gr.exp(gr.G, new(big.Int).Sub(gr.Q, big.NewInt(int64(k)))))
		commits = append(commits, gr.mul(gr.exp(gr.G, pr.U[k]), gr.exp(ct.Alpha, pr.C[k])), gr.mul(gr.exp(K, pr.U[k]), gr.exp(d, pr.C[k])))
		sum.Add(sum, pr.C[k])
	}
	sum.Mod(sum, gr.Q)
	return gr.challenge("ref/range", append([]*big.Int{K, ct.Alpha, ct.Beta}, commits...)...).Cmp(sum) == 0
}

// RefShareProof proves log_g(K_m) = log_A(M) = s.
func (gr *RefGroup) RefShareProof(rand io.Reader, s, A *big.Int) (M, c, u *big.Int, err error) {
	w, err := gr.random(rand)
	if err != nil {
		return nil, nil, nil, err
	}
	Km := gr.exp(gr.G, s)
	M = gr.exp(A, s)
	c = gr.challenge("ref/share", Km, A, M, gr.exp(gr.G, w), gr.exp(A, w))
	u = new(big.Int).Mul(c, s)
	u.Sub(w, u).Mod(u, gr.Q)
	return M, c, u, nil
}

// RefVerifyShare checks a share proof: a = g^u·K_m^c, b = A^u·M^c.
func (gr *RefGroup) RefVerifyShare(Km, A, M, c, u *big.Int) bool {
	if !gr.member(M) {
		return false
	}
	a := gr.mul(gr.exp(gr.G, u), gr.exp(Km, c))
	b := gr.mul(gr.exp(A, u), gr.exp(M, c))
	return gr.challenge("ref/share", Km, A, M, a, b).Cmp(c) == 0
}

// RefResult is the reference's figures, per option and per share proof.
type RefResult struct {
	EncryptMsPerOption    float64 `json:"ref_encrypt_ms_per_option"`
	ProofCheckMsPerOption float64 `json:"ref_proof_check_ms_per_option"`
	ShareCheckMs          float64 `json:"ref_share_check_ms"`
	Samples               int     `json:"ref_samples"`
}

// RefBench times the reference's 0/1 proof (creation and check) and share-proof check
// over samples options (one goroutine).
func RefBench(rand io.Reader, samples int) (*RefResult, error) {
	gr := ElectionGuardGroup()
	s, err := gr.random(rand)
	if err != nil {
		return nil, err
	}
	K := gr.exp(gr.G, s)
	res := &RefResult{Samples: samples}
	cts := make([]RefCiphertext, samples)
	prs := make([]RefRangeProof, samples)
	t0 := time.Now()
	for i := range cts {
		if cts[i], prs[i], err = gr.RefEncrypt(rand, K, i%2, 1); err != nil {
			return nil, err
		}
	}
	res.EncryptMsPerOption = ms(time.Since(t0)) / float64(samples)
	t0 = time.Now()
	for i := range cts {
		if !gr.RefVerifyRange(K, cts[i], 1, prs[i]) {
			return nil, fmt.Errorf("reference: proof %d does not verify", i)
		}
	}
	res.ProofCheckMsPerOption = ms(time.Since(t0)) / float64(samples)
	M, c, u, err := gr.RefShareProof(rand, s, cts[0].Alpha)
	if err != nil {
		return nil, err
	}
	t0 = time.Now()
	for i := 0; i < samples; i++ {
		if !gr.RefVerifyShare(K, cts[0].Alpha, M, c, u) {
			return nil, fmt.Errorf("reference: share proof does not verify")
		}
	}
	res.ShareCheckMs = ms(time.Since(t0)) / float64(samples)
	return res, nil
}
