package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Limits bound what clients can hold of the HTTP server. A zero field
// takes its value from DefaultLimits; a negative one is refused.
type Limits struct {
	// ReadHeaderTimeout bounds the reading of a request's headers.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds the reading of a whole request, body included.
	// A streaming route (the dashboard's live feed) clears it for its own
	// request with http.ResponseController.
	ReadTimeout time.Duration
	// WriteTimeout bounds the writing of an answer; a streaming route
	// sets a deadline before each of its writes instead.
	WriteTimeout time.Duration
	// IdleTimeout closes a keep-alive connection that waits this long for
	// its next request.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request's headers: above it (plus the 4 KiB
	// Go's server allows on top) the answer is 431.
	MaxHeaderBytes int
	// MaxConns bounds the connections open at once. At the cap, the idle
	// keep-alive connection that has waited longest is closed to make
	// room; when none is idle, the new connection is answered 503 with
	// Retry-After and closed.
	MaxConns int
}

// DefaultLimits are the limits of the bot's HTTP server (see the README,
// "HTTP API"):
//
//   - ReadHeaderTimeout 10 s and ReadTimeout 30 s: the largest request is a
//     1 MiB scan report, which 30 s carries at 35 KB/s;
//   - WriteTimeout 60 s: every ordinary answer is computed in well under
//     that (the board's computation is bounded at 10 s);
//   - IdleTimeout 120 s: longer than the keep-alive of the reverse proxies
//     likely in front (nginx 60 s, Traefik 90 s), so that a proxy never
//     reuses a connection the bot is closing;
//   - MaxHeaderBytes 32 KiB: what nginx accepts by default (4 × 8 KiB),
//     room for an intranet's cookies, far below Go's 1 MiB;
//   - MaxConns 6 000: the dashboard's 5 000 live pages (its own cap), and
//     1 000 more for everything else; about 45 KB of memory a live page.
func DefaultLimits() Limits {
	return Limits{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		MaxConns:          6000,
	}
}

// withDefaults checks l and fills its zero fields.
func (l Limits) withDefaults() (Limits, error) {
	d := DefaultLimits()
	durations := []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"ReadHeaderTimeout", &l.ReadHeaderTimeout, d.ReadHeaderTimeout},
		{"ReadTimeout", &l.ReadTimeout, d.ReadTimeout},
		{"WriteTimeout", &l.WriteTimeout, d.WriteTimeout},
		{"IdleTimeout", &l.IdleTimeout, d.IdleTimeout},
	}
	for _, f := range durations {
		if *f.v < 0 {
			return l, fmt.Errorf("httpapi: %s must not be negative, got %s", f.name, *f.v)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	counts := []struct {
		name string
		v    *int
		def  int
	}{
		{"MaxHeaderBytes", &l.MaxHeaderBytes, d.MaxHeaderBytes},
		{"MaxConns", &l.MaxConns, d.MaxConns},
	}
	for _, f := range counts {
		if *f.v < 0 {
			return l, fmt.Errorf("httpapi: %s must not be negative, got %d", f.name, *f.v)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	return l, nil
}

// HTTPServer is the bot's HTTP server: the one place where its timeouts
// and caps are set, for gigabot run and the demo alike.
type HTTPServer struct {
	srv    *http.Server
	limits Limits
	log    *slog.Logger
	conns  *connLimiter
}

// NewHTTPServer returns a server for h within l (zero fields: DefaultLimits).
// It does not listen: Serve does. When the process may open fewer files
// than MaxConns allows connections, the cap is lowered to fit, with a
// warning, so that it still protects the process.
func NewHTTPServer(h http.Handler, l Limits, log *slog.Logger) (*HTTPServer, error) {
	l, err := l.withDefaults()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if fit, limit, ok := fitFileLimit(l.MaxConns); ok && fit < l.MaxConns {
		log.Warn("http: the connection cap is above what the process may open: lowered to fit",
			"max_conns", l.MaxConns, "open_files_limit", limit, "lowered_to", fit)
		l.MaxConns = fit
	}
	conns := newConnLimiter(l.MaxConns, log)
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
		ConnState:         conns.track,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return &HTTPServer{srv: srv, limits: l, log: log, conns: conns}, nil
}

// Limits returns the limits in force, defaults filled in.
func (s *HTTPServer) Limits() Limits { return s.limits }

// Serve accepts connections on ln, within MaxConns, until Shutdown; it
// then returns http.ErrServerClosed. It may be called once.
func (s *HTTPServer) Serve(ln net.Listener) error {
	return s.srv.Serve(s.conns.wrap(ln))
}

// Shutdown stops accepting, waits for the requests in flight until ctx
// ends, and closes the connections.
func (s *HTTPServer) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }
