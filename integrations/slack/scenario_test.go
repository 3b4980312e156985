package slack

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/internal/safebuf"
	"github.com/gigabot/gigabot/redis"
)

// TestPlayDay plays the day every platform plays (bottest.PlayDay) on the
// fake Slack, the adapter in HTTP mode: events are signed requests, and
// those the bot could not take while it was down are delivered again, as
// Slack does (X-Slack-Retry-Num), once it is back.
func TestPlayDay(t *testing.T) {
	bottest.PlayDay(t, newScenarioWorkspace(t))
}

// TestReactionsWhileDownForLong: Slack retries an event for about five
// minutes, so a ✅ given or taken back while no replica ran for longer
// never comes as an event. The adapter reads the reactions of the
// channels' latest défi posts when it starts, and the marks follow them.
func TestReactionsWhileDownForLong(t *testing.T) {
	w := newScenarioWorkspace(t)
	run := bottest.NewRun(t, w)
	marked := func(post string) []string {
		t.Helper()
		m, err := run.Store.Marked(context.Background(), post)
		if err != nil {
			t.Fatal(err)
		}
		return m[post]
	}

	run.Start("replica-1")
	defis := w.Posts(t, "routes")
	if len(defis) != 1 {
		t.Fatalf("posts in equipe-routes: %v, want the défi", defis)
	}
	defi := defis[0].ID
	post := postID(w.channel("routes"), defi)
	w.React(t, "alice", "routes", defi, true)
	bottest.Eventually(t, "alice's ✅ counted", func() bool { return slices.Equal(marked(post), []string{"alice"}) })
	run.Stop()

	// Hours without a replica: Slack gave up delivering these.
	w.slack.react(w.channel("routes"), defi, slackUser("alice"), "white_check_mark", false)
	w.slack.react(w.channel("routes"), defi, slackUser("bob"), "white_check_mark", true)
	w.slack.react(w.channel("routes"), defi, slackUser("carol"), "+1", true)
	run.Clock.Advance(3 * time.Hour)
	run.Start("replica-2")
	bottest.Eventually(t, "the marks settled: bob's ✅ counted, alice's taken back", func() bool {
		return slices.Equal(marked(post), []string{"bob"})
	})
	if n := len(w.slack.Requests("reactions.get")); n == 0 {
		t.Error("no reactions.get")
	}
}

// TestStartReadKeepsWhatTheOtherReplicaCounted: a replica that starts
// reads the défi posts' reactions; what the other replica counts after
// that read (a ✅ given, one taken back) stays as it counted it, however
// old the list the starting replica then settles with.
func TestStartReadKeepsWhatTheOtherReplicaCounted(t *testing.T) {
	w := newScenarioWorkspace(t)
	one := bottest.NewRun(t, w)
	one.Start("replica-1")
	defi := w.Posts(t, "routes")[0].ID
	post, channel := postID(w.channel("routes"), defi), w.channel("routes")
	w.React(t, "bob", "routes", defi, true)
	bottest.Eventually(t, "bob's ✅ counted", func() bool { return one.Participations("routes") == 1 })
	w.mu.Lock()
	first := w.current
	w.mu.Unlock()

	release := w.slack.hold("reactions.get")
	defer release()
	asked := len(w.slack.Requests("reactions.get"))
	one.Clock.Advance(time.Minute)
	two := one.Replica()
	started := make(chan struct{})
	go func() {
		defer close(started)
		two.Start("replica-2")
	}()
	bottest.Eventually(t, "replica-2 reading the reactions", func() bool { return len(w.slack.Requests("reactions.get")) > asked })
	// Slack answered with bob's ✅ and without alice; then alice gives one
	// and bob takes his back, both counted by replica-1.
	one.Clock.Advance(time.Second)
	for _, ev := range []struct{ kind, user string }{{"reaction_added", "alice"}, {"reaction_removed", "bob"}} {
		w.slack.react(channel, defi, slackUser(ev.user), "white_check_mark", ev.kind == "reaction_added")
		body := eventJSON("EvOther"+ev.user, reactionJSON(ev.kind, slackUser(ev.user), "white_check_mark", channel, defi))
		if rec := sendTo(first, "/slack/events", body, testSecret, time.Now()); rec.Code != http.StatusOK {
			t.Fatalf("replica-1 answered %d", rec.Code)
		}
	}
	marked := func() []string {
		m, err := one.Store.Marked(context.Background(), post)
		if err != nil {
			t.Fatal(err)
		}
		return m[post]
	}
	bottest.Eventually(t, "replica-1 counted both", func() bool { return slices.Equal(marked(), []string{"alice"}) })
	release()
	<-started
	two.Stop()
	one.Stop()
	if m := marked(); !slices.Equal(m, []string{"alice"}) {
		t.Errorf("marks = %v, want alice's alone: the list read before her ✅ and bob's removal must not undo them", m)
	}
}

