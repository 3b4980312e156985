// Package bottest is the test harness of the bot core: a fake chat platform
// that records posts, a small campaign, and a bot wired on a fake clock and a
// test store (real Redis when REDIS_URL is set). Adapters' tests use it too,
// with a fake core that records what they hand it (Handler).
package bottest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
)

// Post is a post the fake chat received.
type Post struct {
	ID      string
	Channel string
	Msg     bot.Message
}

// Chat is a fake chat platform: it records posts and can be told to fail.
// It shows the reactions Show gave a post (bot.ReactionReader).
type Chat struct {
	mu    sync.Mutex
	posts []Post
	n     int
	shown map[string][]bot.Reacted
	// Fail, when set, is asked before each post; a non-nil error fails it.
	Fail func(channel string, msg bot.Message) error
	// OnReactions, when set, is called as a post's reactions are read,
	// before they are returned as they were.
	OnReactions func(postID string)
}

var (
	_ bot.Chat           = (*Chat)(nil)
	_ bot.ReactionReader = (*Chat)(nil)
)

// Show sets the reactions the platform shows on a post.
func (c *Chat) Show(postID string, reactions ...bot.Reacted) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shown == nil {
		c.shown = map[string][]bot.Reacted{}
	}
	c.shown[postID] = reactions
}

// Reactions returns the reactions Show set on a post.
func (c *Chat) Reactions(_ context.Context, postID string) ([]bot.Reacted, error) {
	c.mu.Lock()
	shown := slices.Clone(c.shown[postID])
	hook := c.OnReactions
	c.mu.Unlock()
	if hook != nil {
		hook(postID)
	}
	return shown, nil
}

// Post records a post and returns its id ("M1", "M2"…).
func (c *Chat) Post(_ context.Context, channel string, msg bot.Message) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Fail != nil {
		if err := c.Fail(channel, msg); err != nil {
			return "", err
		}
	}
	c.n++
	id := fmt.Sprintf("M%d", c.n)
	c.posts = append(c.posts, Post{ID: id, Channel: channel, Msg: msg})
	return id, nil
}

// Posts returns the posts so far.
func (c *Chat) Posts() []Post {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Post(nil), c.posts...)
}

// Reset forgets the posts so far.
func (c *Chat) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.posts = nil
}

// Of returns the posts of a kind, in order.
func (c *Chat) Of(kind bot.MessageKind) []Post {
	var out []Post
	for _, p := range c.Posts() {
		if p.Msg.Kind == kind {
			out = append(out, p)
		}
	}
	return out
}

// In returns the posts sent to a channel, in order.
func (c *Chat) In(channel string) []Post {
	var out []Post
	for _, p := range c.Posts() {
		if p.Channel == channel {
			out = append(out, p)
		}
	}
	return out
}

// Last returns the text of the last post, or "" without posts.
func (c *Chat) Last() string {
	p := c.Posts()
	if len(p) == 0 {
		return ""
	}
	return p[len(p)-1].Msg.Text
}

// ConfigYAML is a three-team campaign starting on Monday 22 March 2027
// (Easter Monday, 29 March, is skipped; summer time starts on 28 March).
const ConfigYAML = `
campaign:
  name: Giga Déstockage test
  start: 2027-03-22
  days: 15
teams:
  - {id: routes, name: Direction des routes, channel: equipe-routes, members: [alice, bob, carol, dan]}
  - {id: colleges, name: Direction des collèges, channel: equipe-colleges, members: [emma, farid]}
  - {id: culture, name: Culture et patrimoine, channel: equipe-culture, members: [gaby]}
roles:
  dgs: [dg]
  coordinators: [coord]
display_names:
  dg: Claire Martin
`

// Env is a bot under test with everything it runs on.
type Env struct {
	Bot      *bot.Bot
	Chat     *Chat
	Clock    *clockwork.FakeClock
	Store    *redis.Store
	Config   *challenges.Config
	Calendar *challenges.Calendar
}

// New starts a bot on ConfigYAML (or yaml when given), with the clock at
// the given instant.
func New(tb testing.TB, at time.Time, yaml ...string) *Env {
	tb.Helper()
	text := ConfigYAML
	if len(yaml) > 0 {
		text = yaml[0]
	}
	cfg, err := challenges.Parse([]byte(text))
	if err != nil {
		tb.Fatalf("config: %v", err)
	}
	cal, err := challenges.NewCalendar(cfg)
	if err != nil {
		tb.Fatalf("calendar: %v", err)
	}
	store, _, _ := redistest.NewStore(tb)
	env := &Env{Chat: &Chat{}, Clock: clockwork.NewFakeClockAt(at), Store: store, Config: cfg, Calendar: cal}
	env.Bot = env.Restart(tb, "replica-1")
	return env
}

