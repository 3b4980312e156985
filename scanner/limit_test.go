//go:build unix

package scanner

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestReadLimiterHoldsTheRate(t *testing.T) {
	for _, rate := range []int64{MinReadRate, 5_000_000, 50_000_000, 1_000_000_000} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			l := newReadLimiter(rate)
			clock := time.Date(2027, 3, 22, 9, 0, 0, 0, time.UTC)
			start := clock
			l.now = func() time.Time { return clock }
			l.sleep = func(_ context.Context, d time.Duration) error { clock = clock.Add(d); return nil }
			const total = 200_000_000
			for read := 0; read < total; read += l.chunk() {
				if err := l.wait(t.Context(), l.chunk()); err != nil {
					t.Fatal(err)
				}
			}
			// The first burst is free; after it, the rate holds.
			elapsed := clock.Sub(start).Seconds()
			want := float64(total-l.lim.Burst()) / float64(rate)
			if elapsed < want*0.99 || elapsed > want*1.01 {
				t.Errorf("%d bytes in %.3f s, want %.3f s", total, elapsed, want)
			}
		})
	}
}

func TestReadLimiterStopsWithItsContext(t *testing.T) {
	l := newReadLimiter(MinReadRate)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for range l.lim.Burst() / l.chunk() { // the free burst
		l.wait(ctx, l.chunk())
	}
	if err := l.wait(ctx, l.chunk()); err != context.Canceled {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// TestWalkMaxReadRate reads 200 MB of identical sparse files, whole, at
// 100 MB/s at most: it checks the cap is never exceeded, on the real clock
// (a slow machine only makes the walk slower), and logs the rate reached.
func TestWalkMaxReadRate(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 200 MB")
	}
	root := t.TempDir()
	const size, n, rate = 50_000_000, 4, 100_000_000
	for i := range n {
		build(t, root, sparse(fmt.Sprintf("f%d", i), size))
	}
	start := time.Now()
	r := walkTree(t, root, WalkOptions{MaxReadRate: rate})
	elapsed := time.Since(start)
	if r.DupFiles != n || r.FilesRead != 2*n {
		t.Fatalf("%d duplicates, %d files read: want %d, %d", r.DupFiles, r.FilesRead, n, 2*n)
	}
	floor := time.Duration(float64(n*size-rate/10) / rate * float64(time.Second))
	t.Logf("%d bytes in %v: %.0f MB/s for a cap of %d MB/s", n*size, elapsed, n*size/elapsed.Seconds()/1e6, rate/1_000_000)
	if elapsed < floor {
		t.Errorf("%d bytes read in %v, faster than the cap allows (%v)", n*size, elapsed, floor)
	}
}
