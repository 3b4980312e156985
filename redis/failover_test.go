package redis_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

// TestSentinelFailover kills the master (kill -9) while reactions and scan
// reports flow, each one resent until Redis acknowledges it (as the bot's
// queue and the scanner do), and checks that the store answers again once
// Sentinel has promoted the replica and that everything acknowledged is
// counted, once. It kills a process: it runs only when REDIS_SENTINEL_URL
// names a local Sentinel and GIGABOT_FAILOVER_TEST=kill (.ci/run, after
// the other tests, as the old master stays dead).
//
// Redis replicates asynchronously; with Sentinel the store's writes wait
// for a replica (WAIT, redis.Durability), so that an acknowledged write the
// replica had not received cannot be lost: a write the replica did not
// confirm in time is an outage, resent, and recognised if it survived.
func TestSentinelFailover(t *testing.T) {
	if os.Getenv("REDIS_SENTINEL_URL") == "" || os.Getenv("GIGABOT_FAILOVER_TEST") != "kill" {
		t.Skip("needs REDIS_SENTINEL_URL and GIGABOT_FAILOVER_TEST=kill (it kills the master)")
	}
	ctx := context.Background()
	s, rdb, _ := redistest.NewStore(t)
	info, err := rdb.Info(ctx, "server").Result()
	if err != nil {
		t.Fatal(err)
	}
	pid := 0
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "process_id:"); ok {
			pid, _ = strconv.Atoi(v)
		}
	}
	if pid == 0 {
		t.Fatal("INFO server has no process_id")
	}

	// A replica still syncing would lose what precedes the kill: start
	// once one is online (the README's Redis section says more).
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		repl, err := rdb.Info(ctx, "replication").Result()
		if err == nil && strings.Contains(repl, ",state=online,") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no replica online after 20 s: %v\n%s", err, repl)
		}
	}

	const bytes = 1000
	start := time.Now()
	var killed, firstError, back time.Time
	reactions, scans, errs := 0, 0, 0
	// send retries one write until Redis acknowledges it.
	send := func(write func(context.Context) error) {
		for {
			if time.Since(start) > time.Minute {
				t.Fatalf("no answer a minute after the start (master killed at %v)", killed.Sub(start))
			}
			cctx, cancel := context.WithTimeout(ctx, time.Second)
			err := write(cctx)
			cancel()
			if err == nil {
				if !firstError.IsZero() && back.IsZero() {
					back = time.Now()
				}
				return
			}
			errs++
			if firstError.IsZero() {
				firstError = time.Now()
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	for i := 0; back.IsZero() || time.Since(back) < time.Second; i++ {
		if killed.IsZero() && time.Since(start) > 500*time.Millisecond {
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatalf("kill -9 the master (pid %d): %v", pid, err)
			}
			killed = time.Now()
		}
		agent := "agent" + strconv.Itoa(i)
		send(func(ctx context.Context) error {
			_, err := s.React(ctx, scoring.Reaction{Agent: agent, Team: "routes", Day: 1, Post: "p1", At: day1}, true)
			return err
		})
		reactions++
		sc := scoring.Scan{ID: "scan" + strconv.Itoa(i), Team: "routes", Source: "share", Root: "/srv/" + strconv.Itoa(i), ScannedAt: day1.Add(-time.Hour), Bytes: bytes}
		send(func(ctx context.Context) error {
			_, err := s.RecordScan(ctx, sc, scoring.ScanRules{Start: day1, Now: day1})
			return err
		})
		scans++
	}
	if firstError.IsZero() {
		t.Fatal("no write failed: was the master killed?")
	}
	figs, err := s.Figures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := figs["routes"]
	if got.Participations != int64(reactions) || got.BaselineBytes != int64(scans*bytes) {
		t.Errorf("after the failover: %d participations and %d baseline bytes; acknowledged %d reactions and %d scans of %d bytes",
			got.Participations, got.BaselineBytes, reactions, scans, bytes)
	}
	if n, err := s.LogLength(ctx); err != nil || n != int64(reactions+scans) {
		t.Errorf("audit log: %d entries, %v; want %d (each write once)", n, err, reactions+scans)
	}
	t.Logf("master killed %v after the start; first error %v after the kill, answers again %v after it (%d failed tries, resent); %d reactions and %d scans acknowledged, all counted once",
		killed.Sub(start).Round(time.Millisecond), firstError.Sub(killed).Round(time.Millisecond), back.Sub(killed).Round(time.Millisecond), errs, reactions, scans)
}