// Restart builds another bot on the same store, clock and chat, as a
// restarted process or a second replica named owner would be.
func (e *Env) Restart(tb testing.TB, owner string) *bot.Bot {
	tb.Helper()
	b, err := bot.New(context.Background(), bot.Options{
		Config: e.Config, Calendar: e.Calendar, Store: e.Store, Chat: e.Chat, Clock: e.Clock, Owner: owner,
		FollowBlock: 50 * time.Millisecond,
	})
	if err != nil {
		tb.Fatalf("bot: %v", err)
	}
	return b
}

// Follow runs the bot's log follower (bot.Follow) until the test ends, as
// gigabot run does: milestones are then announced after scans, out of the
// scan's way. It returns a channel that receives after each batch of
// events the follower handled.
func (e *Env) Follow(tb testing.TB) <-chan struct{} {
	tb.Helper()
	return Follow(tb, e.Bot)
}

// Follow runs b's log follower until the test ends (see Env.Follow).
func Follow(tb testing.TB, b *bot.Bot) <-chan struct{} {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	seen := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = b.Follow(ctx, func() {
			select {
			case seen <- struct{}{}:
			default:
			}
		})
	}()
	tb.Cleanup(func() { cancel(); <-done })
	return seen
}

// Eventually waits until cond holds, checking every few milliseconds, and
// fails the test if it still does not after 30 seconds (a deadlock guard,
// not a measure of speed: a restart on a real homeserver takes seconds).
func Eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("still waiting after 30 s for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// At returns a local instant of campaign day n.
func (e *Env) At(n, hour, minute int) time.Time {
	return e.Calendar.At(n, challenges.ClockTime{Hour: hour, Minute: minute})
}

// Set moves the clock to t.
func (e *Env) Set(t time.Time) { e.Clock.Advance(t.Sub(e.Clock.Now())) }

// Say sends a message from user in channel and returns the bot's posts.
func (e *Env) Say(tb testing.TB, user, channel, text string) []Post {
	tb.Helper()
	before := len(e.Chat.Posts())
	if err := e.Bot.Handle(context.Background(), bot.Event{Kind: bot.MessageReceived, User: user, Channel: channel, Text: text}); err != nil {
		tb.Fatalf("handle %q: %v", text, err)
	}
	return e.Chat.Posts()[before:]
}

// React adds (or removes) user's reaction on a post.
func (e *Env) React(tb testing.TB, user, emoji, post string, add bool) {
	tb.Helper()
	kind := bot.ReactionAdded
	if !add {
		kind = bot.ReactionRemoved
	}
	if err := e.Bot.Handle(context.Background(), bot.Event{Kind: kind, User: user, Reaction: emoji, PostID: post}); err != nil {
		tb.Fatalf("react: %v", err)
	}
}

// DefiPost returns the id of the défi post of day n in a channel.
func (e *Env) DefiPost(tb testing.TB, channel string, n int) string {
	tb.Helper()
	for _, p := range e.Chat.Of(bot.KindDefi) {
		if p.Channel == channel && p.Msg.Day == n {
			return p.ID
		}
	}
	tb.Fatalf("no défi %d posted in %s", n, channel)
	return ""
}

// Texts joins the texts of posts, for error messages and Contains checks.
func Texts(posts []Post) string {
	var b strings.Builder
	for _, p := range posts {
		fmt.Fprintf(&b, "[#%s] %s\n", p.Channel, p.Msg.Text)
	}
	return b.String()
}

// Live builds a bot.Live on the same store, clock and chat, as the
// process named owner runs it (gigabot run): its bots follow a
// postponement at once, and other replicas' at their Refresh.
func (e *Env) Live(tb testing.TB, owner string) *bot.Live {
	tb.Helper()
	var live *bot.Live
	build := func(ctx context.Context, cfg *challenges.Config, cal *challenges.Calendar) (*bot.Bot, error) {
		return bot.New(ctx, bot.Options{
			Config: cfg, Calendar: cal, Store: e.Store, Chat: e.Chat, Clock: e.Clock, Owner: owner,
			FollowBlock: 50 * time.Millisecond,
			OnCalendar: func(ctx context.Context) {
				if err := live.Refresh(ctx); err != nil {
					tb.Errorf("refresh: %v", err)
				}
			},
		})
	}
	live, err := bot.NewLive(context.Background(), e.Config, e.Store, build, nil)
	if err != nil {
		tb.Fatalf("live: %v", err)
	}
	tb.Cleanup(live.Close)
	return live
}