// newScenarioWorkspace is the campaign's workspace: its three channels
// and everyone in the config.
func newScenarioWorkspace(t *testing.T) *scenarioWorkspace {
	f := newFakeSlack(t)
	f.channels = []fakeChannel{
		{ID: "C0ROUTES1", Name: "equipe-routes", Member: true},
		{ID: "C0COLLEGE", Name: "equipe-colleges"}, // public: the bot joins it
		{ID: "C0CULTURE", Name: "equipe-culture", Member: true},
	}
	for _, name := range []string{"alice", "bob", "carol", "dan", "emma", "farid", "gaby", "dg", "coord"} {
		f.users = append(f.users, fakeUser{ID: slackUser(name), Name: name, Display: strings.ToUpper(name[:1]) + name[1:]})
	}
	f.users = append(f.users, fakeUser{ID: "UBOT", Name: "gigabot", Bot: true})
	return &scenarioWorkspace{slack: f, time: newFakeTime()}
}

// slackUser is the user id of a person of the campaign, as long as
// Slack's (U0ALICE00).
func slackUser(name string) string {
	return strings.ReplaceAll(fmt.Sprintf("U0%-7s", strings.ToUpper(name)), " ", "0")
}

// scenarioWorkspace is the fake Slack as a bottest.Platform.
type scenarioWorkspace struct {
	slack *fakeSlack
	time  *fakeTime
	logs  safebuf.Buffer
	// showLogs has the logs shown once when the test fails.
	showLogs sync.Once

	mu      sync.Mutex
	current http.Handler // the running adapter's routes; nil while down
	queued  []queuedEvent
	events  int
}

// queuedEvent is an event the bot did not take, for Slack to deliver again.
type queuedEvent struct {
	body    string
	retries int
}

func (w *scenarioWorkspace) Config() string { return bottest.ConfigYAML }

