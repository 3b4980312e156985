package matrix_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/integrations/matrix"
	"github.com/gigabot/gigabot/integrations/matrix/matrixtest"
	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
)

// people is a campaign's cast on the test homeserver.
type people struct {
	srv                *matrixtest.Server
	gigabot, coord, dg *matrixtest.User
	alice, bob         *matrixtest.User
	routes, routesName string // the room's id and the name the roster gives it
	store              *redis.Store
	roster             bot.Roster
	waits              *waits
}

// waits records the adapter's sleeps (and sleeps them).
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.d)
}

func newPeople(t *testing.T) *people {
	s := matrixtest.Start(t)
	p := &people{srv: s, waits: &waits{}}
	p.gigabot = s.Register(t, "gigabot", false) // rate limited, as a real bot account is
	p.coord = s.Register(t, "coord", true)
	p.dg = s.Register(t, "dg", true)
	p.alice = s.Register(t, "alice", true)
	p.bob = s.Register(t, "bob", true)
	p.routesName = "equipe-routes-" + s.Suffix
	p.routes = p.coord.CreateRoom(p.routesName)
	p.alice.Join(p.routes)
	p.bob.Join(p.routes)
	p.store, _, _ = redistest.NewStore(t)
	p.roster = bot.Roster{
		Teams: []bot.RosterTeam{{ID: "routes", Channel: p.routesName, Members: []string{p.alice.Localpart, p.bob.ID}}},
		DGS:   []string{p.dg.Localpart}, Coordinators: []string{p.coord.ID},
		Reaction: "white_check_mark", Language: "fr",
	}
	return p
}

