// Command gigabot runs a Giga Déstockage campaign in a chat platform.
//
//	gigabot demo [--seed N] [--day-duration D] [--lang fr|en] [--http ADDR]
//	gigabot check --config FILE
//	gigabot run --config FILE
//	gigabot audit --config FILE
//	gigabot privacy export|erase --config FILE USER
//	gigabot healthcheck
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jonboulle/clockwork"
	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/demo"
	"github.com/gigabot/gigabot/integrations/dashboard"
	"github.com/gigabot/gigabot/integrations/httpapi"
	"github.com/gigabot/gigabot/integrations/metrics"
	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/scoring"
)

// The Redis store is what the core asks of a store, of a delivery ledger
// and of the per-user rate limit, and it tells an outage from a failure.
var (
	_ bot.Store      = (*redis.Store)(nil)
	_ bot.Deliveries = (*redis.Store)(nil)
	_ bot.RateLimits = (*redis.Store)(nil)
	_ bot.Outages    = (*redis.Store)(nil)
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(m.Run(ctx, os.Args[1:]))
}

// Main is the program, with its inputs and outputs as fields so that tests
// can run it whole.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Clock defaults to the real clock.
	Clock clockwork.Clock
	// Ready, when set, receives the HTTP address once the bot serves.
	Ready chan<- string

	// configPath is the --config file, which SIGHUP reloads.
	configPath string
}

const usage = `gigabot runs a Giga Déstockage campaign in a chat platform.

Usage:
  gigabot demo [--seed N] [--day-duration D] [--lang fr|en] [--http ADDR] [--attachments DIR]
                                a whole 15-day campaign, compressed, on the console; needs nothing
  gigabot check --config FILE   validate the configuration and print the campaign's calendar
  gigabot run --config FILE     run the bot: platform from GIGABOT_PLATFORM, store from REDIS_URL;
                                SIGHUP reloads FILE and its roster (docker compose kill -s HUP gigabot)
  gigabot audit --config FILE   replay the audit stream and compare it with the live scores
  gigabot privacy export --config FILE USER
                                print as JSON everything the store keeps about USER
  gigabot privacy erase --config FILE USER
                                replace USER's name by a pseudonym everywhere; no team figure changes
  gigabot mattermost setup      create the /giga slash command (MATTERMOST_* set)
  gigabot healthcheck           exit 0 if the bot at GIGABOT_HTTP_ADDR answers /healthz (the image's HEALTHCHECK)

FILE is the campaign's YAML: deploy/campaign.example.yaml shows every key.
gigabot COMMAND -h lists a command's options and their defaults.

Environment (secrets never live in FILE):
  REDIS_URL                   the store; unset: an embedded in-memory one, whose scores die with the process
  REDIS_SENTINEL_URL          or the master that Sentinel names (…?master_name=NAME&addr=…)
  REDIS_CLUSTER_URL           or a Redis Cluster (one node or more: …?addr=…)
  REDIS_WAIT_REPLICAS         replicas an acknowledged write waits for (default 1 with Sentinel, else 0)
  REDIS_WAIT_TIMEOUT          and for how long (default 1s, at most 2s)
  GIGABOT_PLATFORM            console (the default: stdin and stdout), slack, mattermost or matrix
  GIGABOT_HTTP_ADDR           the dashboard's and the API's address (default 127.0.0.1:8080)
  GIGABOT_PUBLIC_URL          where Mattermost reaches the bot (button, /giga)
  GIGABOT_LOG_FORMAT          text (default) or json
  GIGABOT_LOG_LEVEL           debug, info (default), warn or error
  GIGABOT_SCANNER_SECRET      the HMAC secret of gigascan's reports, 16 characters at least
                              (or GIGABOT_SCANNER_SECRET_FILE, a file holding it)
  GIGABOT_API_TOKEN           the bearer token of /api/v1/export.csv, 16 characters at least
                              (or GIGABOT_API_TOKEN_FILE)
  SLACK_BOT_TOKEN, SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode), SLACK_API_URL
  MATTERMOST_URL, MATTERMOST_TOKEN, MATTERMOST_TEAM, MATTERMOST_COMMAND_TOKEN

The file servers' scanner is another program: gigascan (go run ./cmd/gigascan --help).
`

