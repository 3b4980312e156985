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
	"net/url"
	"strconv"
	"strings"
	"time"
)

// IntakePath is where the bot serves its scan intake, under its base URL.
const IntakePath = "/api/v1/scans"

// IntakeURL resolves what an admin gives as the bot's address to the
// intake's URL. It takes the bot's base URL, the address of its dashboard
// (https://gigabot.intra, or https://intra/gigabot/ behind a reverse proxy
// that serves the bot under a prefix), and adds IntakePath; or the intake's
// full URL, whose path ends with IntakePath, as is. It refuses, up front and
// saying why, what is not an http or https URL with a host, a URL with a
// query or a fragment, and another route of the bot's API (a path with
// /api/ that does not end with IntakePath).
func IntakeURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errors.New("the URL is empty: give the bot's base URL, e.g. https://gigabot.intra")
	}
	if !strings.Contains(raw, "://") {
		return "", fmt.Errorf("%q has no scheme: https://%s?", raw, raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%q is not a URL: %w", raw, errors.Unwrap(err))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("%q is not an http or https URL", raw)
	case u.Hostname() == "":
		return "", fmt.Errorf("%q has no host: give the bot's base URL, e.g. https://gigabot.intra", raw)
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return "", fmt.Errorf("%q has a query or a fragment: give the bot's base URL alone", raw)
	}
	path := strings.TrimRight(u.Path, "/")
	switch {
	case strings.HasSuffix(path, IntakePath):
	case strings.Contains(path+"/", "/api/"):
		base := *u
		base.Path = ""
		return "", fmt.Errorf("%s is not the intake: give the bot's base URL (%s) or the intake's (%s%s)", u.Redacted(), base.Redacted(), base.Redacted(), IntakePath)
	default:
		path += IntakePath
	}
	u.Path, u.RawPath = path, ""
	return u.String(), nil
}

// Client sends signed reports to the bot's intake.
type Client struct {
	// URL of the intake, as IntakeURL gives it.
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

// SendError is an answer that retrying would not change: a report the
// intake refused (400, 401, 413), an address where no intake answers (404,
// 405), a redirect.
type SendError struct {
	Status  int
	Message string
	// URL is where the report went (after any redirect the client followed).
	URL string
}

// WrongURL tells whether the answer is about the address, not the report:
// a 404, a 405, a redirect, a URL that does not parse.
func (e *SendError) WrongURL() bool {
	return e.Status < 400 || e.Status == http.StatusNotFound || e.Status == http.StatusMethodNotAllowed
}

func (e *SendError) Error() string {
	switch {
	case e.Status == http.StatusNotFound || e.Status == http.StatusMethodNotAllowed:
		// Not the intake's answer to a POST: something else answers at
		// this address (the dashboard, a reverse proxy).
		return fmt.Sprintf("no scan intake at %s (HTTP %d %s): give the bot's base URL, the address of its dashboard (%s is added), or the intake's full URL, ending with %s",
			e.URL, e.Status, http.StatusText(e.Status), IntakePath, IntakePath)
	case e.Status >= 400:
		return fmt.Sprintf("the bot refused the report (HTTP %d): %s", e.Status, e.Message)
	}
	return e.Message
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
		hc = &http.Client{Timeout: 30 * time.Second, CheckRedirect: keepPost}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var a answer
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = json.Unmarshal(raw, &a)
	at := resp.Request.URL.Redacted()
	switch {
	case resp.StatusCode >= 500:
		return "", fmt.Errorf("HTTP %d: %s", resp.StatusCode, firstNonEmpty(a.Error, string(raw)))
	case resp.StatusCode >= 400:
		return "", &SendError{Status: resp.StatusCode, URL: at, Message: firstNonEmpty(a.Error, string(raw))}
	case resp.StatusCode >= 300:
		to := resp.Header.Get("Location")
		if loc, err := resp.Location(); err == nil {
			to = loc.Redacted()
		}
		return "", &SendError{Status: resp.StatusCode, URL: at,
			Message: fmt.Sprintf("%s redirected to %s (HTTP %d), where the report would not follow: give that address", at, to, resp.StatusCode)}
	}
	return a.Status, nil
}

// keepPost follows a redirect only where the report follows too (307,
// 308): after a 301, 302 or 303 an HTTP client sends a GET without it, whose
// answer (a 405, or the dashboard's page) would hide the redirect.
func keepPost(req *http.Request, via []*http.Request) error {
	if req.Method != http.MethodPost {
		return http.ErrUseLastResponse
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
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
