package matrix_test

import (
	"context"
	"log/slog"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/integrations/matrix"
	"github.com/gigabot/gigabot/integrations/matrix/matrixtest"
	"github.com/gigabot/gigabot/redis"
)

// TestPlayDay plays the day every platform plays (bottest.PlayDay) on a
// real homeserver (Dendrite): rooms named by alias localpart, people by
// localpart, the bot's start rate limited by the server's own limiter, the
// events made while it was down read from /sync from the token it kept.
func TestPlayDay(t *testing.T) {
	s := matrixtest.Start(t)
	h := &homeserver{srv: s, people: map[string]*matrixtest.User{}, rooms: map[string]string{}, direct: map[string]string{}, waits: &waits{}}
	h.bot = s.Register(t, "gigabot", false) // rate limited, as a real bot account is
	for _, name := range []string{"alice", "bob", "carol", "dan", "emma", "farid", "gaby", "dg", "coord"} {
		h.people[name] = s.Register(t, name, true)
	}
	members := map[string][]string{"routes": {"alice", "bob"}, "colleges": {"emma"}, "culture": {"gaby"}}
	for team, names := range members {
		h.rooms[team] = h.people["coord"].CreateRoom("equipe-" + team + "-" + s.Suffix)
		for _, name := range names {
			h.people[name].Join(h.rooms[team])
		}
	}
	bottest.PlayDay(t, h)
}

// homeserver is a Dendrite with the campaign's people and rooms, as a
// bottest.Platform.
type homeserver struct {
	srv    *matrixtest.Server
	bot    *matrixtest.User
	people map[string]*matrixtest.User // by config name
	rooms  map[string]string           // team → room id
	direct map[string]string           // person → their direct room with the bot
	waits  *waits
}

// names are the config's people and team rooms, as ConfigYAML writes them.
var names = regexp.MustCompile(`\b(alice|bob|carol|dan|emma|farid|gaby|dg|coord|equipe-routes|equipe-colleges|equipe-culture)\b`)

// Config is ConfigYAML with the test's localparts and room aliases.
func (h *homeserver) Config() string {
	return names.ReplaceAllString(bottest.ConfigYAML, "$1-"+h.srv.Suffix)
}

func (h *homeserver) Connect(t *testing.T, store *redis.Store, owner string) bottest.Adapter {
	cfg, err := challenges.Parse([]byte(h.Config()))
	if err != nil {
		t.Fatal(err)
	}
	a, err := matrix.New(matrix.Config{HomeserverURL: h.srv.URL, UserID: h.bot.ID, AccessToken: h.bot.Token}, matrix.Options{
		Roster: bot.NewRoster(cfg), Deliveries: store, Memory: store, Owner: owner, Sleep: h.waits.sleep, SyncTimeout: time.Second,
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Connect(context.Background()); err != nil {
		t.Fatalf("connect: %v", err)
	}
	return bottest.Adapter{Chat: a, Serve: a.Run}
}

// sent is what the bot wrote in a room.
func (h *homeserver) sent(room string) []bottest.Sent {
	var out []bottest.Sent
	for _, m := range h.people["coord"].From(room, h.bot.ID) {
		out = append(out, bottest.Sent{ID: m.ID, Text: m.Body})
	}
	return out
}

func (h *homeserver) Posts(_ *testing.T, team string) []bottest.Sent { return h.sent(h.rooms[team]) }

func (h *homeserver) Direct(_ *testing.T, person string) []bottest.Sent {
	room, ok := h.direct[person]
	if !ok {
		return nil
	}
	var out []bottest.Sent
	for _, m := range h.people[person].From(room, h.bot.ID) {
		out = append(out, bottest.Sent{ID: m.ID, Text: m.Body})
	}
	return out
}

func (h *homeserver) React(_ *testing.T, person, team, postID string, check bool) func() {
	key := "👍"
	if check {
		key = "✅"
	}
	u := h.people[person]
	reaction := u.React(h.rooms[team], postID, key)
	return func() { u.Redact(h.rooms[team], reaction) }
}

func (h *homeserver) Say(_ *testing.T, person, team, text string) {
	h.people[person].Say(h.rooms[team], h.bot.Localpart+": "+text)
}

// Tell opens the person's direct room with the bot the first time (the
// bot accepts the invitation of the DGS and coordinators) and writes there.
func (h *homeserver) Tell(t *testing.T, person, text string) {
	u := h.people[person]
	room, ok := h.direct[person]
	if !ok {
		room = u.DirectMessage(h.bot.ID)
		h.direct[person] = room
		matrixtest.Eventually(t, "the bot in "+person+"'s direct room", func() bool { return len(u.Members(room)) == 2 })
	}
	u.Say(room, text)
}

// Throttle spends the bot device's budget of the server's rate limiter
// (joins and whoami, 5 per 500 ms): its next start waits the server's
// retry_after_ms.
func (h *homeserver) Throttle(t *testing.T) func() bool {
	if n := h.bot.SpendRateLimit(8); n == 0 {
		t.Fatal("8 requests at once met no 429: is the rate limiter on (scripts/dendrite/start.sh)?")
	}
	before := len(h.waits.all())
	return func() bool {
		return slices.Contains(h.waits.all()[before:], 500*time.Millisecond) // Dendrite's cooloff_ms, as retry_after_ms
	}
}
