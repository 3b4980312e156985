package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/gigabot/gigabot/redis/redistest"
)

// Slots are taken together or not at all, and free again after their gap,
// on the caller's clock; a hold keeps a slot busy, never shorter.
func TestReserveAndHold(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	post := func(channel string) ([]string, []time.Duration) {
		return []string{"slack:method:chat.postMessage", "slack:channel:" + channel, "slack:posts"},
			[]time.Duration{0, time.Second, 200 * time.Millisecond}
	}
	steps := []struct {
		name    string
		at      time.Duration // after day1
		channel string        // a post there; "" holds the method until hold
		hold    time.Duration
		want    time.Duration
	}{
		{"the first post goes", 0, "C1", 0, 0},
		{"the same channel waits its second", 0, "C1", 0, time.Second},
		{"another channel waits the gap between posts", 0, "C2", 0, 200 * time.Millisecond},
		{"nothing was taken by a refusal", 200 * time.Millisecond, "C2", 0, 0},
		{"the first channel is free after its second", time.Second, "C1", 0, 0},
		{"a 429 holds the method", time.Second, "", 30 * time.Second, 0},
		{"every channel waits the hold", 5 * time.Second, "C3", 0, 26 * time.Second},
		{"a shorter hold does not shorten it", 5 * time.Second, "", time.Second, 0},
		{"still held", 10 * time.Second, "C3", 0, 21 * time.Second},
		{"free after the hold", 31 * time.Second, "C3", 0, 0},
	}
	for _, st := range steps {
		now := day1.Add(st.at)
		if st.channel == "" {
			if err := s.Hold(ctx, "slack:method:chat.postMessage", now, now.Add(st.hold)); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			continue
		}
		names, gaps := post(st.channel)
		wait, err := s.Reserve(ctx, now, names, gaps)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if wait != st.want {
			t.Errorf("%s: wait %v, want %v", st.name, wait, st.want)
		}
	}
}

// A replica whose clock runs ahead takes a slot far in everyone else's
// future: the others wait no longer than the slot's gap, its time to live.
func TestReserveOutlivesNoClockSkew(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	names, gaps := []string{"slack:channel:C1"}, []time.Duration{time.Second}
	if wait, err := s.Reserve(ctx, day1.Add(time.Hour), names, gaps); err != nil || wait != 0 {
		t.Fatalf("the replica ahead: %v, %v", wait, err)
	}
	wait, err := s.Reserve(ctx, day1, names, gaps)
	if err != nil || wait <= 0 || wait > time.Second {
		t.Fatalf("the replica on time waits %v, %v; want at most the 1s gap, not the hour", wait, err)
	}
}

func TestReserveRefusesMismatchedSlots(t *testing.T) {
	s, _, _ := redistest.NewStore(t)
	for _, tt := range []struct {
		names []string
		gaps  []time.Duration
	}{{nil, nil}, {[]string{"a", "b"}, []time.Duration{time.Second}}} {
		if _, err := s.Reserve(context.Background(), day1, tt.names, tt.gaps); err == nil {
			t.Errorf("Reserve(%q, %v) accepted", tt.names, tt.gaps)
		}
	}
}
