package live

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"dais/internal/store"
	"dais/internal/web"
)

// fakeAuth knows two bearer tokens.
type fakeAuth struct{}

func (fakeAuth) Authenticate(_ context.Context, token string) (*web.Session, error) {
	switch token {
	case "alice", "bob":
		return &web.Session{Principal: &store.Principal{UserID: token, Username: token}, MFADone: true, CSRF: "x"}, nil
	}
	return nil, &store.Error{Code: store.EUNAUTHORIZED, Message: "bad token"}
}

// liveServer serves /live over a real listener with the web layer's middleware.
func liveServer(t *testing.T, hub Hub, readTimeout time.Duration) (*httptest.Server, *Handler) {
	t.Helper()
	cat, err := web.NewCatalog(web.BaseMessages(), Messages)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := web.NewRenderer(cat, "test")
	if err != nil {
		t.Fatal(err)
	}
	srv := web.NewServer(web.Config{Logger: slog.New(slog.DiscardHandler), Auth: fakeAuth{}, Catalog: cat, Renderer: rd})
	kinds := NewKinds(nil)
	kinds.Handle("meeting", AuthorizerFunc(func(_ context.Context, p *store.Principal, topic string) (bool, error) {
		switch ID(topic) {
		case "secret":
			return false, store.NotFound("meeting")
		case "closed":
			return false, nil
		}
		return true, nil
	}))
	h := Routes(srv, hub, kinds)
	ts := httptest.NewUnstartedServer(srv)
	ts.Config.ReadTimeout = readTimeout
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, h
}

type stream struct {
	resp *http.Response
	r    *bufio.Reader
}

func open(t *testing.T, ts *httptest.Server, token, query, lastID string) (*http.Response, *stream) {
	t.Helper()
	req, _ := http.NewRequest("GET", ts.URL+"/live?"+query, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Accept-Encoding", "gzip") // the stream must still come uncompressed
	cl := &http.Client{Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp, &stream{resp, bufio.NewReader(resp.Body)}
}

// sseEvent is one dispatched block of fields, or a comment.
type sseEvent struct{ id, event, data, retry, comment string }

// next reads one block (up to a blank line).
func (s *stream) next(t *testing.T) sseEvent {
	t.Helper()
	var ev sseEvent
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			t.Fatalf("read stream: %v (got %+v)", err, ev)
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			return ev
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "":
			ev.comment = value
		case "id":
			ev.id = value
		case "event":
			ev.event = value
		case "data":
			ev.data = value
		case "retry":
			ev.retry = value
		default:
			t.Fatalf("unexpected field %q", line)
		}
	}
}

func TestSSERefusals(t *testing.T) {
	ts, _ := liveServer(t, NewMemory(Options{}), 0)
	cases := []struct {
		name, token, query, lastID string
		status                     int
	}{
		{"anonymous goes to login", "", "topics=meeting.m1", "", http.StatusSeeOther},
		{"bad token", "mallory", "topics=meeting.m1", "", http.StatusUnauthorized},
		{"no topics", "alice", "", "", http.StatusBadRequest},
		{"bad topic", "alice", "topics=meeting.a.b", "", http.StatusBadRequest},
		{"duplicate topic", "alice", "topics=meeting.a,meeting.a", "", http.StatusBadRequest},
		{"bad last event id", "alice", "topics=meeting.m1", "meeting.m1:x", http.StatusBadRequest},
		{"last event id of another topic", "alice", "topics=meeting.m1", "meeting.m2:3", http.StatusBadRequest},
		{"bad cursor parameter", "alice", "topics=meeting.m1&cursor=meeting.m1:-1", "", http.StatusBadRequest},
		{"someone else's user topic", "alice", "topics=user.bob", "", http.StatusForbidden},
		{"closed meeting", "alice", "topics=meeting.m1,meeting.closed", "", http.StatusForbidden},
		{"invisible meeting", "alice", "topics=meeting.secret", "", http.StatusNotFound},
		{"unknown kind", "alice", "topics=vote.v1", "", http.StatusForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, _ := open(t, ts, c.token, c.query, c.lastID)
			var rd io.Reader = resp.Body
			if resp.Header.Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				rd = zr
			}
			body, _ := io.ReadAll(rd)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body)
			}
			if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
				t.Fatal("a refusal must not look like a stream")
			}
			if c.status == http.StatusBadRequest && !strings.Contains(string(body), "không hợp lệ") {
				t.Fatalf("400 without the Vietnamese message: %q", body)
			}
		})
	}
}