func (p *people) adapter(t *testing.T, owner string, timeline int) *matrix.Adapter {
	a, err := matrix.New(matrix.Config{HomeserverURL: p.srv.URL, UserID: p.gigabot.ID, AccessToken: p.gigabot.Token}, matrix.Options{
		Roster: p.roster, Deliveries: p.store, Memory: p.store, Owner: owner, Sleep: p.waits.sleep, TimelineLimit: timeline,
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})), SyncTimeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// run runs an adapter until the returned function stops it.
func run(t *testing.T, a *matrix.Adapter, h bot.Handler) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, h) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// eventsOf returns the handled events of a kind.
func eventsOf(h *bottest.Handler, kind bot.EventKind) []bot.Event {
	var out []bot.Event
	for _, ev := range h.Handled() {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

// TestOnDendrite runs the adapter against a real homeserver: rooms found
// by their alias and joined, idempotent posts rendered as HTML, reactions
// and their redactions, commands by mention, pill and direct message,
// invitations, the server's own rate limiter, and a restart with events
// made meanwhile.
func TestOnDendrite(t *testing.T) {
	p := newPeople(t)
	ctx := t.Context()
	a := p.adapter(t, "replica-1", 0)
	rep, err := a.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Rooms, []string{p.routesName}) || !slices.Equal(rep.Joined, []string{p.routesName}) || len(rep.Problems) > 0 {
		t.Fatalf("Connect = %+v, want the routes room found and joined", rep)
	}
	h := &bottest.Handler{}
	stop := run(t, a, h)

	msg := bot.Message{Kind: bot.KindDefi, Key: "defi:1:routes", Reaction: "white_check_mark",
		Text: "🗂️ *Défi du jour 1/15 : Le tri* ⏎\n1. Ouvrez `Boîte de réception` & <triez>\n_Astuce_ : white_check_mark"}
	defi, err := a.Post(ctx, p.routesName, msg)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a post sent again under its ledger key is the same event", func(t *testing.T) {
		again, err := a.Post(ctx, p.routesName, msg)
		if err != nil || again != defi {
			t.Fatalf("Post again = %q, %v; want %q", again, err, defi)
		}
		// The server's read side follows its write side: a later post
		// seen means the earlier ones would be too.
		if _, err := a.Post(ctx, p.routesName, bot.Message{Kind: bot.KindAnnouncement, Key: "marker", Text: "repère"}); err != nil {
			t.Fatal(err)
		}
		matrixtest.Eventually(t, "the marker", func() bool {
			return len(matrixtest.Containing(p.alice.From(p.routes, p.gigabot.ID), "repère")) == 1
		})
		posts := matrixtest.Containing(p.alice.From(p.routes, p.gigabot.ID), "Défi du jour")
		if len(posts) != 1 {
			t.Fatalf("%d défis in the room, want 1: %+v", len(posts), posts)
		}
		got := posts[0]
		wantHTML := "🗂️ <strong>Défi du jour 1/15 : Le tri</strong> ⏎<br>1. Ouvrez <code>Boîte de réception</code> &amp; &lt;triez&gt;<br><em>Astuce</em> : white_check_mark"
		if got.HTML != wantHTML || got.Body != "🗂️ Défi du jour 1/15 : Le tri ⏎\n1. Ouvrez `Boîte de réception` & <triez>\nAstuce : white_check_mark" {
			t.Errorf("posted\n body %q\n html %q\nwant html %q", got.Body, got.HTML, wantHTML)
		}
		if got.MsgType != "m.text" || !got.MentionsSet || got.Room {
			t.Errorf("msgtype %q, m.mentions set %v, @room %v; want m.text with an empty m.mentions", got.MsgType, got.MentionsSet, got.Room)
		}
	})

	t.Run("reactions and their redactions", func(t *testing.T) {
		r := p.alice.React(p.routes, defi, "✅")
		p.bob.React(p.routes, defi, "✅\ufe0f")
		// A reaction redacted before the bot saw it reaches it redacted,
		// and counts neither way: wait for it to be seen first.
		matrixtest.Eventually(t, "the reactions", func() bool { return len(eventsOf(h, bot.ReactionAdded)) == 2 })
		p.alice.Redact(p.routes, r)
		matrixtest.Eventually(t, "the reactions and the redaction", func() bool {
			return len(eventsOf(h, bot.ReactionAdded)) == 2 && len(eventsOf(h, bot.ReactionRemoved)) == 1
		})
		added, removed := eventsOf(h, bot.ReactionAdded), eventsOf(h, bot.ReactionRemoved)
		want := []bot.Event{
			{Kind: bot.ReactionAdded, User: p.alice.Localpart, Channel: p.routesName, PostID: defi, Reaction: "white_check_mark"},
			{Kind: bot.ReactionAdded, User: p.bob.ID, Channel: p.routesName, PostID: defi, Reaction: "white_check_mark"},
			{Kind: bot.ReactionRemoved, User: p.alice.Localpart, Channel: p.routesName, PostID: defi, Reaction: "white_check_mark"},
		}
		for i, ev := range append(added, removed...) {
			ev.ID = ""
			if fmt.Sprint(ev) != fmt.Sprint(want[i]) {
				t.Errorf("event %d = %+v, want %+v", i, ev, want[i])
			}
		}
	})

	t.Run("commands by mention, pill and direct message", func(t *testing.T) {
		p.alice.Say(p.routes, "bonjour à tous") // not addressed to the bot
		p.alice.Say(p.routes, p.gigabot.Localpart+": classement")
		p.bob.Mention(p.routes, p.gigabot.ID, "Gigabot", "équipe")
		dm := p.coord.DirectMessage(p.gigabot.ID)
		matrixtest.Eventually(t, "the bot in the direct message", func() bool { return len(p.coord.Members(dm)) == 2 })
		p.coord.Say(dm, "export")
		matrixtest.Eventually(t, "three commands", func() bool { return len(eventsOf(h, bot.MessageReceived)) >= 3 })
		got := eventsOf(h, bot.MessageReceived)
		want := []bot.Event{
			{User: p.alice.Localpart, Channel: p.routesName, Text: "classement"},
			{User: p.bob.ID, Channel: p.routesName, Text: "équipe"},
			{User: p.coord.ID, Channel: dm, Text: "export"},
		}
		if len(got) != len(want) {
			t.Fatalf("%d commands, want %d: %+v", len(got), len(want), got)
		}
		for i, ev := range got {
			if ev.User != want[i].User || ev.Channel != want[i].Channel || ev.Text != want[i].Text {
				t.Errorf("command %d = %+v, want %+v", i, ev, want[i])
			}
		}
		if _, err := a.Post(ctx, dm, bot.Message{Kind: bot.KindReply, Text: "voici"}); err != nil {
			t.Fatal(err)
		}
		matrixtest.Eventually(t, "the answer in the direct message", func() bool { return len(p.coord.From(dm, p.gigabot.ID)) > 0 })
		if posts := p.coord.From(dm, p.gigabot.ID); len(posts) != 1 || posts[0].MsgType != "m.notice" {
			t.Errorf("the answer in the direct message = %+v, want one notice", posts)
		}
	})

	t.Run("invitations: a direct message from anyone, a room from a coordinator only", func(t *testing.T) {
		byAgent := p.alice.CreatePrivateRoom(p.gigabot.ID)
		byCoord := p.coord.CreatePrivateRoom(p.gigabot.ID)
		matrixtest.Eventually(t, "the coordinator's room joined", func() bool { return len(p.coord.Members(byCoord)) == 2 })
		matrixtest.Eventually(t, "the agent's invitation declined", func() bool { return p.alice.Membership(byAgent, p.gigabot.ID) == "leave" })
	})

	t.Run("a restart handles what happened meanwhile, once, however many", func(t *testing.T) {
		stop()
		p.alice.React(p.routes, defi, "✅")
		p.bob.Redact(p.routes, p.bob.React(p.routes, defi, "✅")) // made and taken back while down: nothing
		p.alice.Say(p.routes, p.gigabot.Localpart+": moi")
		// Two events a room per sync: the server cuts the timeline, and
		// the adapter fetches the rest with /messages.
		b := p.adapter(t, "replica-2", 2)
		if _, err := b.Connect(ctx); err != nil {
			t.Fatal(err)
		}
		h2 := &bottest.Handler{}
		run(t, b, h2)
		p.bob.Say(p.routes, p.gigabot.Localpart+": aide") // after the restart: the last event
		matrixtest.Eventually(t, "the last command", func() bool {
			cmds := eventsOf(h2, bot.MessageReceived)
			return len(cmds) > 0 && cmds[len(cmds)-1].Text == "aide"
		})
		var got []string
		for _, ev := range h2.Handled() {
			got = append(got, fmt.Sprintf("%d %s %s", ev.Kind, ev.User, ev.Text))
		}
		want := []string{
			fmt.Sprintf("%d %s ", bot.ReactionAdded, p.alice.Localpart),
			fmt.Sprintf("%d %s moi", bot.MessageReceived, p.alice.Localpart),
			fmt.Sprintf("%d %s aide", bot.MessageReceived, p.bob.ID),
		}
		if !slices.Equal(got, want) {
			t.Errorf("after the restart the adapter handed on\n%q\nwant\n%q", got, want)
		}
	})
}