func (w *scenarioWorkspace) Connect(t *testing.T, store *redis.Store, owner string) bottest.Adapter {
	w.showLogs.Do(func() {
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("the adapters' logs:\n%s", w.logs.String())
			}
		})
	})
	cfg, err := challenges.Parse([]byte(w.Config()))
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(context.Background(), Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: w.slack.apiURL()}, Options{
		Roster: bot.NewRoster(cfg), Deliveries: store, Owner: owner, HTTPClient: w.slack.srv.Client(),
		Logger: slog.New(slog.NewTextHandler(&w.logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Clock: w.time, Sleep: w.time.Sleep,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return bottest.Adapter{
		Chat: a,
		Serve: func(ctx context.Context, h bot.Handler) error {
			mux := http.NewServeMux()
			a.Mount(mux, h)
			w.mu.Lock()
			w.current = mux
			again := w.queued
			w.queued = nil
			w.mu.Unlock()
			for _, q := range again {
				w.deliver(q)
			}
			defer func() {
				w.mu.Lock()
				w.current = nil
				w.mu.Unlock()
			}()
			return a.Run(ctx, h)
		},
		Listening: func(t *testing.T) {
			bottest.Eventually(t, "the adapter's routes", func() bool {
				w.mu.Lock()
				defer w.mu.Unlock()
				return w.current != nil
			})
		},
	}
}

// event sends an Events API event with a new event id.
func (w *scenarioWorkspace) event(inner string) {
	w.mu.Lock()
	w.events++
	id := fmt.Sprintf("EvPlay%03d", w.events)
	w.mu.Unlock()
	w.deliver(queuedEvent{body: eventJSON(id, inner)})
}

// deliver sends an event to the running bot; one it does not take (down,
// or shutting down) is kept for the next start, at most three retries as
// Slack makes.
func (w *scenarioWorkspace) deliver(q queuedEvent) {
	w.mu.Lock()
	h := w.current
	w.mu.Unlock()
	if h != nil {
		var header []string
		if q.retries > 0 {
			header = []string{"X-Slack-Retry-Num", fmt.Sprint(q.retries), "X-Slack-Retry-Reason", "http_error"}
		}
		if rec := sendTo(h, "/slack/events", q.body, testSecret, time.Now(), header...); rec.Code == http.StatusOK {
			return
		}
	}
	if q.retries < 3 {
		q.retries++
		w.mu.Lock()
		w.queued = append(w.queued, q)
		w.mu.Unlock()
	}
}

func (w *scenarioWorkspace) channel(team string) string {
	for _, c := range w.slack.channels {
		if c.Name == "equipe-"+team {
			return c.ID
		}
	}
	panic("no channel for team " + team)
}

// messages returns the bot's messages in a channel, with their blocks'
// text.
func (w *scenarioWorkspace) messages(channel string) []bottest.Sent {
	var out []bottest.Sent
	for _, p := range w.slack.Posts() {
		if p.Method == "chat.postMessage" && p.Channel == channel {
			out = append(out, bottest.Sent{ID: p.TS, Text: p.Text + "\n" + strings.Join(shapeJSON(p.Blocks), "\n")})
		}
	}
	return out
}

func (w *scenarioWorkspace) Posts(_ *testing.T, team string) []bottest.Sent {
	return w.messages(w.channel(team))
}

// im is a person's direct conversation with the app (conversations.open
// gives the same).
func im(person string) string { return "D" + strings.TrimPrefix(slackUser(person), "U") }

func (w *scenarioWorkspace) Direct(_ *testing.T, person string) []bottest.Sent {
	return w.messages(im(person))
}

func (w *scenarioWorkspace) React(_ *testing.T, person, team, postID string, check bool) func() {
	emoji := "+1"
	if check {
		emoji = "white_check_mark"
	}
	user, channel := slackUser(person), w.channel(team)
	w.slack.react(channel, postID, user, emoji, true)
	w.event(reactionJSON("reaction_added", user, emoji, channel, postID))
	return func() {
		w.slack.react(channel, postID, user, emoji, false)
		w.event(reactionJSON("reaction_removed", user, emoji, channel, postID))
	}
}

func (w *scenarioWorkspace) Say(_ *testing.T, person, team, text string) {
	w.event(mentionJSON(slackUser(person), w.channel(team), "<@UBOT> "+text))
}

func (w *scenarioWorkspace) Tell(_ *testing.T, person, text string) {
	w.event(imJSON(slackUser(person), im(person), text))
}

// Throttle answers the next two chat.postMessage 429 with Retry-After.
func (w *scenarioWorkspace) Throttle(*testing.T) func() bool {
	w.slack.fail("chat.postMessage", fakeFailure{Status: http.StatusTooManyRequests, RetryAfter: "2"}, fakeFailure{Status: http.StatusTooManyRequests, RetryAfter: "2"})
	return func() bool {
		w.slack.mu.Lock()
		defer w.slack.mu.Unlock()
		return len(w.slack.failures["chat.postMessage"]) == 0
	}
}
