package mattermost

import (
	"slices"
	"strings"
	"testing"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/challenges"
)

// People named by e-mail address are found by it, as on Slack, and the
// core knows them by it; an address nobody has is reported.
func TestEmailMatching(t *testing.T) {
	mm := newFake(t)
	mm.user("bob").Email = "Bob.Durand@cd14.fr"
	cfg, err := challenges.Parse([]byte(strings.Replace(bottest.ConfigYAML, "members: [alice, bob, carol, dan]", "members: [alice, bob.durand@cd14.fr, nobody@cd14.fr, dan]", 1)))
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	e := newEnv(t, mm, func(_ *Config, o *Options) { o.Roster = bot.NewRoster(cfg) })
	rep, err = e.a.Connect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(rep.Problems, func(p string) bool {
		return strings.Contains(p, `"nobody@cd14.fr": no Mattermost account has this e-mail address`)
	}) {
		t.Errorf("problems %q, want nobody@cd14.fr reported", rep.Problems)
	}
	if slices.ContainsFunc(rep.Problems, func(p string) bool { return strings.Contains(p, "bob") }) {
		t.Errorf("problems %q name bob, whom his e-mail address finds", rep.Problems)
	}
	e.run()
	mm.dm("bob", "moi")
	eventually(t, "bob's message", func() bool { return len(e.rec.Handled()) > 0 })
	if got := e.rec.Handled()[0].User; got != "bob.durand@cd14.fr" {
		t.Errorf("bob is named %q, want the config's bob.durand@cd14.fr", got)
	}
}

// A team whose members are its channel's: each socket session lists the
// channel's members (not the bot, nor a bot or a deactivated account) for
// the core, then tells who joins and leaves it, and only it.
func TestChannelMembers(t *testing.T) {
	mm := newFake(t)
	colleges := mm.channel("equipe-colleges")
	for _, name := range []string{"emma", "zoe", "dan"} {
		mm.members[colleges.Id][mm.user(name).Id] = true
	}
	mm.user("dan").DeleteAt = 1
	helper := mm.addUser("helper")
	helper.IsBot = true
	mm.members[colleges.Id][helper.Id] = true
	cfg, err := challenges.Parse([]byte(strings.Replace(bottest.ConfigYAML, "members: [emma, farid]", "members: channel", 1)))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, mm, func(_ *Config, o *Options) { o.Roster = bot.NewRoster(cfg) })
	e.run()
	got, ok := e.rec.Members("equipe-colleges")
	slices.Sort(got)
	if want := []string{"emma", "zoe"}; !ok || !slices.Equal(got, want) {
		t.Errorf("members %q (%v), want %q", got, ok, want)
	}
	if _, ok := e.rec.Members("equipe-routes"); ok {
		t.Error("equipe-routes's members were listed: its team has a list")
	}

	mm.join("farid", colleges.Id, true)
	mm.join("zoe", colleges.Id, false)
	mm.join("alice", mm.channel("equipe-routes").Id, false)
	eventually(t, "two membership events", func() bool { return len(e.rec.Handled()) >= 2 })
	var events []bot.Event
	for _, ev := range e.rec.Handled() {
		events = append(events, bot.Event{Kind: ev.Kind, User: ev.User, Channel: ev.Channel})
	}
	want := []bot.Event{
		{Kind: bot.MemberJoined, User: "farid", Channel: "equipe-colleges"},
		{Kind: bot.MemberLeft, User: "zoe", Channel: "equipe-colleges"},
	}
	if !slices.Equal(events, want) {
		t.Errorf("events %+v, want %+v", events, want)
	}
}
