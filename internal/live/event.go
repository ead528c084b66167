package live

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"dais/internal/store"
)

// Event is one published change: small JSON naming what changed (ids, kind), never HTML.
type Event struct {
	Topic string    // "meeting.<id>", "unit.<id>" or "user.<id>"
	Seq   uint64    // per topic, from 1, gapless
	Type  string    // the SSE event name the page listens to ("agenda", "document", …)
	Data  []byte    // compact JSON on one line
	Time  time.Time // when the hub accepted it (UTC)
}

// TypeReload is the event a subscriber receives, for one topic, when the hub can no
// longer tell it what it missed (too far behind the retained log, or a cursor from
// before a restart): the page must re-render from the server.
const TypeReload = "reload"

// Limits on what Publish and the SSE endpoint accept.
const (
	MaxTopics    = 16       // topics on one connection
	MaxDataBytes = 8 << 10  // one event's JSON: events name what changed, pages re-fetch the rest
	maxIDLen     = 64       // the id part of a topic
	maxCursorLen = 16 * 100 // a Last-Event-ID: 16 topics of up to ~90 characters each
	maxTypeLen   = 32
)

// ValidTopic reports whether topic is "<kind>.<id>" with a lower-case kind of at most 16
// letters and an id of 1–64 characters from [A-Za-z0-9_-]. The id alphabet keeps topics
// safe as NATS subject tokens and inside a Last-Event-ID.
func ValidTopic(topic string) bool {
	kind, id, ok := strings.Cut(topic, ".")
	if !ok || len(kind) == 0 || len(kind) > 16 || len(id) == 0 || len(id) > maxIDLen {
		return false
	}
	for i := 0; i < len(kind); i++ {
		if kind[i] < 'a' || kind[i] > 'z' {
			return false
		}
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Kind returns the kind of a topic ("meeting" for "meeting.X").
func Kind(topic string) string {
	k, _, _ := strings.Cut(topic, ".")
	return k
}

// ID returns the id part of a topic ("X" for "meeting.X").
func ID(topic string) string {
	_, id, _ := strings.Cut(topic, ".")
	return id
}

// Topic builds "<kind>.<id>".
func Topic(kind, id string) string { return kind + "." + id }

func validType(typ string) bool {
	if len(typ) == 0 || len(typ) > maxTypeLen || typ == TypeReload {
		return false
	}
	for i := 0; i < len(typ); i++ {
		c := typ[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// checkPublish validates a publication and returns its data as compact one-line JSON
// (SSE data must not contain a line break).
func checkPublish(topic, typ string, data []byte) ([]byte, error) {
	if !ValidTopic(topic) {
		return nil, store.Invalid("topic", "err.live_topic", "invalid live topic %q", topic)
	}
	if !validType(typ) {
		return nil, store.Invalid("type", "err.live_type", "invalid live event type %q", typ)
	}
	if len(data) == 0 {
		data = []byte("{}")
	}
	if len(data) > MaxDataBytes || !json.Valid(data) {
		return nil, store.Invalid("data", "err.live_data", "live event data must be JSON of at most %d bytes", MaxDataBytes)
	}
	if bytes.ContainsAny(data, "\r\n") {
		var b bytes.Buffer
		if err := json.Compact(&b, data); err != nil {
			return nil, store.Invalid("data", "err.live_data", "live event data must be JSON of at most %d bytes", MaxDataBytes)
		}
		data = b.Bytes()
	} else {
		data = bytes.Clone(data) // the caller may reuse its buffer
	}
	return data, nil
}

// Position is how far a client has read one topic: it has every event up to Seq.
type Position struct {
	Topic string
	Seq   uint64
}

// Cursor is a client's position on each of its topics, carried in the SSE id field and
// sent back as Last-Event-ID: "meeting.X:12,user.Y:3" (topics in the order subscribed).
type Cursor []Position

// String formats the cursor for an SSE id field.
func (c Cursor) String() string { return string(c.Append(nil)) }

// Append appends the formatted cursor to b.
func (c Cursor) Append(b []byte) []byte {
	for i, p := range c {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, p.Topic...)
		b = append(b, ':')
		b = strconv.AppendUint(b, p.Seq, 10)
	}
	return b
}

// Seq returns the position on topic and whether the cursor has one.
func (c Cursor) Seq(topic string) (uint64, bool) {
	for _, p := range c {
		if p.Topic == topic {
			return p.Seq, true
		}
	}
	return 0, false
}

// ParseCursor reads a Last-Event-ID. The empty string is the empty cursor. Every entry
// must be a valid topic, a colon and a decimal sequence number; a topic may appear once.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := func() (Cursor, error) {
		return nil, store.Invalid("Last-Event-ID", "err.live_cursor", "invalid Last-Event-ID (want topic:seq,topic:seq…)")
	}
	if len(s) > maxCursorLen {
		return bad()
	}
	var c Cursor
	for part := range strings.SplitSeq(s, ",") {
		topic, num, ok := strings.Cut(part, ":")
		if !ok || !ValidTopic(topic) || num == "" || len(num) > 20 || (len(num) > 1 && num[0] == '0') {
			return bad()
		}
		seq, err := strconv.ParseUint(num, 10, 64)
		if err != nil || num[0] == '+' {
			return bad()
		}
		if slices.ContainsFunc(c, func(p Position) bool { return p.Topic == topic }) || len(c) == MaxTopics {
			return bad()
		}
		c = append(c, Position{topic, seq})
	}
	return c, nil
}

// ParseTopics reads the comma-separated topics of /live?topics=…: 1 to MaxTopics valid,
// distinct topics.
func ParseTopics(s string) ([]string, error) {
	bad := func() ([]string, error) {
		return nil, store.Invalid("topics", "err.live_topics", "topics must be 1 to %d distinct topics like meeting.ID", MaxTopics)
	}
	if s == "" || len(s) > MaxTopics*(17+maxIDLen) {
		return bad()
	}
	var out []string
	for t := range strings.SplitSeq(s, ",") {
		if !ValidTopic(t) || slices.Contains(out, t) || len(out) == MaxTopics {
			return bad()
		}
		out = append(out, t)
	}
	return out, nil
}

func invalidTopic(topic string) error {
	return store.Invalid("topic", "err.live_topic", "invalid live topic %q", topic)
}
