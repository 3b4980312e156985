package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// The environment variables that make acknowledged writes wait for
// replicas (Redis WAIT).
const (
	EnvWaitReplicas = "REDIS_WAIT_REPLICAS" // replicas that must hold a write; default 1 with Sentinel, else 0
	EnvWaitTimeout  = "REDIS_WAIT_TIMEOUT"  // how long a write waits for them; default 1s
)

// ErrNotReplicated is the error of a write that the master made but fewer
// replicas than asked confirmed in time (WithReplicas). The write may
// still be lost with the master: the caller must not acknowledge it, and
// sends it again (every acknowledged write of the store is idempotent, so
// one that did survive is recognised). Unavailable reports it as an outage.
var ErrNotReplicated = errors.New("redis: not confirmed by enough replicas in time")

// Option configures a Store.
type Option func(*Store)

// WithReplicas makes every write the bot acknowledges to someone (a scan's
// 202, a counted reaction, a claimed delivery or post, a sent post, a
// correction, a milestone) wait until n replicas hold it, for at most
// timeout (Redis WAIT, sent on the write's own connection): replication is
// asynchronous, and without it a write the master acknowledged just before
// dying is lost when a replica is promoted. Fewer replicas in time is
// ErrNotReplicated. n = 0 waits for none.
func WithReplicas(n int, timeout time.Duration) Option {
	return func(s *Store) { s.replicas, s.waitTimeout = n, timeout }
}

// Wait is how many replicas an acknowledged write waits for, and for how
// long (WithReplicas).
type Wait struct {
	Replicas int
	Timeout  time.Duration
}

// Option returns the store option that applies w.
func (w Wait) Option() Option { return WithReplicas(w.Replicas, w.Timeout) }

// Durability reads REDIS_WAIT_REPLICAS (a whole number, default 1 when
// REDIS_SENTINEL_URL is set, since Sentinel means replicas, else 0) and
// REDIS_WAIT_TIMEOUT (a Go duration from 1ms to 2s, default 1s: below
// the client's 3 s read timeout, which a pipeline's WAIT must not outlast).
// Its errors name the variable at fault.
func Durability(getenv func(string) string) (Wait, error) {
	w := Wait{Timeout: time.Second}
	if getenv(EnvSentinelURL) != "" {
		w.Replicas = 1
	}
	if raw := getenv(EnvWaitReplicas); raw != "" {
		v, err := strconv.Atoi(raw)
		if err != nil || v < 0 || v > 100 {
			return Wait{}, fmt.Errorf("%s=%q: want a whole number of replicas from 0 to 100", EnvWaitReplicas, raw)
		}
		w.Replicas = v
	}
	if raw := getenv(EnvWaitTimeout); raw != "" {
		d, err := time.ParseDuration(raw)
		if err != nil || d < time.Millisecond || d > 2*time.Second {
			return Wait{}, fmt.Errorf("%s=%q: want a duration from 1ms to 2s, such as 500ms", EnvWaitTimeout, raw)
		}
		w.Timeout = d
	}
	return w, nil
}

// pipeliner is a client that runs a pipeline on one connection.
type pipeliner interface {
	Pipelined(ctx context.Context, fn func(goredis.Pipeliner) error) ([]goredis.Cmder, error)
}

// waiter is a pipeline that can send WAIT (go-redis's Pipeline can; its
// Pipeliner interface does not list it).
type waiter interface {
	Wait(ctx context.Context, numReplicas int, timeout time.Duration) *goredis.IntCmd
}

// write runs a script whose success the caller acknowledges. Without
// replicas to wait for it is the script's Run. With them, the script, an
// INCR of the campaign's write counter and a WAIT go in one pipeline on one
// connection of the master of the keys' slot. WAIT counts the replicas that
// hold that connection's last write, hence every write before it; the INCR
// makes that last write come after the script even when the script wrote
// nothing (a write sent again, which an earlier try made: newer servers do
// not move a connection's offset for a command that replicated nothing).
// On a Cluster, a slot that moved meanwhile (MOVED, ASK) reloads the
// cluster's map and the write goes once more, to the new master.
func (s *Store) write(ctx context.Context, sc *goredis.Script, keys []string, args ...any) *goredis.Cmd {
	if s.replicas == 0 {
		return sc.Run(ctx, s.rdb, keys, args...)
	}
	cc, isCluster := s.rdb.(*goredis.ClusterClient)
	for attempt := 0; ; attempt++ {
		var conn pipeliner = s.rdb
		if isCluster {
			m, err := cc.MasterForKey(ctx, keys[0])
			if err != nil {
				cmd := goredis.NewCmd(ctx)
				cmd.SetErr(err)
				return cmd
			}
			conn = m
		}
		cmd := s.writeOn(ctx, conn, sc, keys, args)
		moved := goredis.HasErrorPrefix(cmd.Err(), "MOVED") || goredis.HasErrorPrefix(cmd.Err(), "ASK")
		if !isCluster || !moved || attempt > 0 {
			return cmd
		}
		cc.ReloadState(ctx)
	}
}

// writeOn is write on one master's connection.
func (s *Store) writeOn(ctx context.Context, conn pipeliner, sc *goredis.Script, keys []string, args []any) *goredis.Cmd {
	cmd, waited := s.writeAndWait(ctx, conn, sc.EvalSha, keys, args)
	if goredis.HasErrorPrefix(cmd.Err(), "NOSCRIPT") {
		// A server that never ran the script (a promoted replica, a
		// restart): send it whole once; EVALSHA works from then on.
		cmd, waited = s.writeAndWait(ctx, conn, sc.Eval, keys, args)
	}
	if cmd.Err() != nil {
		return cmd
	}
	switch n, err := waited.Result(); {
	case err != nil:
		cmd.SetErr(fmt.Errorf("wait for %d replicas: %w", s.replicas, err))
	case n < int64(s.replicas):
		cmd.SetErr(fmt.Errorf("%w: %d of %d within %v", ErrNotReplicated, n, s.replicas, s.waitTimeout))
	}
	return cmd
}

func (s *Store) writeAndWait(ctx context.Context, conn pipeliner,
	run func(context.Context, goredis.Scripter, []string, ...any) *goredis.Cmd, keys []string, args []any) (*goredis.Cmd, *goredis.IntCmd) {
	var cmd *goredis.Cmd
	var waited *goredis.IntCmd
	_, _ = conn.Pipelined(ctx, func(p goredis.Pipeliner) error {
		cmd = run(ctx, p, keys, args...)
		p.Incr(ctx, s.key("writes"))
		waited = p.(waiter).Wait(ctx, s.replicas, s.waitTimeout)
		return nil
	})
	return cmd, waited
}