func TestSSEStreamAndResume(t *testing.T) {
	hub := NewMemory(Options{Retain: 16})
	// A ReadTimeout shorter than the test: the stream must outlive it.
	ts, h := liveServer(t, hub, 50*time.Millisecond)
	h.Heartbeat = time.Hour
	ctx := context.Background()
	const topic = "meeting.m1"
	resp, s := open(t, ts, "alice", "topics="+topic+",user.alice", "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	if first := s.next(t); first.retry != "3000" || first.id != "meeting.m1:0,user.alice:0" {
		t.Fatalf("opening block %+v", first)
	}
	time.Sleep(150 * time.Millisecond) // past the server's ReadTimeout
	for i := 1; i <= 3; i++ {
		if _, err := hub.Publish(ctx, topic, "agenda", fmt.Appendf(nil, `{"item":"i%d"}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := hub.Publish(ctx, "user.alice", "notice", []byte(`{"n":1}`)); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		ev := s.next(t)
		want := sseEvent{id: fmt.Sprintf("meeting.m1:%d,user.alice:0", i), event: "agenda", data: fmt.Sprintf(`{"item":"i%d"}`, i)}
		if ev != want {
			t.Fatalf("event %d: %+v, want %+v", i, ev, want)
		}
	}
	if ev := s.next(t); ev.id != "meeting.m1:3,user.alice:1" || ev.event != "notice" {
		t.Fatalf("user event %+v", ev)
	}
	resp.Body.Close()

	// Reconnect as the browser does, with the last ID: only what came after.
	hub.Publish(ctx, topic, "document", []byte(`{"doc":"d1"}`))
	_, s = open(t, ts, "alice", "topics="+topic+",user.alice", "meeting.m1:2,user.alice:1")
	if ev := s.next(t); ev.id != "meeting.m1:2,user.alice:1" {
		t.Fatalf("opening block after resume %+v", ev)
	}
	if ev := s.next(t); ev.id != "meeting.m1:3,user.alice:1" || ev.data != `{"item":"i3"}` {
		t.Fatalf("first resumed event %+v", ev)
	}
	if ev := s.next(t); ev.id != "meeting.m1:4,user.alice:1" || ev.event != "document" {
		t.Fatalf("second resumed event %+v", ev)
	}

	// The page's own cursor parameter works the same when there is no Last-Event-ID.
	_, s = open(t, ts, "alice", "topics="+topic+"&cursor=meeting.m1:3", "")
	s.next(t)
	if ev := s.next(t); ev.id != "meeting.m1:4" {
		t.Fatalf("cursor parameter: %+v", ev)
	}

	// Too far behind (or from before a restart): one reload event with the head.
	_, s = open(t, ts, "alice", "topics="+topic, "meeting.m1:99")
	s.next(t)
	if ev := s.next(t); ev.event != TypeReload || ev.id != "meeting.m1:4" || ev.data != `{"topic":"meeting.m1","seq":4}` {
		t.Fatalf("reload: %+v", ev)
	}
}

func TestSSEHeartbeat(t *testing.T) {
	ts, h := liveServer(t, NewMemory(Options{}), 0)
	h.Heartbeat = 20 * time.Millisecond
	_, s := open(t, ts, "bob", "topics=user.bob", "")
	s.next(t)
	for range 2 {
		if ev := s.next(t); ev.comment != "heartbeat" {
			t.Fatalf("want a heartbeat comment, got %+v", ev)
		}
	}
}

func TestSSESlowClientDropped(t *testing.T) {
	hub := NewMemory(Options{Retain: 64, MaxLag: 4})
	ts, h := liveServer(t, hub, 0)
	h.Heartbeat = time.Hour
	_, s := open(t, ts, "bob", "topics=user.bob", "")
	s.next(t)
	// Hold the stream's only subscriber back by publishing from inside the hub faster
	// than it is woken: the handler sees the drop and ends the response.
	var sub *Subscription
	hub.c.mu.RLock()
	tp := hub.c.topics["user.bob"]
	hub.c.mu.RUnlock()
	tp.mu.Lock()
	for s := range tp.subs {
		sub = s
	}
	for i := 1; i <= 10; i++ {
		hub.c.appendLocked(tp, Event{Topic: "user.bob", Seq: uint64(i), Type: "notice", Data: []byte("{}"), Time: time.Now()})
	}
	tp.mu.Unlock()
	<-sub.Done()
	if _, err := io.ReadAll(s.r); err != nil {
		t.Fatalf("stream should end cleanly after the drop: %v", err)
	}
	// The client resumes from its last ID and gets everything.
	_, s = open(t, ts, "bob", "topics=user.bob", "user.bob:0")
	s.next(t)
	var got []string
	for len(got) < 10 {
		got = append(got, s.next(t).id)
	}
	if got[0] != "user.bob:1" || got[9] != "user.bob:10" {
		t.Fatalf("resumed ids %v", got)
	}
}

// Over HTTP/2 the connection cannot be taken over: the request's goroutine streams.
func TestSSEOverHTTP2(t *testing.T) {
	hub := NewMemory(Options{})
	cat, _ := web.NewCatalog(web.BaseMessages(), Messages)
	rd, _ := web.NewRenderer(cat, "test")
	srv := web.NewServer(web.Config{Logger: slog.New(slog.DiscardHandler), Auth: fakeAuth{}, Catalog: cat, Renderer: rd})
	Routes(srv, hub, NewKinds(nil))
	ts := httptest.NewUnstartedServer(srv)
	ts.EnableHTTP2 = true
	ts.StartTLS()
	defer ts.Close()
	req, _ := http.NewRequest("GET", ts.URL+"/live?topics=user.bob", nil)
	req.Header.Set("Authorization", "Bearer bob")
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != 200 {
		t.Fatalf("%s %d", resp.Proto, resp.StatusCode)
	}
	s := &stream{resp, bufio.NewReader(resp.Body)}
	if ev := s.next(t); ev.id != "user.bob:0" {
		t.Fatalf("opening %+v", ev)
	}
	hub.Publish(context.Background(), "user.bob", "notice", []byte(`{"a":1}`))
	if ev := s.next(t); ev.id != "user.bob:1" || ev.event != "notice" || ev.data != `{"a":1}` {
		t.Fatalf("event %+v", ev)
	}
}
