package store

import (
	"time"

	"github.com/google/uuid"
)

// NewID returns a new sortable ID (UUIDv7 text): time-ordered, 36 characters.
// Use it for objects whose creation order may be visible; never for ballots
// (their IDs must not reveal order — see internal/vote).
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// Now is the store's clock: UTC, truncated to microseconds so both databases
// round-trip the same value.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
