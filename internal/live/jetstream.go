package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// JetStream names.
const (
	StreamName    = "DAIS_LIVE"
	subjectPrefix = "dais.live."
	hdrSeq        = "Dais-Seq"
	hdrType       = "Dais-Type"
	hdrTime       = "Dais-Time"
)

// JetStreamOptions configure NewJetStream.
type JetStreamOptions struct {
	Options
	Stream   string // stream name; default DAIS_LIVE (tests use their own)
	Prefix   string // subject prefix; default "dais.live." (must end with a dot)
	MaxBytes int64  // the stream's size limit (oldest messages go first); default 256 MiB
	Logger   *slog.Logger
}

// JetStreamHub is the hub for several replicas: every event is stored in one JetStream
// stream (subjects <prefix><topic>, at most Retain messages per subject), and each
// replica follows the stream with its own ordered consumer and fans out to its own
// subscribers. The stream is the single source of the per-topic sequence numbers: a
// publication carries Dais-Seq = last + 1 and is stored only if the subject's last
// message is still the one it was numbered after (Nats-Expected-Last-Subject-Sequence),
// so two replicas publishing on one topic at once cannot both take a number; the loser
// re-reads the last message and tries again.
type JetStreamHub struct {
	c      *core
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	cc     jetstream.ConsumeContext
	prefix string
	log    *slog.Logger
}

// NewJetStream connects to url, creates or updates the stream and starts following it.
func NewJetStream(ctx context.Context, url string, opt JetStreamOptions) (*JetStreamHub, error) {
	if opt.Stream == "" {
		opt.Stream = StreamName
	}
	if opt.Prefix == "" {
		opt.Prefix = subjectPrefix
	}
	if opt.MaxBytes == 0 {
		opt.MaxBytes = 256 << 20
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	h := &JetStreamHub{c: newCore(opt.Options), prefix: opt.Prefix, log: opt.Logger}
	nc, err := nats.Connect(url, nats.Name("dais"), nats.MaxReconnects(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				opt.Logger.Warn("live: NATS disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(*nats.Conn) { opt.Logger.Info("live: NATS reconnected") }))
	if err != nil {
		return nil, fmt.Errorf("live: connect to NATS: %w", err)
	}
	h.nc = nc
	if h.js, err = jetstream.New(nc); err != nil {
		nc.Close()
		return nil, fmt.Errorf("live: JetStream: %w", err)
	}
	h.stream, err = h.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:              opt.Stream,
		Description:       "Dais live events: one subject per topic, per-topic sequence in the Dais-Seq header",
		Subjects:          []string{opt.Prefix + ">"},
		Retention:         jetstream.LimitsPolicy,
		MaxMsgsPerSubject: int64(h.c.opt.Retain),
		MaxBytes:          opt.MaxBytes,
		Discard:           jetstream.DiscardOld,
		Storage:           jetstream.FileStorage,
	})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("live: create stream %s: %w", opt.Stream, err)
	}
	// Follow everything published from now on; older history is read per topic when a
	// local subscriber first needs it (load).
	cons, err := h.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{opt.Prefix + ">"}, DeliverPolicy: jetstream.DeliverNewPolicy})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("live: follow stream: %w", err)
	}
	h.cc, err = cons.Consume(h.receive)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("live: follow stream: %w", err)
	}
	return h, nil
}

// decode turns a stream message into an event.
func (h *JetStreamHub) decode(subject string, hdr nats.Header, data []byte, ts time.Time) (Event, bool) {
	name, ok := strings.CutPrefix(subject, h.prefix)
	if !ok || !ValidTopic(name) {
		return Event{}, false
	}
	seq, err := strconv.ParseUint(hdr.Get(hdrSeq), 10, 64)
	if err != nil || seq == 0 {
		return Event{}, false
	}
	return Event{Topic: name, Seq: seq, Type: hdr.Get(hdrType), Data: data, Time: ts.UTC()}, true
}

// receive is the stream consumer's callback: new events in stream order.
func (h *JetStreamHub) receive(m jetstream.Msg) {
	md, err := m.Metadata()
	if err != nil {
		return
	}
	ev, ok := h.decode(m.Subject(), m.Headers(), m.Data(), md.Timestamp)
	if !ok {
		h.log.Warn("live: malformed message in stream", "subject", m.Subject())
		return
	}
	t, err := h.c.topic(ev.Topic)
	if err != nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	h.insertLocked(t, ev, md.Sequence.Stream)
}

// insertLocked adds an event received from the stream: the next one is appended; an
// older one is a duplicate; a gap (history not loaded yet, or lost) restarts the local
// log at ev, and subscribers behind it get a reload.
func (h *JetStreamHub) insertLocked(t *topic, ev Event, streamSeq uint64) {
	t.seen(ev.Seq, streamSeq)
	if ev.Seq <= t.head {
		return
	}
	if ev.Seq != t.head+1 {
		t.log = nil
	}
	h.c.appendLocked(t, ev)
}

// seen records the newest event known on the topic for the next publication's check.
func (t *topic) seen(seq, streamSeq uint64) {
	if streamSeq > t.pubStream || !t.pubKnown {
		t.pubSeq, t.pubStream, t.pubKnown = seq, streamSeq, true
	}
}

