package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dais/internal/vote/e2e"
)

// benchVoteLine runs `dais bench vote args…` and returns its last line as JSON.
func benchVoteLine(t *testing.T, args ...string) map[string]any {
	t.Helper()
	var out, errb bytes.Buffer
	if err := cmdBench(context.Background(), append([]string{"vote"}, args...), &out, &errb); err != nil {
		t.Fatalf("bench vote %v: %v\n%s\n%s", args, err, out.String(), errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("last line is not JSON: %q: %v", lines[len(lines)-1], err)
	}
	if len(lines) < 3 {
		t.Errorf("no table before the JSON line:\n%s", out.String())
	}
	return got
}

func num(t *testing.T, m map[string]any, key string) float64 {
	t.Helper()
	v, ok := m[key].(float64)
	if !ok {
		t.Fatalf("%s missing or not a number in %v", key, m)
	}
	return v
}

func TestBenchVotePlain(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a server")
	}
	got := benchVoteLine(t, "--voters", "20", "--candidates", "5", "--seats", "3", "--concurrency", "8")
	if got["mode"] != "plain" {
		t.Errorf("mode %v", got["mode"])
	}
	if _, ok := got["verify_record_ms"]; !ok {
		t.Error("verify_record_ms missing (null in plain mode)")
	}
	prefixes := []string{""}
	if os.Getenv("DAIS_TEST_PG") != "" {
		prefixes = append(prefixes, "postgres_")
	}
	for _, p := range prefixes {
		if n := num(t, got, p+"acknowledged"); n != 20 {
			t.Errorf("%sacknowledged = %v, want 20", p, n)
		}
		if n := num(t, got, p+"counted"); n != 20 {
			t.Errorf("%scounted = %v, want 20", p, n)
		}
		for _, k := range []string{"lost", "refused", "count_mismatches"} {
			if n := num(t, got, p+k); n != 0 {
				t.Errorf("%s%s = %v, want 0", p, k, n)
			}
		}
		if num(t, got, p+"cast_per_s") <= 0 || num(t, got, p+"p99_ms") < num(t, got, p+"p50_ms") {
			t.Errorf("%s figures: %v", p, got)
		}
		num(t, got, p+"tally_ms")
	}
}

func TestBenchVoteVerifiable(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a whole verifiable election")
	}
	rec := filepath.Join(t.TempDir(), "record.json")
	got := benchVoteLine(t, "--verifiable", "--voters", "20", "--candidates", "5", "--seats", "2", "--ref-samples", "2", "--record", rec)
	if got["mode"] != "verifiable" || got["through_server"] != false || got["record_ok"] != true {
		t.Errorf("mode %v, through_server %v, record_ok %v", got["mode"], got["through_server"], got["record_ok"])
	}
	for k, want := range map[string]float64{"acknowledged": 20, "counted": 20, "lost": 0, "count_mismatches": 0, "voters": 20, "ref_samples": 2} {
		if n := num(t, got, k); n != want {
			t.Errorf("%s = %v, want %v", k, n, want)
		}
	}
	for _, k := range []string{"cast_per_s", "verify_record_ms", "tally_ms", "decrypt_ms", "proof_check_ms_per_option", "ref_proof_check_ms_per_option", "record_bytes"} {
		if num(t, got, k) <= 0 {
			t.Errorf("%s = %v, want > 0", k, got[k])
		}
	}
	// The written record is the one measured, and stands on its own.
	data, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != int(num(t, got, "record_bytes")) {
		t.Errorf("record file has %d bytes, the bench says %v", len(data), got["record_bytes"])
	}
	parsed, err := e2e.ParseRecord(data)
	if err != nil {
		t.Fatal(err)
	}
	if rep := e2e.Verify(parsed, e2e.Options{}); !rep.OK {
		t.Errorf("written record fails: %v", rep.FirstFailure())
	}
	if len(parsed.Ballots) != 20 {
		t.Errorf("record holds %d ballots, want 20", len(parsed.Ballots))
	}
}

func TestBenchVoteUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--voters", "0"},
		{"--seats", "0"},
		{"--candidates", "5", "--seats", "6"},
		{"--candidates", "20", "--seats", "2"}, // surplus beyond the regulation's 100 %
		{"--record", "x.json"},                 // no record without --verifiable
		{"--verifiable", "--threshold", "4", "--trustees", "3"},
		{"stray"},
	} {
		var out, errb bytes.Buffer
		err := cmdBench(context.Background(), append([]string{"vote"}, args...), &out, &errb)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}
