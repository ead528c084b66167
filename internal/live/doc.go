// Package live is Dais's live channel (DESIGN.md §3): after a feature commits a change a
// screen shows, it publishes a small JSON event on a topic ("meeting.<id>", "unit.<id>",
// "user.<id>"); browsers hold one server-sent event stream, GET /live?topics=…, and
// re-fetch the fragments the event names (hx-trigger="sse:agenda"). An event never
// carries HTML built for another reader.
//
// # Hubs
//
// Hub has two implementations that pass one test suite:
//
//   - Memory, in-process (the embedded default): sequence numbers counted in memory.
//   - JetStreamHub, for replicas (DAIS_NATS_URL set): one stream DAIS_LIVE over the
//     subjects dais.live.<topic>. Each replica follows the stream with its own ordered
//     consumer and fans out to its own subscribers; a replica does not deliver its own
//     publications directly, so every replica sees every topic in the stream's order.
//
// # Sequence numbers
//
// Every topic numbers its events from 1 without gaps. With JetStream the stream's own
// sequence is global, not per topic, so the per-topic number travels in the Dais-Seq
// header, and the stream decides it: a publication numbered last+1 carries
// Nats-Expected-Last-Subject-Sequence = the stream sequence of the subject's last
// message, and the server stores it only if that is still the last message. Two
// replicas racing on one topic cannot both take a number: the loser re-reads the last
// message (GetLastMsgForSubject) and tries again. All replicas therefore agree on the
// numbers, and a client may resume on any replica. (A sequence kept in the store would
// cost a write per event and still need the stream for fan-out.)
//
// # Retention and resuming
//
// Each topic keeps at least Options.Retain events (default 1024; the stream keeps
// exactly that many per subject) and, in memory, none older than Options.MaxAge
// (default 1 h). The SSE id of every event is the client's whole cursor, one position
// per topic ("meeting.X:12,user.Y:3"), so the browser's automatic Last-Event-ID on
// reconnection resumes every topic at once; a page that opens the stream passes the
// heads it rendered as ?cursor=… (Hub.Head) so nothing published between the render
// and the connection is lost. A client whose missed events are gone — too far behind,
// or holding a cursor ahead of the hub because the in-process hub restarted or the
// stream lost a quiet topic — receives one "reload" event for that topic
// ({"topic":…,"seq":head}) and must re-render the page.
//
// # Slow consumers and memory
//
// A subscription holds no buffer of its own: it is a cursor per topic and a wake-up
// channel of capacity one. Publishers append to the topic's log and wake subscribers
// with a non-blocking send, so a publisher never waits for a client. The bounded
// per-client buffer is Options.MaxLag (default 256) events of the shared log: a
// subscriber further behind is dropped, its stream ends, and the browser reconnects
// and resumes from the log by Last-Event-ID. A client that stops reading entirely is
// cut by the handler's write deadline.
//
// The stream uses the request's own goroutine (no extra goroutine per connection),
// writes through net/http's response buffer with an explicit flush
// (http.ResponseController), is never gzipped (the middleware skips
// text/event-stream), clears the server's read deadline (ReadTimeout would otherwise
// cancel the stream), and sends a comment line every 15 s as heartbeat.
package live
