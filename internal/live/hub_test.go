package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"

	"dais/internal/store"
)

// impl makes a hub for one test; replica returns another hub on the same log (a second
// process for JetStream, the same hub for Memory).
type impl struct {
	name string
	make func(t *testing.T, opt Options) (hub Hub, replica func() Hub)
}

// impls lists the hubs every test runs on: Memory always, JetStream when DAIS_TEST_NATS
// names a server. Each JetStream test gets its own stream and subjects, deleted after.
func impls() []impl {
	out := []impl{{"memory", func(t *testing.T, opt Options) (Hub, func() Hub) {
		h := NewMemory(opt)
		t.Cleanup(func() { h.Close() })
		return h, func() Hub { return h }
	}}}
	if url := os.Getenv("DAIS_TEST_NATS"); url != "" {
		out = append(out, impl{"jetstream", func(t *testing.T, opt Options) (Hub, func() Hub) {
			var b [6]byte
			rand.Read(b[:])
			id := hex.EncodeToString(b[:])
			jo := JetStreamOptions{Options: opt, Stream: "DAIS_TEST_" + id, Prefix: "daistest." + id + "."}
			open := func() Hub {
				h, err := NewJetStream(context.Background(), url, jo)
				if err != nil {
					t.Fatalf("jetstream: %v", err)
				}
				t.Cleanup(func() { h.Close() })
				return h
			}
			h := open()
			t.Cleanup(func() { h.(*JetStreamHub).js.DeleteStream(context.Background(), jo.Stream) })
			return h, open
		}})
	}
	return out
}

// each runs fn on every hub implementation.
func each(t *testing.T, fn func(t *testing.T, mk func(opt Options) (Hub, func() Hub))) {
	for _, im := range impls() {
		t.Run(im.name, func(t *testing.T) {
			fn(t, func(opt Options) (Hub, func() Hub) { return im.make(t, opt) })
		})
	}
}

func publishN(t *testing.T, h Hub, topic string, from, to int) {
	t.Helper()
	for i := from; i <= to; i++ {
		seq, err := h.Publish(context.Background(), topic, "agenda", fmt.Appendf(nil, `{"n":%d}`, i))
		if err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
		if seq != uint64(i) {
			t.Fatalf("publish %d: got seq %d", i, seq)
		}
	}
}

// collect reads events until it has n (or the subscription ends). No timer: a missing
// event shows as the test binary's timeout with this goroutine's stack.
func collect(t *testing.T, sub *Subscription, n int) []Event {
	t.Helper()
	var got []Event
	for len(got) < n {
		select {
		case <-sub.Ready():
		case <-sub.Done():
			t.Fatalf("subscription ended after %d of %d events: %v", len(got), n, sub.Err())
		}
		if err := sub.Poll(func(evs []Event) error { got = append(got, evs...); return nil }); err != nil {
			t.Fatalf("poll: %v", err)
		}
	}
	return got
}

func seqs(evs []Event) []uint64 {
	out := make([]uint64, len(evs))
	for i, e := range evs {
		out[i] = e.Seq
	}
	return out
}

