package bot_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/scoring"
)

// TestSettleDefis: the reactions the latest défi posts show on the
// platform, read when the bot starts, settle their marks: agents shown
// with ✅ are counted once, a mark no longer shown is taken back, 👍 and
// people in no team count nothing, and what an event changed after the
// read stays as the event made it.
func TestSettleDefis(t *testing.T) {
	env, routes := clickDay(t)
	ctx := context.Background()
	colleges := env.DefiPost(t, "equipe-colleges", 1)
	env.React(t, "alice", "white_check_mark", routes, true)
	env.React(t, "bob", "white_check_mark", routes, true)
	env.Set(env.At(1, 11, 0))
	marked := func(post string) []string {
		t.Helper()
		m, err := env.Store.Marked(ctx, post)
		if err != nil {
			t.Fatal(err)
		}
		return m[post]
	}
	if m := marked(routes); !slices.Equal(m, []string{"alice", "bob"}) {
		t.Fatalf("marks before = %v", m)
	}

	// Shown now: alice took hers back, carol gave one (listed twice), dan
	// a 👍, mallory is in no team; in colleges, emma.
	env.Chat.Show(routes,
		bot.Reacted{User: "bob", Reaction: "white_check_mark::skin-tone-2"},
		bot.Reacted{User: "carol", Reaction: "white_check_mark"}, bot.Reacted{User: "carol", Reaction: "white_check_mark"},
		bot.Reacted{User: "dan", Reaction: "+1"}, bot.Reacted{User: "mallory", Reaction: "white_check_mark"},
		bot.Reacted{User: "farid", Reaction: "white_check_mark"}, // a colleges agent on routes' post: counts for colleges
	)
	env.Chat.Show(colleges, bot.Reacted{User: "emma", Reaction: "white_check_mark"})
	// While routes' reactions are read, events arrive: dan gives a ✅ and
	// farid takes his back; carol takes hers back on a replica whose clock
	// is half a second behind. The list, read before them, must not undo
	// them.
	env.Chat.OnReactions = func(post string) {
		if post != routes {
			return
		}
		read := env.Clock.Now()
		env.Clock.Advance(time.Second)
		env.React(t, "dan", "white_check_mark", routes, true)
		env.React(t, "farid", "white_check_mark", routes, false)
		if _, err := env.Store.React(ctx, scoring.Reaction{Agent: "carol", Team: "routes", Day: 1, Post: routes, At: read.Add(-500 * time.Millisecond)}, false); err != nil {
			t.Error(err)
		}
	}
	read, err := env.Bot.SettleDefis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if read != 3 {
		t.Errorf("%d posts read, want the 3 teams' défis of day 1", read)
	}
	if m := marked(routes); !slices.Equal(m, []string{"bob", "dan"}) {
		t.Errorf("routes' marks = %v, want bob (shown) and dan (counted after the read); not alice (gone), carol and farid (taken back around the read)", m)
	}
	if m := marked(colleges); !slices.Equal(m, []string{"emma"}) {
		t.Errorf("colleges' marks = %v, want emma", m)
	}
	// Read again a minute later, as the platform shows it now: nothing
	// changes.
	env.Chat.OnReactions = nil
	env.Clock.Advance(time.Minute)
	env.Chat.Show(routes, bot.Reacted{User: "bob", Reaction: "white_check_mark"}, bot.Reacted{User: "dan", Reaction: "white_check_mark"})
	if _, err := env.Bot.SettleDefis(ctx); err != nil {
		t.Fatal(err)
	}
	if m := marked(routes); !slices.Equal(m, []string{"bob", "dan"}) {
		t.Errorf("routes' marks after a second read = %v", m)
	}
}
