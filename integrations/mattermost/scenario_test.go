package mattermost

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/mattermost/mattermost/server/public/model"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/internal/safebuf"
	"github.com/gigabot/gigabot/redis"
)

// TestPlayDay plays the day every platform plays (bottest.PlayDay) on the
// fake Mattermost: events over its WebSocket, the ones made while the bot
// was down fetched through REST when it is back.
func TestPlayDay(t *testing.T) {
	mm := newFake(t)
	bottest.PlayDay(t, &scenarioServer{mm: mm})
}

// scenarioServer is the fake Mattermost as a bottest.Platform.
type scenarioServer struct {
	mm *fakeMM
	// web is the bot's HTTP server: the défi button's and the slash
	// command's routes of the running adapter.
	web     *httptest.Server
	current atomic.Pointer[http.Handler]
	logs    safebuf.Buffer
}

func (s *scenarioServer) Config() string { return bottest.ConfigYAML }

func (s *scenarioServer) Connect(t *testing.T, store *redis.Store, owner string) bottest.Adapter {
	if s.web == nil {
		s.web = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := s.current.Load()
			if h == nil {
				http.Error(w, "the bot is down", http.StatusBadGateway)
				return
			}
			(*h).ServeHTTP(w, r)
		}))
		t.Cleanup(s.web.Close)
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("the adapters' logs:\n%s", s.logs.String())
			}
		})
	}
	cfg, err := challenges.Parse([]byte(s.Config()))
	if err != nil {
		t.Fatal(err)
	}
	s.mm.mu.Lock()
	clock := clockwork.NewFakeClockAt(time.UnixMilli(s.mm.now))
	s.mm.mu.Unlock()
	a, err := New(Config{URL: s.mm.srv.URL, Token: s.mm.token, Team: fakeTeam, CommandToken: commandToken, PublicURL: s.web.URL}, Options{
		Roster: bot.NewRoster(cfg), Deliveries: store, Owner: owner, Clock: clock, Sleep: (&sleeper{}).Sleep,
		Logger: slog.New(slog.NewTextHandler(&s.logs, nil)), Random: func() float64 { return 0.5 },
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Connect(context.Background()); err != nil {
		t.Fatalf("connect: %v", err)
	}
	return bottest.Adapter{
		Chat: a,
		Serve: func(ctx context.Context, h bot.Handler) error {
			mux := http.NewServeMux()
			mux.Handle("POST "+CommandPath, a.CommandHandler(h))
			mux.Handle("POST "+ActionPath, a.ActionHandler(h))
			var routes http.Handler = mux
			s.current.Store(&routes)
			defer s.current.Store(nil)
			return a.Run(ctx, h)
		},
		Listening: func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := clock.BlockUntilContext(ctx, 1); err != nil {
				t.Fatalf("the adapter never listened: %v", err)
			}
		},
	}
}

func (s *scenarioServer) Posts(_ *testing.T, team string) []bottest.Sent {
	return sentOf(s.mm.botPosts(s.mm.channel("equipe-" + team).Id))
}

func (s *scenarioServer) Direct(_ *testing.T, person string) []bottest.Sent {
	u := s.mm.user(person)
	s.mm.mu.Lock()
	ch := s.mm.directLocked(u.Id, s.mm.bot.Id)
	s.mm.mu.Unlock()
	return sentOf(s.mm.botPosts(ch.Id))
}

// sentOf gives the bot's posts with the text of their attachments.
func sentOf(posts []*model.Post) []bottest.Sent {
	out := make([]bottest.Sent, 0, len(posts))
	for _, p := range posts {
		text := []string{p.Message}
		for _, att := range p.Attachments() {
			text = append(text, att.Pretext, att.Title, att.Text)
			for _, f := range att.Fields {
				text = append(text, f.Title, fmt.Sprint(f.Value))
			}
		}
		out = append(out, bottest.Sent{ID: p.Id, Text: strings.Join(text, "\n")})
	}
	return out
}

func (s *scenarioServer) React(_ *testing.T, person, _, postID string, check bool) func() {
	emoji := "+1"
	if check {
		emoji = "white_check_mark"
	}
	s.mm.react(person, postID, emoji, true)
	return func() { s.mm.react(person, postID, emoji, false) }
}

func (s *scenarioServer) Say(_ *testing.T, person, team, text string) {
	s.mm.say(person, s.mm.channel("equipe-"+team).Id, "@gigabot "+text, "")
}

func (s *scenarioServer) Tell(_ *testing.T, person, text string) { s.mm.dm(person, text) }

// Throttle answers the next two posts 429 with Retry-After.
func (s *scenarioServer) Throttle(*testing.T) func() bool {
	s.mm.mu.Lock()
	defer s.mm.mu.Unlock()
	s.mm.postScript = []int{http.StatusTooManyRequests, http.StatusTooManyRequests}
	return func() bool {
		s.mm.mu.Lock()
		defer s.mm.mu.Unlock()
		return len(s.mm.postScript) == 0
	}
}
