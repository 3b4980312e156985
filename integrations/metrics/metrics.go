// Package metrics exposes Gigabot's Prometheus metrics: posts sent,
// commands run, scan reports received and how they ended, chat
// reconnections, and the latency and errors of Redis commands.
//
// A Metrics owns its registry (never the global one), so that two bots in
// one test process, or a test and the program, do not share counters. cmd/
// wires it: it passes Metrics (or its methods) to the packages that count
// through their own small interfaces, adds RedisHook to the Redis client,
// and serves Handler on the HTTP API.
//
// Label values are bounded. Every value is checked by a guard of its label:
// it must look like an identifier — 1 to 40 characters among lower-case
// ASCII letters, digits, '_', '-' and '.' — and be one of the first few
// distinct values the label has seen (see the limits below). Anything else
// is counted under the value "other". The callers pass values from their
// own code (the bot's command table, the intake's outcomes, Redis command
// names), never user input; the guard keeps a bug from turning into an
// unbounded number of series.
package metrics

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Other is the label value of anything a label's guard refuses.
const Other = "other"

// The most distinct values each label takes before counting the rest as
// Other. Each is a few times the values the program uses today.
const (
	maxKinds         = 32
	maxCommands      = 64
	maxOutcomes      = 32
	maxPlatforms     = 8
	maxRedisCommands = 64
)

// maxValueLen bounds the length of a label value.
const maxValueLen = 40

// Metrics holds Gigabot's metrics and the registry that exposes them.
type Metrics struct {
	reg     *prometheus.Registry
	handler http.Handler

	posts      *prometheus.CounterVec
	commands   *prometheus.CounterVec
	reports    *prometheus.CounterVec
	reconnects *prometheus.CounterVec
	redisTime  *prometheus.HistogramVec
	redisErrs  *prometheus.CounterVec

	kinds, commandNames, outcomes, platforms, redisCommands *guard
}

// New returns the metrics on a registry of their own, with the Go runtime
// and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		posts: counterVec("gigabot_posts_sent_total", "kind",
			"Posts the bot sent, by kind (reply, defi, recap, podium…)."),
		commands: counterVec("gigabot_commands_total", "command",
			"Commands the bot ran, by command."),
		reports: counterVec("gigabot_scan_reports_total", "outcome",
			"Scan reports received by the intake, by outcome (accepted, duplicate, or why it was refused)."),
		reconnects: counterVec("gigabot_chat_reconnects_total", "platform",
			"Times the chat adapter re-established its event connection after losing it, by platform."),
		redisTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gigabot_redis_command_duration_seconds",
			Help: "Latency of Redis commands, by command (\"pipeline\" for a pipeline or transaction).",
			// Redis answers in well under a millisecond when healthy; the
			// upper buckets catch a stalled server or network.
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"command"}),
		redisErrs: counterVec("gigabot_redis_errors_total", "command",
			"Redis commands that failed, by command (\"pipeline\" for a pipeline or transaction); a missing key is not a failure."),
		kinds:         newGuard(maxKinds),
		commandNames:  newGuard(maxCommands),
		outcomes:      newGuard(maxOutcomes),
		platforms:     newGuard(maxPlatforms),
		redisCommands: newGuard(maxRedisCommands),
	}
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.posts, m.commands, m.reports, m.reconnects, m.redisTime, m.redisErrs,
	)
	m.handler = promhttp.InstrumentMetricHandler(reg, promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	return m
}

// PostSent counts a post of the given kind (a bot.MessageKind).
func (m *Metrics) PostSent(kind string) { m.posts.WithLabelValues(m.kinds.value(kind)).Inc() }

// Command counts a command run, named as the bot's command table names it.
func (m *Metrics) Command(name string) {
	m.commands.WithLabelValues(m.commandNames.value(name)).Inc()
}

// Report counts a scan report by its outcome: "accepted", "duplicate", or
// the reason it was refused.
func (m *Metrics) Report(outcome string) { m.reports.WithLabelValues(m.outcomes.value(outcome)).Inc() }

// Reconnect counts a chat platform's event connection re-established
// ("slack", "mattermost").
func (m *Metrics) Reconnect(platform string) {
	m.reconnects.WithLabelValues(m.platforms.value(platform)).Inc()
}

// WatchLivePages exposes gigabot_dashboard_live_pages, the number of pages
// following the dashboard's live feed, read from count at each scrape.
// Call it once.
func (m *Metrics) WatchLivePages(count func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "gigabot_dashboard_live_pages",
		Help: "Pages following the dashboard's live feed (Server-Sent Events).",
	}, func() float64 { return float64(count()) }))
}

// Handler serves the registry in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler { return m.handler }

func counterVec(name, label, help string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{label})
}

// guard bounds the values of one label (see the package comment).
type guard struct {
	mu    sync.Mutex
	seen  map[string]bool
	limit int
}

func newGuard(limit int) *guard { return &guard{seen: map[string]bool{}, limit: limit} }

// value returns v when the label may take it, Other when not.
func (g *guard) value(v string) string {
	if !identifier(v) {
		return Other
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.seen[v] {
		return v
	}
	if len(g.seen) >= g.limit {
		return Other
	}
	g.seen[v] = true
	return v
}

// identifier tells whether s is 1 to maxValueLen characters among a-z,
// 0-9, '_', '-' and '.'.
func identifier(s string) bool {
	if s == "" || len(s) > maxValueLen {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}
