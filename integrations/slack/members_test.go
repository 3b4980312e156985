package slack

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/challenges"
)

func memberJSON(kind, user, channel string) string {
	return fmt.Sprintf(`{"type":%q,"user":%q,"channel":%q,"channel_type":"C","team":"T1","event_ts":"1711098400.000100"}`, kind, user, channel)
}

// A team whose members are its channel's: the adapter lists the channel's
// members (page by page; not the bot, nor a deleted account) and hands
// them to the core when it runs, then tells who joins and leaves that
// channel, and nobody else's comings and goings.
func TestChannelMembers(t *testing.T) {
	cfg, err := challenges.Parse([]byte(strings.Replace(testConfig, "members: [emma, farid]", "members: channel", 1)))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, func(_ *Config, o *Options) { o.Roster = bot.NewRoster(cfg) })
	h := &bottest.Handler{}
	f.a.Mount(f.mux, h)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- f.a.Run(ctx, h) }()
	bottest.Eventually(t, "the channel's members", func() bool { _, ok := h.Members("#equipe-colleges"); return ok })
	got, _ := h.Members("#equipe-colleges")
	if want := []string{"U0EMMA001", "U0NEWBIE1", "U0FARID01"}; !slices.Equal(got, want) {
		t.Errorf("members %q, want %q", got, want)
	}
	if n := len(f.slack.Requests("conversations.members")); n != 3 {
		t.Errorf("%d conversations.members calls, want 3 (pages of 2)", n)
	}

	f.send(t, "/slack/events", eventJSON("EvJ1", memberJSON("member_joined_channel", "U0GABY001", "C0COLLEGE")))
	f.send(t, "/slack/events", eventJSON("EvJ2", memberJSON("member_left_channel", "U0FARID01", "C0COLLEGE")))
	f.send(t, "/slack/events", eventJSON("EvJ3", memberJSON("member_joined_channel", "U0ALICE01", "C0ROUTES1")))
	f.send(t, "/slack/events", eventJSON("EvJ4", memberJSON("member_joined_channel", "UBOT", "C0COLLEGE")))
	bottest.Eventually(t, "two membership events", func() bool { return len(h.Handled()) >= 2 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := []bot.Event{
		{Kind: bot.MemberJoined, User: "gaby", Channel: "#equipe-colleges"},
		{Kind: bot.MemberLeft, User: "U0FARID01", Channel: "#equipe-colleges"},
	}
	var events []bot.Event
	for _, ev := range h.Handled() {
		events = append(events, bot.Event{Kind: ev.Kind, User: ev.User, Channel: ev.Channel})
	}
	slices.SortFunc(events, func(a, b bot.Event) int { return int(a.Kind) - int(b.Kind) })
	if !slices.Equal(events, want) {
		t.Errorf("events %+v, want %+v", events, want)
	}
}

// A reloaded config's roster is matched as at start-up: a person it adds
// is named by it from then on, and a team that now takes its members from
// its channel has them listed for the core.
func TestReloadRoster(t *testing.T) {
	f := newFixture(t)
	if name, _, err := f.a.user(t.Context(), "U0MALLORY"); err != nil || name != "U0MALLORY" {
		t.Fatalf("before the reload, mallory is %q (%v), want her Slack ID", name, err)
	}
	cfg, err := challenges.Parse([]byte(strings.NewReplacer("members: [gaby]", "members: [gaby, mallory]", "members: [emma, farid]", "members: channel").Replace(testConfig)))
	if err != nil {
		t.Fatal(err)
	}
	h := &bottest.Handler{}
	rep, err := f.a.Reload(t.Context(), bot.NewRoster(cfg), h)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(rep.Members, "mallory") || !slices.Contains(rep.Members, "dan") {
		t.Errorf("report %+v: want dan (deleted) unmatched, mallory matched", rep)
	}
	if name, _, _ := f.a.user(t.Context(), "U0MALLORY"); name != "mallory" {
		t.Errorf("after the reload, mallory is %q", name)
	}
	if got, ok := h.Members("#equipe-colleges"); !ok || len(got) != 3 {
		t.Errorf("colleges' channel members %q (%v), want 3 listed", got, ok)
	}
	if strings.Contains(f.logs.String(), "two config names designate one Slack user") {
		t.Errorf("matching the same names again warned:\n%s", f.logs)
	}
}

// A direct message ("@alice", the core's name for her, or a channel
// member's "@U0…") goes to the person's conversation with the app.
func TestDirectMessage(t *testing.T) {
	f := newFixture(t)
	for _, to := range []string{"@alice", "@bob@cd14.fr", "@U0NEWBIE1"} {
		if _, err := f.a.Post(t.Context(), to, bot.Message{Kind: bot.KindReminder, Text: "⏰"}); err != nil {
			t.Errorf("post to %s: %v", to, err)
		}
	}
	if _, err := f.a.Post(t.Context(), "@nobody", bot.Message{Text: "x"}); err == nil {
		t.Error("a direct message to nobody was sent")
	}
	var got []string
	for _, p := range f.slack.Posts() {
		got = append(got, p.Channel)
	}
	if want := []string{"U0ALICE01", "U0BOB0001", "U0NEWBIE1"}; !slices.Equal(got, want) {
		t.Errorf("posted to %q, want %q", got, want)
	}
}
