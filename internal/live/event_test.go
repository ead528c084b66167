package live

import (
	"strings"
	"testing"

	"dais/internal/store"
)

func TestParseCursor(t *testing.T) {
	good := map[string]string{
		"":                               "",
		"meeting.X:12":                   "meeting.X:12",
		"meeting.X:12,user.Y:3":          "meeting.X:12,user.Y:3",
		"unit.a-b_C9:0":                  "unit.a-b_C9:0",
		"meeting.x:18446744073709551615": "meeting.x:18446744073709551615",
	}
	for in, want := range good {
		c, err := ParseCursor(in)
		if err != nil {
			t.Errorf("ParseCursor(%q): %v", in, err)
			continue
		}
		if c.String() != want {
			t.Errorf("ParseCursor(%q) = %q", in, c.String())
		}
	}
	bad := []string{
		"meeting.X", "meeting.X:", ":3", "meeting.X:-1", "meeting.X:+1", "meeting.X:01", "meeting.X:1e3",
		"meeting.X:18446744073709551616", "meeting.X:1,", ",meeting.X:1", "meeting.X:1,meeting.X:2",
		"meeting:1", "meeting.X.Y:1", "MEETING.x:1", "meeting.x y:1", "meeting.x:1;user.y:2",
		"meeting." + strings.Repeat("a", 65) + ":1", strings.Repeat("meeting.a:1,", 200) + "meeting.a:1",
	}
	var ids []string
	for i := range 17 {
		ids = append(ids, "meeting.m"+string(rune('a'+i))+":1")
	}
	bad = append(bad, strings.Join(ids, ","))
	for _, in := range bad {
		if _, err := ParseCursor(in); store.ErrorCode(err) != store.EINVALID {
			t.Errorf("ParseCursor(%q): %v, want EINVALID", in, err)
		}
	}
}

func TestParseTopics(t *testing.T) {
	if got, err := ParseTopics("meeting.a,user.b"); err != nil || len(got) != 2 || got[1] != "user.b" {
		t.Fatalf("got %v %v", got, err)
	}
	for _, in := range []string{"", ",", "meeting.a,", "meeting.a,meeting.a", "meeting", "meeting.a/b", "vote.ü"} {
		if _, err := ParseTopics(in); store.ErrorCode(err) != store.EINVALID {
			t.Errorf("ParseTopics(%q): %v", in, err)
		}
	}
}

// FuzzParseCursor: never panics; what it accepts formats back to itself and every entry
// is a valid topic, at most MaxTopics of them, none twice.
func FuzzParseCursor(f *testing.F) {
	for _, s := range []string{"", "meeting.X:12,user.Y:3", "meeting.X:01", "a.b:18446744073709551615", "x.y:1,x.y:2", "\x00.a:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCursor(s)
		if err != nil {
			if store.ErrorCode(err) != store.EINVALID {
				t.Fatalf("error code %v", err)
			}
			return
		}
		if c.String() != s {
			t.Fatalf("round trip %q → %q", s, c.String())
		}
		if len(c) > MaxTopics {
			t.Fatalf("%d topics", len(c))
		}
		seen := map[string]bool{}
		for _, p := range c {
			if !ValidTopic(p.Topic) || seen[p.Topic] {
				t.Fatalf("bad entry %q", p.Topic)
			}
			seen[p.Topic] = true
		}
	})
}

// FuzzParseTopics: never panics; accepted topics are valid, distinct, 1..MaxTopics.
func FuzzParseTopics(f *testing.F) {
	for _, s := range []string{"meeting.a", "meeting.a,user.b", ",", "a.b,a.b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ParseTopics(s)
		if err != nil {
			return
		}
		if len(ts) == 0 || len(ts) > MaxTopics || strings.Join(ts, ",") != s {
			t.Fatalf("%q → %v", s, ts)
		}
		for _, x := range ts {
			if !ValidTopic(x) {
				t.Fatalf("invalid %q accepted", x)
			}
		}
	})
}

// FuzzPublishData: whatever a caller passes, Publish either refuses it or stores one
// line of valid JSON.
func FuzzPublishData(f *testing.F) {
	for _, s := range []string{"{}", "{\n\"a\": 1\n}", "<b>", "\"x\\ny\"", "[1,\r\n2]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		data, err := checkPublish("meeting.x", "agenda", []byte(s))
		if err != nil {
			return
		}
		if strings.ContainsAny(string(data), "\r\n") {
			t.Fatalf("%q kept a line break: %q", s, data)
		}
	})
}