// Run runs one subcommand and returns the exit status.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "demo":
		err = m.demo(ctx, args[1:])
	case "check":
		err = m.check(ctx, args[1:])
	case "run":
		err = m.run(ctx, args[1:])
	case "audit":
		err = m.audit(ctx, args[1:])
	case "privacy":
		err = m.privacy(ctx, args[1:])
	case "mattermost":
		err = m.mattermostSetup(ctx, args[1:])
	case "healthcheck":
		err = m.healthcheck(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return 0
	default:
		err = fmt.Errorf("unknown command %q", args[0])
		fmt.Fprint(m.Stderr, usage)
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(m.Stderr, "gigabot: %v\n", err)
		return 1
	}
	return 0
}

func (m *Main) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	return fs
}

// logger logs to stderr as GIGABOT_LOG_FORMAT (text, the default, or
// json) says, from GIGABOT_LOG_LEVEL up (debug, info, the default, warn or
// error).
func (m *Main) logger() (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if v := m.Getenv("GIGABOT_LOG_LEVEL"); v != "" {
		var level slog.Level
		if err := level.UnmarshalText([]byte(v)); err != nil {
			return nil, fmt.Errorf("GIGABOT_LOG_LEVEL: %q is not a level (use debug, info, warn or error)", v)
		}
		opts.Level = level
	}
	switch f := m.Getenv("GIGABOT_LOG_FORMAT"); f {
	case "", "text":
		return slog.New(slog.NewTextHandler(m.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(m.Stderr, opts)), nil
	default:
		return nil, fmt.Errorf("GIGABOT_LOG_FORMAT: unknown format %q (use text or json)", f)
	}
}

func (m *Main) demo(ctx context.Context, args []string) error {
	fs := m.flags("demo")
	seed := fs.Uint64("seed", 1, "random seed: the same seed plays the same campaign")
	day := fs.Duration("day-duration", time.Second, "real time each campaign day takes, 0 (full speed) to 1m")
	lang := fs.String("lang", "fr", "language of the posts: fr or en")
	files := fs.String("attachments", "", "save the posts' charts into this existing directory")
	addr := fs.String("http", "", "serve the live dashboard on this address (e.g. 127.0.0.1:8080) until Ctrl-C")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *day < 0 || *day > time.Minute {
		return fmt.Errorf("--day-duration: %s is out of range (0 to 1m)", *day)
	}
	if *lang != "fr" && *lang != "en" {
		return fmt.Errorf("--lang: unknown language %q (use fr or en)", *lang)
	}
	o := demo.Options{Seed: *seed, DayDuration: *day, Language: *lang, Out: m.Stdout, Attachments: *files}
	if *files != "" {
		if st, err := os.Stat(*files); err != nil || !st.IsDir() {
			return fmt.Errorf("--attachments: %s is not a directory", *files)
		}
	}
	if *addr != "" {
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return fmt.Errorf("--http: %w", err)
		}
		defer ln.Close()
		o.Listener = ln
	}
	return demo.Run(ctx, o)
}

