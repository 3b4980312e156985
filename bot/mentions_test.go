package bot_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
)

// liveMention finds what some platform reads as a mention: "@" right
// before a name (Mattermost, Slack's automatic parsing, Matrix's "@room")
// or "<" before "!", "@" or "#" (Slack's <!channel>, <@U123>, <#C123>).
var liveMention = regexp.MustCompile(`@[\p{L}\p{N}_]|<[!@#]`)

// Whatever a user makes the bot repeat pings nobody: the echo of an
// unknown command, of an unknown ranking or team, a correction's points
// and reason (in the confirmation and in the evening's recap), a display
// name. Each case first checks that the user's text is in the answer, so
// that a missing answer cannot pass for a safe one.
func TestEchoedUserTextPingsNobody(t *testing.T) {
	tests := []struct {
		name, user, display, text string
		// shown is what the answer must show of the user's text, once its
		// mentions are broken ("@" and "<" stay visible).
		shown string
	}{
		{name: "unknown command @channel", user: "alice", text: "@channel", shown: "channel"},
		{name: "unknown command @here", user: "alice", text: "@here venez voir", shown: "here"},
		{name: "unknown command @all", user: "alice", text: "@all", shown: "all"},
		{name: "unknown command @everyone", user: "alice", text: "@everyone", shown: "everyone"},
		{name: "Matrix @room", user: "alice", text: "@room", shown: "room"},
		{name: "a user by name", user: "alice", text: "@bob", shown: "bob"},
		{name: "Slack <!everyone>", user: "alice", text: "<!everyone>", shown: "everyone"},
		{name: "Slack <!channel> glued to a word", user: "alice", text: "x<!channel>", shown: "channel"},
		{name: "Slack <!here>", user: "alice", text: "<!here|here>", shown: "here"},
		{name: "Slack user id", user: "alice", text: "<@U0ALICE01>", shown: "U0ALICE01"},
		{name: "Slack user group", user: "alice", text: "<!subteam^S0DEVS|@devs>", shown: "subteam"},
		{name: "suggestion after a mention", user: "alice", text: "@classement", shown: "classement"},
		{name: "unknown ranking", user: "alice", text: "classement @here", shown: "here"},
		{name: "team searched", user: "alice", text: "equipe @channel", shown: "channel"},
		{name: "team searched, Slack form", user: "alice", text: "équipe <!channel>", shown: "channel"},
		{name: "correction of an unknown team", user: "coord", text: "correction @all 10 motif", shown: "all"},
		{name: "correction's points", user: "coord", text: "correction routes @channel motif", shown: "channel"},
		{name: "correction's reason", user: "coord", text: "correction routes 10 merci @channel et <!here>", shown: "merci"},
		{name: "display name", user: "alice", display: "@channel", text: "moi", shown: "channel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := bottest.New(t, mustDay(t, 2, 10))
			ev := bot.Event{Kind: bot.MessageReceived, User: tt.user, DisplayName: tt.display, Channel: "equipe-routes", Text: tt.text}
			if err := env.Bot.Handle(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
			posts := env.Chat.Posts()
			if len(posts) != 1 || !strings.Contains(posts[0].Msg.Text, tt.shown) {
				t.Fatalf("answer to %q does not show %q:\n%s", tt.text, tt.shown, bottest.Texts(posts))
			}
			if m := liveMention.FindString(posts[0].Msg.Text); m != "" {
				t.Errorf("answer to %q carries a live mention %q:\n%s", tt.text, m, posts[0].Msg.Text)
			}
		})
	}
}

// A correction's reason is shown again in the evening's recap, in every
// team channel: broken there too.
func TestCorrectionReasonInRecapPingsNobody(t *testing.T) {
	env := bottest.New(t, mustDay(t, 2, 10))
	env.Say(t, "coord", "general", "correction colleges 12 bravo @channel <!here>")
	env.Set(env.At(2, 17, 0))
	if err := env.Bot.Catchup(context.Background()); err != nil {
		t.Fatal(err)
	}
	recaps := env.Chat.Of(bot.KindRecap)
	if len(recaps) != 3 {
		t.Fatalf("want 3 recaps, got %d", len(recaps))
	}
	for _, r := range recaps {
		if !strings.Contains(r.Msg.Text, "bravo") {
			t.Fatalf("recap in %s does not show the correction:\n%s", r.Channel, r.Msg.Text)
		}
		if m := liveMention.FindString(r.Msg.Text); m != "" {
			t.Errorf("recap in %s carries a live mention %q:\n%s", r.Channel, m, r.Msg.Text)
		}
	}
}

// Coordinators and the DGS speak to everyone on purpose: their
// announcements keep the mentions they wrote.
func TestAnnouncementsKeepTheirMentions(t *testing.T) {
	for _, tt := range []struct {
		user, command string
		kind          bot.MessageKind
	}{{"coord", "annonce", bot.KindAnnouncement}, {"dg", "mobilisation", bot.KindMobilisation}} {
		t.Run(tt.command, func(t *testing.T) {
			env := bottest.New(t, mustDay(t, 2, 10))
			env.Say(t, tt.user, "general", tt.command+" @channel <!here> réunion à 14 h")
			sent := env.Chat.Of(tt.kind)
			if len(sent) != 3 {
				t.Fatalf("%d posts in team channels, want 3", len(sent))
			}
			for _, p := range sent {
				if !strings.Contains(p.Msg.Text, "@channel <!here> réunion à 14 h") {
					t.Errorf("%s in %s lost its mentions: %q", tt.command, p.Channel, p.Msg.Text)
				}
			}
		})
	}
}
