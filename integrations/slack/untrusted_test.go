package slack

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A Slack endpoint whose certificate this machine does not trust (an
// intranet CA missing from SSL_CERT_FILE) stops the start at once with an
// error that says what to set, instead of being retried as a network
// failure until the bot is killed.
func TestUntrustedCertificateStopsTheStart(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a request reached the server: %s", r.URL.Path)
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var slept []time.Duration
	_, err := New(ctx, Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: srv.URL + "/api/"}, Options{
		Roster: mustRoster(t), Deliveries: nopDeliveries{}, Owner: "r1",
		HTTPClient: &http.Client{Timeout: 10 * time.Second}, // the system's roots: not the test server's
		Sleep: func(ctx context.Context, d time.Duration) error {
			if slept = append(slept, d); len(slept) == 3 {
				cancel() // a retry loop: give up, the test fails below
			}
			return ctx.Err()
		},
	})
	if err == nil || errors.Is(err, context.Canceled) || len(slept) > 0 {
		t.Fatalf("New = %v after %d retries, want a certificate error at once", err, len(slept))
	}
	if !strings.Contains(err.Error(), "SSL_CERT_FILE") || !strings.Contains(err.Error(), "not trusted") {
		t.Errorf("the error does not say what to do: %v", err)
	}
}