func (m *Main) loadConfig(args []string) (*challenges.Config, *challenges.Calendar, error) {
	fs := m.flags("check|run|audit")
	path := fs.String("config", "", "the campaign's configuration `FILE` (YAML; deploy/campaign.example.yaml shows every key)")
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	if *path == "" {
		return nil, nil, errors.New("--config FILE is required")
	}
	m.configPath = *path
	if fs.NArg() > 0 {
		return nil, nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg, err := challenges.Load(*path)
	if err != nil {
		return nil, nil, err
	}
	cal, err := challenges.NewCalendar(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("calendar: %w", err)
	}
	return cfg, cal, nil
}

func (m *Main) check(ctx context.Context, args []string) error {
	cfg, cal, err := m.loadConfig(args)
	if err != nil {
		return err
	}
	if cal, err = m.postponedCalendar(ctx, cfg, cal); err != nil {
		return err
	}
	loc := bot.NewLocale(cfg.Campaign.Language)
	fmt.Fprintf(m.Stdout, "%s (%s): %d teams, %d agents, %d days, %s, défi at %s, recap at %s\n",
		cfg.Campaign.Name, cfg.Campaign.ID, len(cfg.Teams), agents(cfg), len(cal.Days), cal.Location, cal.DefiAt, cal.RecapAt)
	skipped := 0
	for _, d := range cal.Days {
		for skipped < len(cal.Skipped) && cal.Skipped[skipped].Date.Before(d.Date) {
			sk := cal.Skipped[skipped]
			fmt.Fprintf(m.Stdout, "   --  %s  %-28s skipped: %s\n", sk.Date.Format(time.DateOnly), loc.Date(sk.Date), sk.Reason)
			skipped++
		}
		fmt.Fprintf(m.Stdout, "  %3d  %s  %-28s %s\n", d.N, d.Date.Format(time.DateOnly), loc.Date(d.Date), d.Defi.Title)
	}
	m.printAgents(cfg)
	if err := m.checkStore(ctx, cfg); err != nil {
		return err
	}
	if err := m.checkNames(ctx, cfg); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, "configuration OK")
	return nil
}

func agents(cfg *challenges.Config) int {
	n := 0
	for _, t := range cfg.Teams {
		n += len(t.Members)
	}
	return n
}

