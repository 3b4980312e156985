package metrics

import "github.com/prometheus/client_golang/prometheus"

// Registry lets the tests gather the metrics.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Counter returns the series of a counter for one label value.
func (m *Metrics) Counter(name, value string) prometheus.Counter {
	vec := map[string]*prometheus.CounterVec{
		"gigabot_posts_sent_total":      m.posts,
		"gigabot_commands_total":        m.commands,
		"gigabot_scan_reports_total":    m.reports,
		"gigabot_chat_reconnects_total": m.reconnects,
		"gigabot_redis_errors_total":    m.redisErrs,
	}[name]
	return vec.WithLabelValues(value)
}
