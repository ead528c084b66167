package live

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"dais/internal/store"
)

// Options tune a hub. The zero value gives the defaults.
type Options struct {
	// Retain is how many events each topic keeps for resuming clients (at least this many;
	// up to a quarter more between compactions). Default 1024.
	Retain int
	// MaxAge drops retained events older than this. Default 1 h.
	MaxAge time.Duration
	// MaxLag is the bounded per-client buffer: a subscriber this many events behind on a
	// topic is dropped (it reconnects and resumes from the log). Default 256.
	MaxLag int
	// Now is the clock (tests). Default time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Retain <= 0 {
		o.Retain = 1024
	}
	if o.MaxAge <= 0 {
		o.MaxAge = time.Hour
	}
	if o.MaxLag <= 0 {
		o.MaxLag = 256
	}
	if o.MaxLag > o.Retain {
		o.MaxLag = o.Retain
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// ErrSlowConsumer ends a subscription that fell more than MaxLag events behind.
var ErrSlowConsumer = &store.Error{Code: store.ECONFLICT, Key: "err.live_slow", Message: "live subscriber too slow: dropped, resume with Last-Event-ID"}

// ErrClosed ends subscriptions when the hub closes.
var ErrClosed = errors.New("live: hub closed")

// core is the local half of every hub: per-topic retained logs and the fan-out to this
// process's subscribers. The in-process hub numbers events itself; the JetStream hub
// feeds it the events its stream consumer receives, numbered by the stream.
type core struct {
	opt    Options
	mu     sync.RWMutex
	topics map[string]*topic
	closed bool
}

func newCore(opt Options) *core {
	return &core{opt: opt.withDefaults(), topics: map[string]*topic{}}
}

type topic struct {
	name   string
	mu     sync.Mutex
	log    []Event // contiguous: log[i].Seq == head-len(log)+1+i; never overwritten in place
	head   uint64  // the last sequence number (0: none yet)
	subs   map[*Subscription]int
	loaded bool // JetStream: the retained history was read from the stream
	// snap is log and head as of the last change, for Poll to read without the lock:
	// thousands of subscribers woken by one event must not queue on t.mu.
	snap atomic.Pointer[snapshot]

	// JetStream publishing: the newest event seen on this topic (from the consumer, an
	// ack or the stream's last message), as its per-topic and stream sequence numbers,
	// for the expected-last-subject-sequence check.
	pubSeq, pubStream uint64
	pubKnown          bool
	loadMu            sync.Mutex
	pubMu             sync.Mutex // one publication at a time per topic and process
}

// topic returns the named topic, creating it.
func (c *core) topic(name string) (*topic, error) {
	c.mu.RLock()
	t, ok := c.topics[name]
	closed := c.closed
	c.mu.RUnlock()
	if closed {
		return nil, ErrClosed
	}
	if ok {
		return t, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	if t, ok = c.topics[name]; !ok {
		t = &topic{name: name, subs: map[*Subscription]int{}}
		c.topics[name] = t
	}
	return t, nil
}

type snapshot struct {
	log  []Event
	head uint64
}

// publishLocked makes the current log visible to Poll. Called with t.mu held, after
// every change and before waking subscribers.
func (t *topic) publishLocked() { t.snap.Store(&snapshot{t.log, t.head}) }

// first is the oldest retained sequence number (head+1 when the log is empty).
func (t *topic) first() uint64 { return t.head - uint64(len(t.log)) + 1 }

// append adds ev (ev.Seq == t.head+1) and fans it out. Called with t.mu held.
func (c *core) appendLocked(t *topic, ev Event) {
	t.log = append(t.log, ev)
	t.head = ev.Seq
	c.trimLocked(t)
	t.publishLocked()
	c.fanoutLocked(t)
}

// trimLocked drops events past the count and age limits. It copies into a new array
// rather than shifting in place: subscribers read slices of the old one without a lock.
func (c *core) trimLocked(t *topic) {
	drop := 0
	if n := len(t.log) - c.opt.Retain; n > c.opt.Retain/4 {
		drop = n
	}
	cutoff := c.opt.Now().Add(-c.opt.MaxAge)
	for drop < len(t.log) && t.log[drop].Time.Before(cutoff) {
		drop++
	}
	if drop == 0 {
		return
	}
	rest := t.log[drop:]
	t.log = append(make([]Event, 0, max(len(rest), c.opt.Retain)+c.opt.Retain/4+1), rest...)
}

// fanoutLocked wakes the topic's subscribers, dropping those too far behind. It never
// blocks: a wake-up is a non-blocking send on a channel of capacity one.
func (c *core) fanoutLocked(t *topic) {
	for s, i := range t.subs {
		if s.done.Load() {
			delete(t.subs, s)
			continue
		}
		// A cursor ahead of the head (from before a restart) gets a reload on its next
		// Poll; it is not behind.
		if cur := s.cur[i].Load(); cur < t.head && t.head-cur > uint64(c.opt.MaxLag) {
			delete(t.subs, s)
			s.end(ErrSlowConsumer)
			continue
		}
		select {
		case s.ready <- struct{}{}:
		default:
		}
	}
}

// subscribe registers a subscription on topics; a topic with a position in after starts
// there, the others at their head.
func (c *core) subscribe(topics []*topic, after Cursor) *Subscription {
	s := &Subscription{c: c, topics: topics, cur: make([]atomic.Uint64, len(topics)),
		ready: make(chan struct{}, 1), quit: make(chan struct{})}
	for i, t := range topics {
		t.mu.Lock()
		if seq, ok := after.Seq(t.name); ok {
			s.cur[i].Store(seq)
		} else {
			s.cur[i].Store(t.head)
		}
		t.subs[s] = i
		t.mu.Unlock()
	}
	s.ready <- struct{}{} // the first Poll sends what the cursor missed
	return s
}

func (c *core) close() {
	c.mu.Lock()
	c.closed = true
	topics := c.topics
	c.mu.Unlock()
	for _, t := range topics {
		t.mu.Lock()
		for s := range t.subs {
			s.end(ErrClosed)
		}
		clear(t.subs)
		t.mu.Unlock()
	}
}

// head returns a topic's last sequence number.
func (t *topic) headSeq() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.head
}

// Subscription is one client's view of its topics. It holds no event buffer of its own:
// it reads the topics' retained logs from its cursor, so an idle subscription costs a
// few hundred bytes. Use it from one goroutine: Ready, then Poll, until Done.
type Subscription struct {
	c      *core
	topics []*topic
	cur    []atomic.Uint64 // last sequence number handed out, per topic
	ready  chan struct{}
	quit   chan struct{}
	done   atomic.Bool
	once   sync.Once
	err    error
}

// Ready is signalled when a topic may have events past the cursor.
func (s *Subscription) Ready() <-chan struct{} { return s.ready }

// Done is closed when the hub drops the subscription (see Err).
func (s *Subscription) Done() <-chan struct{} { return s.quit }

// Err is why the subscription ended: ErrSlowConsumer or ErrClosed; nil while it runs.
func (s *Subscription) Err() error {
	if !s.done.Load() {
		return nil
	}
	return s.err
}

func (s *Subscription) end(err error) {
	s.once.Do(func() {
		s.err = err
		s.done.Store(true)
		close(s.quit)
	})
}

// Close unsubscribes.
func (s *Subscription) Close() {
	s.end(ErrClosed)
	for _, t := range s.topics {
		t.mu.Lock()
		delete(t.subs, s)
		t.mu.Unlock()
	}
}

// Cursor returns the subscription's position on every topic.
func (s *Subscription) Cursor() Cursor {
	c := make(Cursor, len(s.topics))
	for i, t := range s.topics {
		c[i] = Position{t.name, s.cur[i].Load()}
	}
	return c
}

// AppendCursor appends the cursor as it will be once ev is delivered (the SSE id field).
func (s *Subscription) AppendCursor(b []byte, ev *Event) []byte {
	for i, t := range s.topics {
		if i > 0 {
			b = append(b, ',')
		}
		seq := s.cur[i].Load()
		if t.name == ev.Topic {
			seq = ev.Seq
		}
		b = append(b, t.name...)
		b = append(b, ':')
		b = appendUint(b, seq)
	}
	return b
}

func appendUint(b []byte, v uint64) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// Poll hands fn, topic by topic, the events past the cursor, outside any lock; after fn
// returns nil the cursor moves past them. A topic whose missed events are gone (or whose
// cursor is ahead of the hub, as after a restart of the in-process hub) yields one
// TypeReload event carrying the topic's head, and the cursor jumps there. Poll returns
// the subscription's error once the hub dropped it.
func (s *Subscription) Poll(fn func(evs []Event) error) error {
	if s.done.Load() {
		return s.err
	}
	cutoff := s.c.opt.Now().Add(-s.c.opt.MaxAge)
	for i, t := range s.topics {
		after := s.cur[i].Load()
		var log []Event
		var head uint64
		if sn := t.snap.Load(); sn != nil {
			log, head = sn.log, sn.head
		}
		// Age limits apply on read too: a quiet topic keeps its old events until the next
		// publication, but a resuming client must not get them.
		for len(log) > 0 && log[0].Time.Before(cutoff) {
			log = log[1:]
		}
		first := head - uint64(len(log)) + 1
		var evs []Event
		switch {
		case after == head:
		case after > head || after+1 < first:
			evs = []Event{{Topic: t.name, Seq: head, Type: TypeReload, Data: reloadData(t.name, head), Time: s.c.opt.Now().UTC()}}
		default:
			evs = log[after+1-first:]
		}
		if len(evs) == 0 {
			continue
		}
		if err := fn(evs); err != nil {
			return err
		}
		s.cur[i].Store(evs[len(evs)-1].Seq)
	}
	return nil
}

func reloadData(topic string, head uint64) []byte {
	b := append([]byte(`{"topic":"`), topic...)
	b = append(b, `","seq":`...)
	b = appendUint(b, head)
	return append(b, '}')
}
