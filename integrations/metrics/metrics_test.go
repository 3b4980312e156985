package metrics_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gigabot/gigabot/integrations/metrics"
)

func TestCounters(t *testing.T) {
	tests := []struct {
		name   string
		count  func(*metrics.Metrics, string)
		metric string
		calls  []string
		want   map[string]float64
	}{
		{"posts by kind", (*metrics.Metrics).PostSent, "gigabot_posts_sent_total",
			[]string{"defi", "recap", "defi"}, map[string]float64{"defi": 2, "recap": 1}},
		{"commands", (*metrics.Metrics).Command, "gigabot_commands_total",
			[]string{"classement", "aide", "classement", "classement"}, map[string]float64{"classement": 3, "aide": 1}},
		{"scan reports", (*metrics.Metrics).Report, "gigabot_scan_reports_total",
			[]string{"accepted", "duplicate", "bad_signature", "accepted"}, map[string]float64{"accepted": 2, "duplicate": 1, "bad_signature": 1}},
		{"reconnects", (*metrics.Metrics).Reconnect, "gigabot_chat_reconnects_total",
			[]string{"slack", "mattermost", "slack"}, map[string]float64{"slack": 2, "mattermost": 1}},
		{"values that are not identifiers count as other", (*metrics.Metrics).Command, "gigabot_commands_total",
			[]string{"?", "Classement", "", "rm -rf /", "équipe", strings.Repeat("a", 41), "aide"},
			map[string]float64{metrics.Other: 6, "aide": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := metrics.New()
			for _, v := range tt.calls {
				tt.count(m, v)
			}
			if n := testutil.CollectAndCount(m.Registry(), tt.metric); n != len(tt.want) {
				t.Errorf("%d series of %s, want %d", n, tt.metric, len(tt.want))
			}
			for label, want := range tt.want {
				if got := testutil.ToFloat64(m.Counter(tt.metric, label)); got != want {
					t.Errorf("%s{%q} = %v, want %v", tt.metric, label, got, want)
				}
			}
		})
	}
}

func TestLabelValuesAreBounded(t *testing.T) {
	m := metrics.New()
	// A bug feeding post ids as commands: the first distinct values get a
	// series each, then everything lands in "other".
	for i := range 1000 {
		m.Command(fmt.Sprintf("p%d", i))
	}
	series := testutil.CollectAndCount(m.Registry(), "gigabot_commands_total")
	if series > 65 {
		t.Fatalf("%d series for 1000 distinct values, want the label bounded", series)
	}
	if got := testutil.ToFloat64(m.Counter("gigabot_commands_total", metrics.Other)); got != float64(1000-(series-1)) {
		t.Errorf("other = %v, want the %d values past the limit", got, 1000-(series-1))
	}
	// Values seen before the limit keep their series.
	m.Command("p0")
	if got := testutil.ToFloat64(m.Counter("gigabot_commands_total", "p0")); got != 2 {
		t.Errorf("p0 = %v, want 2", got)
	}
}

func TestHandlerExposesTheMetrics(t *testing.T) {
	m := metrics.New()
	m.PostSent("defi")
	m.Command("aide")
	m.Report("accepted")
	m.Reconnect("slack")
	pages := 41
	m.WatchLivePages(func() int { return pages })
	pages++ // read at scrape time, not when registered
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("answer %d %q, want 200 in the text format", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		"# TYPE gigabot_posts_sent_total counter",
		`gigabot_posts_sent_total{kind="defi"} 1`,
		`gigabot_commands_total{command="aide"} 1`,
		`gigabot_scan_reports_total{outcome="accepted"} 1`,
		`gigabot_chat_reconnects_total{platform="slack"} 1`,
		"gigabot_dashboard_live_pages 42",
		"go_goroutines ",
		"process_",
		"promhttp_metric_handler_requests_total",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the exposition lacks %q", want)
		}
	}
}

func TestRegistriesAreSeparate(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.PostSent("recap")
	if n := testutil.CollectAndCount(b.Registry(), "gigabot_posts_sent_total"); n != 0 {
		t.Errorf("a second Metrics sees %d series of the first's", n)
	}
}

func ExampleMetrics_Handler() {
	m := metrics.New()
	m.Report("accepted")
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for line := range strings.Lines(rec.Body.String()) {
		if strings.HasPrefix(line, "gigabot_scan_reports_total") {
			fmt.Print(line)
		}
	}
	// Output: gigabot_scan_reports_total{outcome="accepted"} 1
}
