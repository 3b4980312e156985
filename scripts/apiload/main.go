// Command apiload measures the bot's read API at the Calvados's size (28
// teams, 3 000 agents, ten days of activity: about 15 000 reactions and 560
// scans) and the scan intake while reports cross milestones. It builds the
// campaign in a Redis (REDIS_URL, or an embedded one), serves the real
// HTTP API on a loopback port, and hits each route with -clients
// concurrent clients for -duration:
//
//	REDIS_URL=redis://127.0.0.1:6379/0 go run ./scripts/apiload -clients 32 -duration 10s
//
// It prints, per route, requests per second, the ratio to /healthz (which
// pings Redis once), and the latency percentiles. The load runs in the same
// process as the bot: compare routes with each other, not with another
// machine.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"
	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/integrations/dashboard"
	"github.com/gigabot/gigabot/integrations/httpapi"
	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scanner"
)

func main() {
	clients := flag.Int("clients", 32, "concurrent clients per route")
	duration := flag.Duration("duration", 10*time.Second, "how long each route is loaded")
	scans := flag.Int("scans", 200, "scan reports sent to the intake in each of its two runs")
	flag.Parse()
	if *clients < 1 || *duration <= 0 || *scans < 1 {
		fmt.Fprintln(os.Stderr, "apiload: -clients, -duration and -scans must be positive")
		os.Exit(2)
	}
	if err := run(context.Background(), *clients, *duration, *scans); err != nil {
		fmt.Fprintln(os.Stderr, "apiload:", err)
		os.Exit(1)
	}
}

const secret = "apiload-secret-0123456789"

func run(ctx context.Context, clients int, duration time.Duration, scans int) error {
	rdb, stop, err := openRedis(ctx)
	if err != nil {
		return err
	}
	defer stop()
	cfg, err := challenges.Parse([]byte(bottest.CalvadosYAML()))
	if err != nil {
		return err
	}
	cfg.Campaign.ID = fmt.Sprintf("apiload-%d", time.Now().UnixNano())
	cal, err := challenges.NewCalendar(cfg)
	if err != nil {
		return err
	}
	store := redis.NewStore(rdb, cfg.Campaign.ID)
	defer redistest.Drop(rdb, cfg.Campaign.ID)
	fmt.Println("loading ten days of the Calvados's campaign…")
	if err := bottest.LoadCalvados(ctx, store, cal, 10); err != nil {
		return err
	}
	clock := clockwork.NewFakeClockAt(cal.At(10, challenges.ClockTime{Hour: 16, Minute: 30}))
	log := slog.New(slog.DiscardHandler)
	chat := &bottest.Chat{}
	b, err := bot.New(ctx, bot.Options{Config: cfg, Calendar: cal, Store: store, Chat: chat, Clock: clock, Owner: "apiload", Logger: log})
	if err != nil {
		return err
	}
	dash, err := dashboard.New(dashboard.Options{Source: b, Logger: log, Clock: clock})
	if err != nil {
		return err
	}
	api := httpapi.New(b, store, log)
	api.Handle("POST /api/v1/scans", httpapi.NewIntake(b, []byte(secret), clock.Now, log))
	dash.Mount(api)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = dash.Run(runCtx) }()
	go func() { _ = b.Follow(runCtx, dash.Poke) }()
	srv, err := httpapi.NewHTTPServer(api, httpapi.DefaultLimits(), log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Shutdown(context.WithoutCancel(ctx))
	base := "http://" + ln.Addr().String()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	fmt.Printf("%d clients, %s per route\n\n%-22s %10s %8s %9s %9s %9s\n", clients, duration, "route", "req/s", "×healthz", "p50", "p99", "max")
	var healthz float64
	for _, route := range []string{"/healthz", "/api/v1/standings", "/api/v1/board"} {
		res, err := load(ctx, client, base+route, clients, duration)
		if err != nil {
			return fmt.Errorf("%s: %w", route, err)
		}
		if route == "/healthz" {
			healthz = res.rate
		}
		fmt.Printf("%-22s %10.0f %8.2f %9s %9s %9s\n", route, res.rate, res.rate/healthz, res.p(50), res.p(99), res.p(100))
	}

	fmt.Printf("\nscan intake, %d reports one after another:\n", scans)
	sender := &scanner.Client{URL: base + "/api/v1/scans", Secret: []byte(secret), Now: clock.Now, Attempts: 1, HTTP: client}
	start := cal.Start()
	// Quiet reports change a root by 1 byte: no milestone. Crossing reports
	// free 100 Go more each time: past a 0,5 To step every fifth report, so
	// the follower posts in 28 channels while the next reports arrive.
	for _, crossing := range []bool{false, true} {
		var lat []time.Duration
		for i := range scans {
			bytes := int64(50e9) - int64(i)
			if crossing {
				bytes = int64(1e15) - int64(i)*100e9
			}
			r := scanner.Report{ScanID: fmt.Sprintf("load-%v-%d", crossing, i), Team: fmt.Sprintf("t%02d", i%28), Source: "share",
				Root: fmt.Sprintf("/load-%v", crossing), ScannedAt: start.Add(time.Duration(i+1) * time.Minute), Files: 1000, Bytes: bytes}
			t0 := time.Now()
			if _, err := sender.Send(ctx, r); err != nil {
				return fmt.Errorf("send: %w", err)
			}
			lat = append(lat, time.Since(t0))
		}
		res := result{lat: lat}
		slices.Sort(res.lat)
		label := "no milestone"
		if crossing {
			label = "crossing milestones"
		}
		fmt.Printf("%-22s %9s p50 %9s p99 %9s max (milestone posts so far: %d)\n", label, res.p(50), res.p(99), res.p(100), len(chat.Of(bot.KindMilestone)))
	}
	return nil
}

// openRedis connects to the Redis the environment names (REDIS_URL,
// REDIS_SENTINEL_URL or REDIS_CLUSTER_URL), or starts an embedded one.
func openRedis(ctx context.Context) (goredis.UniversalClient, func(), error) {
	rdb, err := redis.Open(ctx, os.Getenv)
	if errors.Is(err, redis.ErrNoServer) {
		fmt.Println("no Redis is set: an embedded one (much slower than a real one)")
		return redis.Embedded()
	}
	if err != nil {
		return nil, nil, err
	}
	return rdb, func() { rdb.Close() }, nil
}

// result is one route's load: every request's latency, sorted.
type result struct {
	lat  []time.Duration
	rate float64
}

// p returns the q-th percentile latency, rounded for reading.
func (r result) p(q int) string {
	if len(r.lat) == 0 {
		return "-"
	}
	i := min(len(r.lat)-1, len(r.lat)*q/100)
	return r.lat[i].Round(10 * time.Microsecond).String()
}

// load runs clients goroutines that GET url in a loop for d.
func load(ctx context.Context, client *http.Client, url string, clients int, d time.Duration) (result, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	var failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	begin := time.Now()
	for range clients {
		wg.Go(func() {
			var mine []time.Duration
			for ctx.Err() == nil {
				t0 := time.Now()
				err := get(ctx, client, url)
				if ctx.Err() != nil {
					break
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(begin)
	if n := failed.Load(); n > 0 {
		return result{}, fmt.Errorf("%d requests failed, the first: %v", n, firstErr.Load())
	}
	slices.Sort(all)
	return result{lat: all, rate: float64(len(all)) / elapsed.Seconds()}, nil
}

func get(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return nil
}
