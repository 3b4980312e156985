package mattermost

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

// TestEndToEnd runs a campaign day through the bot core, as the console
// does, on the fake Mattermost: the défi is posted in every team channel,
// agents react and click, and the standings show it.
func TestEndToEnd(t *testing.T) {
	e := newEnv(t, newFake(t), nil)
	e.run()
	ctx := t.Context()

	defis := e.publishDefi()
	for name, p := range defis {
		atts := p.Attachments()
		if !strings.Contains(p.Message, "Défi du jour 1/15") || len(atts) != 1 || len(atts[0].Actions) != 1 {
			t.Fatalf("défi in %s = %q %+v, want the card with its button", name, p.Message, atts)
		}
	}
	// The scheduler runs Catchup again: nothing is posted twice.
	if err := e.bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	for name := range defis {
		if n := len(e.replies(name)); n != 1 {
			t.Errorf("%d posts in %s, want the défi once", n, name)
		}
	}

	e.mm.react("alice", defis["equipe-routes"].Id, "white_check_mark", true)
	e.mm.react("bob", defis["equipe-routes"].Id, "white_check_mark", true)
	eventually(t, "the reactions counted", func() bool { return e.participations("routes") == 2 })
	if status, resp := e.mm.click("gaby", defis["equipe-culture"].Id); status != http.StatusOK || !strings.Contains(resp.EphemeralText, "noté") {
		t.Fatalf("click = %d %q", status, resp.EphemeralText)
	}

	st, err := e.bot.Standings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"routes": 2, "colleges": 0, "culture": 1}
	for team, n := range want {
		if s, ok := st.Find(team, scoring.ByParticipation); !ok || s.Participations != n {
			t.Errorf("%s: %d défis done, want %d", team, s.Participations, n)
		}
	}
	culture, _ := st.Find("culture", scoring.ByParticipation)
	if culture.Rank != 1 {
		t.Errorf("culture ranks %d by participation, want 1st (1 agent of 1)", culture.Rank)
	}

	ask := e.mm.say("emma", e.mm.channel("equipe-colleges").Id, "@gigabot classement participation", "")
	eventually(t, "the ranking", func() bool { return len(e.answered(ask)) == 1 })
	ranking := e.answered(ask)[0].Message
	if !strings.Contains(ranking, "**Classement à la participation**") ||
		strings.Index(ranking, "Culture et patrimoine") > strings.Index(ranking, "Direction des routes") {
		t.Errorf("ranking = %q, want culture first, then routes", ranking)
	}

	form := url.Values{"token": {commandToken}, "user_id": {e.mm.user("carol").Id}, "user_name": {"carol"}, "text": {"equipe"}}
	if status, resp := e.slash(http.MethodPost, form, nil); status != http.StatusOK || !strings.Contains(resp.Text, "Direction des routes") {
		t.Errorf("/giga equipe = %d %q", status, resp.Text)
	}

	e.botClock.Advance(7*time.Hour + 30*time.Minute) // 17:00, the recap
	if err := e.bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	recap := e.replies("equipe-routes")
	if last := recap[len(recap)-1]; !strings.Contains(last, "Bilan du jour 1/15") {
		t.Errorf("last post in equipe-routes = %q, want the recap", last)
	}
}

// TestReactionTakenBackWhileDown: a ✅ taken back while no replica runs,
// hours before the bot is back (beyond its backfill, so the catch-up does
// not fetch the post), is taken off the counts: the core reads the défi
// posts' reactions when the bot starts (bot.Bot.SettleDefis, through
// Adapter.Reactions).
func TestReactionTakenBackWhileDown(t *testing.T) {
	mm := newFake(t)
	store, _, _ := redistest.NewStore(t)
	one := newEnvOn(t, mm, store, nil)
	stop := one.start()
	defi := one.publishDefi()["equipe-routes"]
	mm.react("alice", defi.Id, "white_check_mark", true)
	mm.react("bob", defi.Id, "white_check_mark", true)
	eventually(t, "the ✅ counted", func() bool { return one.participations("routes") == 2 })
	stop()

	mm.react("alice", defi.Id, "white_check_mark", false)
	mm.mu.Lock()
	mm.now += (2 * time.Hour).Milliseconds()
	mm.mu.Unlock()
	two := newEnvOn(t, mm, store, func(_ *Config, o *Options) { o.Owner = "replica-2" })
	two.botClock.Advance(2 * time.Hour)
	two.run()
	read, err := two.bot.SettleDefis(context.Background())
	if err != nil || read != 3 {
		t.Fatalf("SettleDefis = %d, %v; want the 3 défis read", read, err)
	}
	if n := two.participations("routes"); n != 1 {
		t.Errorf("routes: %d défis done, want 1 (bob's; alice took hers back)", n)
	}
}

// failOnceClaims fails the first claim of a reaction added, as Redis does
// during a failover (READONLY).
type failOnceClaims struct {
	*redis.Store
	failed atomic.Bool
}

func (f *failOnceClaims) ClaimDelivery(ctx context.Context, id, owner string, lease time.Duration) (scoring.ClaimStatus, error) {
	if strings.HasPrefix(id, "mattermost:reaction:+") && f.failed.CompareAndSwap(false, true) {
		return 0, errors.New("READONLY You can't write against a read only replica")
	}
	return f.Store.ClaimDelivery(ctx, id, owner, lease)
}

// TestReactionWhoseClaimFailed: a ✅ whose claim failed is fetched again at
// the next catch-up and counted, without a restart.
func TestReactionWhoseClaimFailed(t *testing.T) {
	mm := newFake(t)
	store, _, _ := redistest.NewStore(t)
	claims := &failOnceClaims{Store: store}
	e := newEnvOn(t, mm, store, func(_ *Config, o *Options) { o.Deliveries = claims })
	e.run()
	defi := e.publishDefi()["equipe-routes"]
	mm.react("alice", defi.Id, "white_check_mark", true)
	eventually(t, "the claim failed", func() bool { return claims.failed.Load() && strings.Contains(e.logs.String(), "cannot claim an event") })
	e.clock.Advance(30 * time.Second) // the next ping: the catch-up it asked for
	eventually(t, "alice's ✅ counted", func() bool { return e.participations("routes") == 1 })
}

// TestUndeliveredAdditionKeepsItsName: an addition whose claim failed stays
// known, undelivered, so that its removal is named after it as on every
// replica (the addition's create_at), and the next catch-up hands it on.
func TestUndeliveredAdditionKeepsItsName(t *testing.T) {
	a := &Adapter{known: map[string]map[string]int64{"P": {}}, undelivered: map[string]bool{}}
	add := &model.Reaction{UserId: "u", PostId: "P", EmojiName: "white_check_mark", CreateAt: 100}
	a.untrack(add, true, a.trackReaction(add, true)) // its claim failed
	if !a.undelivered["P\x00u\x00white_check_mark"] {
		t.Error("the addition is not marked undelivered")
	}
	del := &model.Reaction{UserId: "u", PostId: "P", EmojiName: "white_check_mark", CreateAt: 100, UpdateAt: 200, DeleteAt: 200}
	if got := a.trackReaction(del, false); got != 100 {
		t.Errorf("the removal's stamp = %d, want 100, the addition's", got)
	}
	if len(a.undelivered) != 0 {
		t.Errorf("undelivered after the removal = %v, want none", a.undelivered)
	}
}
