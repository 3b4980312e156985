package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHealthURL(t *testing.T) {
	tests := []struct {
		addr, want, err string
	}{
		{"127.0.0.1:8080", "http://127.0.0.1:8080/healthz", ""},
		{"0.0.0.0:8080", "http://127.0.0.1:8080/healthz", ""},
		{"[::]:8080", "http://127.0.0.1:8080/healthz", ""},
		{":9090", "http://127.0.0.1:9090/healthz", ""},
		{"localhost:8080", "http://localhost:8080/healthz", ""},
		{"10.1.2.3:80", "http://10.1.2.3:80/healthz", ""},
		{"[::1]:8080", "http://[::1]:8080/healthz", ""},
		{"8080", "", `GIGABOT_HTTP_ADDR: "8080" is not host:port`},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got, err := healthURL(tt.addr)
			if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("healthURL(%q) = %q, %v; want %q, %q", tt.addr, got, err, tt.want, tt.err)
			}
		})
	}
}

// TestHealthcheck runs "gigabot healthcheck" against a fake bot.
func TestHealthcheck(t *testing.T) {
	serve := func(status int, delay time.Duration) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/healthz" {
				http.NotFound(w, r)
				return
			}
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
			}
			w.WriteHeader(status)
		}
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tests := []struct {
		name    string
		handler http.Handler // nil: nothing listens
		addr    func(port string) string
		args    []string
		status  int
		out     string
		errOut  string
	}{
		{"healthy", serve(200, 0), func(p string) string { return "127.0.0.1:" + p }, nil, 0, "/healthz: ok", ""},
		{"listening on every interface", serve(200, 0), func(p string) string { return "0.0.0.0:" + p }, nil, 0, "http://127.0.0.1:", ""},
		{"store unreachable", serve(503, 0), func(p string) string { return "127.0.0.1:" + p }, nil, 1, "", "503 Service Unavailable"},
		{"nothing listens", nil, func(string) string { return closed.Listener.Addr().String() }, nil, 1, "", "connection refused"},
		{"too slow", serve(200, 5*time.Second), func(p string) string { return "127.0.0.1:" + p }, nil, 1, "", "Timeout"},
		{"an argument", serve(200, 0), func(p string) string { return "127.0.0.1:" + p }, []string{"now"}, 1, "", `unexpected argument "now"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port := ""
			if tt.handler != nil {
				srv := httptest.NewServer(tt.handler)
				defer srv.Close()
				_, port, _ = net.SplitHostPort(srv.Listener.Addr().String())
			}
			env := map[string]string{"GIGABOT_HTTP_ADDR": tt.addr(port)}
			var out, errOut bytes.Buffer
			m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
			if code := m.Run(context.Background(), append([]string{"healthcheck"}, tt.args...)); code != tt.status {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.status, errOut.String())
			}
			if !strings.Contains(out.String(), tt.out) || !strings.Contains(errOut.String(), tt.errOut) {
				t.Errorf("stdout %q, stderr %q; want %q, %q", out.String(), errOut.String(), tt.out, tt.errOut)
			}
			if lines := strings.Count(errOut.String(), "\n"); lines > 1 {
				t.Errorf("%d lines on stderr, want one:\n%s", lines, errOut.String())
			}
		})
	}
}

func TestHealthcheckHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}
	if code := m.Run(context.Background(), []string{"healthcheck", "-h"}); code != 0 {
		t.Errorf("healthcheck -h: exit %d, want 0", code)
	}
	if got := out.String() + errOut.String(); !strings.Contains(got, "Usage: gigabot healthcheck") || !strings.Contains(got, "GIGABOT_HTTP_ADDR") {
		t.Errorf("healthcheck -h printed %q, want its usage", got)
	}
}
