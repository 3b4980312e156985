package mattermost

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/gigabot/gigabot/bot"
)

// handled tells whether the post reached the bot, and how many times.
func (e *env) handled(p *model.Post) int {
	n := 0
	for _, ev := range e.rec.Events() {
		if ev.ID == postDelivery(p.Id) {
			n++
		}
	}
	return n
}

// answered returns the bot's posts in p's channel created after p.
func (e *env) answered(p *model.Post) []*model.Post {
	var out []*model.Post
	for _, q := range e.mm.botPosts(p.ChannelId) {
		if q.CreateAt > p.CreateAt {
			out = append(out, q)
		}
	}
	return out
}

// barrier sends the bot a direct message and waits until it is handled:
// everything the socket delivered before is handled too.
func (e *env) barrier() {
	e.t.Helper()
	p := e.mm.dm("zoe", "aide")
	eventually(e.t, "the barrier message", func() bool { return e.handled(p) == 1 })
}

func TestMessagesToTheBot(t *testing.T) {
	e := newEnv(t, newFake(t), nil)
	e.run()
	routes, colleges := e.mm.channel("equipe-routes"), e.mm.channel("equipe-colleges")
	thread := e.mm.say("dan", routes.Id, "Bonjour à tous", "")
	tests := []struct {
		name, user, channel, text, root string // channel "" sends a direct message
		want                            *bot.Event
		answer                          string
	}{
		{name: "mention in a campaign channel", user: "bob", channel: routes.Id, text: "@gigabot classement",
			want: &bot.Event{User: "bob", Channel: "equipe-routes", Text: "classement"}, answer: "Classement"},
		{name: "mention after the words", user: "emma", channel: colleges.Id, text: "classement @GigaBot",
			want: &bot.Event{User: "emma", Channel: "equipe-colleges", Text: "classement"}, answer: "Classement"},
		{name: "direct message", user: "carol", text: "moi",
			want: &bot.Event{User: "carol", Channel: "@carol", Text: "moi"}, answer: "carol"},
		{name: "mention in a thread", user: "alice", channel: routes.Id, text: "@gigabot programme", root: thread.Id,
			want: &bot.Event{User: "alice", Channel: "equipe-routes/" + thread.Id, Text: "programme"}, answer: "Programme"},
		{name: "no mention", user: "farid", channel: routes.Id, text: "classement"},
		{name: "another account whose name starts like the bot's", user: "gaby", channel: routes.Id, text: "@gigabot2 classement"},
		{name: "an address", user: "dg", channel: routes.Id, text: "écrivez à support@gigabot.fr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p *model.Post
			if tt.channel == "" {
				p = e.mm.dm(tt.user, tt.text)
			} else {
				p = e.mm.say(tt.user, tt.channel, tt.text, tt.root)
			}
			if tt.want == nil {
				e.barrier()
				if n := e.handled(p); n != 0 {
					t.Errorf("the post reached the bot %d times, want never", n)
				}
				return
			}
			eventually(t, "the command", func() bool { return e.handled(p) == 1 })
			for _, ev := range e.rec.Events() {
				if ev.ID == postDelivery(p.Id) && (ev.Kind != bot.MessageReceived || ev.User != tt.want.User ||
					ev.Channel != tt.want.Channel || ev.Text != tt.want.Text) {
					t.Errorf("event = %+v, want %+v", ev, *tt.want)
				}
			}
			eventually(t, "the answer", func() bool { return len(e.answered(p)) > 0 })
			answer := e.answered(p)[0]
			if !strings.Contains(answer.Message, tt.answer) || answer.RootId != tt.root {
				t.Errorf("answer = %q (root %q), want it to say %q in root %q", answer.Message, answer.RootId, tt.answer, tt.root)
			}
		})
	}
}