func (m *Main) run(ctx context.Context, args []string) error {
	cfg, cal, err := m.loadConfig(args)
	if err != nil {
		return err
	}
	secret, err := secretFromEnv(m.Getenv, "GIGABOT_SCANNER_SECRET")
	if err != nil {
		return err
	}
	apiToken, err := secretFromEnv(m.Getenv, "GIGABOT_API_TOKEN")
	if err != nil {
		return err
	}
	log, err := m.logger()
	if err != nil {
		return err
	}
	if len(secret) == 0 {
		log.Warn("GIGABOT_SCANNER_SECRET is not set: the scan intake refuses every report (401)")
	}
	if len(apiToken) == 0 {
		log.Warn("GIGABOT_API_TOKEN is not set: GET /api/v1/export.csv refuses every request (401)")
	}
	name, err := platformFromEnv(m.Getenv, log)
	if err != nil {
		return err
	}
	rdb, closeStore, err := m.openRedis(ctx, log)
	if err != nil {
		return err
	}
	defer closeStore()
	mx := metrics.New()
	rdb.AddHook(mx.RedisHook())
	store, err := m.newStore(rdb, cfg.Campaign.ID, log)
	if err != nil {
		return err
	}
	if err := store.CheckLayout(ctx); err != nil {
		return err
	}
	warnLeftTeams(ctx, log, cfg, store)
	previous, err := loadPrevious(ctx, rdb, cfg)
	if err != nil {
		return err
	}
	clock := m.Clock
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	own := owner()
	p, err := m.platform(ctx, name, platformDeps{cfg: cfg, store: store, log: log, owner: own, embedded: !m.hasRedis(), metrics: mx})
	if err != nil {
		return err
	}
	// The bot is built again on a reloaded config (SIGHUP) and on a
	// postponed day (reporter, by any replica), and swapped in one step.
	var b *bot.Live
	build := func(ctx context.Context, cfg *challenges.Config, cal *challenges.Calendar) (*bot.Bot, error) {
		return bot.New(ctx, bot.Options{Config: cfg, Calendar: cal, Store: store, Chat: p.chat, Clock: clock, Logger: log, Owner: own, Metrics: mx, Previous: previous,
			OnCalendar: func(ctx context.Context) {
				if err := b.Refresh(ctx); err != nil {
					log.Error("calendar", "err", err)
				}
			}})
	}
	b, err = bot.NewLive(ctx, cfg, store, build, log)
	if err != nil {
		return err
	}
	defer b.Close()
	cal = b.Current().Calendar()
	limits, livePages, err := m.httpCaps()
	if err != nil {
		return err
	}
	dash, err := dashboard.New(dashboard.Options{Source: b, Logger: log, Clock: clock, Language: cfg.Campaign.Language, MaxLivePages: livePages})
	if err != nil {
		return err
	}
	mx.WatchLivePages(dash.Subscribers)
	addr := m.httpAddr()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("GIGABOT_HTTP_ADDR: listen on %s: %w", addr, err)
	}
	api := httpapi.New(b, store, log)
	api.Handle("POST /api/v1/scans", httpapi.NewIntake(b, secret, clock.Now, log, httpapi.WithReports(mx)))
	api.Handle("GET /metrics", mx.Handler())
	api.EnableExport(b, string(apiToken))
	dash.Mount(api)
	p.mount(b, api)
	// The live pages close before the HTTP server shuts down, whatever
	// ends the run, so that their streams never hold the shutdown.
	dashCtx, stopDash := context.WithCancel(ctx)
	defer stopDash()
	go func() {
		if err := dash.Run(dashCtx); err != nil {
			log.Error("dashboard", "err", err)
		}
	}()
	// The log's follower announces milestones after scans, and has every
	// replica's pages refreshed at once after any event.
	followCtx, stopFollow := context.WithCancel(ctx)
	defer stopFollow()
	go func() { _ = b.Follow(followCtx, dash.Poke) }()
	srv, err := httpapi.NewHTTPServer(api, limits, log)
	if err != nil {
		return err
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "err", err)
		}
	}()
	defer func() {
		stopDash()
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdownCtx)
	}()
	log.Info("gigabot started", "campaign", cfg.Campaign.ID, "platform", name, "http", ln.Addr().String(),
		"start", cal.Start().Format(time.RFC3339), "end", cal.End().Format(time.RFC3339))
	// The agents' personal data is erased campaign.retention_days after
	// the last recap, by whichever replica's minute comes first.
	// A postponed day or a reloaded retention_days moves it.
	var retention atomic.Pointer[bot.Retention]
	retention.Store(bot.NewRetention(cfg, cal, store, clock, log))
	sched := &schedule{clock: clock, log: log, run: func(ctx context.Context) {
		// Another replica's postponement reaches this one within a minute.
		if err := b.Refresh(ctx); err != nil {
			log.Error("calendar", "err", err)
		}
		if err := b.Catchup(ctx); err != nil {
			log.Error("scheduled posts", "err", err)
		}
		if err := retention.Load().Tick(ctx); err != nil {
			log.Error("retention", "err", err)
		}
	}}
	// Publish what is due before anything else: the bot may come back after
	// missing a post time.
	if err := b.Catchup(ctx); err != nil {
		log.Error("catch up", "err", err)
	}
	if err := sched.start(cal); err != nil {
		return err
	}
	defer sched.stop()
	b.OnSwap(func(nb *bot.Bot) {
		retention.Store(bot.NewRetention(nb.Config(), nb.Calendar(), store, clock, log))
		sched.restart(func() *challenges.Calendar { return b.Current().Calendar() }, nil)
	})
	m.reloadOnHangup(ctx, m.configPath, b, log, func(cfg *challenges.Config) { p.reload(ctx, cfg, b) })
	settleCtx, stopSettling := context.WithCancel(ctx)
	settled := make(chan struct{})
	go func() {
		defer close(settled)
		settleDefis(settleCtx, b, sleepOn(clock))
	}()
	defer func() {
		stopSettling()
		<-settled
	}()
	if m.Ready != nil {
		m.Ready <- ln.Addr().String()
	}
	if err := p.serve(ctx, b); err != nil && ctx.Err() == nil {
		return err
	}
	log.Info("gigabot stopping")
	return nil
}

