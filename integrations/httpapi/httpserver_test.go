package httpapi_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/integrations/httpapi"
	"github.com/gigabot/gigabot/internal/safebuf"
)

// patience bounds every wait of these tests: generous, so that a slow
// machine never fails them; the limits under test are far smaller.
const patience = 10 * time.Second

// edge is an HTTP server built by NewHTTPServer on a local port, with a
// route that holds its request until the test releases it.
type edge struct {
	addr string
	logs *safebuf.Buffer
	// entered receives a value each time /hold starts.
	entered chan struct{}
	release chan struct{}
}

func newEdge(t *testing.T, l httpapi.Limits) *edge {
	t.Helper()
	e := &edge{logs: &safebuf.Buffer{}, entered: make(chan struct{}, 16), release: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	mux.HandleFunc("GET /hold", func(w http.ResponseWriter, r *http.Request) {
		e.entered <- struct{}{}
		select {
		case <-e.release:
		case <-r.Context().Done():
		}
		_, _ = io.WriteString(w, "released")
	})
	mux.HandleFunc("POST /body", func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, "body too slow", http.StatusRequestTimeout)
			return
		}
		_, _ = io.WriteString(w, "read")
	})
	srv, err := httpapi.NewHTTPServer(mux, l, slog.New(slog.NewTextHandler(e.logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.addr = ln.Addr().String()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		select {
		case <-e.release:
		default:
			close(e.release)
		}
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return e
}

// conn is one client connection, speaking HTTP/1.1 by hand so that the
// test sees exactly what the server does with the connection.
type conn struct {
	t *testing.T
	net.Conn
	r *bufio.Reader
}

func (e *edge) dial(t *testing.T) *conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", e.addr, patience)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &conn{t: t, Conn: c, r: bufio.NewReader(c)}
}

// get sends a request (keep-alive) with extra header lines.
func (c *conn) get(path string, header ...string) {
	c.t.Helper()
	req := "GET " + path + " HTTP/1.1\r\nHost: gigabot\r\n"
	for _, h := range header {
		req += h + "\r\n"
	}
	if _, err := io.WriteString(c, req+"\r\n"); err != nil {
		c.t.Fatalf("send %s: %v", path, err)
	}
}

// status reads the next response's status line and headers, waiting up
// to patience for them.
func (c *conn) status() (*http.Response, error) {
	_ = c.SetReadDeadline(time.Now().Add(patience))
	return http.ReadResponse(c.r, nil)
}

// response reads the next response, body included.
func (c *conn) response() (*http.Response, string) {
	c.t.Helper()
	resp, err := c.status()
	if err != nil {
		c.t.Fatalf("read the response: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("read the body: %v", err)
	}
	return resp, string(body)
}

// closedByServer tells whether the server closes the connection, waiting
// up to patience for it.
func (c *conn) closedByServer() bool {
	c.t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(patience))
	_, err := c.r.ReadByte()
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return false
	}
	return err != nil
}

func TestIdleConnectionIsClosed(t *testing.T) {
	e := newEdge(t, httpapi.Limits{IdleTimeout: 50 * time.Millisecond})
	c := e.dial(t)
	c.get("/ok")
	if resp, body := c.response(); resp.StatusCode != http.StatusOK || body != "ok" {
		t.Fatalf("answer %d %q", resp.StatusCode, body)
	}
	if !c.closedByServer() {
		t.Fatalf("an idle keep-alive connection was still open after %s (IdleTimeout 50ms)", patience)
	}
}