// TestEncryptedRoomRefused: a campaign room with end-to-end encryption
// stops the start-up, naming the room.
func TestEncryptedRoomRefused(t *testing.T) {
	p := newPeople(t)
	secret := "equipe-secret-" + p.srv.Suffix
	p.coord.CreateEncryptedRoom(secret)
	p.roster.Teams = append(p.roster.Teams, bot.RosterTeam{ID: "secret", Channel: secret, Members: []string{"carol"}})
	_, err := p.adapter(t, "replica-1", 0).Connect(t.Context())
	if !errors.Is(err, matrix.ErrEncrypted) || !strings.Contains(err.Error(), `room "`+secret+`"`) {
		t.Fatalf("Connect = %v, want ErrEncrypted naming %s", err, secret)
	}
}

// TestRateLimitedStart: Dendrite limits joins, whoami and a few other
// calls (5 per 500 ms for a device that is not an admin's); the bot
// starting right after its device spent that budget (another replica's
// start, say) meets 429s, waits the server's retry_after_ms, and joins
// its rooms all the same.
func TestRateLimitedStart(t *testing.T) {
	p := newPeople(t)
	p.roster.Teams = nil
	for i := range 8 {
		name := fmt.Sprintf("equipe-%d-%s", i, p.srv.Suffix)
		p.coord.CreateRoom(name)
		p.roster.Teams = append(p.roster.Teams, bot.RosterTeam{ID: fmt.Sprint(i), Channel: name, Members: []string{fmt.Sprintf("agent%d", i)}})
	}
	a := p.adapter(t, "replica-1", 0)
	if n := p.gigabot.SpendRateLimit(8); n == 0 {
		t.Fatal("8 requests at once met no 429: is the rate limiter on (scripts/dendrite/start.sh)?")
	}
	rep, err := a.Connect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Joined) != 8 || len(rep.Problems) > 0 {
		t.Fatalf("Connect = %+v, want the 8 rooms joined", rep)
	}
	limited := 0
	for _, d := range p.waits.all() {
		if d == 500*time.Millisecond { // Dendrite's cooloff_ms, sent as retry_after_ms
			limited++
		}
	}
	if limited == 0 {
		t.Errorf("no wait of the server's retry_after_ms (500 ms) among %v: was the bot rate limited?", p.waits.all())
	}
	t.Logf("8 rooms joined after %d waits of 500 ms for the server's rate limiter", limited)
}

