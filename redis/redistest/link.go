package redistest

import (
	"context"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/redis"
)

// Link is a TCP relay between a test's store and its Redis (the real
// server of REDIS_URL or an embedded one) that the test can cut and
// restore, to play a Redis outage on either: Cut refuses new connections
// and drops the open ones, as a server that stopped does, and Restore
// listens again on the same address, with every key where it was.
type Link struct {
	upstream string
	addr     string
	mu       sync.Mutex
	ln       net.Listener
	conns    map[net.Conn]struct{}
	wg       sync.WaitGroup
}

// NewLinkedStore returns a store on a fresh campaign namespace (deleted at
// cleanup) whose client reaches Redis through a Link.
func NewLinkedStore(tb testing.TB) (*redis.Store, *Link) {
	tb.Helper()
	opts := &goredis.Options{}
	if url := os.Getenv("REDIS_URL"); url != "" {
		var err error
		if opts, err = goredis.ParseURL(url); err != nil {
			tb.Fatalf("REDIS_URL: %v", err)
		}
	} else {
		opts.Addr = miniredis.RunT(tb).Addr()
	}
	direct := goredis.NewClient(opts)
	id := Campaign(tb)
	tb.Cleanup(func() { Drop(direct, id); direct.Close() })

	l := &Link{upstream: opts.Addr, conns: map[net.Conn]struct{}{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("link: %v", err)
	}
	l.addr = ln.Addr().String()
	l.serve(ln)
	tb.Cleanup(l.Cut)

	// The client gives up at once (no retry of a command, one dial): an
	// outage then costs a test no time, and what is retried is what the
	// code under test retries.
	linked := *opts
	linked.Addr = l.addr
	linked.MaxRetries = -1
	linked.DialerRetries = 1
	rdb := goredis.NewClient(&linked)
	tb.Cleanup(func() { rdb.Close() })
	return redis.NewStore(rdb, id), l
}

// Cut stops the link: connecting is refused and open connections drop.
// It returns once every relay has stopped.
func (l *Link) Cut() {
	l.mu.Lock()
	if l.ln != nil {
		l.ln.Close()
		l.ln = nil
	}
	for c := range l.conns {
		c.Close()
	}
	l.mu.Unlock()
	l.wg.Wait()
}

// Restore listens again on the link's address after Cut.
func (l *Link) Restore() error {
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		return err
	}
	l.serve(ln)
	return nil
}

// WaitUp waits until the store answers through the link: a client that
// failed to dial may keep failing for a moment after Restore.
func WaitUp(tb testing.TB, s *redis.Store) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.Ping(context.Background()) != nil {
		if time.Now().After(deadline) {
			tb.Fatal("the store still does not answer 10 s after the link was restored")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (l *Link) serve(ln net.Listener) {
	l.mu.Lock()
	l.ln = ln
	l.mu.Unlock()
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			l.relay(c)
		}
	}()
}

// relay copies bytes both ways between a client connection and a new one
// to the server, until either side closes or the link is cut.
func (l *Link) relay(client net.Conn) {
	server, err := net.Dial("tcp", l.upstream)
	if err != nil {
		client.Close()
		return
	}
	l.mu.Lock()
	if l.ln == nil { // cut meanwhile
		l.mu.Unlock()
		client.Close()
		server.Close()
		return
	}
	l.conns[client] = struct{}{}
	l.conns[server] = struct{}{}
	l.mu.Unlock()
	var once sync.Once
	closeBoth := func() {
		once.Do(func() {
			l.mu.Lock()
			delete(l.conns, client)
			delete(l.conns, server)
			l.mu.Unlock()
			client.Close()
			server.Close()
		})
	}
	pipe := func(dst, src net.Conn) {
		defer l.wg.Done()
		defer closeBoth()
		_, _ = io.Copy(dst, src)
	}
	l.wg.Add(2)
	go pipe(server, client)
	go pipe(client, server)
}
