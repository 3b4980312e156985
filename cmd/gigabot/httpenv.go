package main

import (
	"fmt"
	"strconv"

	"github.com/gigabot/gigabot/integrations/dashboard"
	"github.com/gigabot/gigabot/integrations/httpapi"
)

// httpCaps reads the HTTP server's caps from the environment:
// GIGABOT_HTTP_MAX_CONNS (connections open at once) and
// GIGABOT_LIVE_MAX_PAGES (pages on the dashboard's live feed). Unset, each
// takes its default (httpapi.DefaultLimits, dashboard.DefaultMaxLivePages);
// anything but a positive integer is refused, naming the variable.
func (m *Main) httpCaps() (httpapi.Limits, int, error) {
	conns, err := m.positiveEnv("GIGABOT_HTTP_MAX_CONNS", httpapi.DefaultLimits().MaxConns)
	if err != nil {
		return httpapi.Limits{}, 0, err
	}
	pages, err := m.positiveEnv("GIGABOT_LIVE_MAX_PAGES", dashboard.DefaultMaxLivePages)
	if err != nil {
		return httpapi.Limits{}, 0, err
	}
	if pages >= conns {
		return httpapi.Limits{}, 0, fmt.Errorf("GIGABOT_LIVE_MAX_PAGES (%d) must stay below GIGABOT_HTTP_MAX_CONNS (%d): "+
			"every live page holds a connection, and the health check, the API and the chat platform need some too", pages, conns)
	}
	return httpapi.Limits{MaxConns: conns}, pages, nil
}

func (m *Main) positiveEnv(name string, def int) (int, error) {
	v := m.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s: %q is not a positive whole number (default %d)", name, v, def)
	}
	return n, nil
}
