package slack

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// Slots are pacing slots, named by the adapter: Reserve takes every named
// slot at now if each is free then, slot i staying busy for gaps[i] (0:
// checked, not taken), or takes none and says how long until the last
// frees; Hold keeps a slot busy until an instant. The store's are shared
// by every replica (redis.Store.Reserve and Hold).
type Slots interface {
	Reserve(ctx context.Context, now time.Time, names []string, gaps []time.Duration) (time.Duration, error)
	Hold(ctx context.Context, name string, now, until time.Time) error
}

// limiter spaces Web API calls: posts one ChannelInterval apart in a
// channel and one PostInterval apart overall, and every call of a method
// after Slack answered 429 for it until its Retry-After has passed (Slack's
// limits are per method and workspace). It paces with the shared Slots,
// so that N replicas post at the pace of one; without them, or while they
// fail (Redis unreachable), with slots in this process's memory.
type limiter struct {
	now        func() time.Time
	sleep      func(context.Context, time.Duration) error
	perChannel time.Duration
	perPost    time.Duration
	shared     Slots // nil: this process only
	local      *localSlots
	log        *slog.Logger
}

func newLimiter(now func() time.Time, sleep func(context.Context, time.Duration) error, perChannel, perPost time.Duration, shared Slots, log *slog.Logger) *limiter {
	return &limiter{now: now, sleep: sleep, perChannel: perChannel, perPost: perPost,
		shared: shared, local: &localSlots{busy: map[string]time.Time{}}, log: log}
}

// wait blocks until a call of method may go, and for a post (channel set)
// takes its slot in the channel and overall.
func (l *limiter) wait(ctx context.Context, method, channel string) error {
	names, gaps := []string{"slack:method:" + method}, []time.Duration{0}
	if channel != "" {
		names = append(names, "slack:channel:"+channel, "slack:posts")
		gaps = append(gaps, l.perChannel, l.perPost)
	}
	for {
		d, err := l.reserve(ctx, l.now(), names, gaps)
		if err != nil || d <= 0 {
			return err
		}
		if err := l.sleep(ctx, d); err != nil {
			return err
		}
	}
}