func TestReactionsCountInStore(t *testing.T) {
	e := newEnv(t, newFake(t), nil)
	e.run()
	defi := e.publishDefi()["equipe-routes"]
	reactions := func(user string, kind bot.EventKind) int {
		n := 0
		for _, ev := range e.rec.Events() {
			if ev.User == user && ev.Kind == kind && ev.PostID == defi.Id {
				n++
			}
		}
		return n
	}
	var aliceAdds *model.WebSocketEvent
	steps := []struct {
		name   string
		do     func()
		wait   func() bool
		counts int64
	}{
		{"alice reacts ✅", func() { aliceAdds = e.mm.react("alice", defi.Id, "white_check_mark", true) },
			func() bool { return reactions("alice", bot.ReactionAdded) == 1 }, 1},
		{"bob reacts with another emoji: it does not count", func() { e.mm.react("bob", defi.Id, "+1", true) },
			func() bool { return reactions("bob", bot.ReactionAdded) == 1 }, 1},
		{"the server sends alice's reaction again: handled once", func() { e.mm.resend(aliceAdds); e.barrier() },
			func() bool { return reactions("alice", bot.ReactionAdded) == 1 }, 1},
		{"carol reacts ✅", func() { e.mm.react("carol", defi.Id, "white_check_mark", true) },
			func() bool { return reactions("carol", bot.ReactionAdded) == 1 }, 2},
		{"alice takes hers back", func() { e.mm.react("alice", defi.Id, "white_check_mark", false) },
			func() bool { return reactions("alice", bot.ReactionRemoved) == 1 }, 1},
		{"alice reacts again: a new reaction, counted", func() { e.mm.react("alice", defi.Id, "white_check_mark", true) },
			func() bool { return reactions("alice", bot.ReactionAdded) == 2 }, 2},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			st.do()
			eventually(t, st.name, st.wait)
			if got := e.participations("routes"); got != st.counts {
				t.Errorf("routes has %d défis done, want %d", got, st.counts)
			}
		})
	}
}

func TestReconnectAfterDrop(t *testing.T) {
	counted := &reconnects{}
	e := newEnv(t, newFake(t), func(_ *Config, o *Options) { o.Reconnects = counted })
	e.run()
	if n := counted.n.Load(); n != 0 {
		t.Fatalf("%d reconnections counted on the first connection, want 0", n)
	}
	routes := e.mm.channel("equipe-routes")
	defi := e.publishDefi()["equipe-routes"]
	before := e.mm.say("alice", routes.Id, "@gigabot classement", "")
	e.mm.react("dan", defi.Id, "white_check_mark", true)
	eventually(t, "the events before the drop", func() bool {
		return e.handled(before) == 1 && len(e.answered(before)) == 1 && e.participations("routes") == 1
	})

	e.sleep.hold()
	e.mm.drop()
	eventually(t, "the adapter to notice", func() bool { return len(e.sleep.slept()) == 1 && e.mm.liveSockets() == 0 })
	// While the bot is away: a command, a direct message, a reaction added
	// and one taken back.
	missed := e.mm.say("bob", routes.Id, "@gigabot equipe", "")
	dm := e.mm.dm("emma", "moi")
	e.mm.react("carol", defi.Id, "white_check_mark", true)
	e.mm.react("dan", defi.Id, "white_check_mark", false)
	e.sleep.release()

	eventually(t, "the missed events", func() bool {
		return e.handled(missed) == 1 && e.handled(dm) == 1 && len(e.answered(missed)) == 1 && len(e.answered(dm)) == 1
	})
	eventually(t, "carol counted and dan not", func() bool { return e.participations("routes") == 1 })
	e.barrier()
	e.listening()
	if opened, _ := e.mm.counts(); opened != 2 {
		t.Errorf("%d sockets opened, want 2", opened)
	}
	if n := counted.n.Load(); n != 1 {
		t.Errorf("%d reconnections counted, want 1", n)
	}
	if n := e.handled(before); n != 1 {
		t.Errorf("the command before the drop was handled %d times, want once", n)
	}
	if got := countContaining(e.replies("equipe-routes"), "Classement"); got != 1 {
		t.Errorf("%d rankings posted, want 1", got)
	}
	days, err := e.store.AgentDays(context.Background(), "carol")
	if err != nil || len(days) != 1 {
		t.Errorf("carol's days = %v, %v; want day 1", days, err)
	}
	if days, _ := e.store.AgentDays(context.Background(), "dan"); len(days) != 0 {
		t.Errorf("dan's days = %v, want none: he took his reaction back", days)
	}
}

