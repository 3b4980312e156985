package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/gigabot/gigabot/redis/redistest"
)

// The bucket follows the caller's clock: a burst, then one token every
// interval; the first refusal warns, the next ones do not, until a
// command runs again.
func TestTakeToken(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	const every = 10 * time.Second
	type want struct {
		ok, warn bool
		wait     time.Duration
	}
	steps := []struct {
		name string
		user string
		at   time.Duration // after day1
		want want
	}{
		{"first of the burst", "alice", 0, want{ok: true}},
		{"second of the burst", "alice", 0, want{ok: true}},
		{"over: told", "alice", 0, want{warn: true, wait: every}},
		{"over again: silence", "alice", time.Second, want{wait: 9 * time.Second}},
		{"another user has a bucket of their own", "bob", time.Second, want{ok: true}},
		{"half a token later, still silence", "alice", 5 * time.Second, want{wait: 5 * time.Second}},
		{"a token is back", "alice", 10 * time.Second, want{ok: true}},
		{"over once more: told again", "alice", 10 * time.Second, want{warn: true, wait: every}},
		{"a clock behind gives no token", "alice", 9 * time.Second, want{wait: every}},
		{"a long pause refills the burst, no more", "alice", time.Hour, want{ok: true}},
		{"second after the pause", "alice", time.Hour, want{ok: true}},
		{"third after the pause is over", "alice", time.Hour, want{warn: true, wait: every}},
	}
	for _, st := range steps {
		ok, warn, wait, err := s.TakeToken(ctx, st.user, 2, every, day1.Add(st.at))
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := (want{ok, warn, wait}); got != st.want {
			t.Errorf("%s: got %+v, want %+v", st.name, got, st.want)
		}
	}
}
