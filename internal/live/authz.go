package live

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"dais/internal/store"
)

// Authorizer decides whether the signed-in principal may subscribe to a topic; the meeting package implements it for "meeting.<id>".
type Authorizer interface {
	CanSubscribe(ctx context.Context, p *store.Principal, topic string) (bool, error)
}

// AuthorizerFunc adapts a function to Authorizer.
type AuthorizerFunc func(ctx context.Context, p *store.Principal, topic string) (bool, error)

// CanSubscribe implements Authorizer.
func (f AuthorizerFunc) CanSubscribe(ctx context.Context, p *store.Principal, topic string) (bool, error) {
	return f(ctx, p, topic)
}

// Kinds routes each topic to the authorizer of its kind ("meeting", "unit", "user").
// A kind nobody registered is refused: a topic is private until a package vouches for it.
// Register kinds at start-up; lookups are safe from many goroutines.
type Kinds struct {
	mu sync.RWMutex
	m  map[string]Authorizer
}

// NewKinds returns a router with the built-in kinds: "user" (OwnUser) and, with a store,
// "unit" (Units).
func NewKinds(db *store.DB) *Kinds {
	k := &Kinds{m: map[string]Authorizer{"user": OwnUser}}
	if db != nil {
		k.m["unit"] = Units(db)
	}
	return k
}

// Handle sets the authorizer for topics of kind ("meeting" → the meeting package).
func (k *Kinds) Handle(kind string, a Authorizer) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[kind] = a
}

// CanSubscribe implements Authorizer.
func (k *Kinds) CanSubscribe(ctx context.Context, p *store.Principal, topic string) (bool, error) {
	if p == nil || !ValidTopic(topic) {
		return false, nil
	}
	k.mu.RLock()
	a, ok := k.m[Kind(topic)]
	k.mu.RUnlock()
	if !ok {
		return false, nil
	}
	return a.CanSubscribe(ctx, p, topic)
}

// OwnUser allows "user.<id>" to that user only.
var OwnUser Authorizer = AuthorizerFunc(func(_ context.Context, p *store.Principal, topic string) (bool, error) {
	return p != nil && Kind(topic) == "user" && ID(topic) == p.UserID, nil
})

// Units allows "unit.<id>" to principals who may read that unit (its subtree grants).
// A unit that does not exist or that the caller cannot see is "not found", as elsewhere.
func Units(db *store.DB) Authorizer {
	return AuthorizerFunc(func(ctx context.Context, p *store.Principal, topic string) (bool, error) {
		var path string
		err := db.R().QueryRowContext(ctx, `SELECT path FROM units WHERE id = ?`, ID(topic)).Scan(&path)
		if errors.Is(err, sql.ErrNoRows) {
			return false, store.NotFound("unit")
		}
		if err != nil {
			return false, err
		}
		if !p.Can(store.PermUnitRead, path) {
			return false, store.NotFound("unit")
		}
		return true, nil
	})
}
