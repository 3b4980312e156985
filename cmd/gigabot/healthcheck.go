package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// defaultHTTPAddr is where "gigabot run" serves when GIGABOT_HTTP_ADDR is unset.
const defaultHTTPAddr = "127.0.0.1:8080"

// healthTimeout bounds the whole health request: the image's HEALTHCHECK
// must answer well within its own timeout.
const healthTimeout = 2 * time.Second

// httpAddr is the address "gigabot run" listens on.
func (m *Main) httpAddr() string {
	if addr := m.Getenv("GIGABOT_HTTP_ADDR"); addr != "" {
		return addr
	}
	return defaultHTTPAddr
}

// healthcheck asks the bot running beside it whether it is healthy, for the
// image's HEALTHCHECK: the distroless image has no shell and no curl.
func (m *Main) healthcheck(ctx context.Context, args []string) error {
	fs := m.flags("healthcheck")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gigabot healthcheck\n\n"+
			"Asks the bot listening at GIGABOT_HTTP_ADDR (default %s; 0.0.0.0 is asked on 127.0.0.1)\n"+
			"for /healthz, which pings Redis: exit 0 when it answers 200 within %s, 1 otherwise.\n"+
			"The image's HEALTHCHECK runs it (the distroless image has no shell nor curl).\n", defaultHTTPAddr, healthTimeout)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	url, err := healthURL(m.httpAddr())
	if err != nil {
		return err
	}
	if err := checkHealth(ctx, url, healthTimeout); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s: ok\n", url)
	return nil
}

// healthURL turns a listening address into the /healthz URL to ask: a bot
// listening on every interface (0.0.0.0, [::] or no host) is asked on the
// loopback, which a container always has (127.0.0.1 rather than ::1, since
// containers often run with IPv6 off).
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("GIGABOT_HTTP_ADDR: %q is not host:port: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}

// checkHealth succeeds when GET url answers 200 within timeout. The request
// never goes through HTTP_PROXY: the bot is local, whatever the proxy
// settings meant for Slack.
func checkHealth(ctx context.Context, url string, timeout time.Duration) error {
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{Proxy: nil}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: GET %s: %s", url, resp.Status)
	}
	return nil
}
