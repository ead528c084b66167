package e2e

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// RecordVersion is the version string of ELECTION.md §6.
const RecordVersion = "dais-election-record/1"

// MaxRecordSize bounds what ParseRecord reads (1,600 ballots × 200 options fit easily).
const MaxRecordSize = 1 << 30

// Record is the election record, field for field as ELECTION.md §6: points, scalars and
// hashes stay lowercase hex strings here so that Verify can name what is malformed.
type Record struct {
	Version      string          `json:"version"`
	Manifest     json.RawMessage `json:"manifest"`
	ManifestHash string          `json:"manifest_hash"`
	Trustees     []RecordTrustee `json:"trustees"`
	JointKey     string          `json:"joint_key"`
	BaseHash     string          `json:"base_hash"`
	Ballots      []RecordBallot  `json:"ballots"`
	Spoiled      []RecordSpoiled `json:"spoiled"`
	Tally        RecordTally     `json:"tally"`
	Shares       []RecordShare   `json:"shares"`
	Counts       []int           `json:"counts"`
	Elected      []string        `json:"elected"`
	Runoff       []string        `json:"runoff"`
}

// RecordProof is {"c": hex, "u": hex}.
type RecordProof struct {
	C string `json:"c"`
	U string `json:"u"`
}

// RecordRangeProof is {"c": [hex…], "u": [hex…]}.
type RecordRangeProof struct {
	C []string `json:"c"`
	U []string `json:"u"`
}

// RecordTrustee is one trustee's commitments and keygen proofs.
type RecordTrustee struct {
	Index       int           `json:"index"`
	Commitments []string      `json:"commitments"`
	Proofs      []RecordProof `json:"proofs"`
}

// RecordSelection is one encrypted option of a cast ballot.
type RecordSelection struct {
	Alpha string           `json:"alpha"`
	Beta  string           `json:"beta"`
	Proof RecordRangeProof `json:"proof"`
}

// RecordBallot is a cast ballot with its tracking code.
type RecordBallot struct {
	Code       string            `json:"code"`
	Selections []RecordSelection `json:"selections"`
	SumProof   RecordRangeProof  `json:"sum_proof"`
}

// RecordSpoiledSelection is one opened option of a spoiled ballot.
type RecordSpoiledSelection struct {
	Alpha string `json:"alpha"`
	Beta  string `json:"beta"`
	R     string `json:"r"`
	V     int    `json:"v"`
}

// RecordSpoiled is an audited ballot.
type RecordSpoiled struct {
	Fingerprint string                   `json:"fingerprint"`
	Selections  []RecordSpoiledSelection `json:"selections"`
}

// RecordTally is {"alpha": [...], "beta": [...]}.
type RecordTally struct {
	Alpha []string `json:"alpha"`
	Beta  []string `json:"beta"`
}

// RecordShare is one trustee's decryption share.
type RecordShare struct {
	Index  int           `json:"index"`
	M      []string      `json:"M"`
	Proofs []RecordProof `json:"proofs"`
}