func TestHeaderAboveTheLimitIsAnswered431(t *testing.T) {
	tests := []struct {
		name   string
		limits httpapi.Limits
		header int
		want   int
	}{
		{"1 MiB header, default limits", httpapi.Limits{}, 1 << 20, http.StatusRequestHeaderFieldsTooLarge},
		{"8 KiB of cookies, default limits", httpapi.Limits{}, 8 << 10, http.StatusOK},
		{"64 KiB header, 16 KiB limit", httpapi.Limits{MaxHeaderBytes: 16 << 10}, 64 << 10, http.StatusRequestHeaderFieldsTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEdge(t, tt.limits)
			c := e.dial(t)
			// The server may answer before it has read everything: send
			// in the background, read meanwhile.
			go c.get("/ok", "Cookie: big="+strings.Repeat("x", tt.header))
			resp, err := c.status()
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestSlowBodyIsCutByTheReadTimeout(t *testing.T) {
	e := newEdge(t, httpapi.Limits{ReadTimeout: 100 * time.Millisecond})
	c := e.dial(t)
	// A body announced and never sent: the handler waits for it.
	if _, err := io.WriteString(c, "POST /body HTTP/1.1\r\nHost: gigabot\r\nContent-Length: 10\r\n\r\nabc"); err != nil {
		t.Fatal(err)
	}
	resp, err := c.status()
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		t.Fatalf("a request whose body never came was still held after %s (ReadTimeout 100ms)", patience)
	}
	if err == nil && resp.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("status %d, want the handler's 408 for a body cut short", resp.StatusCode)
	}
}

func TestConnectionsAboveTheCapGet503(t *testing.T) {
	e := newEdge(t, httpapi.Limits{MaxConns: 2})
	// Two requests in progress take both places.
	for range 2 {
		e.dial(t).get("/hold")
		select {
		case <-e.entered:
		case <-time.After(patience):
			t.Fatal("a request below the cap was not served")
		}
	}
	c := e.dial(t)
	c.get("/ok")
	resp, body := c.response()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !resp.Close {
		t.Fatalf("third connection: %d, Retry-After %q, close %v; want 503 with Retry-After, then closed", resp.StatusCode, resp.Header.Get("Retry-After"), resp.Close)
	}
	if !strings.Contains(body, "connections") {
		t.Errorf("body %q does not say why", body)
	}
	if !strings.Contains(e.logs.String(), "connection cap") {
		t.Errorf("the cap was reached without a log line:\n%s", e.logs)
	}
	// Once a place is free, a new connection is served.
	close(e.release)
	// Until the server sees the held requests end, a new connection is
	// still refused: answered 503, or, while another refusal is being
	// answered, closed at once (a reset for the client).
	fresh := func() bool {
		c := e.dial(t)
		c.get("/ok")
		resp, err := c.status()
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	deadline := time.Now().Add(patience)
	for !fresh() {
		if time.Now().After(deadline) {
			t.Fatal("no connection served once the held requests ended")
		}
	}
}

func TestIdleConnectionsMakeRoomAtTheCap(t *testing.T) {
	e := newEdge(t, httpapi.Limits{MaxConns: 2})
	var idle []*conn
	for i := range 2 {
		c := e.dial(t)
		c.get(fmt.Sprintf("/ok?n=%d", i))
		if resp, _ := c.response(); resp.StatusCode != http.StatusOK {
			t.Fatalf("connection %d: status %d", i, resp.StatusCode)
		}
		idle = append(idle, c)
	}
	// The server learns that a connection is idle a moment after the
	// client read its answer: until then it is busy, and a new connection
	// is answered 503. Once they are idle, one makes room.
	for attempt := 1; ; attempt++ {
		c := e.dial(t)
		c.get("/ok")
		resp, _ := c.response()
		if resp.StatusCode == http.StatusOK {
			break
		}
		if resp.StatusCode != http.StatusServiceUnavailable || attempt == 100 {
			t.Fatalf("a new connection got %d while the others were idle, want 200", resp.StatusCode)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The server closes the connection idle longest. Which one that is
	// depends on when the server saw each go idle, which can come after
	// the client read its answer: under load the second may be idle
	// first. One of them must go.
	if !idle[0].closedByServer() && !idle[1].closedByServer() {
		t.Errorf("both idle connections were kept open beyond the cap")
	}
}

func TestLimitsAreValidated(t *testing.T) {
	for _, l := range []httpapi.Limits{{ReadTimeout: -time.Second}, {MaxConns: -1}, {MaxHeaderBytes: -5}} {
		if _, err := httpapi.NewHTTPServer(http.NotFoundHandler(), l, nil); err == nil {
			t.Errorf("NewHTTPServer(%+v) accepted negative limits", l)
		}
	}
}

func TestDefaultLimits(t *testing.T) {
	d := httpapi.DefaultLimits()
	if d.IdleTimeout <= 0 || d.ReadTimeout <= 0 || d.MaxHeaderBytes <= 0 || d.MaxConns <= 0 {
		t.Fatalf("DefaultLimits() = %+v: every limit must be set", d)
	}
	if d.MaxHeaderBytes >= http.DefaultMaxHeaderBytes {
		t.Errorf("MaxHeaderBytes %d is Go's own default, which let a 1 MiB header in", d.MaxHeaderBytes)
	}
}
