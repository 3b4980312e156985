package slack

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/internal/egresstest"
	"github.com/gigabot/gigabot/redis/redistest"
)

// egressAPIURL is the Web API of a Slack that is no loopback address: Go
// never sends loopback requests through a proxy.
const egressAPIURL = "https://slack.test/api/"

// TestEgress: built as gigabot run builds it (no HTTP client given), the
// adapter reaches a Slack whose certificate only the intranet's CA signed
// (SSL_CERT_FILE) through the outbound proxy (HTTPS_PROXY), for the Web API
// and for Socket Mode's WebSocket; NO_PROXY takes a host off the proxy.
// Each case runs a child test in a child process, since Go reads these
// variables once per process.
func TestEgress(t *testing.T) {
	if egresstest.InChild() {
		t.Skip("the child runs the child tests only")
	}
	fake := newFakeSlack(t).workspace()
	e := egresstest.New(t, "slack.test", fake.srv.Config.Handler)
	// apps.connections.open gives the socket's URL on the fake's address.
	fake.srv.URL = "https://slack.test"
	var acked atomic.Int32
	fake.ws = egressSocket(t, &acked)
	e.RunCases(t, []egresstest.Case{
		{Name: "the intranet CA and the proxy", Child: "TestEgressChild", Env: e.Through, Pass: true, Want: "slack: connected", Tunnels: 1},
		{Name: "Socket Mode", Child: "TestEgressSocketChild", Env: e.Through, Pass: true, Want: "slack: connected", Tunnels: 2,
			Check: func(t *testing.T) {
				if n := acked.Load(); n != 1 {
					t.Errorf("%d envelopes acknowledged over Socket Mode, want 1", n)
				}
			}},
		{Name: "without the intranet CA", Child: "TestEgressChild", Env: []string{"HTTPS_PROXY=" + e.Proxy.URL}, Want: "x509: certificate signed by unknown authority", Tunnels: 1},
		{Name: "NO_PROXY names Slack", Child: "TestEgressChild", Env: append(slices.Clone(e.Through), "NO_PROXY=slack.test"), Want: "lookup slack.test"},
	})
}

// egressSocket is Slack's side of Socket Mode for TestEgress: hello, then a
// reaction, whose acknowledgement it counts in acked.
func egressSocket(t *testing.T, acked *atomic.Int32) http.Handler {
	upgrader := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("upgrade: %v", err)
			return
		}
		defer c.Close()
		reaction := eventJSON("EvEgress", reactionJSON("reaction_added", "U0ALICE01", "white_check_mark", "C0ROUTES1", "1711098000.000001"))
		for _, m := range []map[string]any{{"type": "hello", "num_connections": 1}, envelope("events_api", "env-egress", reaction, 0)} {
			if err := c.WriteJSON(m); err != nil {
				return
			}
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		var ack struct {
			EnvelopeID string `json:"envelope_id"`
		}
		if err := c.ReadJSON(&ack); err == nil && ack.EnvelopeID == "env-egress" {
			acked.Add(1)
		}
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	})
}

// newEgressAdapter is the adapter of TestEgress's child, with the
// process's environment, logging to stderr for the parent to read. The
// adapter retries a call that failed on the network until ctx ends: the
// first failure is logged.
func newEgressAdapter(t *testing.T, ctx context.Context, c Config) *Adapter {
	t.Helper()
	store, _, _ := redistest.NewStore(t)
	o := Options{Roster: mustRoster(t), Deliveries: store, Owner: "egress", Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	a, err := New(ctx, c, o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(a.http.CloseIdleConnections)
	return a
}

// TestEgressChild runs in TestEgress's child: New checks the token and
// resolves the workspace at egressAPIURL.
func TestEgressChild(t *testing.T) {
	if !egresstest.InChild() {
		t.Skip("run by TestEgress in a child process")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	newEgressAdapter(t, ctx, Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: egressAPIURL})
}

// TestEgressSocketChild runs in TestEgress's child: the adapter opens
// Socket Mode at the URL the fake gives and receives a reaction there.
func TestEgressSocketChild(t *testing.T) {
	if !egresstest.InChild() {
		t.Skip("run by TestEgress in a child process")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a := newEgressAdapter(t, ctx, Config{BotToken: "xoxb-test", AppToken: "xapp-test", APIURL: egressAPIURL})
	// The acknowledgement is queued before the event is handled and
	// written by the SDK's writer: once the event is here, the adapter
	// keeps running a moment so that the writer sends it (the parent
	// counts it), then stops.
	received, stop := context.WithCancel(ctx)
	var got atomic.Bool
	rec := &bottest.Handler{}
	rec.SetFail(func(bot.Event) error {
		got.Store(true)
		time.AfterFunc(time.Second, stop)
		return nil
	})
	if err := a.Run(received, rec); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !got.Load() {
		t.Fatal("no event came through the socket")
	}
}