// ParseRecord decodes a record strictly: unknown fields, a second JSON value or a
// missing version are refused. It checks the JSON's shape only; Verify checks the rest.
func ParseRecord(data []byte) (*Record, error) {
	if len(data) > MaxRecordSize {
		return nil, invalid("err.e2e_record_size", "record larger than %d bytes", MaxRecordSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Record
	if err := dec.Decode(&r); err != nil {
		return nil, invalid("err.e2e_record_json", "record: %v", err)
	}
	if dec.More() {
		return nil, invalid("err.e2e_record_json", "record: data after the JSON object")
	}
	if len(r.Manifest) == 0 || string(r.Manifest) == "null" {
		return nil, invalid("err.e2e_record_json", "record: no manifest")
	}
	return &r, nil
}

// Marshal writes the record as JSON (keys in the order of ELECTION.md §6).
func (r *Record) Marshal() ([]byte, error) {
	return json.Marshal(r)
}

func hexHash(h [32]byte) string { return hex.EncodeToString(h[:]) }

func recordProof(p Proof) RecordProof { return RecordProof{C: ScalarHex(p.C), U: ScalarHex(p.U)} }

func recordRange(p RangeProof) RecordRangeProof {
	out := RecordRangeProof{C: make([]string, len(p.C)), U: make([]string, len(p.U))}
	for k := range p.C {
		out.C[k], out.U[k] = ScalarHex(p.C[k]), ScalarHex(p.U[k])
	}
	return out
}

// RecordOfBallot is a cast ballot as the record holds it.
func RecordOfBallot(code [32]byte, b *Ballot) RecordBallot {
	rb := RecordBallot{Code: hexHash(code), SumProof: recordRange(b.SumProof)}
	for _, s := range b.Selections {
		rb.Selections = append(rb.Selections, RecordSelection{Alpha: PointHex(s.Alpha), Beta: PointHex(s.Beta), Proof: recordRange(s.Proof)})
	}
	return rb
}

// RecordOfSpoiled is a spoiled ballot as the record holds it.
func RecordOfSpoiled(sp *Spoiled) RecordSpoiled {
	rs := RecordSpoiled{Fingerprint: hexHash(sp.Fingerprint)}
	for _, s := range sp.Selections {
		rs.Selections = append(rs.Selections, RecordSpoiledSelection{Alpha: PointHex(s.Alpha), Beta: PointHex(s.Beta), R: ScalarHex(s.R), V: s.V})
	}
	return rs
}

// RecordOfTrustee is a trustee's public part as the record holds it.
func RecordOfTrustee(t *TrusteePublic) RecordTrustee {
	rt := RecordTrustee{Index: t.Index}
	for j := range t.Commitments {
		rt.Commitments = append(rt.Commitments, PointHex(t.Commitments[j]))
		rt.Proofs = append(rt.Proofs, recordProof(t.Proofs[j]))
	}
	return rt
}

// RecordOfShare is a decryption share as the record holds it.
func RecordOfShare(s *DecryptionShare) RecordShare {
	rs := RecordShare{Index: s.Index}
	for j := range s.M {
		rs.M = append(rs.M, PointHex(s.M[j]))
		rs.Proofs = append(rs.Proofs, recordProof(s.Proofs[j]))
	}
	return rs
}

// ParseBallot decodes one cast ballot (as the record holds it, code optional) into
// group elements, checking every encoding and the shape for N options and K.
func ParseBallot(data []byte, N, K int) (*Ballot, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var rb RecordBallot
	if err := dec.Decode(&rb); err != nil {
		return nil, invalid("err.e2e_ballot_json", "ballot: %v", err)
	}
	if dec.More() {
		return nil, invalid("err.e2e_ballot_json", "ballot: data after the JSON object")
	}
	return DecodeBallot(&rb, N, K)
}

// DecodeBallot turns a record ballot into group elements (the code is not checked here).
func DecodeBallot(rb *RecordBallot, N, K int) (*Ballot, error) {
	if len(rb.Selections) != N {
		return nil, invalid("err.e2e_ballot_shape", "ballot has %d selections, want %d", len(rb.Selections), N)
	}
	b := &Ballot{Selections: make([]Selection, N)}
	for j, s := range rb.Selections {
		a, err := ParsePoint(s.Alpha)
		if err != nil {
			return nil, fmt.Errorf("option %d alpha: %w", j, err)
		}
		bt, err := ParsePoint(s.Beta)
		if err != nil {
			return nil, fmt.Errorf("option %d beta: %w", j, err)
		}
		p, err := decodeRange(s.Proof, 1)
		if err != nil {
			return nil, fmt.Errorf("option %d proof: %w", j, err)
		}
		b.Selections[j] = Selection{Alpha: a, Beta: bt, Proof: p}
	}
	p, err := decodeRange(rb.SumProof, K)
	if err != nil {
		return nil, fmt.Errorf("sum proof: %w", err)
	}
	b.SumProof = p
	return b, nil
}

func decodeRange(rp RecordRangeProof, L int) (RangeProof, error) {
	if len(rp.C) != L+1 || len(rp.U) != L+1 {
		return RangeProof{}, invalid("err.e2e_proof_shape", "want %d challenge/response pairs, got %d/%d", L+1, len(rp.C), len(rp.U))
	}
	p := RangeProof{C: make([]*Scalar, L+1), U: make([]*Scalar, L+1)}
	for k := 0; k <= L; k++ {
		var err error
		if p.C[k], err = ParseScalar(rp.C[k]); err != nil {
			return p, fmt.Errorf("c[%d]: %w", k, err)
		}
		if p.U[k], err = ParseScalar(rp.U[k]); err != nil {
			return p, fmt.Errorf("u[%d]: %w", k, err)
		}
	}
	return p, nil
}

func decodeProof(rp RecordProof) (Proof, error) {
	c, err := ParseScalar(rp.C)
	if err != nil {
		return Proof{}, fmt.Errorf("c: %w", err)
	}
	u, err := ParseScalar(rp.U)
	if err != nil {
		return Proof{}, fmt.Errorf("u: %w", err)
	}
	return Proof{C: c, U: u}, nil
}
