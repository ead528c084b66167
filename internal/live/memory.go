package live

import (
	"context"
	"slices"
)

// Hub carries live events from the code that commits a change to the screens that show
// it. Publish after the transaction commits; subscribers resume from a Cursor.
type Hub interface {
	// Publish appends an event to topic's retained log after the caller's commit and returns its sequence number (per topic, from 1, gapless).
	Publish(ctx context.Context, topic, typ string, data []byte) (uint64, error)
	// Head returns the topic's last sequence number (0 before the first event). A page
	// renders it into its /live URL (cursor=topic:head) so nothing published between the
	// render and the connection is missed.
	Head(ctx context.Context, topic string) (uint64, error)
	// Subscribe follows topics from the positions in after (the others from their head).
	Subscribe(ctx context.Context, topics []string, after Cursor) (*Subscription, error)
	// Close ends every subscription and releases the hub's resources.
	Close() error
}

// Memory is the in-process hub: one process, sequence numbers counted in memory. After a
// restart sequences start again from 1; a client that comes back with a cursor ahead of
// the head gets a reload event.
type Memory struct{ c *core }

// NewMemory returns an in-process hub.
func NewMemory(opt Options) *Memory { return &Memory{c: newCore(opt)} }

// Publish implements Hub.
func (m *Memory) Publish(ctx context.Context, topic, typ string, data []byte) (uint64, error) {
	data, err := checkPublish(topic, typ, data)
	if err != nil {
		return 0, err
	}
	t, err := m.c.topic(topic)
	if err != nil {
		return 0, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	ev := Event{Topic: topic, Seq: t.head + 1, Type: typ, Data: data, Time: m.c.opt.Now().UTC()}
	m.c.appendLocked(t, ev)
	return ev.Seq, nil
}

// Head implements Hub.
func (m *Memory) Head(ctx context.Context, topic string) (uint64, error) {
	if !ValidTopic(topic) {
		return 0, invalidTopic(topic)
	}
	t, err := m.c.topic(topic)
	if err != nil {
		return 0, err
	}
	return t.headSeq(), nil
}

// Subscribe implements Hub.
func (m *Memory) Subscribe(ctx context.Context, topics []string, after Cursor) (*Subscription, error) {
	ts, err := resolve(m.c, topics)
	if err != nil {
		return nil, err
	}
	return m.c.subscribe(ts, after), nil
}

// Close implements Hub.
func (m *Memory) Close() error {
	m.c.close()
	return nil
}

func resolve(c *core, topics []string) ([]*topic, error) {
	if len(topics) == 0 || len(topics) > MaxTopics {
		return nil, invalidTopic("")
	}
	ts := make([]*topic, len(topics))
	for i, name := range topics {
		if !ValidTopic(name) || slices.Contains(topics[:i], name) {
			return nil, invalidTopic(name)
		}
		t, err := c.topic(name)
		if err != nil {
			return nil, err
		}
		ts[i] = t
	}
	return ts, nil
}
