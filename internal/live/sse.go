package live

import (
	"bytes"
	"errors"
	"net/http"
	"sync"
	"time"

	"dais/internal/store"
	"dais/internal/web"
)

// Handler serves GET /live?topics=a,b[&cursor=a:3,b:7] as a server-sent event stream.
type Handler struct {
	Hub  Hub
	Auth Authorizer
	// Heartbeat is the interval of the comment lines that keep proxies and NAT tables from
	// closing an idle stream and let the client notice a dead one. Default 15 s.
	Heartbeat time.Duration
	// Retry is the reconnection delay suggested to the browser. Default 3 s.
	Retry time.Duration
	// WriteTimeout bounds one write to a client; a client that does not read for this
	// long is disconnected. Default 30 s.
	WriteTimeout time.Duration
	// Message translates an error for the plain-text 400 answers (web.Server.ErrorMessage).
	Message func(r *http.Request, err error) string
}

// Routes registers GET /live on srv.
func Routes(srv *web.Server, hub Hub, auth Authorizer) *Handler {
	h := &Handler{Hub: hub, Auth: auth, Message: srv.ErrorMessage}
	srv.Private("GET /live", h.Serve)
	return h
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// Serve is the web.Handler for GET /live. Errors before the stream starts go through
// the web layer (403/404/500), except malformed topics or cursors: 400 with a plain
// message, as the EventSource protocol has no page to show.
//
// Over HTTP/1.1 the handler takes the connection over (Hijack) and streams from one small
// goroutine; over HTTP/2 it streams from the request's goroutine.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := web.PrincipalFrom(ctx)
	if p == nil {
		return &store.Error{Code: store.EUNAUTHORIZED, Key: "err.unauthorized", Message: "authentication required"}
	}
	topics, err := ParseTopics(r.URL.Query().Get("topics"))
	if err != nil {
		return h.badRequest(w, r, err)
	}
	raw := r.Header.Get("Last-Event-ID")
	if raw == "" {
		raw = r.URL.Query().Get("cursor")
	}
	after, err := ParseCursor(raw)
	if err != nil {
		return h.badRequest(w, r, err)
	}
	for _, pos := range after {
		if !contains(topics, pos.Topic) {
			return h.badRequest(w, r, store.Invalid("Last-Event-ID", "err.live_cursor", "Last-Event-ID names %s, which is not among the topics", pos.Topic))
		}
	}
	for _, t := range topics {
		ok, err := h.Auth.CanSubscribe(ctx, p, t)
		if err != nil {
			return err
		}
		if !ok {
			return &store.Error{Code: store.EFORBIDDEN, Key: "err.live_forbidden", Args: []any{t}, Message: "not allowed to follow " + t}
		}
	}
	sub, err := h.Hub.Subscribe(ctx, topics, after)
	if err != nil {
		return err
	}

	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream; charset=utf-8") // the gzip middleware leaves it alone
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no")
	heartbeat, retry, wt := h.Heartbeat, h.Retry, h.WriteTimeout
	if heartbeat <= 0 {
		heartbeat = 15 * time.Second
	}
	if retry <= 0 {
		retry = 3 * time.Second
	}
	if wt <= 0 {
		wt = 30 * time.Second
	}
	// Opening: the reconnection delay, and the starting cursor as the last event ID, so a
	// client that reconnects before any event resumes from here rather than from "now".
	opening := append([]byte("retry: "), appendUint(nil, uint64(retry.Milliseconds()))...)
	opening = append(opening, "\nid: "...)
	opening = sub.Cursor().Append(opening)
	opening = append(opening, "\n\n"...)

	rc := http.NewResponseController(w)
	conn, _, err := rc.Hijack()
	if err != nil {
		// HTTP/2 cannot hand the connection over: stream from this goroutine instead.
		defer sub.Close()
		// The server's ReadTimeout would end the stream (net/http cancels the request
		// when its background read hits the deadline): a stream has no read deadline.
		_ = rc.SetReadDeadline(time.Time{})
		w.WriteHeader(http.StatusOK)
		send := func(b []byte) error {
			_ = rc.SetWriteDeadline(time.Now().Add(wt))
			if _, err := w.Write(b); err != nil {
				return err
			}
			return rc.Flush()
		}
		if send(opening) == nil {
			h.stream(sub, send, heartbeat, ctx.Done())
		}
		return nil
	}
	// HTTP/1.1: take the connection over and let the request's goroutine end. An idle
	// stream then costs one small goroutine and the socket, instead of net/http's
	// request goroutine (its stack grown by the login and authorization queries), its
	// background reader, 10 KB of buffers and the request's objects. The response is
	// delimited by closing the connection; a client that went away is noticed at the
	// next write (the heartbeat at the latest).
	head := append([]byte(nil), "HTTP/1.1 200 OK\r\n"...)
	var hb bytes.Buffer
	_ = hdr.Write(&hb)
	head = append(head, hb.Bytes()...)
	head = append(head, "Connection: close\r\n\r\n"...)
	head = append(head, opening...)
	_ = conn.SetDeadline(time.Time{})
	send := func(b []byte) error {
		_ = conn.SetWriteDeadline(time.Now().Add(wt))
		_, err := conn.Write(b)
		return err
	}
	go func() {
		defer conn.Close()
		defer sub.Close()
		if send(head) == nil {
			h.stream(sub, send, heartbeat, nil)
		}
	}()
	return nil
}