// settleWaitMax is the longest wait between two reads of the défi posts'
// reactions that failed.
const settleWaitMax = 30 * time.Minute

// settler reads the latest défi posts' reactions (bot.Live fits).
type settler interface {
	SettleDefis(ctx context.Context) (int, error)
}

// settleDefis has the core read the latest défi posts' reactions
// (bot.Bot.SettleDefis): what was given or taken back while no replica
// ran, longer than the platform redelivers events, counts. A read that
// failed (the platform or Redis unreachable, a post deleted) is tried
// again after 1 minute, then 2, 4… up to settleWaitMax, until one
// succeeds or ctx ends.
func settleDefis(ctx context.Context, b settler, sleep func(context.Context, time.Duration) error) {
	wait := time.Minute
	for {
		if _, err := b.SettleDefis(ctx); err == nil || ctx.Err() != nil {
			return
		}
		if sleep(ctx, wait) != nil {
			return
		}
		wait = min(2*wait, settleWaitMax)
	}
}

// sleepOn waits d on clock, or until ctx ends.
func sleepOn(clock clockwork.Clock) func(context.Context, time.Duration) error {
	return func(ctx context.Context, d time.Duration) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-clock.After(d):
			return nil
		}
	}
}

// audit replays the campaign's log and compares what it gives with the
// live counters, team by team.
func (m *Main) audit(ctx context.Context, args []string) error {
	cfg, cal, err := m.loadConfig(args)
	if err != nil {
		return err
	}
	store, closeStore, err := m.existingStore(ctx, cfg, "audit")
	if err != nil {
		return err
	}
	defer closeStore()
	live, err := store.Figures(ctx)
	if err != nil {
		return err
	}
	// The history behind the dashboard, the export and the report replays
	// the log by the rules stated once in scoring: it must end on the
	// figures the store counted live.
	hist := scoring.NewHistory(cal.Start())
	if err := hist.Feed(ctx, store); err != nil {
		return err
	}
	replayed := hist.At(len(cal.Days), scoring.Forever())
	mismatches := 0
	row := func(id, state string) {
		if h := replayed[id]; h.Participations != live[id].Participations || h.FreedBytes != live[id].FreedBytes ||
			h.BaselineBytes != live[id].BaselineBytes || math.Abs(h.Corrections-live[id].Corrections) > 1e-6 {
			state = fmt.Sprintf("MISMATCH: the history gives %+v", h)
			mismatches++
		}
		fmt.Fprintf(m.Stdout, "%-20s défis %6d  freed %16d  baseline %16d  corrections %8.2f  %s\n", id,
			live[id].Participations, live[id].FreedBytes, live[id].BaselineBytes, live[id].Corrections, state)
	}
	for _, t := range cfg.Teams {
		row(t.ID, "ok")
	}
	// A team that left keeps its figures (and its bytes in the total):
	// retired, it is audited like the others; not listed, it is named.
	orphans, retired := bot.LeftTeams(cfg, live, replayed)
	for _, id := range retired {
		row(id, "ok (retired)")
	}
	for _, id := range orphans {
		row(id, "NOT IN THE CONFIG")
	}
	var problems []string
	if mismatches > 0 {
		problems = append(problems, fmt.Sprintf("%d team(s) differ from their audit trail", mismatches))
	}
	if len(orphans) > 0 {
		problems = append(problems, fmt.Sprintf("%s hold(s) figures but is not in the config: %s", strings.Join(orphans, ", "), leftTeamsAdvice))
	}
	if len(problems) > 0 {
		return fmt.Errorf("audit: %s", strings.Join(problems, "; "))
	}
	fmt.Fprintln(m.Stdout, "audit OK: the live scores match the audit stream")
	return nil
}

