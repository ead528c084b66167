package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dais/internal/vote/e2e"
)

// electionRecordFile writes a small valid record (2 of 3 trustees decrypt, 8 ballots).
func electionRecordFile(t *testing.T, alter func(r *e2e.Record)) string {
	t.Helper()
	res, err := e2e.BenchElection(e2e.NewTestRand("cli"), e2e.BenchConfig{Voters: 8, Candidates: 4, Seats: 2, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if alter != nil {
		alter(res.Record)
	}
	data, err := res.Record.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "record.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestVerifyElection(t *testing.T) {
	ctx := context.Background()
	good := electionRecordFile(t, nil)
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"verify-election", good}, nil, &out, &errOut); err != nil {
		t.Fatalf("valid record: %v\n%s", err, out.String())
	}
	for _, c := range e2e.CheckNames {
		if !strings.Contains(out.String(), c.Name) {
			t.Errorf("output does not name check %s", c.Name)
		}
	}
	if strings.Contains(out.String(), "FAILED") || !strings.Contains(out.String(), "record verified: 8 cast ballots") {
		t.Fatalf("output:\n%s", out.String())
	}

	out.Reset()
	if err := run(ctx, []string{"verify-election", "--json", good}, nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	var rep e2e.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || !rep.OK || len(rep.Checks) != len(e2e.CheckNames) {
		t.Fatalf("--json: %v %+v", err, rep)
	}

	bad := electionRecordFile(t, func(r *e2e.Record) { r.Counts[0]++ })
	out.Reset()
	err := run(ctx, []string{"verify-election", bad}, nil, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "counts") {
		t.Fatalf("altered counts: err = %v", err)
	}
	if !strings.Contains(out.String(), "counts") || !strings.Contains(out.String(), "FAILED") {
		t.Fatalf("output:\n%s", out.String())
	}

	notJSON := filepath.Join(t.TempDir(), "x.json")
	os.WriteFile(notJSON, []byte("{"), 0o644)
	if err := run(ctx, []string{"verify-election", notJSON}, nil, &out, &errOut); err == nil {
		t.Fatal("broken JSON accepted")
	}
	if err := run(ctx, []string{"verify-election"}, nil, &out, &errOut); err == nil {
		t.Fatal("no RECORD accepted")
	}
}
