package matrix

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// Bounds of a wait the server asks for: a missing or zero retry_after_ms
// still waits a little, and a huge one is cut so that the bot keeps
// trying.
const (
	minRateWait = 100 * time.Millisecond
	maxRateWait = time.Minute
)

// maxErrorBody bounds how much of a 429's body is read for retry_after_ms.
const maxErrorBody = 64 << 10

// rateLimited sends a request again after a 429 (M_LIMIT_EXCEEDED), once
// the wait the server asked for has passed: the body's retry_after_ms (the
// spec's way, and Dendrite's only one), else the Retry-After header.
// Matrix sends carry transaction ids, so a request sent again is never a
// second event.
type rateLimited struct {
	next    http.RoundTripper
	sleep   func(ctx context.Context, d time.Duration) error
	retries int
	log     *slog.Logger
}

func transportOf(c *http.Client) http.RoundTripper {
	if c.Transport != nil {
		return c.Transport
	}
	return http.DefaultTransport
}

// RoundTrip implements http.RoundTripper.
func (t *rateLimited) RoundTrip(req *http.Request) (*http.Response, error) {
	for n := 1; ; n++ {
		resp, err := t.next.RoundTrip(req)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests || n >= t.retries {
			return resp, err
		}
		if req.Body != nil && req.GetBody == nil {
			return resp, nil // the body cannot be sent again
		}
		wait := retryAfter(resp)
		t.log.Warn("matrix: rate limited by the homeserver; waiting", "method", req.Method, "path", req.URL.Path, "wait", wait, "attempt", n)
		if err := t.sleep(req.Context(), wait); err != nil {
			return nil, err
		}
		if req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("matrix: send again after 429: %w", err)
			}
			req = req.Clone(req.Context())
			req.Body = body
		}
	}
}

// retryAfter reads how long a 429 asks to wait, and closes its body.
func retryAfter(resp *http.Response) time.Duration {
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var body struct {
		RetryAfterMS int64 `json:"retry_after_ms"`
	}
	var wait time.Duration
	if json.NewDecoder(bytes.NewReader(raw)).Decode(&body) == nil && body.RetryAfterMS > 0 {
		wait = time.Duration(min(body.RetryAfterMS, maxRateWait.Milliseconds())) * time.Millisecond
	} else if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		wait = time.Duration(min(s, int(maxRateWait.Seconds()))) * time.Second
	}
	return min(max(wait, minRateWait), maxRateWait)
}
