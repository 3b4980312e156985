package bot

import (
	"context"
	"errors"
	"time"
)

// RateLimits keeps each user's budget of commands, shared by every
// replica of the bot. The Redis store fits.
type RateLimits interface {
	// TakeToken takes one of user's tokens at now, from a bucket of burst
	// tokens that gains one every interval. ok tells whether the command
	// may run; when it may not, warn tells whether to tell the user (the
	// first refusal since their last command ran) and wait how long until
	// the next token.
	TakeToken(ctx context.Context, user string, burst int, every time.Duration, now time.Time) (ok, warn bool, wait time.Duration, err error)
}

// limiter bounds each user's commands: burst at once, then one every
// interval. A user who goes over is told once, then ignored until a token
// is back, so nobody can flood the channels (not even with refusals). The
// buckets live in the store, so that a user who reaches several replicas
// (behind a load balancer, or one per platform) still has one budget.
type limiter struct {
	buckets RateLimits
	burst   int
	every   time.Duration
}

// newLimiter limits commands as the config says, with the buckets of
// o.RateLimits or, by default, of the store.
func newLimiter(o Options) (limiter, error) {
	l := limiter{buckets: o.RateLimits, burst: o.Config.RateLimit.Burst, every: o.Config.RateLimit.Every}
	if l.buckets == nil {
		l.buckets, _ = o.Store.(RateLimits)
	}
	if l.buckets == nil && l.every > 0 {
		return limiter{}, errors.New("bot: New: the store keeps no rate limits: set Options.RateLimits")
	}
	return l, nil
}

// allow takes a token for user at now (see RateLimits.TakeToken).
func (l limiter) allow(ctx context.Context, user string, now time.Time) (ok, warn bool, wait time.Duration, err error) {
	if l.every <= 0 {
		return true, false, 0, nil
	}
	return l.buckets.TakeToken(ctx, user, l.burst, l.every, now)
}
