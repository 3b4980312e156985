package bot_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/internal/safebuf"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

// outage is a bot whose store reaches Redis through a link the test cuts
// and restores (redistest.Link), and whose retries wait on the test.
type outage struct {
	*bottest.Env
	link *redistest.Link
	logs *safebuf.Buffer
	// slept receives each wait of the retry queue; the queue then waits
	// for wake, after the fake clock moved by that wait.
	slept chan time.Duration
	wake  chan struct{}
}

func newOutage(t *testing.T, at time.Time, opts ...func(*bot.Options)) *outage {
	t.Helper()
	cfg, err := challenges.Parse([]byte(bottest.ConfigYAML))
	if err != nil {
		t.Fatal(err)
	}
	cal, err := challenges.NewCalendar(cfg)
	if err != nil {
		t.Fatal(err)
	}
	store, link := redistest.NewLinkedStore(t)
	o := &outage{
		Env:  &bottest.Env{Chat: &bottest.Chat{}, Clock: clockwork.NewFakeClockAt(at), Store: store, Config: cfg, Calendar: cal},
		link: link, logs: &safebuf.Buffer{}, slept: make(chan time.Duration), wake: make(chan struct{}),
	}
	options := bot.Options{
		Config: cfg, Calendar: cal, Store: store, Chat: o.Chat, Clock: o.Clock, Owner: "replica-1",
		Logger: slog.New(slog.NewTextHandler(o.logs, nil)),
		Sleep: func(ctx context.Context, d time.Duration) error {
			select {
			case o.slept <- d:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case <-o.wake:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
	}
	for _, f := range opts {
		f(&options)
	}
	if o.Bot, err = bot.New(context.Background(), options); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(o.Bot.Close)
	return o
}

// next waits for the retry queue to sleep, moves the clock by that wait
// and returns it, leaving the queue asleep until release.
func (o *outage) next(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-o.slept:
		o.Clock.Advance(d)
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("the retry queue never waited")
		return 0
	}
}

func (o *outage) release() { o.wake <- struct{}{} }

func (o *outage) react(t *testing.T, user, post string, add bool) error {
	t.Helper()
	kind := bot.ReactionAdded
	if !add {
		kind = bot.ReactionRemoved
	}
	return o.Bot.Handle(context.Background(), bot.Event{Kind: kind, User: user, Reaction: "white_check_mark", PostID: post})
}

func (o *outage) restore(t *testing.T) {
	t.Helper()
	if err := o.link.Restore(); err != nil {
		t.Fatal(err)
	}
	redistest.WaitUp(t, o.Store)
}

// days returns the campaign days an agent is counted for.
func (o *outage) days(t *testing.T, agent string) []int {
	t.Helper()
	d, err := o.Store.AgentDays(context.Background(), agent)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Reactions made while Redis is down wait for it and count once it is
// back: in the order they were made (bob's ✅ taken back stays taken
// back), once each, at the time they were made, after waits that double.
func TestReactionsDuringAnOutageCountOnceRedisIsBack(t *testing.T) {
	arrived := mustDay(t, 2, 10)
	o := newOutage(t, arrived)
	ctx := context.Background()
	if err := o.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	post := o.DefiPost(t, "equipe-routes", 2)
	o.link.Cut()
	for _, r := range []struct {
		user string
		add  bool
	}{{"alice", true}, {"bob", true}, {"bob", false}, {"carol", true}, {"alice", true}} {
		if err := o.react(t, r.user, post, r.add); err != nil {
			t.Fatalf("%s's reaction during the outage: %v (want it queued)", r.user, err)
		}
	}
	if d := o.next(t); d != time.Second {
		t.Errorf("first wait %s, want 1s", d)
	}
	o.release() // Redis is still down: the first try fails
	if d := o.next(t); d != 2*time.Second {
		t.Errorf("second wait %s, want 2s", d)
	}
	o.restore(t)
	o.release()
	bottest.Eventually(t, "the five queued reactions to be handled", func() bool {
		return strings.Count(o.logs.String(), "store back: a queued event was counted") == 5
	})
	if figs, err := o.Store.Figures(ctx); err != nil || figs["routes"].Participations != 2 {
		t.Errorf("routes: %+v (%v), want 2 défis done", figs["routes"], err)
	}
	if a, b, c := o.days(t, "alice"), o.days(t, "bob"), o.days(t, "carol"); !slices.Equal(a, []int{2}) || len(b) != 0 || !slices.Equal(c, []int{2}) {
		t.Errorf("days of alice %v, bob %v, carol %v; want [2], [], [2]", a, b, c)
	}
	recs, err := o.Store.Audit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var marks []string
	for _, r := range recs {
		if p, ok := r.Event.(scoring.Participation); ok {
			marks = append(marks, p.Agent)
			if !p.At.Equal(arrived) {
				t.Errorf("%s's défi logged at %s, want the time of the reaction, %s", p.Agent, p.At, arrived)
			}
		}
	}
	if want := []string{"alice", "bob", "bob", "carol"}; !slices.Equal(marks, want) {
		t.Errorf("the log holds the marks of %q, want %q (in order, alice's second one changing nothing)", marks, want)
	}
	if err := o.react(t, "dan", post, true); err != nil || !slices.Equal(o.days(t, "dan"), []int{2}) {
		t.Errorf("after the outage, a reaction counts at once: %v, days %v", err, o.days(t, "dan"))
	}
}

// The queue waits for an hour, at most 30 s between two tries, then drops
// what waited that long, saying so in the log; and it holds RetryQueue
// reactions at most.
func TestOutageQueueIsBounded(t *testing.T) {
	t.Run("in time", func(t *testing.T) {
		o := newOutage(t, mustDay(t, 2, 10))
		if err := o.Bot.Catchup(context.Background()); err != nil {
			t.Fatal(err)
		}
		post := o.DefiPost(t, "equipe-routes", 2)
		o.link.Cut()
		if err := o.react(t, "alice", post, true); err != nil {
			t.Fatal(err)
		}
		var waits []time.Duration
		var total time.Duration
		for total < time.Hour {
			d := o.next(t)
			waits = append(waits, d)
			total += d
			o.release()
		}
		if want := []time.Duration{1e9, 2e9, 4e9, 8e9, 16e9, 30e9, 30e9}; !slices.Equal(waits[:len(want)], want) {
			t.Errorf("waits %v, want %v then 30s", waits, want)
		}
		bottest.Eventually(t, "the reaction to be dropped", func() bool {
			return strings.Contains(o.logs.String(), "queued event dropped: the store stayed unreachable for 1h0m0s") &&
				strings.Contains(o.logs.String(), "user=alice")
		})
		o.restore(t)
		if d := o.days(t, "alice"); len(d) != 0 {
			t.Errorf("a reaction dropped after an hour counted: days %v", d)
		}
		if err := o.react(t, "bob", post, true); err != nil || !slices.Equal(o.days(t, "bob"), []int{2}) {
			t.Errorf("after the outage, a reaction counts at once: %v, days %v", err, o.days(t, "bob"))
		}
	})
	t.Run("in number", func(t *testing.T) {
		o := newOutage(t, mustDay(t, 2, 10), func(opts *bot.Options) { opts.RetryQueue = 2 })
		if err := o.Bot.Catchup(context.Background()); err != nil {
			t.Fatal(err)
		}
		post := o.DefiPost(t, "equipe-routes", 2)
		o.link.Cut()
		for _, user := range []string{"alice", "bob"} {
			if err := o.react(t, user, post, true); err != nil {
				t.Fatal(err)
			}
		}
		if err := o.react(t, "carol", post, true); err == nil || !strings.Contains(err.Error(), "2 events already wait") {
			t.Errorf("a third reaction with room for two: %v, want it refused", err)
		}
		o.next(t)
		o.restore(t)
		o.release()
		bottest.Eventually(t, "the queue to be counted", func() bool { return len(o.days(t, "bob")) == 1 })
		if a, c := o.days(t, "alice"), o.days(t, "carol"); len(a) != 1 || len(c) != 0 {
			t.Errorf("days of alice %v, carol %v; want [2], []", a, c)
		}
	})
	t.Run("until the bot stops", func(t *testing.T) {
		o := newOutage(t, mustDay(t, 2, 10))
		if err := o.Bot.Catchup(context.Background()); err != nil {
			t.Fatal(err)
		}
		post := o.DefiPost(t, "equipe-routes", 2)
		o.link.Cut()
		if err := o.react(t, "alice", post, true); err != nil {
			t.Fatal(err)
		}
		o.next(t)
		o.Bot.Close()
		if !strings.Contains(o.logs.String(), "queued event dropped: the bot stopped before the store came back") {
			t.Errorf("a reaction lost at shutdown is not logged:\n%s", o.logs.String())
		}
	})
}

// A command while Redis is down is not run, and its author is told so and
// asked to try again: commands are not queued (see bot.apologise).
func TestCommandDuringAnOutageIsAnswered(t *testing.T) {
	o := newOutage(t, mustDay(t, 2, 10))
	o.link.Cut()
	err := o.Bot.Handle(context.Background(), bot.Event{Kind: bot.MessageReceived, User: "coord", Channel: "general", Text: "correction routes 10 atelier"})
	if err == nil {
		t.Error("the failure is not returned for the logs")
	}
	posts := o.Chat.Posts()
	if len(posts) != 1 || !strings.Contains(posts[0].Msg.Text, "je n’arrive pas à joindre la base des scores pour l’instant\u00a0: je n’ai pas exécuté votre commande. Réessayez dans quelques minutes.") {
		t.Fatalf("answer during the outage:\n%s", bottest.Texts(posts))
	}
	o.restore(t)
	figs, err := o.Store.Figures(context.Background())
	if err != nil || figs["routes"].Corrections != 0 {
		t.Errorf("the command ran later after all: %v, %+v", err, figs["routes"])
	}
}
