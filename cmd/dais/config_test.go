package main

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

// The configuration reference is generated from the declarations; it must not drift.
func TestConfigDocUpToDate(t *testing.T) {
	var buf bytes.Buffer
	writeConfigDoc(&buf)
	got, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, buf.Bytes()) {
		t.Fatal("docs/configuration.md is stale: run `go run ./cmd/dais config-doc > docs/configuration.md`")
	}
}

func TestConfigPrecedence(t *testing.T) {
	t.Setenv("DAIS_ADDR", "127.0.0.1:9999")
	secret := t.TempDir() + "/db"
	os.WriteFile(secret, []byte("postgres://u@h/db\n"), 0o600)
	t.Setenv("DAIS_DB_FILE", secret)
	cases := []struct {
		args           []string
		wantAddr, want string
	}{
		{nil, "127.0.0.1:9999", "postgres://u@h/db"},
		{[]string{"--addr", ":1", "--db", ""}, ":1", ""},
	}
	for _, c := range cases {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		cfg := bind(fs, "addr", "db")
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		if cfg.get("addr") != c.wantAddr || cfg.get("db") != c.want {
			t.Errorf("args %v: addr %q db %q", c.args, cfg.get("addr"), cfg.get("db"))
		}
	}
}
