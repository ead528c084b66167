package meeting

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"dais/internal/store"
)

func TestParseTime(t *testing.T) {
	want := time.Date(2026, 12, 10, 1, 30, 0, 0, time.UTC) // 08:30 in Hà Nội
	for _, s := range []string{"2026-12-10T08:30", "2026-12-10T08:30:00", "2026-12-10 08:30", "08:30 10/12/2026", " 10/12/2026 08:30 ", "2026-12-10T01:30:00Z", "2026-12-10T08:30:00+07:00"} {
		got, err := ParseTime("t", s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v", s, got, err)
		}
	}
	if got, err := ParseTime("t", ""); err != nil || !got.IsZero() {
		t.Errorf("empty: %v, %v", got, err)
	}
	for _, s := range []string{"31/02/2026 08:00", "2026-12-10", "tomorrow", "1999-12-31T23:00", "2102-01-01T00:00", strings.Repeat("9", 100)} {
		if _, err := ParseTime("t", s); store.ErrorCode(err) != store.EINVALID {
			t.Errorf("ParseTime(%q) = %v, want invalid", s, err)
		}
	}
}

func TestParseMinutes(t *testing.T) {
	for s, want := range map[string]int{"": 0, "45": 45, "45 phút": 45, "45min": 45, "1h30": 90, "1:05": 65, "2 giờ": 120, "1giờ30": 90, "2H": 120, "24h": 1440} {
		got, err := ParseMinutes("d", s)
		if err != nil || got != want {
			t.Errorf("ParseMinutes(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"-5", "1441", "1h60", "25h", "abc", "1h-5", "99999999999999999999", "h"} {
		if _, err := ParseMinutes("d", s); store.ErrorCode(err) != store.EINVALID {
			t.Errorf("ParseMinutes(%q) = %v, want invalid", s, err)
		}
	}
}

func TestParseDocumentIDs(t *testing.T) {
	got, err := ParseDocumentIDs("doc-1, doc-2\nhttps://dais.example/documents/doc-3/\r\n doc-1;doc_4")
	if err != nil || strings.Join(got, " ") != "doc-1 doc-2 doc-3 doc_4" {
		t.Errorf("got %v, %v", got, err)
	}
	for _, s := range []string{"../x", "a b/c", "<script>", strings.Repeat("a", 65)} {
		if _, err := ParseDocumentIDs(s); store.ErrorCode(err) != store.EINVALID {
			t.Errorf("ParseDocumentIDs(%q) = %v, want invalid", s, err)
		}
	}
	many := make([]string, MaxDocs+1)
	for i := range many {
		many[i] = "d" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	if _, err := ParseDocumentIDs(strings.Join(many, ",")); store.ErrorCode(err) != store.EINVALID {
		t.Errorf("too many documents: %v", err)
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-12-10T08:30", "08:30 10/12/2026", "2026-12-10T08:30:00+07:00", "", "31/02/2026 08:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime("t", s)
		if err != nil {
			if store.ErrorCode(err) != store.EINVALID {
				t.Fatalf("ParseTime(%q): %v is not EINVALID", s, err)
			}
			return
		}
		if !got.IsZero() && (got.Year() < 2000 || got.Year() > 2100 || got.Location() != time.UTC) {
			t.Fatalf("ParseTime(%q) = %v", s, got)
		}
	})
}

func FuzzParseMinutes(f *testing.F) {
	for _, s := range []string{"45", "1h30", "2 giờ", "1giờ30", "", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseMinutes("d", s)
		if err != nil {
			if store.ErrorCode(err) != store.EINVALID {
				t.Fatalf("ParseMinutes(%q): %v is not EINVALID", s, err)
			}
			return
		}
		if n < 0 || n > 24*60 {
			t.Fatalf("ParseMinutes(%q) = %d", s, n)
		}
	})
}

func FuzzParseDocumentIDs(f *testing.F) {
	for _, s := range []string{"doc-1, doc-2", "/documents/x/", "a\nb\r\nc", "", "../x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids, err := ParseDocumentIDs(s)
		if err != nil {
			if store.ErrorCode(err) != store.EINVALID {
				t.Fatalf("ParseDocumentIDs(%q): %v is not EINVALID", s, err)
			}
			return
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if !validID(id) || seen[id] || !utf8.ValidString(id) {
				t.Fatalf("ParseDocumentIDs(%q) gave %q", s, ids)
			}
			seen[id] = true
		}
		if len(ids) > MaxDocs {
			t.Fatalf("%d IDs", len(ids))
		}
	})
}

// FuzzCleanText checks the text tidying every form field goes through: never a panic,
// only EINVALID errors, and what passes holds no control characters but line breaks and tabs.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"Báo cáo\r\nchính trị  ", "a\x00b", "\xff", "  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line, err := cleanLine("f", s, 300, false)
		if err == nil && strings.ContainsFunc(line, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			t.Fatalf("cleanLine(%q) = %q", s, line)
		}
		if err != nil && store.ErrorCode(err) != store.EINVALID {
			t.Fatalf("cleanLine(%q): %v", s, err)
		}
		text, err := cleanText("f", s, 1000)
		if err == nil && (strings.ContainsFunc(text, func(r rune) bool { return (r < ' ' && r != '\n' && r != '\t') || r == 0x7f }) || !utf8.ValidString(text)) {
			t.Fatalf("cleanText(%q) = %q", s, text)
		}
		if err != nil && store.ErrorCode(err) != store.EINVALID {
			t.Fatalf("cleanText(%q): %v", s, err)
		}
	})
}
