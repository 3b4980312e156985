package main

import (
	"strings"
	"testing"

	"github.com/gigabot/gigabot/integrations/dashboard"
	"github.com/gigabot/gigabot/integrations/httpapi"
)

func TestHTTPCaps(t *testing.T) {
	tests := []struct {
		name         string
		env          map[string]string
		conns, pages int
		errHas       string
	}{
		{"unset: the defaults", nil, httpapi.DefaultLimits().MaxConns, dashboard.DefaultMaxLivePages, ""},
		{"both set", map[string]string{"GIGABOT_HTTP_MAX_CONNS": "1200", "GIGABOT_LIVE_MAX_PAGES": "1000"}, 1200, 1000, ""},
		{"more connections", map[string]string{"GIGABOT_HTTP_MAX_CONNS": "20000"}, 20000, dashboard.DefaultMaxLivePages, ""},
		{"not a number", map[string]string{"GIGABOT_HTTP_MAX_CONNS": "lots"}, 0, 0, `GIGABOT_HTTP_MAX_CONNS: "lots"`},
		{"zero", map[string]string{"GIGABOT_LIVE_MAX_PAGES": "0"}, 0, 0, "GIGABOT_LIVE_MAX_PAGES"},
		{"negative", map[string]string{"GIGABOT_HTTP_MAX_CONNS": "-1"}, 0, 0, "GIGABOT_HTTP_MAX_CONNS"},
		{"live pages would take every connection", map[string]string{"GIGABOT_HTTP_MAX_CONNS": "1000"}, 0, 0, "must stay below"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Main{Getenv: func(k string) string { return tt.env[k] }}
			limits, pages, err := m.httpCaps()
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("httpCaps() error = %v, want one saying %q", err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if limits.MaxConns != tt.conns || pages != tt.pages {
				t.Errorf("httpCaps() = %d connections, %d live pages; want %d, %d", limits.MaxConns, pages, tt.conns, tt.pages)
			}
		})
	}
}
