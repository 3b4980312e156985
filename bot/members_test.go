package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
)

// channelYAML is bottest's campaign where the colleges take their agents
// from their channel.
var channelYAML = strings.Replace(bottest.ConfigYAML, "members: [emma, farid]", "members: channel", 1)

func membership(t *testing.T, b *bot.Bot, kind bot.EventKind, channel, user string, members ...string) {
	t.Helper()
	var err error
	if members != nil {
		err = b.ListMembers(context.Background(), channel, members)
	} else {
		err = b.Handle(context.Background(), bot.Event{Kind: kind, Channel: channel, User: user})
	}
	if err != nil {
		t.Fatalf("membership: %v", err)
	}
}

// A channel team's agents are its channel's members as the platform lists
// them and tells who joins and leaves: their ✅ counts for the team, on
// every replica, and the team's size follows; the DGS and coordinators
// in the channel are nobody's agents.
func TestChannelTeamMembers(t *testing.T) {
	env := bottest.New(t, mustDay(t, 1, 10), channelYAML)
	ctx := context.Background()
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	post := env.DefiPost(t, "equipe-colleges", 1)
	membership(t, env.Bot, 0, "equipe-colleges", "", "emma", "farid", "coord", "U0HANS")

	second := env.Restart(t, "replica-2")
	if err := second.Handle(ctx, bot.Event{Kind: bot.ReactionAdded, User: "emma", Reaction: "white_check_mark", PostID: post}); err != nil {
		t.Fatal(err)
	}
	env.React(t, "coord", "white_check_mark", post, true)
	env.React(t, "zoe", "white_check_mark", post, true) // not in the channel yet
	st, err := second.Standings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := st.Find("colleges", "points")
	if s.Members != 3 || s.Participations != 1 {
		t.Fatalf("colleges: %d members, %d défis done; want 3 (emma, farid, U0HANS) and 1 (emma's)", s.Members, s.Participations)
	}

	membership(t, env.Bot, bot.MemberJoined, "equipe-colleges", "zoe")
	membership(t, second, bot.MemberLeft, "equipe-colleges", "farid")
	membership(t, env.Bot, bot.MemberJoined, "equipe-routes", "yann") // a team with a list: nothing
	env.React(t, "zoe", "white_check_mark", post, true)
	env.React(t, "farid", "white_check_mark", post, true)
	env.React(t, "yann", "white_check_mark", post, true)
	if reply := bottest.Texts(env.Say(t, "zoe", "equipe-colleges", "équipe")); !strings.Contains(reply, "Direction des collèges") {
		t.Errorf("zoe's équipe: %s", reply)
	}
	if reply := bottest.Texts(env.Say(t, "farid", "equipe-colleges", "moi")); strings.Contains(reply, "Direction des collèges") {
		t.Errorf("farid left, yet: %s", reply)
	}
	st, err = env.Bot.Standings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s, _ = st.Find("colleges", "points")
	if s.Members != 3 || s.Participations != 2 {
		t.Errorf("colleges: %d members, %d défis done; want 3 (emma, zoe, U0HANS) and 2 (emma's, zoe's)", s.Members, s.Participations)
	}
	if r, _ := st.Find("routes", "points"); r.Participations != 0 || r.Members != 4 {
		t.Errorf("routes: %d members, %d done; want its 4 and none (yann is not in its list)", r.Members, r.Participations)
	}

	// A second list replaces the first.
	membership(t, second, 0, "equipe-colleges", "", "emma")
	st, _ = env.Bot.Standings(ctx)
	if s, _ := st.Find("colleges", "points"); s.Members != 1 {
		t.Errorf("colleges: %d members after a new list of one", s.Members)
	}
}
