package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Manifest is the election's public description (ELECTION.md §2).
type Manifest struct {
	ElectionID    string      `json:"election_id"`
	Title         string      `json:"title"`
	Candidates    []Candidate `json:"candidates"`
	MaxSelections int         `json:"max_selections"`
	Trustees      int         `json:"trustees"`
	Threshold     int         `json:"threshold"`
	Rule          Rule        `json:"rule"`
}

// Candidate is one option of the ballot; option j is Candidates[j].
type Candidate struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Rule is how counts become elected candidates. Only "majority-of-base" exists.
type Rule struct {
	Name     string `json:"name"`
	Base     string `json:"base"`               // "convened" or "cast"
	Convened int    `json:"convened,omitempty"` // the base when Base is "convened"
}

// Rule names and bases.
const (
	RuleMajorityOfBase = "majority-of-base"
	BaseConvened       = "convened"
	BaseCast           = "cast"
)

// Limits that keep a record's size and the verifier's work bounded.
const (
	MaxCandidates = 1000
	MaxTrustees   = 100
)

// N is the number of candidates (options).
func (m *Manifest) N() int { return len(m.Candidates) }

// Validate checks the manifest's sanity (ELECTION.md §2).
func (m *Manifest) Validate() error {
	if strings.TrimSpace(m.ElectionID) == "" {
		return invalid("err.e2e_manifest_id", "manifest: election_id is empty")
	}
	n := len(m.Candidates)
	if n == 0 || n > MaxCandidates {
		return invalid("err.e2e_manifest_candidates", "manifest: %d candidates, want 1…%d", n, MaxCandidates)
	}
	seen := make(map[string]bool, n)
	for j, c := range m.Candidates {
		if c.ID == "" {
			return invalid("err.e2e_manifest_candidate_id", "manifest: candidate %d has no id", j)
		}
		if seen[c.ID] {
			return invalid("err.e2e_manifest_candidate_dup", "manifest: candidate id %q appears twice", c.ID)
		}
		seen[c.ID] = true
	}
	if m.MaxSelections < 1 || m.MaxSelections > n {
		return invalid("err.e2e_manifest_k", "manifest: max_selections %d not in 1…%d", m.MaxSelections, n)
	}
	if m.Trustees < 1 || m.Trustees > MaxTrustees {
		return invalid("err.e2e_manifest_trustees", "manifest: trustees %d not in 1…%d", m.Trustees, MaxTrustees)
	}
	if m.Threshold < 1 || m.Threshold > m.Trustees {
		return invalid("err.e2e_manifest_threshold", "manifest: threshold %d not in 1…%d", m.Threshold, m.Trustees)
	}
	if m.Rule.Name != RuleMajorityOfBase {
		return invalid("err.e2e_manifest_rule", "manifest: unknown rule %q", m.Rule.Name)
	}
	switch m.Rule.Base {
	case BaseConvened:
		if m.Rule.Convened < 1 || m.Rule.Convened >= 1<<53 {
			return invalid("err.e2e_manifest_convened", "manifest: rule base convened needs a positive convened count")
		}
	case BaseCast:
		if m.Rule.Convened != 0 {
			return invalid("err.e2e_manifest_convened", "manifest: rule base cast takes no convened count")
		}
	default:
		return invalid("err.e2e_manifest_base", "manifest: unknown rule base %q", m.Rule.Base)
	}
	return nil
}

// MarshalManifest returns the manifest's JSON in canonical (JCS) form.
func MarshalManifest(m *Manifest) ([]byte, error) {
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return Canonicalize(raw)
}

