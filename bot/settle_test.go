package bot_test

import (
	"context"
	"slices"
	"testing"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/scoring"
)

// TestSettleReactions: the reactions a défi post has now, read after events
// were missed, settle its marks: agents present with ✅ count once, an
// agent counted but gone is taken back, 👍 and non-members count nothing,
// and a post that is not a défi changes nothing.
func TestSettleReactions(t *testing.T) {
	env, routes := clickDay(t)
	ctx := context.Background()
	env.React(t, "alice", "white_check_mark", routes, true)
	env.React(t, "bob", "white_check_mark", routes, true)
	done := func() int64 {
		t.Helper()
		st, err := env.Bot.Standings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := st.Find("routes", scoring.ByParticipation)
		return s.Participations
	}
	if n := done(); n != 2 {
		t.Fatalf("%d défis done before, want alice's and bob's", n)
	}
	seen := func(post string, present ...bot.Reacted) {
		t.Helper()
		if err := env.Bot.SettleReactions(ctx, "equipe-routes", post, present); err != nil {
			t.Fatal(err)
		}
	}
	// Reactions on a reply are not a défi's: nothing changes, not even
	// the marks absent from the list.
	reply := env.Say(t, "alice", "equipe-routes", "aide")[0].ID
	seen(reply, bot.Reacted{User: "carol", Reaction: "white_check_mark"})
	if n := done(); n != 2 {
		t.Fatalf("%d défis done after reactions seen on a reply, want 2", n)
	}

	seen(routes,
		bot.Reacted{User: "bob", Reaction: "white_check_mark::skin-tone-2"},
		bot.Reacted{User: "carol", Reaction: "white_check_mark"},
		bot.Reacted{User: "carol", Reaction: "white_check_mark"}, // seen twice
		bot.Reacted{User: "dan", Reaction: "+1"},
		bot.Reacted{User: "mallory", Reaction: "white_check_mark"}, // in no team
	)
	marked, err := env.Store.Marked(ctx, routes)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"bob", "carol"}; !slices.Equal(marked, want) {
		t.Errorf("marks after the reactions seen = %v, want %v (alice's taken back, carol's counted, dan's 👍 not)", marked, want)
	}
	if n := done(); n != 2 {
		t.Errorf("%d défis done, want 2 (bob and carol)", n)
	}
}
