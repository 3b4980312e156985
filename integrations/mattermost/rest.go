package mattermost

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// apiError is a REST call that failed: what the bot was doing, the HTTP
// status (0 when no answer came back) and the cause.
type apiError struct {
	op     string
	status int
	err    error
}

func (e *apiError) Error() string {
	if e.status == 0 {
		return fmt.Sprintf("%s: %v", e.op, e.err)
	}
	return fmt.Sprintf("%s: HTTP %d: %v", e.op, e.status, e.err)
}

func (e *apiError) Unwrap() error { return e.err }

// statusOf returns the HTTP status of a failed REST call, 0 if none came back.
func statusOf(err error) int {
	if e, ok := errors.AsType[*apiError](err); ok {
		return e.status
	}
	return 0
}

// verdict is what to do after a failed REST call.
type verdict struct {
	retry bool
	// unsure: the server may have done what was asked (no answer, or a
	// 5xx that a proxy may have sent after forwarding the request).
	unsure bool
	// wait is the server's own wish (Retry-After), zero without one.
	wait time.Duration
}

func judge(ctx context.Context, resp *model.Response, err error) verdict {
	if ctx.Err() != nil {
		return verdict{}
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	switch {
	case status == 0:
		return verdict{retry: true, unsure: true}
	case status == http.StatusTooManyRequests:
		return verdict{retry: true, wait: retryAfter(resp.Header)}
	case status >= 500:
		return verdict{retry: true, unsure: true, wait: retryAfter(resp.Header)}
	}
	return verdict{}
}

// retryAfter reads how long the server asks to wait: Retry-After, or the
// X-Ratelimit-Reset (seconds) Mattermost's rate limiter sends.
func retryAfter(h http.Header) time.Duration {
	for _, name := range []string{"Retry-After", "X-Ratelimit-Reset"} {
		if s, err := strconv.Atoi(h.Get(name)); err == nil && s >= 0 {
			return min(time.Duration(s)*time.Second, restMaxWait)
		}
	}
	return 0
}

// backoff returns the wait before attempt n+1 (n ≥ 1): base doubled each
// time up to max, then jittered over its upper half so that replicas and
// retries do not knock in step.
func (a *Adapter) backoff(n int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	return d/2 + time.Duration(a.random()*float64(d/2))
}

// retry runs a REST call, again with backoff while the server answers 429
// or 5xx or cannot be reached, up to the configured attempts. It returns
// the last answer (for its headers) and an *apiError.
func (a *Adapter) retry(ctx context.Context, op string, call func() (*model.Response, error)) (*model.Response, error) {
	for n := 1; ; n++ {
		resp, err := call()
		if err == nil {
			return resp, nil
		}
		v := judge(ctx, resp, err)
		failed := &apiError{op: op, err: err}
		if resp != nil {
			failed.status = resp.StatusCode
		}
		if !v.retry || n >= a.retries {
			return resp, failed
		}
		wait := max(v.wait, a.backoff(n, restBackoff, restMaxWait))
		a.log.Warn("mattermost: retrying", "op", op, "status", failed.status, "attempt", n, "wait", wait, "err", err)
		if err := a.sleep(ctx, wait); err != nil {
			return resp, failed
		}
	}
}

// retryValue is retry for a call that returns a value.
func retryValue[T any](ctx context.Context, a *Adapter, op string, call func() (T, *model.Response, error)) (T, error) {
	var out T
	_, err := a.retry(ctx, op, func() (*model.Response, error) {
		v, resp, err := call()
		if err == nil {
			out = v
		}
		return resp, err
	})
	return out, err
}

// serverTime reads the server's clock from an answer's Date header, so
// that catch-ups compare server times with server times.
func serverTime(resp *model.Response, fallback time.Time) time.Time {
	if resp != nil && resp.Header != nil {
		if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			return t
		}
	}
	return fallback
}
