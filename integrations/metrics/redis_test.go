package metrics

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/redis/go-redis/v9"
)

// steppingClock moves on by step at each reading, so that every command
// lasts exactly step whatever the machine's speed.
type steppingClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func (c *steppingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.step)
	return c.now
}

// hooked returns a client on a fresh miniredis, timed by a clock on which
// each command lasts 2 ms.
func hooked(t *testing.T) (*Metrics, *redis.Client, *miniredis.Miniredis) {
	t.Helper()
	srv := miniredis.RunT(t)
	m := New()
	clock := &steppingClock{now: time.Date(2027, 3, 22, 9, 0, 0, 0, time.UTC), step: 2 * time.Millisecond}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	rdb.AddHook(redisHook{m: m, now: clock.Now})
	return m, rdb, srv
}

// histogram returns the count and sum of a command's latency histogram.
func histogram(t *testing.T, m *Metrics, command string) (uint64, float64) {
	t.Helper()
	var out dto.Metric
	if err := m.redisTime.WithLabelValues(command).(prometheus.Metric).Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.GetHistogram().GetSampleCount(), out.GetHistogram().GetSampleSum()
}

func TestRedisHookTimesCommands(t *testing.T) {
	m, rdb, _ := hooked(t)
	ctx := context.Background()
	if err := rdb.ZIncrBy(ctx, "scores", 3, "routes").Err(); err != nil {
		t.Fatal(err)
	}
	rdb.ZIncrBy(ctx, "scores", 2, "culture")
	if _, err := rdb.Get(ctx, "missing").Result(); !errors.Is(err, redis.Nil) {
		t.Fatalf("GET of a missing key: %v, want redis.Nil", err)
	}
	if n, sum := histogram(t, m, "zincrby"); n != 2 || !near(sum, 0.004) {
		t.Errorf("zincrby: %d observations summing %vs, want 2 of 2 ms", n, sum)
	}
	if n, _ := histogram(t, m, "get"); n != 1 {
		t.Errorf("get: %d observations, want 1", n)
	}
	// miniredis refuses CLIENT SETINFO and CLIENT MAINT_NOTIFICATIONS when
	// the connection opens; go-redis goes on, and so do the metrics.
	if n := testutil.CollectAndCount(m.reg, "gigabot_redis_errors_total"); n != 0 {
		t.Errorf("%d error series, want none: a missing key and the connection's set-up are no errors", n)
	}
	if n := testutil.CollectAndCount(m.reg, "gigabot_redis_command_duration_seconds"); n != 2 {
		t.Errorf("%d latency series, want zincrby and get only", n)
	}
}

func TestRedisHookCountsErrors(t *testing.T) {
	m, rdb, srv := hooked(t)
	ctx := context.Background()
	rdb.Set(ctx, "name", "x", 0)
	if err := rdb.LPush(ctx, "name", "y").Err(); err == nil {
		t.Fatal("LPUSH on a string: want WRONGTYPE")
	}
	srv.SetError("LOADING Redis is loading the dataset in memory")
	rdb.ZIncrBy(ctx, "scores", 1, "routes")
	srv.SetError("")
	rdb.ZIncrBy(ctx, "scores", 1, "routes")
	tests := []struct {
		command string
		errors  float64
		timed   uint64
	}{
		{"lpush", 1, 1},
		{"zincrby", 1, 2},
		{"set", 0, 1},
	}
	for _, tt := range tests {
		if got := testutil.ToFloat64(m.Counter("gigabot_redis_errors_total", tt.command)); got != tt.errors {
			t.Errorf("%s: %v errors, want %v", tt.command, got, tt.errors)
		}
		if n, _ := histogram(t, m, tt.command); n != tt.timed {
			t.Errorf("%s: %d observations, want %d (failures are timed too)", tt.command, n, tt.timed)
		}
	}
}

func TestRedisHookTimesPipelinesAsOne(t *testing.T) {
	m, rdb, _ := hooked(t)
	ctx := context.Background()
	rdb.Set(ctx, "name", "x", 0)
	tests := []struct {
		name   string
		run    func(redis.Pipeliner)
		tx     bool
		failed bool
	}{
		{"pipeline", func(p redis.Pipeliner) { p.Incr(ctx, "a"); p.Incr(ctx, "b") }, false, false},
		{"transaction", func(p redis.Pipeliner) { p.Incr(ctx, "a"); p.Expire(ctx, "a", time.Hour) }, true, false},
		{"a missing key first, then a real failure", func(p redis.Pipeliner) { p.Get(ctx, "missing"); p.LPush(ctx, "name", "y") }, false, true},
		{"only a missing key", func(p redis.Pipeliner) { p.Get(ctx, "missing") }, false, false},
	}
	var wantErrors float64
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.tx {
				rdb.TxPipelined(ctx, func(p redis.Pipeliner) error { tt.run(p); return nil })
			} else {
				rdb.Pipelined(ctx, func(p redis.Pipeliner) error { tt.run(p); return nil })
			}
			if tt.failed {
				wantErrors++
			}
			if n, sum := histogram(t, m, pipelineLabel); n != uint64(i+1) || !near(sum, 0.002*float64(i+1)) {
				t.Errorf("%d pipeline observations summing %vs, want %d of 2 ms", n, sum, i+1)
			}
			if got := testutil.ToFloat64(m.Counter("gigabot_redis_errors_total", pipelineLabel)); got != wantErrors {
				t.Errorf("%v pipeline errors, want %v", got, wantErrors)
			}
		})
	}
	if n, _ := histogram(t, m, "incr"); n != 0 {
		t.Errorf("the pipelines' commands were timed one by one too (%d)", n)
	}
}

func TestRedisHookTransactionConflictIsNoError(t *testing.T) {
	m, rdb, _ := hooked(t)
	ctx := context.Background()
	err := rdb.Watch(ctx, func(tx *redis.Tx) error {
		rdb.Set(ctx, "k", "theirs", 0) // another replica changes the key meanwhile
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "k", "mine", 0)
			return nil
		})
		return err
	}, "k")
	if !errors.Is(err, redis.TxFailedErr) {
		t.Fatalf("Watch = %v, want TxFailedErr", err)
	}
	if n, _ := histogram(t, m, pipelineLabel); n != 1 {
		t.Errorf("%d transactions timed, want 1", n)
	}
	if n := testutil.CollectAndCount(m.reg, "gigabot_redis_errors_total"); n != 0 {
		t.Errorf("%d error series, want none: a WATCH conflict is retried by design", n)
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
