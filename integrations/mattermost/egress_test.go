package mattermost

import (
	"context"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/gigabot/gigabot/internal/egresstest"
)

// egressURL is a Mattermost that is no loopback address: Go never sends
// loopback requests through a proxy.
const egressURL = "https://mattermost.test"

// TestEgress: built as gigabot run builds it (no HTTP client given), the
// adapter reaches a Mattermost whose certificate only the intranet's CA
// signed (SSL_CERT_FILE), through an outbound proxy (HTTPS_PROXY), for its
// REST calls and its WebSocket; NO_PROXY takes the host off the proxy.
// Each case runs TestEgressChild in a child process, since Go reads these
// variables once per process.
func TestEgress(t *testing.T) {
	if egresstest.InChild() {
		t.Skip("the child runs TestEgressChild only")
	}
	ca := egresstest.NewCA(t)
	fake := newFakeMM(t, true)
	srv := ca.Server(t, "mattermost.test", fake.srv.Config.Handler)
	proxy := egresstest.NewProxy(t, srv.Listener.Addr().String())
	caFile := ca.WriteFile(t)
	tests := []struct {
		name    string
		env     []string
		pass    bool
		want    string // in the child's output
		proxied int    // tunnels to mattermost.test:443
	}{
		{"the intranet CA and the proxy", []string{"SSL_CERT_FILE=" + caFile, "HTTPS_PROXY=" + proxy.URL}, true, "socket open", 2},
		{"without the intranet CA", []string{"HTTPS_PROXY=" + proxy.URL}, false, "x509: certificate signed by unknown authority", 1},
		{"NO_PROXY names Mattermost", []string{"SSL_CERT_FILE=" + caFile, "HTTPS_PROXY=" + proxy.URL, "NO_PROXY=.test"}, false, "lookup mattermost.test", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(proxy.Asked())
			out, passed := egresstest.Run(t, "TestEgressChild", tt.env...)
			if passed != tt.pass || !strings.Contains(out, tt.want) {
				t.Fatalf("child passed=%v, want %v and %q in its output:\n%s", passed, tt.pass, tt.want, out)
			}
			asked := proxy.Asked()[before:]
			n := len(slices.DeleteFunc(slices.Clone(asked), func(h string) bool { return h != "mattermost.test:443" }))
			if n != tt.proxied || len(asked) != n {
				t.Errorf("the proxy was asked for %q, want mattermost.test:443 %d times", asked, tt.proxied)
			}
		})
	}
}

// TestEgressChild runs in TestEgress's child: Connect checks the token and
// finds the team at egressURL, then the socket opens and authenticates,
// with the process's environment.
func TestEgressChild(t *testing.T) {
	if !egresstest.InChild() {
		t.Skip("run by TestEgress in a child process")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a, err := New(Config{URL: egressURL, Token: "bot-token-secret", Team: fakeTeam},
		Options{Logger: slog.New(slog.NewTextHandler(os.Stderr, nil)), Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer a.client.HTTPClient.CloseIdleConnections()
	if _, err := a.Connect(ctx); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	ws, err := model.NewWebSocketClient4WithDialer(a.dialer, a.socketURL, a.cfg.Token)
	if err != nil {
		t.Fatalf("socket: %v", err)
	}
	ws.Listen()
	ws.Close()
	for range ws.EventChannel { // closed once the reader has stopped
	}
	t.Log("socket open")
}
