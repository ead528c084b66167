// Package e2e is Dais's end-to-end verifiable election core: the protocol and election
// record of ../shared/ELECTION.md (version 1), implemented to the byte. It is pure code —
// no database, no clock, no global state: internal/vote stores what it produces and
// `dais verify-election` checks a record with Verify.
//
// The group is ristretto255 (github.com/gtank/ristretto255); the protocol is ours.
// Every function that needs randomness takes an io.Reader, so tests inject fixed bytes.
package e2e

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/gtank/ristretto255"

	"dais/internal/store"
)

// Point is a ristretto255 group element; Scalar an integer mod ℓ.
type (
	Point  = ristretto255.Element
	Scalar = ristretto255.Scalar
)

// Size is the length of an encoded point, scalar or hash.
const Size = 32

// G returns a new copy of the canonical generator.
func G() *Point { return ristretto255.NewElement().Base() }

// Identity returns a new identity element.
func Identity() *Point { return ristretto255.NewElement().Zero() }

// NewPoint returns a new identity element to be set.
func NewPoint() *Point { return ristretto255.NewElement() }

// NewScalar returns a new zero scalar.
func NewScalar() *Scalar { return ristretto255.NewScalar() }

// ScalarFromUint64 returns k as a scalar.
func ScalarFromUint64(k uint64) *Scalar {
	var b [32]byte
	binary.LittleEndian.PutUint64(b[:], k)
	s := NewScalar()
	if err := s.Decode(b[:]); err != nil {
		panic("e2e: small scalar rejected") // unreachable: k < 2^64 < ℓ
	}
	return s
}

// BaseMul returns s·G.
func BaseMul(s *Scalar) *Point { return NewPoint().ScalarBaseMult(s) }

// clonePoint returns a copy of p.
func clonePoint(p *Point) *Point { return NewPoint().Add(p, Identity()) }

// cloneScalar returns a copy of s.
func cloneScalar(s *Scalar) *Scalar { return NewScalar().Add(s, NewScalar()) }

// isIdentity reports whether p is the identity.
func isIdentity(p *Point) bool { return p.Equal(Identity()) == 1 }

// PointBytes is the canonical 32-byte encoding of p.
func PointBytes(p *Point) []byte { return p.Encode(make([]byte, 0, Size)) }

// ScalarBytes is the 32-byte little-endian encoding of s.
func ScalarBytes(s *Scalar) []byte { return s.Encode(make([]byte, 0, Size)) }

// PointHex is p as lowercase hex.
func PointHex(p *Point) string { return hex.EncodeToString(PointBytes(p)) }

// ScalarHex is s as lowercase hex.
func ScalarHex(s *Scalar) string { return hex.EncodeToString(ScalarBytes(s)) }

// DecodeHex32 decodes exactly 64 lowercase hex characters.
func DecodeHex32(s string) ([]byte, error) {
	if len(s) != 2*Size {
		return nil, invalid("err.e2e_hex_length", "want %d hex characters, got %d", 2*Size, len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return nil, invalid("err.e2e_hex", "character %d is not lowercase hex", i)
		}
	}
	b, _ := hex.DecodeString(s)
	return b, nil
}

// ParsePoint decodes a point from lowercase hex, rejecting non-canonical encodings.
func ParsePoint(s string) (*Point, error) {
	b, err := DecodeHex32(s)
	if err != nil {
		return nil, err
	}
	p := NewPoint()
	if err := p.Decode(b); err != nil {
		return nil, invalid("err.e2e_point", "not a canonical ristretto255 point")
	}
	return p, nil
}

// ParseScalar decodes a scalar from lowercase hex, rejecting values ≥ ℓ.
func ParseScalar(s string) (*Scalar, error) {
	b, err := DecodeHex32(s)
	if err != nil {
		return nil, err
	}
	x := NewScalar()
	if err := x.Decode(b); err != nil {
		return nil, invalid("err.e2e_scalar", "scalar not below the group order")
	}
	return x, nil
}

// ParseHash decodes a 32-byte hash from lowercase hex.
func ParseHash(s string) ([32]byte, error) {
	var h [32]byte
	b, err := DecodeHex32(s)
	if err != nil {
		return h, err
	}
	copy(h[:], b)
	return h, nil
}

// Enc is enc(tag, p1, …, pn) of ELECTION.md §1: each part prefixed by its u32be length.
func Enc(tag string, parts ...[]byte) []byte {
	n := 4 + len(tag)
	for _, p := range parts {
		n += 4 + len(p)
	}
	out := make([]byte, 0, n)
	out = binary.BigEndian.AppendUint32(out, uint32(len(tag)))
	out = append(out, tag...)
	for _, p := range parts {
		out = binary.BigEndian.AppendUint32(out, uint32(len(p)))
		out = append(out, p...)
	}
	return out
}

// Hs is SHA-512(enc(tag, …)) read little-endian, mod ℓ.
func Hs(tag string, parts ...[]byte) *Scalar {
	h := sha512.Sum512(Enc(tag, parts...))
	return NewScalar().FromUniformBytes(h[:])
}

// Hb is SHA-256(enc(tag, …)).
func Hb(tag string, parts ...[]byte) [32]byte {
	return sha256.Sum256(Enc(tag, parts...))
}

// U64 is the 8-byte big-endian encoding of an integer inside hashes.
func U64(x uint64) []byte { return binary.BigEndian.AppendUint64(nil, x) }

// RandomScalar draws 64 bytes from r and reduces them mod ℓ.
func RandomScalar(r io.Reader) (*Scalar, error) {
	var b [64]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return nil, fmt.Errorf("e2e: randomness: %w", err)
	}
	return NewScalar().FromUniformBytes(b[:]), nil
}

// invalid is an EINVALID error whose translated message (Messages[key]) takes one
// argument: the English detail, which names the element at fault.
func invalid(key, format string, args ...any) *store.Error {
	msg := fmt.Sprintf(format, args...)
	return &store.Error{Code: store.EINVALID, Key: key, Args: []any{msg}, Message: msg}
}

// TestRand is the deterministic randomness of the test vectors (never for real
// elections): block i (0, 1, …) of 64 bytes is SHA-512(seed ‖ u64be(i)).
type TestRand struct {
	seed []byte
	i    uint64
	buf  []byte
}

// NewTestRand returns the deterministic stream for seed.
func NewTestRand(seed string) *TestRand { return &TestRand{seed: []byte(seed)} }

func (t *TestRand) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(t.buf) == 0 {
			h := sha512.Sum512(append(append([]byte{}, t.seed...), U64(t.i)...))
			t.i++
			t.buf = h[:]
		}
		c := copy(p[n:], t.buf)
		t.buf = t.buf[c:]
		n += c
	}
	return n, nil
}
