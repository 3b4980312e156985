package scanner_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gigabot/gigabot/scanner"
)

var secret = []byte("a-test-secret-of-32-characters!!")

func report(id, team string, at time.Time, bytes int64) scanner.Report {
	return scanner.Report{ScanID: id, Team: team, Source: "share", Root: "/srv/partages/" + team, ScannedAt: at, Files: 10, Bytes: bytes}
}

func TestClientRetries(t *testing.T) {
	now := time.Date(2027, 3, 23, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		answers  []int // status of each successive request
		status   string
		attempts int32
		refused  bool
		failed   bool
	}{
		{"accepted at once", []int{202}, "accepted", 1, false, false},
		{"duplicate", []int{200}, "duplicate", 1, false, false},
		{"5xx then accepted", []int{503, 500, 202}, "accepted", 3, false, false},
		{"4xx is not retried", []int{400}, "", 1, true, false},
		{"401 is not retried", []int{401}, "", 1, true, false},
		{"5xx until the last attempt", []int{503, 503, 503, 503}, "", 4, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if err := scanner.Verify(secret, r.Header.Get(scanner.HeaderTimestamp), r.Header.Get(scanner.HeaderSignature), body, now); err != nil {
					t.Errorf("the client's signature does not verify: %v", err)
				}
				i := n.Add(1) - 1
				code := tt.answers[min(int(i), len(tt.answers)-1)]
				w.WriteHeader(code)
				switch {
				case code == 202:
					io.WriteString(w, `{"status":"accepted"}`)
				case code == 200:
					io.WriteString(w, `{"status":"duplicate"}`)
				default:
					io.WriteString(w, `{"error":"team: unknown team x"}`)
				}
			}))
			defer srv.Close()
			var waits []time.Duration
			c := &scanner.Client{URL: srv.URL, Secret: secret, Attempts: 4, Backoff: time.Second, Now: func() time.Time { return now },
				Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
			status, err := c.Send(context.Background(), report("c1", "routes", now, 10))
			var refused *scanner.SendError
			if errors.As(err, &refused) != tt.refused || (err != nil && !tt.refused) != tt.failed {
				t.Fatalf("err = %v", err)
			}
			if tt.refused && !strings.Contains(err.Error(), "unknown team x") {
				t.Errorf("the refusal does not carry the bot's message: %v", err)
			}
			if status != tt.status || n.Load() != tt.attempts {
				t.Errorf("status %q after %d attempts, want %q after %d", status, n.Load(), tt.status, tt.attempts)
			}
			for i, w := range waits {
				lo, hi := time.Second<<i/2, time.Second<<i
				if w < lo || w > hi {
					t.Errorf("wait %d = %s, want between %s and %s", i, w, lo, hi)
				}
			}
		})
	}
}

func TestClientNetworkErrorIsRetried(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nobody listens any more
	tries := 0
	c := &scanner.Client{URL: url, Secret: secret, Attempts: 3,
		Sleep: func(context.Context, time.Duration) error { tries++; return nil }}
	if _, err := c.Send(context.Background(), report("c2", "routes", time.Now(), 10)); err == nil || !strings.Contains(err.Error(), "3 attempts failed") {
		t.Fatalf("err = %v", err)
	}
	if tries != 2 {
		t.Errorf("%d waits between 3 attempts, want 2", tries)
	}
}