// ParseManifest decodes a manifest strictly (no unknown fields, no duplicate keys) and
// validates it.
func ParseManifest(raw []byte) (*Manifest, error) {
	if _, err := Canonicalize(raw); err != nil {
		return nil, err
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, invalid("err.e2e_manifest_json", "manifest: %v", err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// ManifestHash is SHA-256 of the JCS form of the manifest's JSON.
func ManifestHash(raw []byte) ([32]byte, error) {
	c, err := Canonicalize(raw)
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(c), nil
}

// Canonicalize returns JSON in the JSON Canonicalization Scheme (RFC 8785) for the
// subset a manifest uses: strings, booleans, null, integers with |x| < 2^53, arrays and
// objects. Fractions, exponents, duplicate keys and invalid UTF-8 are refused.
func Canonicalize(raw []byte) ([]byte, error) {
	if !utf8.Valid(raw) {
		return nil, invalid("err.e2e_jcs", "manifest: not UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out bytes.Buffer
	if err := jcsValue(dec, &out, 0); err != nil {
		return nil, invalid("err.e2e_jcs", "manifest: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalid("err.e2e_jcs", "manifest: data after the JSON value")
	}
	return out.Bytes(), nil
}

func jcsValue(dec *json.Decoder, out *bytes.Buffer, depth int) error {
	if depth > 32 {
		return fmt.Errorf("nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '[':
			out.WriteByte('[')
			for i := 0; dec.More(); i++ {
				if i > 0 {
					out.WriteByte(',')
				}
				if err := jcsValue(dec, out, depth+1); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			out.WriteByte(']')
		case '{':
			type member struct {
				key string
				val []byte
			}
			var ms []member
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k := kt.(string)
				if seen[k] {
					return fmt.Errorf("duplicate key %q", k)
				}
				seen[k] = true
				var v bytes.Buffer
				if err := jcsValue(dec, &v, depth+1); err != nil {
					return err
				}
				ms = append(ms, member{k, v.Bytes()})
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			// RFC 8785 §3.2.3: keys sorted by their UTF-16 code units.
			sort.Slice(ms, func(i, j int) bool { return lessUTF16(ms[i].key, ms[j].key) })
			out.WriteByte('{')
			for i, m := range ms {
				if i > 0 {
					out.WriteByte(',')
				}
				jcsString(out, m.key)
				out.WriteByte(':')
				out.Write(m.val)
			}
			out.WriteByte('}')
		default:
			return fmt.Errorf("unexpected %v", t)
		}
	case string:
		if strings.ContainsRune(t, utf8.RuneError) {
			// encoding/json turns lone surrogate escapes into U+FFFD; refuse rather than
			// hash something other than what was written.
			return fmt.Errorf("U+FFFD or a lone surrogate in a string")
		}
		jcsString(out, t)
	case json.Number:
		i, err := strconv.ParseInt(string(t), 10, 64)
		if err != nil || i <= -(1<<53) || i >= 1<<53 || (string(t) != strconv.FormatInt(i, 10) && string(t) != "-0") {
			return fmt.Errorf("number %s is not an integer below 2^53", t)
		}
		out.WriteString(strconv.FormatInt(i, 10))
	case bool:
		out.WriteString(strconv.FormatBool(t))
	case nil:
		out.WriteString("null")
	}
	return nil
}

func lessUTF16(a, b string) bool {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return ua[i] < ub[i]
		}
	}
	return len(ua) < len(ub)
}

// jcsString writes s as ECMAScript's JSON.stringify does (RFC 8785 §3.2.2.2).
func jcsString(out *bytes.Buffer, s string) {
	const hexd = "0123456789abcdef"
	out.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			out.WriteString(`\"`)
		case '\\':
			out.WriteString(`\\`)
		case '\b':
			out.WriteString(`\b`)
		case '\f':
			out.WriteString(`\f`)
		case '\n':
			out.WriteString(`\n`)
		case '\r':
			out.WriteString(`\r`)
		case '\t':
			out.WriteString(`\t`)
		default:
			if r < 0x20 {
				out.WriteString(`\u00`)
				out.WriteByte(hexd[r>>4])
				out.WriteByte(hexd[r&15])
			} else {
				out.WriteRune(r)
			}
		}
	}
	out.WriteByte('"')
}
