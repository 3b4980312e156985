package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// limiter spaces Web API calls: posts one ChannelInterval apart in a
// channel and one PostInterval apart overall, and every call of a method
// after Slack answered 429 for it until its Retry-After has passed (Slack's
// limits are per method and workspace, so one 429 holds every replica's
// later calls of that method in this process, not just the one retried).
type limiter struct {
	mu          sync.Mutex
	now         func() time.Time
	sleep       func(context.Context, time.Duration) error
	perChannel  time.Duration
	perPost     time.Duration
	nextChannel map[string]time.Time
	nextPost    time.Time
	paused      map[string]time.Time
}

func newLimiter(now func() time.Time, sleep func(context.Context, time.Duration) error, perChannel, perPost time.Duration) *limiter {
	return &limiter{
		now: now, sleep: sleep, perChannel: perChannel, perPost: perPost,
		nextChannel: map[string]time.Time{}, paused: map[string]time.Time{},
	}
}

// wait blocks until a call of method may go, and for a post (channel set)
// takes its slot in the channel and overall.
func (l *limiter) wait(ctx context.Context, method, channel string) error {
	for {
		l.mu.Lock()
		now := l.now()
		at := l.paused[method]
		if channel != "" {
			at = latest(at, l.nextChannel[channel], l.nextPost)
		}
		if !at.After(now) {
			if channel != "" {
				l.forget(now)
				l.nextChannel[channel] = now.Add(l.perChannel)
				l.nextPost = now.Add(l.perPost)
			}
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()
		if err := l.sleep(ctx, at.Sub(now)); err != nil {
			return err
		}
	}
}

// pause holds every call of method for d.
func (l *limiter) pause(method string, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.paused[method] = latest(l.paused[method], l.now().Add(d))
}

// forget drops the channel slots already past, so that the map stays as
// small as the channels posted to in the last second.
func (l *limiter) forget(now time.Time) {
	if len(l.nextChannel) < 256 {
		return
	}
	for ch, t := range l.nextChannel {
		if !t.After(now) {
			delete(l.nextChannel, ch)
		}
	}
}

func latest(ts ...time.Time) time.Time {
	var m time.Time
	for _, t := range ts {
		if t.After(m) {
			m = t
		}
	}
	return m
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
			a.limits.pause(method, wait)
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
// or a 429 without Retry-After, a transient Slack error code, a network error.
func transient(err error) bool {
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
