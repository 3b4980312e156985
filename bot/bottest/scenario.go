package bottest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
)

// A Platform is a chat server, fake or real, that PlayDay drives: the
// campaign of ConfigYAML set up on it, its people acting, and what the bot
// posted there. People and teams go by the config's names (alice, bob,
// emma, gaby, coord, dg; routes, colleges, culture); the platform maps
// them to its own.
type Platform interface {
	// Config is ConfigYAML with the platform's names for channels and
	// people.
	Config() string
	// Connect connects a new adapter, as a starting "gigabot run" named
	// owner does, on store.
	Connect(t *testing.T, store *redis.Store, owner string) Adapter
	// Posts returns the bot's messages in a team's channel, oldest first.
	Posts(t *testing.T, team string) []Sent
	// Direct returns the bot's messages in its direct conversation with
	// person, oldest first.
	Direct(t *testing.T, person string) []Sent
	// React has person react to a post of a team's channel, with the
	// campaign's ✅ when check, with 👍 otherwise. undo takes the
	// reaction back.
	React(t *testing.T, person, team, postID string, check bool) (undo func())
	// Say has person write text to the bot in a team's channel,
	// mentioning it; Tell, in a direct message.
	Say(t *testing.T, person, team, text string)
	Tell(t *testing.T, person, text string)
	// Throttle has the server rate limit the bot's next requests (a 429
	// with a time to wait); met tells whether the bot has met one since.
	Throttle(t *testing.T) (met func() bool)
}

// Adapter is a connected chat adapter, what "gigabot run" wires.
type Adapter struct {
	Chat bot.Chat
	// Serve feeds the platform's events to h until ctx ends (for events
	// pushed over HTTP, it mounts the routes and waits).
	Serve func(ctx context.Context, h bot.Handler) error
	// Listening, when set, waits until Serve receives events.
	Listening func(t *testing.T)
}

// Sent is a message the bot posted.
type Sent struct {
	ID   string
	Text string
}

// PlayDay plays the first day of ConfigYAML's campaign on a platform, as
// "gigabot run" does (a core on the platform's adapter, Catchup at start
// and at the scheduled times) and checks that it behaves as on every
// other platform:
//
//   - the bot starts rate limited by the server: the défi still goes out,
//     once in each team's channel;
//   - ✅ counts, 👍 does not, a ✅ taken back is taken off;
//   - commands by mention and by direct message are answered, the DGS's
//     call to mobilisation reaches every team, an agent's is refused;
//   - the bot restarts while agents react and a coordinator asks: all of
//     it handled once when it is back, and no second défi;
//   - at 17:00 the recap goes out once in each team's channel.
func PlayDay(t *testing.T, p Platform) {
	run := NewRun(t, p)
	clock, cal := run.Clock, run.Calendar
	teams := []string{"routes", "colleges", "culture"}
	with := func(team, text string) []Sent { return containing(p.Posts(t, team), text) }

	// 09:30, the bot starts late and rate limited: the défi goes out once
	// in each channel all the same.
	met := p.Throttle(t)
	run.Start("replica-1")
	defi := map[string]string{}
	for _, team := range teams {
		Eventually(t, "the défi in "+team, func() bool { return len(with(team, "Défi du jour 1/15")) > 0 })
		defi[team] = with(team, "Défi du jour 1/15")[0].ID
	}
	if !met() {
		t.Error("the bot met no 429 at its start: the throttle did not work")
	}

	// ✅ counts, 👍 does not, a ✅ taken back is taken off.
	undoAlice := p.React(t, "alice", "routes", defi["routes"], true)
	undoBob := p.React(t, "bob", "routes", defi["routes"], true)
	p.React(t, "emma", "colleges", defi["colleges"], false)
	p.React(t, "gaby", "culture", defi["culture"], true)
	Eventually(t, "the ✅ counted", func() bool {
		return run.Participations("routes") == 2 && run.Participations("culture") == 1
	})
	undoBob()
	Eventually(t, "bob's ✅ taken back", func() bool { return run.Participations("routes") == 1 })
	if n := run.Participations("colleges"); n != 0 {
		t.Errorf("colleges: %d défis done after a 👍, want 0", n)
	}

	// Commands by mention and direct message; roles.
	p.Say(t, "alice", "routes", "classement")
	p.Say(t, "alice", "routes", "mobilisation Allez !")
	p.Tell(t, "dg", "mobilisation Tous au ménage !")
	Eventually(t, "the answers in routes", func() bool {
		return len(with("routes", "Classement aux points")) == 1 && len(with("routes", "est réservée")) == 1
	})
	for _, team := range teams {
		Eventually(t, "the DGS's call in "+team, func() bool { return len(with(team, "— Claire Martin")) == 1 })
	}
	Eventually(t, "the DGS's confirmation", func() bool { return len(containing(p.Direct(t, "dg"), "envoyé dans 3 canaux")) > 0 })

	// A restart, with reactions, one taken back, and a command made while
	// the bot is down: routes loses alice's ✅ and gains bob's.
	run.Stop()
	p.React(t, "emma", "colleges", defi["colleges"], true)
	p.React(t, "bob", "routes", defi["routes"], true)
	undoAlice()
	p.Say(t, "coord", "routes", "equipe culture")
	clock.Advance(2 * time.Minute)
	run.Start("replica-2")
	Eventually(t, "what happened meanwhile", func() bool {
		return run.Participations("colleges") == 1 && run.Participations("routes") == 1 &&
			len(with("routes", "Points par agent")) > 0
	})
	p.Say(t, "gaby", "culture", "aide") // after the restart: answered last
	Eventually(t, "the answer after the restart", func() bool { return len(with("culture", "cette aide")) > 0 })
	if cards := with("routes", "Points par agent"); len(cards) != 1 || !strings.Contains(cards[0].Text, "Culture et patrimoine") {
		t.Errorf("the command made while the bot was down was answered %v, want once, with culture's card", cards)
	}
	for _, team := range teams {
		if n := len(with(team, "Défi du jour 1/15")); n != 1 {
			t.Errorf("%d défis in %s after the restart, want 1", n, team)
		}
		if n := len(with(team, "— Claire Martin")); n != 1 {
			t.Errorf("the DGS's call is %d times in %s after the restart, want once", n, team)
		}
	}
	if ok := containing(p.Direct(t, "dg"), "envoyé dans 3 canaux"); len(ok) != 1 {
		t.Errorf("the DGS was told %v, want one confirmation", p.Direct(t, "dg"))
	}

	// 17:00: the recap, once in each channel, with the day's figures.
	clock.Advance(cal.At(1, challenges.ClockTime{Hour: 17}).Sub(clock.Now()))
	run.Catchup()
	run.Catchup()
	// Once all is quiet, who has done the défi: not alice (taken back
	// while the bot was down), bob (given meanwhile), emma, gaby, named as
	// the platform's config names them.
	member := func(team string, i int) string {
		tm, _ := run.cfg.Team(team)
		return tm.Members[i]
	}
	for agent, want := range map[string][]int{member("routes", 0): nil, member("routes", 1): {1}, member("colleges", 0): {1}, member("culture", 0): {1}} {
		days, err := run.Store.AgentDays(context.Background(), agent)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(days, want) {
			t.Errorf("%s: défis done on days %v, want %v", agent, days, want)
		}
	}
	for _, team := range teams {
		Eventually(t, "the recap in "+team, func() bool { return len(with(team, "Aujourd’hui, les équipes ont libéré")) > 0 })
		if n := len(with(team, "Aujourd’hui, les équipes ont libéré")); n != 1 {
			t.Errorf("%d recaps in %s, want 1: %v", n, team, with(team, "Aujourd’hui, les équipes ont libéré"))
		}
	}
	run.Stop()
}

