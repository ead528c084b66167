package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"dais/internal/demo"
	"dais/internal/vntext"
)

func TestSearchMembersCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := openStore(ctx, config{"data": dir, "db": "", "key-file": ""}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, db, demo.Options{Seed: 5, Members: 300}, nil); err != nil {
		t.Fatal(err)
	}
	var name, card, unit string
	if err := db.R().QueryRowContext(ctx, `SELECT m.full_name, m.card_number, u.code FROM members m JOIN units u ON u.id = m.unit_id
		ORDER BY m.card_number LIMIT 1`).Scan(&name, &card, &unit); err != nil {
		t.Fatal(err)
	}
	db.Close()

	search := func(args ...string) (string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		args = append([]string{"search", "members"}, append(args, "--data", dir, "--db", "")...)
		if err := run(ctx, args, nil, &out, &errb); err != nil {
			t.Fatalf("dais %s: %v\n%s", strings.Join(args, " "), err, errb.String())
		}
		return out.String(), errb.String()
	}

	// A name without diacritics, as JSON lines; the member is among the hits.
	out, _ := search(vntext.Fold(name), "--json", "--limit", "200")
	found := false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var h map[string]any
		if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		for _, k := range []string{"full_name", "card_number", "unit_code", "birth_date"} {
			if _, ok := h[k].(string); !ok {
				t.Fatalf("line %q lacks the string %s", sc.Text(), k)
			}
		}
		found = found || h["card_number"] == card
	}
	if !found {
		t.Errorf("%q (card %s) not among the hits of %q:\n%s", name, card, vntext.Fold(name), out)
	}

	// A card number (leading zeros kept), as a table, within its unit.
	out, _ = search(card, "--unit", unit)
	if !strings.Contains(out, card) || !strings.Contains(out, name) || !strings.Contains(out, "1 of 1 members") {
		t.Errorf("card search:\n%s", out)
	}

	// Errors are the store's: an unknown unit, a bad limit.
	var errb bytes.Buffer
	if err := run(ctx, []string{"search", "members", "an", "--unit", "NOPE", "--data", dir, "--db", ""}, nil, &bytes.Buffer{}, &errb); err == nil {
		t.Error("an unknown unit should fail")
	}
	if err := run(ctx, []string{"search", "members", "an", "--limit", "100000", "--data", dir, "--db", ""}, nil, &bytes.Buffer{}, &errb); err == nil {
		t.Error("a huge limit should fail")
	}
	if err := run(ctx, []string{"search", "people"}, nil, &bytes.Buffer{}, &errb); err == nil {
		t.Error("search people should be a usage error")
	}
}
