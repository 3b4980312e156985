package scanner_test

import (
	"context"
	"errors"
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