// TestPasswordLogin: with MATRIX_PASSWORD instead of a token the adapter
// logs in (a new device) and runs; a wrong password is refused.
func TestPasswordLogin(t *testing.T) {
	p := newPeople(t)
	cfg := matrix.Config{HomeserverURL: p.srv.URL, UserID: p.gigabot.ID, Password: p.gigabot.Password}
	a, err := matrix.New(cfg, matrix.Options{Roster: p.roster})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := a.Connect(t.Context()); err != nil || len(rep.Rooms) != 1 {
		t.Fatalf("Connect with the password = %+v, %v", rep, err)
	}
	cfg.Password = "not-" + cfg.Password
	a, err = matrix.New(cfg, matrix.Options{Roster: p.roster})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Connect(t.Context()); !errors.Is(err, matrix.ErrInvalidToken) || strings.Contains(err.Error(), cfg.Password) {
		t.Fatalf("Connect with a wrong password = %v, want ErrInvalidToken without the password", err)
	}
}

// flakyMemory fails while told to, as Redis does in an outage.
type flakyMemory struct {
	matrix.Memory
	fail  atomic.Bool
	tried atomic.Int32 // calls refused
}

func (m *flakyMemory) Remember(ctx context.Context, name, value string, keep time.Duration) error {
	if err := m.refuse(); err != nil {
		return err
	}
	return m.Memory.Remember(ctx, name, value, keep)
}

func (m *flakyMemory) RememberAbout(ctx context.Context, name, value string, keep time.Duration) error {
	if err := m.refuse(); err != nil {
		return err
	}
	return m.Memory.RememberAbout(ctx, name, value, keep)
}

// refuse fails a call while told to.
func (m *flakyMemory) refuse() error {
	if m.fail.Load() {
		m.tried.Add(1)
		return errors.New("redis: connection refused")
	}
	return nil
}

