package scanner

import (
	"context"
	"time"

	"golang.org/x/time/rate"
)

// MinReadRate is the lowest WalkOptions.MaxReadRate: below it a scan of a
// share would take days, and a rate of "50" is more likely a typo for 50 Mo/s.
const MinReadRate = 100_000

// readLimiter caps the bytes read per second to hash files. A nil
// readLimiter does not limit.
type readLimiter struct {
	lim   *rate.Limiter
	read  int // the most read at once
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// newReadLimiter limits reads to bytesPerSecond, or returns nil for 0.
// Files are read in pieces of a twentieth of a second's worth (between
// one first block and one read buffer); the bucket holds a tenth of a
// second's worth, so that a reader held up by the scheduler catches up
// instead of losing its turn, and the rate holds over the whole walk.
func newReadLimiter(bytesPerSecond int64) *readLimiter {
	if bytesPerSecond <= 0 {
		return nil
	}
	read := int(min(max(bytesPerSecond/20, partialBlock), readBlock))
	return &readLimiter{
		lim:   rate.NewLimiter(rate.Limit(bytesPerSecond), max(2*read, int(min(bytesPerSecond/10, 1<<30)))),
		read:  read,
		now:   time.Now,
		sleep: sleepCtx,
	}
}

// chunk is the most that may be read at once.
func (l *readLimiter) chunk() int {
	if l == nil {
		return readBlock
	}
	return l.read
}

// wait returns once n bytes (at most chunk()) may be read, or with ctx's
// error.
func (l *readLimiter) wait(ctx context.Context, n int) error {
	if l == nil {
		return nil
	}
	now := l.now()
	r := l.lim.ReserveN(now, min(n, l.read))
	if d := r.DelayFrom(now); d > 0 {
		return l.sleep(ctx, d)
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