func span(from, to uint64) []uint64 {
	var out []uint64
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

func TestHubOrderAndResume(t *testing.T) {
	each(t, func(t *testing.T, mk func(Options) (Hub, func() Hub)) {
		ctx := context.Background()
		h, replica := mk(Options{})
		const topic = "meeting.m1"
		live, err := h.Subscribe(ctx, []string{topic}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer live.Close()
		publishN(t, h, topic, 1, 30)
		got := collect(t, live, 30)
		if !slices.Equal(seqs(got), span(1, 30)) {
			t.Fatalf("live subscriber got %v", seqs(got))
		}
		if got[0].Type != "agenda" || string(got[0].Data) != `{"n":1}` || got[29].Topic != topic {
			t.Fatalf("first event %+v", got[0])
		}
		if head, err := h.Head(ctx, topic); err != nil || head != 30 {
			t.Fatalf("head %d %v", head, err)
		}
		// Resume on another replica from seq 20: exactly 21..30, then what comes next.
		r := replica()
		sub, err := r.Subscribe(ctx, []string{topic}, Cursor{{topic, 20}})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		if got := collect(t, sub, 10); !slices.Equal(seqs(got), span(21, 30)) {
			t.Fatalf("resume from 20 got %v", seqs(got))
		}
		publishN(t, r, topic, 31, 32)
		if got := collect(t, sub, 2); !slices.Equal(seqs(got), span(31, 32)) {
			t.Fatalf("after resume got %v", seqs(got))
		}
		if got := collect(t, live, 2); !slices.Equal(seqs(got), span(31, 32)) {
			t.Fatalf("first hub got %v", seqs(got))
		}
		if c := sub.Cursor().String(); c != "meeting.m1:32" {
			t.Fatalf("cursor %q", c)
		}
		// A subscriber without a cursor starts at the head: nothing old.
		fresh, err := h.Subscribe(ctx, []string{topic}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer fresh.Close()
		publishN(t, h, topic, 33, 33)
		if got := collect(t, fresh, 1); got[0].Seq != 33 {
			t.Fatalf("fresh subscriber got %v", seqs(got))
		}
	})
}

func TestHubTooFarBehind(t *testing.T) {
	each(t, func(t *testing.T, mk func(Options) (Hub, func() Hub)) {
		ctx := context.Background()
		h, replica := mk(Options{Retain: 8, MaxLag: 4})
		const topic = "meeting.m2"
		publishN(t, h, topic, 1, 40)
		for _, c := range []struct {
			name  string
			after uint64
		}{{"behind", 3}, {"ahead", 99}} {
			t.Run(c.name, func(t *testing.T) {
				sub, err := replica().Subscribe(ctx, []string{topic}, Cursor{{topic, c.after}})
				if err != nil {
					t.Fatal(err)
				}
				defer sub.Close()
				got := collect(t, sub, 1)
				if len(got) != 1 || got[0].Type != TypeReload || got[0].Seq != 40 || string(got[0].Data) != `{"topic":"meeting.m2","seq":40}` {
					t.Fatalf("want one reload at 40, got %+v", got)
				}
			})
		}
		// Within the retained window: the events, no reload.
		sub, err := replica().Subscribe(ctx, []string{topic}, Cursor{{topic, 35}})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		if got := collect(t, sub, 5); !slices.Equal(seqs(got), span(36, 40)) || got[0].Type == TypeReload {
			t.Fatalf("resume within window got %v", seqs(got))
		}
	})
}

func TestHubSlowConsumerDropped(t *testing.T) {
	each(t, func(t *testing.T, mk func(Options) (Hub, func() Hub)) {
		ctx := context.Background()
		h, _ := mk(Options{Retain: 64, MaxLag: 5})
		const topic = "meeting.m3"
		slow, err := h.Subscribe(ctx, []string{topic}, nil)
		if err != nil {
			t.Fatal(err)
		}
		fast, err := h.Subscribe(ctx, []string{topic}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer fast.Close()
		// Publishing never blocks although slow reads nothing; fast keeps up.
		var seen []Event
		for i := 1; i <= 12; i += 4 {
			publishN(t, h, topic, i, i+3)
			seen = append(seen, collect(t, fast, 4)...)
		}
		<-slow.Done()
		if slow.Err() != ErrSlowConsumer {
			t.Fatalf("slow subscriber ended with %v", slow.Err())
		}
		if err := slow.Poll(func([]Event) error { return nil }); err != ErrSlowConsumer {
			t.Fatalf("poll after drop: %v", err)
		}
		if !slices.Equal(seqs(seen), span(1, 12)) {
			t.Fatalf("fast subscriber got %v", seqs(seen))
		}
		// The dropped client resumes by its last event ID and misses nothing.
		again, err := h.Subscribe(ctx, []string{topic}, slow.Cursor())
		if err != nil {
			t.Fatal(err)
		}
		defer again.Close()
		if got := collect(t, again, 12); !slices.Equal(seqs(got), span(1, 12)) {
			t.Fatalf("resumed subscriber got %v", seqs(got))
		}
		slow.Close()
	})
}

func TestHubConcurrentPublishers(t *testing.T) {
	each(t, func(t *testing.T, mk func(Options) (Hub, func() Hub)) {
		ctx := context.Background()
		h, replica := mk(Options{Retain: 512, MaxLag: 512})
		hubs := []Hub{h, replica()}
		const topic, workers, per = "meeting.m4", 6, 20
		sub, err := h.Subscribe(ctx, []string{topic}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		var mu sync.Mutex
		var got []uint64
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range per {
					seq, err := hubs[w%2].Publish(ctx, topic, "document", fmt.Appendf(nil, `{"w":%d,"i":%d}`, w, i))
					if err != nil {
						t.Errorf("worker %d: %v", w, err)
						return
					}
					mu.Lock()
					got = append(got, seq)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		slices.Sort(got)
		if !slices.Equal(got, span(1, workers*per)) {
			t.Fatalf("publishers were given %v", got)
		}
		evs := collect(t, sub, workers*per)
		if !slices.Equal(seqs(evs), span(1, workers*per)) {
			t.Fatalf("subscriber saw %v", seqs(evs))
		}
	})
}

func TestHubMultiTopic(t *testing.T) {
	each(t, func(t *testing.T, mk func(Options) (Hub, func() Hub)) {
		ctx := context.Background()
		h, _ := mk(Options{})
		a, b := "meeting.a", "user.b"
		publishN(t, h, a, 1, 3)
		publishN(t, h, b, 1, 2)
		sub, err := h.Subscribe(ctx, []string{a, b}, Cursor{{a, 1}, {b, 0}})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		got := collect(t, sub, 4)
		per := map[string][]uint64{}
		for _, e := range got {
			per[e.Topic] = append(per[e.Topic], e.Seq)
		}
		if !slices.Equal(per[a], []uint64{2, 3}) || !slices.Equal(per[b], []uint64{1, 2}) {
			t.Fatalf("got %v", per)
		}
		if c := sub.Cursor().String(); c != "meeting.a:3,user.b:2" {
			t.Fatalf("cursor %q", c)
		}
		ev := Event{Topic: b, Seq: 7}
		if id := string(sub.AppendCursor(nil, &ev)); id != "meeting.a:3,user.b:7" {
			t.Fatalf("event id %q", id)
		}
	})
}

func TestHubRefusesBadInput(t *testing.T) {
	each(t, func(t *testing.T, mk func(Options) (Hub, func() Hub)) {
		ctx := context.Background()
		h, _ := mk(Options{})
		bad := []struct{ topic, typ, data string }{
			{"meeting", "agenda", "{}"},
			{"meeting.a.b", "agenda", "{}"},
			{"Meeting.a", "agenda", "{}"},
			{"meeting.a", "", "{}"},
			{"meeting.a", "reload", "{}"},
			{"meeting.a", "bad type", "{}"},
			{"meeting.a", "agenda", "<p>html</p>"},
			{"meeting.a", "agenda", `{"x":` + string(make([]byte, MaxDataBytes)) + `}`},
		}
		for _, c := range bad {
			if _, err := h.Publish(ctx, c.topic, c.typ, []byte(c.data)); store.ErrorCode(err) != store.EINVALID {
				t.Errorf("Publish(%q, %q, %.20q): %v, want EINVALID", c.topic, c.typ, c.data, err)
			}
		}
		// Multi-line JSON is compacted: SSE data is one line.
		seq, err := h.Publish(ctx, "meeting.a", "agenda", []byte("{\n  \"item\": \"x\"\n}"))
		if err != nil || seq != 1 {
			t.Fatalf("publish: %d %v", seq, err)
		}
		sub, err := h.Subscribe(ctx, []string{"meeting.a"}, Cursor{{"meeting.a", 0}})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		if got := collect(t, sub, 1); string(got[0].Data) != `{"item":"x"}` {
			t.Fatalf("data %q", got[0].Data)
		}
		if _, err := h.Subscribe(ctx, []string{"meeting.a", "meeting.a"}, nil); store.ErrorCode(err) != store.EINVALID {
			t.Fatalf("duplicate topics: %v", err)
		}
		if _, err := h.Head(ctx, "nope"); store.ErrorCode(err) != store.EINVALID {
			t.Fatalf("head of a bad topic: %v", err)
		}
	})
}

func TestHubClose(t *testing.T) {
	h := NewMemory(Options{})
	sub, err := h.Subscribe(context.Background(), []string{"meeting.x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.Close()
	<-sub.Done()
	if sub.Err() != ErrClosed {
		t.Fatalf("err %v", sub.Err())
	}
	if _, err := h.Publish(context.Background(), "meeting.x", "agenda", nil); err != ErrClosed {
		t.Fatalf("publish after close: %v", err)
	}
}
