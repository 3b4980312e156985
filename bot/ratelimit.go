package bot

import (
	"sync"
	"time"
)

// limiter is a token bucket per user: burst commands at once, then one
// every interval. A user who goes over is told once, then ignored until a
// token is back, so nobody can flood the channels (not even with refusals).
type limiter struct {
	mu       sync.Mutex
	burst    float64
	interval time.Duration
	users    map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
	warned bool
}

func newLimiter(burst int, interval time.Duration) *limiter {
	return &limiter{burst: float64(burst), interval: interval, users: map[string]*bucket{}}
}

// allow takes a token for user at now. It returns whether the command may
// run and, when it may not, whether the user should be told (the first
// refusal only) and how long until the next token.
func (l *limiter) allow(user string, now time.Time) (ok, warn bool, wait time.Duration) {
	if l.interval <= 0 {
		return true, false, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, found := l.users[user]
	if !found {
		b = &bucket{tokens: l.burst, last: now}
		l.users[user] = b
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(l.burst, b.tokens+float64(elapsed)/float64(l.interval))
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		b.warned = false
		return true, false, 0
	}
	wait = time.Duration((1 - b.tokens) * float64(l.interval))
	warn = !b.warned
	b.warned = true
	return false, warn, wait
}
