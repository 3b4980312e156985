package scanner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Client sends signed reports to the bot's intake.
type Client struct {
	// URL of the intake, e.g. https://gigabot.example/api/v1/scans.
	URL    string
	Secret []byte
	// HTTP defaults to a client with a 30 s timeout.
	HTTP *http.Client
	// Attempts bounds the tries of one report (default 6).
	Attempts int
	// Backoff is the first wait between tries, doubled each time with jitter
	// (default 1 s).
	Backoff time.Duration
	// Now and Sleep default to the real clock; tests replace them.
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error
}

// SendError is a report the intake refused (a 4xx answer): retrying it
// would not help.
type SendError struct {
	Status  int
	Message string
}

func (e *SendError) Error() string {
	return fmt.Sprintf("the bot refused the report (HTTP %d): %s", e.Status, e.Message)
}

// Send posts one report and returns the intake's status ("accepted" or
// "duplicate"). Network errors and 5xx answers are retried with
// exponential backoff; 4xx answers are not, and come back as *SendError.
func (c *Client) Send(ctx context.Context, r Report) (string, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("encode report: %w", err)
	}
	attempts, wait := c.Attempts, c.Backoff
	if attempts <= 0 {
		attempts = 6
	}
	if wait <= 0 {
		wait = time.Second
	}
	var last error
	for i := range attempts {
		if i > 0 {
			jittered := wait/2 + rand.N(wait/2+1)
			if err := c.sleep(ctx, jittered); err != nil {
				return "", fmt.Errorf("send report: %w (last error: %v)", err, last)
			}
			wait *= 2
		}
		status, err := c.try(ctx, body)
		var refused *SendError
		if err == nil || errors.As(err, &refused) {
			return status, err
		}
		last = err
	}
	return "", fmt.Errorf("send report: %d attempts failed, last: %w", attempts, last)
}

// try sends the body once, signed with the current time.
func (c *Client) try(ctx context.Context, body []byte) (string, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return "", &SendError{Message: fmt.Sprintf("bad URL %q: %v", c.URL, err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(c.Secret, ts, body))
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var a answer
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = json.Unmarshal(raw, &a)
	switch {
	case resp.StatusCode >= 500:
		return "", fmt.Errorf("HTTP %d: %s", resp.StatusCode, firstNonEmpty(a.Error, string(raw)))
	case resp.StatusCode >= 400:
		return "", &SendError{Status: resp.StatusCode, Message: firstNonEmpty(a.Error, string(raw))}
	case resp.StatusCode >= 300:
		return "", &SendError{Status: resp.StatusCode, Message: "unexpected redirect: check the --to URL"}
	}
	return a.Status, nil
}

// answer is the intake's JSON answer: a status, or an error naming the field.
type answer struct {
	Status string `json:"status"`
	Error  string `json:"error"`
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
