package main

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// failingSettler fails its first reads, then succeeds.
type failingSettler struct {
	fails, calls int
}

func (f *failingSettler) SettleDefis(context.Context) (int, error) {
	f.calls++
	if f.calls <= f.fails {
		return 0, errors.New("slack: reactions.get: service unavailable")
	}
	return 3, nil
}

// TestSettleDefisRetries: a failed read of the défi posts' reactions is
// tried again after 1, 2, 4… minutes (at most 30) until one succeeds, and
// no more after; a stopped run stops the retries.
func TestSettleDefisRetries(t *testing.T) {
	s := &failingSettler{fails: 7}
	var waits []time.Duration
	settleDefis(context.Background(), s, func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	})
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 30 * time.Minute, 30 * time.Minute}
	if !slices.Equal(waits, want) {
		t.Errorf("waits = %v, want %v", waits, want)
	}
	if s.calls != s.fails+1 {
		t.Errorf("%d reads, want %d: none after the one that succeeded", s.calls, s.fails+1)
	}

	ctx, cancel := context.WithCancel(context.Background())
	forever := &failingSettler{fails: 1 << 30}
	settleDefis(ctx, forever, func(ctx context.Context, _ time.Duration) error {
		if forever.calls == 3 {
			cancel()
		}
		return ctx.Err()
	})
	if forever.calls != 3 {
		t.Errorf("%d reads after the run stopped at the third, want 3", forever.calls)
	}
}