// load reads a topic's retained history from the stream once per process, so a client
// resuming on a replica that has not seen the topic yet still gets what it missed.
func (h *JetStreamHub) load(ctx context.Context, t *topic) error {
	t.loadMu.Lock()
	defer t.loadMu.Unlock()
	t.mu.Lock()
	loaded := t.loaded
	t.mu.Unlock()
	if loaded {
		return nil
	}
	subject := h.prefix + t.name
	last, err := h.stream.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		t.mu.Lock()
		t.loaded = true
		t.seen(0, 0)
		t.mu.Unlock()
		return nil
	}
	if err != nil {
		return fmt.Errorf("live: last event of %s: %w", t.name, err)
	}
	lastSeq, err := strconv.ParseUint(last.Header.Get(hdrSeq), 10, 64)
	if err != nil {
		return fmt.Errorf("live: last event of %s has no %s header", t.name, hdrSeq)
	}
	cons, err := h.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{subject}, DeliverPolicy: jetstream.DeliverAllPolicy, InactiveThreshold: 30 * time.Second})
	if err != nil {
		return fmt.Errorf("live: read history of %s: %w", t.name, err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(min(h.c.opt.Retain, 512)))
	if err != nil {
		return fmt.Errorf("live: read history of %s: %w", t.name, err)
	}
	defer it.Stop()
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	var hist []Event
	for {
		m, err := it.Next()
		if err != nil {
			return fmt.Errorf("live: read history of %s: %w", t.name, err)
		}
		md, err := m.Metadata()
		if err != nil {
			continue
		}
		if ev, ok := h.decode(m.Subject(), m.Headers(), m.Data(), md.Timestamp); ok {
			hist = append(hist, ev)
		}
		if md.Sequence.Stream >= last.Sequence {
			break
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seen(lastSeq, last.Sequence)
	h.mergeLocked(t, hist)
	t.loaded = true
	return nil
}

// mergeLocked puts the history read from the stream before what the consumer delivered
// since, keeping the longest contiguous run that ends at the head.
func (h *JetStreamHub) mergeLocked(t *topic, hist []Event) {
	if len(hist) == 0 {
		return
	}
	byseq := make(map[uint64]Event, len(hist)+len(t.log))
	for _, ev := range hist {
		byseq[ev.Seq] = ev
	}
	for _, ev := range t.log {
		byseq[ev.Seq] = ev
	}
	top := max(t.head, hist[len(hist)-1].Seq)
	lo := top
	for lo > 1 {
		if _, ok := byseq[lo-1]; !ok {
			break
		}
		lo--
	}
	log := make([]Event, 0, top-lo+1)
	for s := lo; s <= top; s++ {
		if ev, ok := byseq[s]; ok {
			log = append(log, ev)
		}
	}
	if len(log) == 0 || log[len(log)-1].Seq != top {
		return // the head itself is unknown: keep what the consumer gave
	}
	t.log, t.head = log, top
	h.c.trimLocked(t)
	t.publishLocked()
	h.c.fanoutLocked(t)
}

// Publish implements Hub.
func (h *JetStreamHub) Publish(ctx context.Context, topicName, typ string, data []byte) (uint64, error) {
	data, err := checkPublish(topicName, typ, data)
	if err != nil {
		return 0, err
	}
	t, err := h.c.topic(topicName)
	if err != nil {
		return 0, err
	}
	// Publications from this process take turns per topic, so only other replicas can
	// make the expected-last-sequence check fail.
	t.pubMu.Lock()
	defer t.pubMu.Unlock()
	t.mu.Lock()
	seq, sseq, known := t.pubSeq, t.pubStream, t.pubKnown
	t.mu.Unlock()
	subject := h.prefix + topicName
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			// Back off a little, with jitter, so racing replicas do not collide forever.
			d := time.Duration(rand.Int64N(int64(time.Millisecond) << min(attempt, 6)))
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-time.After(d):
			}
		}
		if !known {
			if seq, sseq, err = h.last(ctx, subject); err != nil {
				return 0, err
			}
		}
		msg := &nats.Msg{Subject: subject, Data: data, Header: nats.Header{}}
		msg.Header.Set(hdrSeq, strconv.FormatUint(seq+1, 10))
		msg.Header.Set(hdrType, typ)
		ack, err := h.js.PublishMsg(ctx, msg, jetstream.WithExpectLastSequencePerSubject(sseq))
		if err == nil {
			t.mu.Lock()
			t.seen(seq+1, ack.Sequence)
			t.mu.Unlock()
			return seq + 1, nil
		}
		if !wrongLastSeq(err) || attempt == 50 {
			return 0, fmt.Errorf("live: publish on %s: %w", topicName, err)
		}
		known = false // another replica (or one of ours) numbered first: read the last again
	}
}

// last reads the per-topic and stream sequence of subject's last message.
func (h *JetStreamHub) last(ctx context.Context, subject string) (seq, streamSeq uint64, err error) {
	m, err := h.stream.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("live: last event of %s: %w", subject, err)
	}
	seq, err = strconv.ParseUint(m.Header.Get(hdrSeq), 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("live: last event of %s has no %s header", subject, hdrSeq)
	}
	return seq, m.Sequence, nil
}

func wrongLastSeq(err error) bool {
	var ae *jetstream.APIError
	return errors.As(err, &ae) && (ae.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		ae.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}

// Head implements Hub.
func (h *JetStreamHub) Head(ctx context.Context, topicName string) (uint64, error) {
	if !ValidTopic(topicName) {
		return 0, invalidTopic(topicName)
	}
	t, err := h.c.topic(topicName)
	if err != nil {
		return 0, err
	}
	if err := h.load(ctx, t); err != nil {
		return 0, err
	}
	return t.headSeq(), nil
}

// Subscribe implements Hub.
func (h *JetStreamHub) Subscribe(ctx context.Context, topics []string, after Cursor) (*Subscription, error) {
	ts, err := resolve(h.c, topics)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if err := h.load(ctx, t); err != nil {
			return nil, err
		}
	}
	return h.c.subscribe(ts, after), nil
}

// Close implements Hub.
func (h *JetStreamHub) Close() error {
	h.cc.Stop()
	h.c.close()
	h.nc.Close()
	return nil
}