// reserve takes the slots from the shared ones, or from this process's
// when those fail.
func (l *limiter) reserve(ctx context.Context, now time.Time, names []string, gaps []time.Duration) (time.Duration, error) {
	if l.shared != nil {
		d, err := l.shared.Reserve(ctx, now, names, gaps)
		if err == nil {
			return d, nil
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		l.log.Warn("slack: shared pacing unavailable: pacing this process alone", "err", err)
	}
	return l.local.Reserve(ctx, now, names, gaps)
}

// pause holds every call of method for d, here and, when it can, in every
// replica.
func (l *limiter) pause(ctx context.Context, method string, d time.Duration) {
	now := l.now()
	name := "slack:method:" + method
	_ = l.local.Hold(ctx, name, now, now.Add(d))
	if l.shared != nil {
		if err := l.shared.Hold(ctx, name, now, now.Add(d)); err != nil {
			l.log.Warn("slack: could not share a rate limit with the other replicas", "method", method, "err", err)
		}
	}
}

// localSlots are Slots in this process's memory.
type localSlots struct {
	mu   sync.Mutex
	busy map[string]time.Time
}

func (s *localSlots) Reserve(_ context.Context, now time.Time, names []string, gaps []time.Duration) (time.Duration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var at time.Time
	for _, n := range names {
		if b := s.busy[n]; b.After(at) {
			at = b
		}
	}
	if at.After(now) {
		return at.Sub(now), nil
	}
	if len(s.busy) >= 256 { // forget the slots already free
		for n, b := range s.busy {
			if !b.After(now) {
				delete(s.busy, n)
			}
		}
	}
	for i, n := range names {
		if gaps[i] > 0 {
			s.busy[n] = now.Add(gaps[i])
		}
	}
	return 0, nil
}

func (s *localSlots) Hold(_ context.Context, name string, _, until time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if until.After(s.busy[name]) {
		s.busy[name] = until
	}
	return nil
}

// call runs one Web API call under the limiter (channel set: a post, paced
// per channel) and retries it until it succeeds, fails for good, or ctx
// ends: after a 429 it waits Retry-After, after a 5xx or a network error it
// backs off (1s, 2s, 4s… up to 30s).
func (a *Adapter) call(ctx context.Context, method, channel string, fn func(context.Context) error) error {
	return a.callAtMost(ctx, 0, method, channel, fn)
}

// callAtMost is call giving up after attempts tries (0: never), for work
// that may be abandoned, such as sharing a file after its message.
func (a *Adapter) callAtMost(ctx context.Context, attempts int, method, channel string, fn func(context.Context) error) error {
	for attempt := 1; ; attempt++ {
		if err := a.limits.wait(ctx, method, channel); err != nil {
			return err
		}
		err := fn(ctx)
		if err == nil || ctx.Err() != nil {
			return err
		}
		if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
			wait := max(rl.RetryAfter, time.Second)
			a.limits.pause(ctx, method, wait)
			if attempt == attempts {
				return err
			}
			a.log.Warn("slack: rate limited: waiting as Slack asks", "method", method, "retry_after", wait, "attempt", attempt)
			continue
		}
		if !transient(err) || attempt == attempts {
			return err
		}
		wait := backoff(attempt)
		if channel != "" && ambiguous(err) {
			a.log.Warn("slack: post failed after it was sent: retrying, it may appear twice", "method", method, "err", withoutURL(err), "retry_in", wait, "attempt", attempt)
		} else {
			a.log.Warn("slack: call failed: retrying", "method", method, "err", withoutURL(err), "retry_in", wait, "attempt", attempt)
		}
		if err := a.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// withoutURL leaves the URL out of a request's error: a slash command's
// response URL lets whoever holds it post in the channel.
func withoutURL(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// backoff is the wait before attempt+1 after a transient failure.
func backoff(attempt int) time.Duration {
	const maxWait = 30 * time.Second
	d := time.Second << min(attempt-1, 5)
	return min(d, maxWait)
}

// transientCodes are Slack's error codes for a failure on its side that a
// later attempt may not meet.
var transientCodes = map[string]bool{
	"internal_error": true, "fatal_error": true, "service_unavailable": true,
	"request_timeout": true, "ratelimited": true,
}

// transient tells whether err may go away if the call is made again: a 5xx
// or a 429 without Retry-After, a transient Slack error code, a network error
// (not a certificate the machine does not trust).
func transient(err error) bool {
	if untrusted(err) {
		return false
	}
	if sc, ok := errors.AsType[slack.StatusCodeError](err); ok {
		return sc.Retryable()
	}
	if code := slackErrorCode(err); code != "" {
		return transientCodes[code]
	}
	_, isURL := errors.AsType[*url.Error](err)
	_, isNet := errors.AsType[net.Error](err)
	return isURL || isNet
}

// untrusted tells whether err is a TLS certificate this machine does not
// trust (signed by an internal authority missing from SSL_CERT_FILE,
// expired, for another name): trying again cannot help.
func untrusted(err error) bool {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid) || errors.As(err, &verify)
}

// ambiguous tells whether a failed request may still have been carried
// out: it reached Slack (it was not refused before being sent) but no
// answer came back.
func ambiguous(err error) bool {
	if _, ok := errors.AsType[*url.Error](err); !ok {
		return false
	}
	if op, ok := errors.AsType[*net.OpError](err); ok && op.Op == "dial" {
		return false
	}
	_, dns := errors.AsType[*net.DNSError](err)
	return !dns
}

// slackErrorCode returns Slack's error code ("channel_not_found") of a
// call Slack answered with ok=false, or "".
func slackErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		return se.Err
	}
	return ""
}

// describe explains a Web API failure for an administrator: Slack's code
// and, for a missing scope, the scope to add to the app.
func describe(err error) string {
	se, ok := errors.AsType[slack.SlackErrorResponse](err)
	switch {
	case !ok:
		return err.Error()
	case se.Err == "missing_scope" && se.Needed != "":
		return "missing_scope: the app lacks the scope " + se.Needed + " (reinstall it from deploy/slack-app-manifest.yaml)"
	}
	return se.Err
}