func TestReconnectAfterSilence(t *testing.T) {
	counted := &reconnects{}
	e := newEnv(t, newFake(t), func(_ *Config, o *Options) { o.Reconnects = counted })
	e.run()
	routes := e.mm.channel("equipe-routes")
	// The connection goes half-open: nothing comes through, and nothing says so.
	e.mm.silence()
	lostInSilence := e.mm.say("alice", routes.Id, "@gigabot classement", "")
	e.clock.Advance(e.a.pingEvery)
	eventually(t, "a ping", func() bool { _, pings := e.mm.counts(); return pings == 1 })
	e.clock.Advance(e.a.pingEvery)
	eventually(t, "the command said in the silence", func() bool {
		return e.handled(lostInSilence) == 1 && len(e.answered(lostInSilence)) == 1
	})
	if opened, _ := e.mm.counts(); opened != 2 {
		t.Errorf("%d sockets opened, want 2", opened)
	}
	if n := counted.n.Load(); n != 1 {
		t.Errorf("%d reconnections counted, want 1", n)
	}
	if waits := e.sleep.slept(); len(waits) != 1 || waits[0] < socketBackoff/2 || waits[0] > socketBackoff {
		t.Errorf("waits before reconnecting = %v, want one within [%v, %v]", waits, socketBackoff/2, socketBackoff)
	}
}

func TestStartupCatchUpAndReplicas(t *testing.T) {
	mm := newFake(t)
	one := newEnv(t, mm, nil)
	routes := mm.channel("equipe-routes")
	// Said while no bot runs.
	early := mm.say("alice", routes.Id, "@gigabot classement", "")
	one.run()
	eventually(t, "the command said before start-up", func() bool { return len(one.answered(early)) == 1 })

	two := newEnvOn(t, mm, one.store, func(_ *Config, o *Options) { o.Owner = "replica-2" })
	two.run()
	live := mm.say("bob", routes.Id, "@gigabot equipe", "")
	eventually(t, "the live command", func() bool { return len(one.answered(live)) == 1 })
	// Let both replicas drain their sockets.
	for range 2 {
		p := mm.dm("zoe", "aide")
		eventually(t, "a barrier message", func() bool { return one.handled(p)+two.handled(p) == 1 })
	}
	for _, p := range []*model.Post{early, live} {
		if n := one.handled(p) + two.handled(p); n != 1 {
			t.Errorf("%q handled %d times by the two replicas, want once", p.Message, n)
		}
	}
	if got := len(one.replies("equipe-routes")); got != 2 {
		t.Errorf("%d posts in equipe-routes, want 2 answers", got)
	}
}

func TestFailedEventIsHandledAgain(t *testing.T) {
	e := newEnv(t, newFake(t), nil)
	failed := false
	e.rec.SetFail(func(ev bot.Event) error {
		if ev.Text == "classement" && !failed {
			failed = true
			return errors.New("store unreachable")
		}
		return nil
	})
	e.run()
	p := e.mm.say("bob", e.mm.channel("equipe-routes").Id, "@gigabot classement", "")
	eventually(t, "the failed handling", func() bool { return e.handled(p) == 1 })
	if len(e.answered(p)) != 0 {
		t.Fatal("answered a failed command")
	}
	e.clock.Advance(e.a.pingEvery)
	eventually(t, "the second handling", func() bool { return e.handled(p) == 2 && len(e.answered(p)) == 1 })
}

// reconnects counts the reconnections the adapter reports as Mattermost's.
type reconnects struct{ n atomic.Int32 }

func (r *reconnects) Reconnect(platform string) {
	if platform == "mattermost" {
		r.n.Add(1)
	}
}
