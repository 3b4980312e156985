package redis_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

func TestDurabilityFromTheEnvironment(t *testing.T) {
	sentinel := "redis://s:26379?master_name=m"
	tests := []struct {
		name    string
		env     map[string]string
		want    redis.Wait
		wantErr string // a part of the error, naming the variable
	}{
		{"nothing set: no replica to wait for", nil, redis.Wait{Timeout: time.Second}, ""},
		{"one server", map[string]string{"REDIS_URL": "redis://r:6379/0"}, redis.Wait{Timeout: time.Second}, ""},
		{"sentinel: one replica", map[string]string{"REDIS_SENTINEL_URL": sentinel}, redis.Wait{Replicas: 1, Timeout: time.Second}, ""},
		{"sentinel, turned off", map[string]string{"REDIS_SENTINEL_URL": sentinel, "REDIS_WAIT_REPLICAS": "0"}, redis.Wait{Timeout: time.Second}, ""},
		{"explicit", map[string]string{"REDIS_WAIT_REPLICAS": "2", "REDIS_WAIT_TIMEOUT": "250ms"}, redis.Wait{Replicas: 2, Timeout: 250 * time.Millisecond}, ""},
		{"not a number", map[string]string{"REDIS_WAIT_REPLICAS": "one"}, redis.Wait{}, `REDIS_WAIT_REPLICAS="one"`},
		{"negative", map[string]string{"REDIS_WAIT_REPLICAS": "-1"}, redis.Wait{}, `REDIS_WAIT_REPLICAS="-1"`},
		{"absurd", map[string]string{"REDIS_WAIT_REPLICAS": "1000"}, redis.Wait{}, `REDIS_WAIT_REPLICAS="1000"`},
		{"timeout without unit", map[string]string{"REDIS_WAIT_TIMEOUT": "500"}, redis.Wait{}, `REDIS_WAIT_TIMEOUT="500"`},
		{"timeout zero (WAIT 0 blocks forever)", map[string]string{"REDIS_WAIT_TIMEOUT": "0s"}, redis.Wait{}, `REDIS_WAIT_TIMEOUT="0s"`},
		{"timeout above the read timeout", map[string]string{"REDIS_WAIT_TIMEOUT": "5s"}, redis.Wait{}, `REDIS_WAIT_TIMEOUT="5s"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := redis.Durability(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Durability = %+v, %v; want an error naming %s", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Durability = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// A write that fewer replicas than asked confirm in time is not
// acknowledged: an outage for the caller, who sends it again; the master
// made it, so the resend is recognised and nothing counts twice. With as
// many replicas as the master has, it is acknowledged. WAIT needs a real
// server (miniredis has no replication).
func TestWritesWaitForReplicas(t *testing.T) {
	ctx := context.Background()
	_, real := redistest.Redis(t)
	if !real {
		t.Skip("WAIT needs a real Redis: set REDIS_URL, REDIS_SENTINEL_URL or REDIS_CLUSTER_URL")
	}
	plain, rdb, id := redistest.NewStore(t, redis.WithReplicas(0, 0))
	have := connectedReplicas(t, rdb, id)
	r := scoring.Reaction{Agent: "alice", Team: "routes", Day: 1, Post: "P1", At: day1}

	short := redis.NewStore(rdb, id, redis.WithReplicas(have+1, 20*time.Millisecond))
	_, err := short.React(ctx, r, true)
	if !errors.Is(err, redis.ErrNotReplicated) || !short.Unavailable(err) {
		t.Fatalf("React waiting for %d replicas of %d = %v, want ErrNotReplicated, an outage", have+1, have, err)
	}
	figs, err := plain.Figures(ctx)
	if err != nil || figs["routes"].Participations != 1 {
		t.Fatalf("after the unconfirmed write: %+v, %v; the master holds it", figs["routes"], err)
	}
	if d, err := plain.React(ctx, r, true); err != nil || d != 0 {
		t.Fatalf("the resend = %d, %v; want 0 (recognised)", d, err)
	}
	sc := scoring.Scan{ID: "s1", Team: "routes", Source: "share", Root: "/srv", ScannedAt: day1.Add(-time.Hour), Bytes: 10}
	if _, err := short.RecordScan(ctx, sc, scoring.ScanRules{Start: day1, Now: day1}); !errors.Is(err, redis.ErrNotReplicated) {
		t.Fatalf("RecordScan waiting for %d replicas = %v, want ErrNotReplicated", have+1, err)
	}
	if res, err := plain.RecordScan(ctx, sc, scoring.ScanRules{Start: day1, Now: day1}); err != nil || res.Status != scoring.ScanDuplicate {
		t.Fatalf("the resent scan = %+v, %v; want a duplicate", res, err)
	}

	// A lease the replicas did not confirm is not left to block the next
	// try until it expires: it is dropped with the error.
	if _, err := short.ClaimPost(ctx, "defi:1:routes", "replica-1", time.Minute); !errors.Is(err, redis.ErrNotReplicated) {
		t.Fatalf("ClaimPost waiting for %d replicas = %v, want ErrNotReplicated", have+1, err)
	}
	if st, err := plain.ClaimPost(ctx, "defi:1:routes", "replica-1", time.Minute); err != nil || st != scoring.Claimed {
		t.Fatalf("the next try = %v, %v; want Claimed, not Busy until the lease expires", st, err)
	}
	if st, err := plain.ClaimPost(ctx, "defi:1:routes", "replica-2", time.Minute); err != nil || st != scoring.Busy {
		t.Fatalf("another replica's claim = %v, %v; want Busy", st, err)
	}

	if have == 0 {
		t.Logf("this master has no replica: the acknowledged path runs on Sentinel in CI")
		return
	}
	enough := redis.NewStore(rdb, id, redis.WithReplicas(have, time.Second))
	bob := r
	bob.Agent = "bob"
	if d, err := enough.React(ctx, bob, true); err != nil || d != 1 {
		t.Fatalf("React waiting for the %d replicas there are = %d, %v; want 1, nil", have, d, err)
	}
	// A promoted replica or a restarted master has never run the script.
	if err := masterOf(t, rdb, id).ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	carol := r
	carol.Agent = "carol"
	if d, err := enough.React(ctx, carol, true); err != nil || d != 1 {
		t.Fatalf("React after SCRIPT FLUSH = %d, %v; want 1, nil", d, err)
	}
}

// masterOf is the client of the master that holds campaign id's keys.
func masterOf(t *testing.T, rdb goredis.UniversalClient, id string) goredis.UniversalClient {
	t.Helper()
	if cc, ok := rdb.(*goredis.ClusterClient); ok {
		m, err := cc.MasterForKey(context.Background(), "gigabot:{"+id+"}:x")
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	return rdb
}

// connectedReplicas reads INFO replication on the master of id's keys.
func connectedReplicas(t *testing.T, rdb goredis.UniversalClient, id string) int {
	t.Helper()
	info, err := masterOf(t, rdb, id).Info(context.Background(), "replication").Result()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(info, "\r\n") {
		if strings.HasPrefix(line, "slave") && strings.Contains(line, "state=online") {
			n++
		}
	}
	return n
}
