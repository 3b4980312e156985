package bot_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/scoring"
)

func participationsOf(t *testing.T, b *bot.Bot, team string) int64 {
	t.Helper()
	st, err := b.Standings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s, _ := st.Find(team, scoring.ByPoints)
	return s.Participations
}

// The standings are cached, never stale: a change this process makes shows
// at once, one another replica makes shows at once without Follow (the
// log's length moved) and as soon as Follow reads it with Follow.
func TestStandingsCacheFollowsEveryChange(t *testing.T) {
	for _, following := range []bool{false, true} {
		name := map[bool]string{false: "without Follow", true: "with Follow"}[following]
		t.Run(name, func(t *testing.T) {
			env := bottest.New(t, mustDay(t, 1, 10))
			ctx := context.Background()
			if err := env.Bot.Catchup(ctx); err != nil {
				t.Fatal(err)
			}
			other := env.Restart(t, "replica-2")
			if following {
				<-bottest.Follow(t, env.Bot) // it has read the log once
			}
			post := env.DefiPost(t, "equipe-routes", 1)
			first, err := env.Bot.Standings(ctx)
			if err != nil {
				t.Fatal(err)
			}
			again, err := env.Bot.Standings(ctx)
			if err != nil || again.Version != first.Version || first.Version == "" {
				t.Fatalf("two reads with no change: versions %q and %q (%v), want the same", first.Version, again.Version, err)
			}
			env.React(t, "alice", "white_check_mark", post, true)
			if got := participationsOf(t, env.Bot, "routes"); got != 1 {
				t.Errorf("after this process's change: %d défis done, want 1", got)
			}
			if err := other.Handle(ctx, bot.Event{Kind: bot.ReactionAdded, User: "bob", Reaction: "white_check_mark", PostID: post}); err != nil {
				t.Fatal(err)
			}
			if following {
				bottest.Eventually(t, "the other replica's change", func() bool { return participationsOf(t, env.Bot, "routes") == 2 })
			} else if got := participationsOf(t, env.Bot, "routes"); got != 2 {
				t.Errorf("after the other replica's change: %d défis done, want 2", got)
			}
		})
	}
}

// The days elapsed bound participation: the cache must not outlive a day.
func TestStandingsCacheTurnsWithTheDay(t *testing.T) {
	env := bottest.New(t, mustDay(t, 1, 10))
	ctx := context.Background()
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	env.React(t, "gaby", "white_check_mark", env.DefiPost(t, "equipe-culture", 1), true)
	find := func() scoring.Standing {
		st, err := env.Bot.Standings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := st.Find("culture", scoring.ByPoints)
		return s
	}
	if got := find().Participation; got != 1 {
		t.Fatalf("day 1: participation %v, want 1 (gaby did the one défi)", got)
	}
	env.Set(mustDay(t, 2, 10).Add(time.Minute))
	if got := find().Participation; got != 0.5 {
		t.Errorf("day 2: participation %v, want 0.5 (one défi of two)", got)
	}
}

// A team that left the config is not ranked, but what it freed stays in
// the campaign's total, as in the milestones.
func TestStandingsTotalKeepsARetiredTeamsBytes(t *testing.T) {
	env := bottest.New(t, mustDay(t, 2, 10))
	ctx := context.Background()
	start := env.Calendar.Start()
	for _, sc := range []scoring.Scan{
		{ID: "a1", Team: "gone", Source: "share", Root: "/r", ScannedAt: start.Add(-time.Hour), Files: 10, Bytes: 100},
		{ID: "a2", Team: "gone", Source: "share", Root: "/r", ScannedAt: start.Add(time.Hour), Files: 10, Bytes: 60},
		{ID: "b1", Team: "routes", Source: "share", Root: "/r", ScannedAt: start.Add(-time.Hour), Files: 10, Bytes: 100},
		{ID: "b2", Team: "routes", Source: "share", Root: "/r", ScannedAt: start.Add(time.Hour), Files: 10, Bytes: 90},
	} {
		// The store, not the bot: the bot refuses a team it does not have.
		if _, err := env.Store.RecordScan(ctx, sc, scoring.ScanRules{Start: start}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := env.Bot.Standings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ranked := st.Find("gone", scoring.ByPoints); ranked || st.TotalFreed != 50 {
		t.Errorf("gone ranked %v, total %d; want not ranked, 50 bytes (40 of them from the team that left)", ranked, st.TotalFreed)
	}
}

// Announcing a milestone (28 posts, each possibly slow) never stops the
// follower: another replica's changes keep reaching this one's standings.
func TestFollowerKeepsReadingWhileAMilestoneIsPosted(t *testing.T) {
	env := bottest.New(t, mustDay(t, 1, 10))
	ctx := context.Background()
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	post := env.DefiPost(t, "equipe-routes", 1)
	blocked, posting := make(chan struct{}), make(chan struct{}, 1)
	release := sync.OnceFunc(func() { close(blocked) })
	t.Cleanup(release)
	env.Chat.Fail = func(_ string, m bot.Message) error {
		if m.Kind == bot.KindMilestone {
			select {
			case posting <- struct{}{}:
			default:
			}
			<-blocked
		}
		return nil
	}
	<-bottest.Follow(t, env.Bot)
	other := env.Restart(t, "replica-2")
	start := env.Calendar.Start()
	for _, sc := range []scoring.Scan{
		{ID: "b", Team: "culture", Source: "share", Root: "/r", ScannedAt: start.Add(-time.Hour), Files: 10, Bytes: 1_000_000_000_000},
		{ID: "c", Team: "culture", Source: "share", Root: "/r", ScannedAt: start.Add(time.Minute), Files: 10, Bytes: 800_000_000_000},
	} {
		if _, err := other.RecordScan(ctx, sc); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-posting: // this replica is posting the 200 Go milestone, and stuck there
	case <-time.After(10 * time.Second):
		t.Fatal("this replica never began to post the milestone")
	}
	if got := participationsOf(t, env.Bot, "routes"); got != 0 { // and now cached
		t.Fatalf("routes did %d défis before the ✅, want 0", got)
	}
	if err := other.Handle(ctx, bot.Event{Kind: bot.ReactionAdded, User: "alice", Reaction: "white_check_mark", PostID: post}); err != nil {
		t.Fatal(err)
	}
	bottest.Eventually(t, "the other replica's ✅ while a milestone post is blocked", func() bool {
		return participationsOf(t, env.Bot, "routes") == 1
	})
	release()
	bottest.Eventually(t, "the milestone in every channel", func() bool { return len(env.Chat.Of(bot.KindMilestone)) == 3 })
}
