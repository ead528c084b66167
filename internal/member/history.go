package member

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"dais/internal/store"
)

// Version is one saved state of a record.
type Version struct {
	Version int       `json:"version"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Reason  string    `json:"reason"`
	Data    snapshot  `json:"data"`
}

// Versions returns a visible member's history, newest first.
func (s *Service) Versions(ctx context.Context, p *store.Principal, id string) ([]Version, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT version, at, actor, reason, data FROM member_versions WHERE member_id = ? ORDER BY version DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("member history: %w", err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var data string
		if err := rows.Scan(&v.Version, &v.At, &v.Actor, &v.Reason, &data); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(data), &v.Data); err != nil {
			return nil, fmt.Errorf("member %s version %d: %w", id, v.Version, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Change is one field that differs between two versions.
type Change struct {
	Field string `json:"field"` // the JSON name, e.g. "full_name"
	From  string `json:"from"`
	To    string `json:"to"`
}

// Diff lists the fields that differ from a to b, in the record's field order.
func Diff(a, b Version) []Change {
	var out []Change
	var walk func(va, vb reflect.Value)
	walk = func(va, vb reflect.Value) {
		t := va.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous {
				walk(va.Field(i), vb.Field(i))
				continue
			}
			if f.Type.Kind() != reflect.String {
				continue
			}
			x, y := va.Field(i).String(), vb.Field(i).String()
			if x != y {
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				out = append(out, Change{Field: name, From: x, To: y})
			}
		}
	}
	walk(reflect.ValueOf(a.Data), reflect.ValueOf(b.Data))
	return out
}