// Run is a bot process on a platform, as "gigabot run" is, started and
// stopped on one store and one fake clock: PlayDay's, and a platform's
// own scenarios'.
type Run struct {
	// Store and Clock outlive the process's restarts; the clock starts at
	// 09:30 on the campaign's first day.
	Store    *redis.Store
	Clock    *clockwork.FakeClock
	Calendar *challenges.Calendar

	t      *testing.T
	p      Platform
	cfg    *challenges.Config
	bot    *bot.Bot
	cancel context.CancelFunc
	done   chan error
}

// NewRun prepares a bot process on the platform's config, not started.
func NewRun(t *testing.T, p Platform) *Run {
	t.Helper()
	cfg, err := challenges.Parse([]byte(p.Config()))
	if err != nil {
		t.Fatalf("the platform's config: %v", err)
	}
	cal, err := challenges.NewCalendar(cfg)
	if err != nil {
		t.Fatal(err)
	}
	store, _, _ := redistest.NewStore(t)
	clock := clockwork.NewFakeClockAt(cal.At(1, challenges.ClockTime{Hour: 9, Minute: 30}))
	return &Run{Store: store, Clock: clock, Calendar: cal, t: t, p: p, cfg: cfg}
}

// Replica returns another bot process on the same platform, store and
// clock, as a second replica of "gigabot run" is.
func (r *Run) Replica() *Run {
	return &Run{Store: r.Store, Clock: r.Clock, Calendar: r.Calendar, t: r.t, p: r.p, cfg: r.cfg}
}

// Start connects an adapter and a core, publishes what is due, serves the
// platform's events and reads the latest défi posts' reactions
// (bot.Bot.SettleDefis), as "gigabot run" starts.
func (r *Run) Start(owner string) {
	r.t.Helper()
	a := r.p.Connect(r.t, r.Store, owner)
	b, err := bot.New(context.Background(), bot.Options{
		Config: r.cfg, Calendar: r.Calendar, Store: r.Store, Chat: a.Chat, Clock: r.Clock, Owner: owner,
	})
	if err != nil {
		r.t.Fatalf("bot: %v", err)
	}
	if r.bot != nil {
		r.bot.Close()
	}
	r.bot = b
	r.Catchup()
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan error, 1)
	go func() { r.done <- a.Serve(ctx, b) }()
	r.t.Cleanup(r.Stop)
	if a.Listening != nil {
		a.Listening(r.t)
	}
	if _, err := b.SettleDefis(context.Background()); err != nil {
		r.t.Errorf("settle the défi posts: %v", err)
	}
}

// Catchup runs the scheduler's minute: what is due goes out.
func (r *Run) Catchup() {
	r.t.Helper()
	if err := r.bot.Catchup(context.Background()); err != nil {
		r.t.Errorf("catch up: %v", err)
	}
}

// Stop stops the event loop and waits for it; it does nothing once
// stopped.
func (r *Run) Stop() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	if err := <-r.done; err != nil {
		r.t.Errorf("serve: %v", err)
	}
}

// Participations returns a team's défis done, as the store counted them.
func (r *Run) Participations(team string) int64 {
	r.t.Helper()
	figs, err := r.Store.Figures(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	return figs[team].Participations
}

// containing returns the messages whose text contains s.
func containing(ms []Sent, s string) []Sent {
	var out []Sent
	for _, m := range ms {
		if strings.Contains(m.Text, s) {
			out = append(out, m)
		}
	}
	return out
}

// String names a message for failure output.
func (s Sent) String() string { return fmt.Sprintf("%s: %q", s.ID, s.Text) }
