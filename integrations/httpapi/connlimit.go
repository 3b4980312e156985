package httpapi

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// The answer to a connection over the cap.
const (
	// retryAfterConns is what it is told, in seconds: ordinary requests
	// take milliseconds, so a place frees up within seconds.
	retryAfterConns = 5
	// rejectAtOnce bounds the connections being answered 503 at the same
	// time; beyond it a connection is closed unanswered, so that a flood
	// costs at most this many file descriptors above the cap.
	rejectAtOnce = 64
	// rejectTimeout bounds the answering of one connection over the cap.
	rejectTimeout = time.Second
	// rejectDrain bounds what is read of its request, so that closing
	// the connection does not reset it before the client reads the answer.
	rejectDrain = 64 << 10
)

// overCapAnswer is written, whole, to a connection over the cap, before
// its request is read: a client may get an answer early (RFC 9112, 9.6).
var overCapAnswer = func() string {
	body := `{"error":"too many connections: retry in a few seconds"}` + "\n"
	return fmt.Sprintf("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"+
		"Retry-After: %d\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", retryAfterConns, len(body), body)
}()

// connLimiter caps the server's connections. It learns which are idle
// from the server's ConnState hook: an idle keep-alive connection may be
// closed at any time (clients open another), so at the cap the one idle
// longest makes room for the new one; only connections with a request in
// progress (a live page's stream among them) make a newcomer wait.
//
// A listener that only stops accepting at the cap
// (golang.org/x/net/netutil.LimitListener) would leave the newcomers in
// the kernel's backlog, unanswered, a health check among them; here they
// are told 503 with Retry-After at once.
type connLimiter struct {
	max       int
	log       *slog.Logger
	rejecting chan struct{}

	mu    sync.Mutex
	conns map[*limitedConn]connEntry
	// seq orders the moments connections became idle.
	seq uint64
	// refused counts the connections refused since the cap was reached;
	// the first and the end of each such episode are logged, not each one.
	refused int
}

type connEntry struct {
	idle  bool
	since uint64 // seq when it became idle
}

func newConnLimiter(max int, log *slog.Logger) *connLimiter {
	return &connLimiter{max: max, log: log, rejecting: make(chan struct{}, rejectAtOnce), conns: map[*limitedConn]connEntry{}}
}

func (l *connLimiter) wrap(ln net.Listener) net.Listener { return &limitListener{Listener: ln, l: l} }

// limitListener hands the server only the connections within the cap.
type limitListener struct {
	net.Listener
	l *connLimiter
}

func (ll *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := ll.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if lc, ok := ll.l.admit(c); ok {
			return lc, nil
		}
	}
}

// limitedConn is a connection within the cap; closing it frees its place.
type limitedConn struct {
	net.Conn
	l *connLimiter
}

func (c *limitedConn) Close() error {
	c.l.forget(c)
	return c.Conn.Close()
}

// admit takes c within the cap, making room by closing the connection
// idle longest if needed; without room it answers c 503 and closes it.
func (l *connLimiter) admit(c net.Conn) (net.Conn, bool) {
	l.mu.Lock()
	var victim *limitedConn
	if len(l.conns) >= l.max {
		if victim = l.oldestIdleLocked(); victim == nil {
			l.refused++
			first := l.refused == 1
			l.mu.Unlock()
			if first {
				l.log.Warn("http: connection cap reached: new connections are answered 503 until a place frees up", "max_conns", l.max)
			}
			l.reject(c)
			return nil, false
		}
		delete(l.conns, victim)
	}
	refused := l.refused
	l.refused = 0
	lc := &limitedConn{Conn: c, l: l}
	l.conns[lc] = connEntry{}
	l.mu.Unlock()
	if refused > 0 {
		l.log.Info("http: below the connection cap again", "refused", refused)
	}
	if victim != nil {
		// The server sees its connection end and lets it go.
		_ = victim.Conn.Close()
	}
	return lc, true
}

func (l *connLimiter) oldestIdleLocked() *limitedConn {
	var oldest *limitedConn
	var since uint64
	for c, e := range l.conns {
		if e.idle && (oldest == nil || e.since < since) {
			oldest, since = c, e.since
		}
	}
	return oldest
}

// track is the server's ConnState hook.
func (l *connLimiter) track(c net.Conn, state http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.conns[lc]; !ok {
		return // closed to make room
	}
	switch state {
	case http.StateIdle:
		l.seq++
		l.conns[lc] = connEntry{idle: true, since: l.seq}
	case http.StateActive:
		l.conns[lc] = connEntry{}
	case http.StateHijacked, http.StateClosed:
		delete(l.conns, lc)
	}
}

func (l *connLimiter) forget(c *limitedConn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.conns, c)
}

// reject answers c 503 in the background and closes it.
func (l *connLimiter) reject(c net.Conn) {
	select {
	case l.rejecting <- struct{}{}:
	default:
		_ = c.Close()
		return
	}
	go func() {
		defer func() { <-l.rejecting }()
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(rejectTimeout))
		if _, err := io.WriteString(c, overCapAnswer); err != nil {
			return
		}
		// Closing with the request unread would reset the connection,
		// and the client could lose the answer: say we are done, and
		// read until it is too.
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(c, rejectDrain))
	}()
}
