package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
)

// sayTo sends a message to one replica and returns the posts it made.
func sayTo(t *testing.T, env *bottest.Env, b *bot.Bot, user, text string) []bottest.Post {
	t.Helper()
	before := len(env.Chat.Posts())
	if err := b.Handle(context.Background(), bot.Event{Kind: bot.MessageReceived, User: user, Channel: "general", Text: text}); err != nil {
		t.Fatalf("handle %q: %v", text, err)
	}
	return env.Chat.Posts()[before:]
}

// A user's budget of commands is one, whichever replica gets each command:
// behind a load balancer, two replicas do not double it.
func TestRateLimitIsSharedByReplicas(t *testing.T) {
	env := bottest.New(t, mustDay(t, 2, 10))
	replicas := []*bot.Bot{env.Bot, env.Restart(t, "replica-2")}
	for i := range 5 {
		if posts := sayTo(t, env, replicas[i%2], "alice", "aide"); len(posts) != 1 || !strings.Contains(posts[0].Msg.Text, "Gigabot") {
			t.Fatalf("command %d: %s", i+1, bottest.Texts(posts))
		}
	}
	if posts := sayTo(t, env, replicas[1], "alice", "aide"); len(posts) != 1 || !strings.Contains(posts[0].Msg.Text, "Doucement") {
		t.Fatalf("6th command, on replica 2: want one warning, got %s", bottest.Texts(posts))
	}
	if posts := sayTo(t, env, replicas[0], "alice", "classement"); len(posts) != 0 {
		t.Fatalf("7th command, on replica 1: want silence (the warning was given), got %s", bottest.Texts(posts))
	}
	if posts := sayTo(t, env, replicas[0], "bob", "aide"); len(posts) != 1 {
		t.Fatalf("another user is not limited: %s", bottest.Texts(posts))
	}
	env.Clock.Advance(10e9)
	if posts := sayTo(t, env, replicas[1], "alice", "aide"); len(posts) != 1 || strings.Contains(posts[0].Msg.Text, "Doucement") {
		t.Fatalf("after 10 s, one token is back: %s", bottest.Texts(posts))
	}
	if posts := sayTo(t, env, replicas[0], "alice", "aide"); len(posts) != 1 || !strings.Contains(posts[0].Msg.Text, "Doucement") {
		t.Fatalf("and only one: want a warning again, got %s", bottest.Texts(posts))
	}
}