// secretFromEnv reads a secret from the environment variable name or from
// the file named by name_FILE (not both), and refuses one shorter than 16
// characters. An empty result means the secret is not set.
func secretFromEnv(getenv func(string) string, name string) ([]byte, error) {
	secret := getenv(name)
	if path := getenv(name + "_FILE"); path != "" {
		if secret != "" {
			return nil, fmt.Errorf("set %s or %s_FILE, not both", name, name)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s_FILE: %w", name, err)
		}
		secret = string(raw)
	}
	secret = strings.TrimSpace(secret)
	if secret != "" && len(secret) < 16 {
		return nil, fmt.Errorf("%s is shorter than 16 characters: use e.g. `openssl rand -hex 32`", name)
	}
	return []byte(secret), nil
}

// hasRedis tells whether a real Redis is configured (else the store is
// the embedded one).
func (m *Main) hasRedis() bool { return len(redis.Configured(m.Getenv)) > 0 }

// openRedis connects to the Redis of REDIS_URL, REDIS_SENTINEL_URL or
// REDIS_CLUSTER_URL (redis.Open) or, without any, starts an embedded store.
func (m *Main) openRedis(ctx context.Context, log *slog.Logger) (goredis.UniversalClient, func(), error) {
	rdb, err := redis.Open(ctx, m.Getenv)
	if errors.Is(err, redis.ErrNoServer) {
		rdb, stop, err := redis.Embedded()
		if err != nil {
			return nil, nil, err
		}
		log.Warn(strings.Repeat("!", 60))
		log.Warn("REDIS_URL is not set: scores are kept IN MEMORY and DIE WITH THE PROCESS. Set REDIS_URL (or REDIS_SENTINEL_URL, REDIS_CLUSTER_URL) for a real campaign.")
		log.Warn(strings.Repeat("!", 60))
		return rdb, stop, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return rdb, func() { rdb.Close() }, nil
}

// newStore is the campaign's store on rdb, its acknowledged writes waiting
// for as many replicas as REDIS_WAIT_REPLICAS says (redis.Durability).
func (m *Main) newStore(rdb goredis.UniversalClient, campaign string, log *slog.Logger) (*redis.Store, error) {
	wait, err := redis.Durability(m.Getenv)
	if err != nil {
		return nil, err
	}
	if wait.Replicas > 0 && !m.hasRedis() {
		return nil, fmt.Errorf("%s=%d needs a real Redis with replicas: the embedded store has none", redis.EnvWaitReplicas, wait.Replicas)
	}
	if wait.Replicas > 0 {
		log.Info("redis: every acknowledged write waits for replicas (WAIT)", "replicas", wait.Replicas, "timeout", wait.Timeout)
	}
	return redis.NewStore(rdb, campaign, wait.Option()), nil
}

// existingStore opens the campaign's store in the Redis the environment
// names, for a command (what) that reads what a running bot wrote: the
// embedded store would be empty. The caller closes it.
func (m *Main) existingStore(ctx context.Context, cfg *challenges.Config, what string) (*redis.Store, func(), error) {
	if !m.hasRedis() {
		return nil, nil, fmt.Errorf("REDIS_URL (or REDIS_SENTINEL_URL, REDIS_CLUSTER_URL) is required: %s reads the campaign's Redis", what)
	}
	log, err := m.logger()
	if err != nil {
		return nil, nil, err
	}
	rdb, closeStore, err := m.openRedis(ctx, log)
	if err != nil {
		return nil, nil, err
	}
	store := redis.NewStore(rdb, cfg.Campaign.ID)
	if err := store.CheckLayout(ctx); err != nil {
		closeStore()
		return nil, nil, err
	}
	return store, closeStore, nil
}

// owner names this process in post leases.
func owner() string {
	host, _ := os.Hostname()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}