// TestStoreOutage: while the store cannot keep what a reaction needs, the
// batch is not acknowledged (its sync token is not saved) and is synced
// again: the reaction is handed on once the store is back, once.
func TestStoreOutage(t *testing.T) {
	p := newPeople(t)
	mem := &flakyMemory{Memory: p.store}
	a, err := matrix.New(matrix.Config{HomeserverURL: p.srv.URL, UserID: p.gigabot.ID, AccessToken: p.gigabot.Token}, matrix.Options{
		Roster: p.roster, Deliveries: p.store, Memory: mem, Owner: "replica-1", SyncTimeout: time.Second,
		Sleep: func(ctx context.Context, d time.Duration) error {
			return p.waits.sleep(ctx, min(d, 100*time.Millisecond))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	h := &bottest.Handler{}
	run(t, a, h)
	defi, err := a.Post(t.Context(), p.routesName, bot.Message{Kind: bot.KindDefi, Key: "defi:1:routes", Text: "défi"})
	if err != nil {
		t.Fatal(err)
	}
	p.alice.Say(p.routes, p.gigabot.Localpart+": aide") // the sync has started: the next batch is the outage's
	matrixtest.Eventually(t, "the first command", func() bool { return len(h.Handled()) == 1 })
	mem.fail.Store(true)
	p.alice.React(p.routes, defi, "✅")
	matrixtest.Eventually(t, "a few refusals", func() bool { return mem.tried.Load() >= 3 })
	if n := len(eventsOf(h, bot.ReactionAdded)); n != 0 {
		t.Fatalf("%d reactions handed on while the store was out", n)
	}
	mem.fail.Store(false)
	matrixtest.Eventually(t, "the reaction", func() bool { return len(eventsOf(h, bot.ReactionAdded)) == 1 })
	p.bob.Say(p.routes, p.gigabot.Localpart+": moi") // a later event: by then any copy would have come
	matrixtest.Eventually(t, "the last command", func() bool { return len(eventsOf(h, bot.MessageReceived)) == 2 })
	if n := len(eventsOf(h, bot.ReactionAdded)); n != 1 {
		t.Errorf("the reaction was handed on %d times, want once", n)
	}
}

// TestRoomMembers: a team whose agents are its room's members
// ("members: channel") gets them listed when Run starts, then each join
// and departure; a change of display name is neither.
func TestRoomMembers(t *testing.T) {
	p := newPeople(t)
	culture := "equipe-culture-" + p.srv.Suffix
	room := p.coord.CreateRoom(culture)
	gaby := p.srv.Register(t, "gaby", true)
	gaby.Join(room)
	p.roster.Teams = append(p.roster.Teams, bot.RosterTeam{ID: "culture", Channel: culture, FromChannel: true})
	a := p.adapter(t, "replica-1", 0)
	if _, err := a.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	h := &bottest.Handler{}
	run(t, a, h)
	matrixtest.Eventually(t, "the room's members listed", func() bool { _, ok := h.Members(culture); return ok })
	if got, _ := h.Members(culture); !slices.Equal(got, []string{p.coord.ID, gaby.ID}) {
		t.Errorf("members listed: %q, want the coordinator and gaby (the core tells agents from role holders)", got)
	}
	zoe := p.srv.Register(t, "zoe", true)
	zoe.Join(room)
	zoe.Rename("Zoé")
	zoe.Leave(room)
	p.alice.Say(p.routes, p.gigabot.Localpart+": aide") // the last event
	matrixtest.Eventually(t, "the last command", func() bool { return len(eventsOf(h, bot.MessageReceived)) == 1 })
	var got []string
	for _, ev := range h.Handled() {
		if ev.Kind == bot.MemberJoined || ev.Kind == bot.MemberLeft {
			got = append(got, fmt.Sprintf("%d %s %s", ev.Kind, ev.User, ev.Channel))
		}
	}
	want := []string{fmt.Sprintf("%d %s %s", bot.MemberJoined, zoe.ID, culture), fmt.Sprintf("%d %s %s", bot.MemberLeft, zoe.ID, culture)}
	if !slices.Equal(got, want) {
		t.Errorf("membership events %q, want %q", got, want)
	}
}

// TestTokenRevoked: when the bot's session is logged out, Run stops with
// ErrInvalidToken rather than retrying forever.
func TestTokenRevoked(t *testing.T) {
	p := newPeople(t)
	a := p.adapter(t, "replica-1", 0)
	if _, err := a.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(t.Context(), &bottest.Handler{}) }()
	p.alice.Say(p.routes, p.gigabot.Localpart+": aide")
	p.gigabot.Logout()
	select {
	case err := <-done:
		if !errors.Is(err, matrix.ErrInvalidToken) {
			t.Fatalf("Run = %v, want ErrInvalidToken", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run goes on with a revoked token")
	}
}

// TestReload: a reloaded config's new room is found, joined and posted
// to, its "members: channel" room's members are listed, and an encrypted
// room in it is reported, not fatal.
func TestReload(t *testing.T) {
	p := newPeople(t)
	a := p.adapter(t, "replica-1", 0)
	if _, err := a.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	h := &bottest.Handler{}
	run(t, a, h)
	culture, secret := "equipe-culture-"+p.srv.Suffix, "equipe-secret-"+p.srv.Suffix
	room := p.coord.CreateRoom(culture)
	p.coord.CreateEncryptedRoom(secret)
	r := p.roster
	r.Teams = append(slices.Clone(r.Teams),
		bot.RosterTeam{ID: "culture", Channel: culture, FromChannel: true},
		bot.RosterTeam{ID: "secret", Channel: secret, Members: []string{"carol"}})
	rep, err := a.Reload(t.Context(), r, h)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(rep.Joined, culture) || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], secret) {
		t.Fatalf("Reload = %+v, want %s joined and %s reported", rep, culture, secret)
	}
	if got, ok := h.Members(culture); !ok || !slices.Equal(got, []string{p.coord.ID}) {
		t.Errorf("members of the new room: %q, %v", got, ok)
	}
	if _, err := a.Post(t.Context(), culture, bot.Message{Kind: bot.KindAnnouncement, Key: "hello:culture", Text: "bienvenue"}); err != nil {
		t.Fatal(err)
	}
	matrixtest.Eventually(t, "the post in the new room", func() bool {
		return len(matrixtest.Containing(p.coord.From(room, p.gigabot.ID), "bienvenue")) == 1
	})
}
