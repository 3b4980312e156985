package slack

import (
	"context"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/internal/egresstest"
	"github.com/gigabot/gigabot/redis/redistest"
)

// egressAPIURL is the Web API of a Slack that is no loopback address: Go
// never sends loopback requests through a proxy.
const egressAPIURL = "https://slack.test/api/"

// TestEgress: built as gigabot run builds it (no HTTP client given), the
// adapter reaches a Slack whose certificate only the intranet's CA signed
// (SSL_CERT_FILE) through the outbound proxy (HTTPS_PROXY), and NO_PROXY
// takes a host off the proxy. Each case runs TestEgressChild in a child
// process, since Go reads these variables once per process.
func TestEgress(t *testing.T) {
	if egresstest.InChild() {
		t.Skip("the child runs TestEgressChild only")
	}
	ca := egresstest.NewCA(t)
	fake := newFakeSlack(t).workspace()
	srv := ca.Server(t, "slack.test", fake.srv.Config.Handler)
	proxy := egresstest.NewProxy(t, srv.Listener.Addr().String())
	caFile := ca.WriteFile(t)
	tests := []struct {
		name    string
		env     []string
		pass    bool
		want    string // in the child's output
		proxied bool
	}{
		{"the intranet CA and the proxy", []string{"SSL_CERT_FILE=" + caFile, "HTTPS_PROXY=" + proxy.URL}, true, "slack: connected", true},
		{"without the intranet CA", []string{"HTTPS_PROXY=" + proxy.URL}, false, "x509: certificate signed by unknown authority", true},
		{"NO_PROXY names Slack", []string{"SSL_CERT_FILE=" + caFile, "HTTPS_PROXY=" + proxy.URL, "NO_PROXY=slack.test"}, false, "lookup slack.test", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(proxy.Asked())
			out, passed := egresstest.Run(t, "TestEgressChild", tt.env...)
			if passed != tt.pass || !strings.Contains(out, tt.want) {
				t.Fatalf("child passed=%v, want %v and %q in its output:\n%s", passed, tt.pass, tt.want, out)
			}
			asked := proxy.Asked()[before:]
			if proxied := slices.Contains(asked, "slack.test:443"); proxied != tt.proxied {
				t.Errorf("the proxy was asked for %q; through the proxy: %v, want %v", asked, proxied, tt.proxied)
			}
		})
	}
}

// TestEgressChild runs in TestEgress's child: New checks the token and
// resolves the workspace at egressAPIURL, with the process's environment.
func TestEgressChild(t *testing.T) {
	if !egresstest.InChild() {
		t.Skip("run by TestEgress in a child process")
	}
	store, _, _ := redistest.NewStore(t)
	// The adapter retries a call that failed on the network until ctx
	// ends: the first failure is logged, which is what the parent reads.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	c := Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: egressAPIURL}
	o := Options{Roster: mustRoster(t), Deliveries: store, Owner: "egress", Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	a, err := New(ctx, c, o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	a.http.CloseIdleConnections()
}