func TestIntakeURL(t *testing.T) {
	tests := []struct {
		name, in, want, wantErr string
	}{
		{name: "base URL", in: "https://gigabot.intra", want: "https://gigabot.intra/api/v1/scans"},
		{name: "base URL with a slash", in: "https://gigabot.intra/", want: "https://gigabot.intra/api/v1/scans"},
		{name: "base URL with a port", in: "http://127.0.0.1:8080", want: "http://127.0.0.1:8080/api/v1/scans"},
		{name: "full URL", in: "https://gigabot.intra/api/v1/scans", want: "https://gigabot.intra/api/v1/scans"},
		{name: "full URL with a slash", in: "https://gigabot.intra/api/v1/scans/", want: "https://gigabot.intra/api/v1/scans"},
		{name: "prefix of a reverse proxy", in: "https://intra/gigabot/", want: "https://intra/gigabot/api/v1/scans"},
		{name: "prefix without a slash", in: "https://intra/gigabot", want: "https://intra/gigabot/api/v1/scans"},
		{name: "full URL behind a prefix", in: "https://intra/gigabot/api/v1/scans", want: "https://intra/gigabot/api/v1/scans"},
		{name: "upper-case scheme", in: "HTTPS://gigabot.intra", want: "https://gigabot.intra/api/v1/scans"},
		{name: "surrounding spaces", in: " https://gigabot.intra ", want: "https://gigabot.intra/api/v1/scans"},
		{name: "empty", in: "", wantErr: "empty"},
		{name: "no scheme", in: "gigabot.intra", wantErr: `"gigabot.intra" has no scheme: https://gigabot.intra?`},
		{name: "no scheme, a port", in: "gigabot.intra:8080", wantErr: `has no scheme: https://gigabot.intra:8080?`},
		{name: "another scheme", in: "ftp://gigabot.intra", wantErr: `"ftp://gigabot.intra" is not an http or https URL`},
		{name: "no host", in: "https:///api/v1/scans", wantErr: "has no host"},
		{name: "only a port", in: "http://:8080", wantErr: "has no host"},
		{name: "not a URL", in: "https://giga bot", wantErr: "is not a URL"},
		{name: "another API route", in: "https://gigabot.intra/api/v1/standings", wantErr: "https://gigabot.intra/api/v1/standings is not the intake: give the bot's base URL (https://gigabot.intra) or the intake's (https://gigabot.intra/api/v1/scans)"},
		{name: "the API's root", in: "https://gigabot.intra/api/v1", wantErr: "is not the intake"},
		{name: "a query", in: "https://gigabot.intra/?team=routes", wantErr: "query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := scanner.IntakeURL(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("IntakeURL(%q) = %q, %v; want an error with %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("IntakeURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestClientNamesWhereNoIntakeAnswers: a 404 or a 405 comes from something
// other than the intake (the dashboard, a proxy), so the error says where
// the report went and where it should go, and the client does not retry.
func TestClientNamesWhereNoIntakeAnswers(t *testing.T) {
	for _, code := range []int{http.StatusNotFound, http.StatusMethodNotAllowed} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				http.Error(w, http.StatusText(code), code)
			}))
			defer srv.Close()
			c := &scanner.Client{URL: srv.URL + "/portail/api/v1/scans", Secret: secret, Attempts: 3,
				Sleep: func(context.Context, time.Duration) error { return nil }}
			_, err := c.Send(context.Background(), report("c3", "routes", time.Now(), 10))
			var refused *scanner.SendError
			if !errors.As(err, &refused) || n.Load() != 1 {
				t.Fatalf("err = %v after %d attempts", err, n.Load())
			}
			for _, want := range []string{"no scan intake at " + srv.URL + "/portail/api/v1/scans", fmt.Sprintf("HTTP %d", code), "base URL", "/api/v1/scans"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%v\nlacks %q", err, want)
				}
			}
		})
	}
}

// TestClientDoesNotFollowARedirectThatDropsTheReport: on a 301, 302 or 303
// an HTTP client would send a GET without the report (and get a 405); the
// client stops and names the new address instead.
func TestClientDoesNotFollowARedirectThatDropsTheReport(t *testing.T) {
	var gets atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			gets.Add(1)
		}
		http.Redirect(w, r, "/bot/api/v1/scans", http.StatusMovedPermanently)
	}))
	defer srv.Close()
	c := &scanner.Client{URL: srv.URL + "/api/v1/scans", Secret: secret, Attempts: 1}
	_, err := c.Send(context.Background(), report("c4", "routes", time.Now(), 10))
	var refused *scanner.SendError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "redirected to "+srv.URL+"/bot/api/v1/scans") || gets.Load() != 0 {
		t.Errorf("err = %v, %d GET", err, gets.Load())
	}
}