// stream sends events and heartbeats until the subscription ends, a write fails or done
// is closed.
func (h *Handler) stream(sub *Subscription, send func([]byte) error, heartbeat time.Duration, done <-chan struct{}) {
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-sub.Done():
			return // dropped (slow) or hub closed: the client reconnects with Last-Event-ID
		case <-tick.C:
			if send([]byte(": heartbeat\n\n")) != nil {
				return
			}
		case <-sub.Ready():
			if h.deliver(sub, send) != nil {
				return
			}
		}
	}
}

// deliver writes every event past the subscription's cursor, one flush per topic batch.
func (h *Handler) deliver(sub *Subscription, send func([]byte) error) error {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	return sub.Poll(func(evs []Event) error {
		b := (*bp)[:0]
		for i := range evs {
			ev := &evs[i]
			b = append(b, "id: "...)
			b = sub.AppendCursor(b, ev)
			b = append(b, "\nevent: "...)
			b = append(b, ev.Type...)
			b = append(b, "\ndata: "...)
			b = append(b, ev.Data...)
			b = append(b, "\n\n"...)
		}
		*bp = b
		return send(b)
	})
}

func (h *Handler) badRequest(w http.ResponseWriter, r *http.Request, err error) error {
	msg := err.Error()
	if h.Message != nil {
		msg = h.Message(r, err)
	}
	var se *store.Error
	if !errors.As(err, &se) {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte(msg + "\n"))
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Messages are the live channel's texts.
var Messages = web.Messages{
	"err.live_topic":     {"vi": "Chủ đề cập nhật trực tiếp không hợp lệ.", "en": "Invalid live topic."},
	"err.live_topics":    {"vi": "Danh sách chủ đề không hợp lệ: cần từ 1 đến 16 chủ đề khác nhau, dạng meeting.MÃ.", "en": "Invalid topics: give 1 to 16 distinct topics like meeting.ID."},
	"err.live_type":      {"vi": "Loại sự kiện không hợp lệ.", "en": "Invalid event type."},
	"err.live_data":      {"vi": "Nội dung sự kiện phải là JSON ngắn (tối đa 8 KB).", "en": "Event data must be short JSON (at most 8 KB)."},
	"err.live_cursor":    {"vi": "Mã sự kiện cuối (Last-Event-ID) không hợp lệ; hãy tải lại trang.", "en": "Invalid Last-Event-ID; reload the page."},
	"err.live_forbidden": {"vi": "Bạn không được theo dõi %s.", "en": "You may not follow %s."},
	"err.live_slow":      {"vi": "Kết nối quá chậm; đang kết nối lại.", "en": "Connection too slow; reconnecting."},
}
