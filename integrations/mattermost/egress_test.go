package mattermost

import (
	"context"
	"log/slog"
	"os"
	"slices"
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
	e := egresstest.New(t, "mattermost.test", newFakeMM(t, true).srv.Config.Handler)
	e.RunCases(t, []egresstest.Case{
		{Name: "the intranet CA and the proxy", Child: "TestEgressChild", Env: e.Through, Pass: true, Want: "socket open", Tunnels: 2},
		{Name: "without the intranet CA", Child: "TestEgressChild", Env: []string{"HTTPS_PROXY=" + e.Proxy.URL}, Want: "x509: certificate signed by unknown authority", Tunnels: 1},
		{Name: "NO_PROXY names Mattermost", Child: "TestEgressChild", Env: append(slices.Clone(e.Through), "NO_PROXY=.test"), Want: "lookup mattermost.test"},
	})
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
