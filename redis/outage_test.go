package redis_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

// A Redis that cannot be reached is an outage, worth waiting out; an
// error Redis answers is not.
func TestUnavailable(t *testing.T) {
	ctx := context.Background()
	s, link := redistest.NewLinkedStore(t)
	if _, err := s.AgentDays(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	link.Cut()
	_, err := s.React(ctx, scoring.Reaction{Agent: "alice", Team: "routes", Day: 1, Post: "P1", At: day1}, true)
	if err == nil || !s.Unavailable(err) {
		t.Errorf("with Redis out of reach: Unavailable(%v) = false, want true", err)
	}
	if err := link.Restore(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AgentDays(ctx, "alice"); err != nil {
		t.Fatalf("after the outage: %v", err)
	}
	for _, err := range []error{nil, errors.New("record reaction: ERR Error running script"), scoring.ErrNotHeld} {
		if redis.Unavailable(err) {
			t.Errorf("Unavailable(%v) = true, want false", err)
		}
	}

	// An answer from Redis, however wrong, is not an outage.
	s2, rdb, id := redistest.NewStore(t)
	if err := rdb.Set(ctx, "gigabot:{"+id+"}:agentdays:alice", "x", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.AgentDays(ctx, "alice"); err == nil || s2.Unavailable(err) {
		t.Errorf("a WRONGTYPE answer: Unavailable(%v) = true, want false", err)
	}
}
