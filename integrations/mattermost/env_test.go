package mattermost

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/mattermost/mattermost/server/public/model"
	"go.uber.org/goleak"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/internal/safebuf"
	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const commandToken = "command-token-secret"

// sleeper records the adapter's waits instead of waiting; hold makes the
// next waits block until release.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
	gate  chan struct{}
}

func (s *sleeper) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	gate := s.gate
	s.mu.Unlock()
	if gate == nil {
		return ctx.Err()
	}
	select {
	case <-gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *sleeper) hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate = make(chan struct{})
}

func (s *sleeper) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.gate)
	s.gate = nil
}

func (s *sleeper) slept() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// env is the whole stack: the fake server, the adapter, the bot core on a
// test store, and the bot's HTTP server with the adapter's routes.
type env struct {
	t        *testing.T
	mm       *fakeMM
	a        *Adapter
	store    *redis.Store
	bot      *bot.Bot
	rec      *bottest.Handler // hands events and clicks on to bot
	clock    *clockwork.FakeClock
	botClock *clockwork.FakeClock
	sleep    *sleeper
	web      *httptest.Server
	logs     *safebuf.Buffer
	http     *http.Client
}

// newFake returns a server with the campaign's accounts and channels:
// equipe-routes (public, the bot is in it), equipe-colleges (public, the
// bot is not in it yet), equipe-culture (private, the bot is in it), and
// zoe, who is in no team.
func newFake(t *testing.T) *fakeMM {
	mm := newFakeMM(t, true)
	for _, name := range []string{"alice", "bob", "carol", "dan", "emma", "farid", "gaby", "dg", "coord", "zoe"} {
		mm.addUser(name)
	}
	mm.addChannel("equipe-routes", model.ChannelTypeOpen, true)
	mm.addChannel("equipe-colleges", model.ChannelTypeOpen, false)
	mm.addChannel("equipe-culture", model.ChannelTypePrivate, true)
	mm.addChannel("town-square", model.ChannelTypeOpen, true)
	return mm
}

// newEnv builds and connects the stack on a new store; tune adjusts the
// adapter's configuration and options before New.
func newEnv(t *testing.T, mm *fakeMM, tune func(*Config, *Options)) *env {
	t.Helper()
	store, _, _ := redistest.NewStore(t)
	return newEnvOn(t, mm, store, tune)
}

// newEnvOn builds and connects the stack on a given store, as another
// replica of the bot would run.
func newEnvOn(t *testing.T, mm *fakeMM, store *redis.Store, tune func(*Config, *Options)) *env {
	t.Helper()
	cfg, err := challenges.Parse([]byte(bottest.ConfigYAML))
	if err != nil {
		t.Fatal(err)
	}
	cal, err := challenges.NewCalendar(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	web := httptest.NewServer(mux)
	t.Cleanup(web.Close)
	e := &env{
		t: t, mm: mm, store: store, web: web, logs: &safebuf.Buffer{}, sleep: &sleeper{},
		clock:    clockwork.NewFakeClockAt(time.UnixMilli(mm.now)),
		botClock: clockwork.NewFakeClockAt(cal.At(1, challenges.ClockTime{Hour: 9, Minute: 30})),
		http:     &http.Client{Timeout: 10 * time.Second},
	}
	t.Cleanup(e.http.CloseIdleConnections)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("adapter's log:\n%s", e.logs)
		}
	})
	t.Cleanup(func() {
		for _, secret := range []string{mm.token, commandToken} {
			if strings.Contains(e.logs.String(), secret) {
				t.Errorf("a secret was logged:\n%s", e.logs.String())
			}
		}
	})
	conf := Config{URL: mm.srv.URL, Token: mm.token, Team: fakeTeam, CommandToken: commandToken, PublicURL: web.URL}
	opts := Options{
		Roster: bot.NewRoster(cfg), Deliveries: store, Owner: "replica-1", Clock: e.clock, Sleep: e.sleep.Sleep,
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Random: func() float64 { return 0.5 }, HTTPClient: e.http, PingInterval: 30 * time.Second,
	}
	if tune != nil {
		tune(&conf, &opts)
	}
	e.a, err = New(conf, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err = e.a.Connect(context.Background()); err != nil {
		t.Fatalf("connect: %v", err)
	}
	e.bot, err = bot.New(context.Background(), bot.Options{
		Config: cfg, Calendar: cal, Store: store, Chat: e.a, Clock: e.botClock, Owner: opts.Owner,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.rec = &bottest.Handler{Next: e.bot}
	mux.Handle("POST "+CommandPath, e.a.CommandHandler(e.rec))
	mux.Handle("POST "+ActionPath, e.a.ActionHandler(e.rec))
	return e
}

// run starts the adapter's event loop, until the test ends, and waits
// until it listens.
func (e *env) run() {
	e.t.Helper()
	e.t.Cleanup(e.start())
}

// start starts the adapter's event loop and waits until it listens; stop
// ends it.
func (e *env) start() (stop func()) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.a.Run(ctx, e.rec) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				e.t.Errorf("Run: %v", err)
			}
		})
	}
	e.listening()
	return stop
}

// listening waits until the adapter has caught up and pings its socket.
func (e *env) listening() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.clock.BlockUntilContext(ctx, 1); err != nil {
		e.t.Fatalf("the adapter never listened: %v", err)
	}
}

// publishDefi has the bot post the day's défi in every team channel and
// returns the posts by channel name.
func (e *env) publishDefi() map[string]*model.Post {
	e.t.Helper()
	if err := e.bot.Catchup(context.Background()); err != nil {
		e.t.Fatalf("catch up: %v", err)
	}
	out := map[string]*model.Post{}
	for _, name := range []string{"equipe-routes", "equipe-colleges", "equipe-culture"} {
		posts := e.mm.botPosts(e.mm.channel(name).Id)
		if len(posts) == 0 {
			e.t.Fatalf("no défi in %s", name)
		}
		out[name] = posts[len(posts)-1]
	}
	return out
}

// participations returns a team's count of défis done.
func (e *env) participations(team string) int64 {
	e.t.Helper()
	figs, err := e.store.Figures(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return figs[team].Participations
}

// replies returns the messages of the bot's posts in a channel.
func (e *env) replies(channel string) []string {
	var out []string
	for _, p := range e.mm.botPosts(e.mm.channel(channel).Id) {
		out = append(out, p.Message)
	}
	return out
}

// eventually waits for cond, failing after a timeout generous enough for
// the slowest machine: it checks that something happens, not how fast.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// countContaining counts the strings that contain sub.
func countContaining(list []string, sub string) int {
	n := 0
	for _, s := range list {
		if strings.Contains(s, sub) {
			n++
		}
	}
	return n
}
