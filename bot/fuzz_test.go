package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
)

// FuzzCommand sends arbitrary text to the bot, as a coordinator and as an
// agent: it never panics nor fails, it answers at most once, and nothing it
// posts holds a live mention, whatever the text quoted back. Announcements
// are the coordinator's own words to everyone and keep theirs (see
// bot.Neutralise).
func FuzzCommand(f *testing.F) {
	for _, s := range []string{
		"aide", "", "   ", "classement", "classement volume", "classement @here", "equipe", "équipe <!channel>",
		"moi", "defi", "programme", "@gigabot classement", "où en est mon équipe ?", "en attente", "valider abcd",
		"rejeter 0000", "export", "correction routes 12,5 merci @channel", "correction @all 1e3 x", "correction routes −20 <@U1>",
		"annonce Réunion à 14 h <!here>", "mobilisation Tous au ménage", "\xff@\x00", "/giga aide", "x<!everyone>y@room",
	} {
		f.Add(s)
	}
	// A budget of commands no input exhausts: the limit has tests of its own.
	yaml := bottest.ConfigYAML + "rate_limit: {burst: 1000000000, every: 1h}\n"
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		f.Fatal(err)
	}
	env := bottest.New(f, time.Date(2027, 3, 24, 10, 0, 0, 0, paris), yaml) // campaign day 3
	if err := env.Bot.Catchup(context.Background()); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, user := range []string{"coord", "alice"} {
			env.Chat.Reset()
			if err := env.Bot.Handle(context.Background(), bot.Event{Kind: bot.MessageReceived, User: user, Channel: "equipe-routes", Text: text}); err != nil {
				t.Fatalf("%s: %q: %v", user, text, err)
			}
			replies := 0
			for _, p := range env.Chat.Posts() {
				switch p.Msg.Kind {
				case bot.KindAnnouncement, bot.KindMobilisation:
					continue
				case bot.KindReply:
					replies++
				}
				if m := liveMention.FindString(p.Msg.Text); m != "" {
					t.Errorf("%s: %q: the bot posted the live mention %q:\n%s", user, text, m, p.Msg.Text)
				}
			}
			if replies > 1 {
				t.Errorf("%s: %q: %d replies, want at most one:\n%s", user, text, replies, bottest.Texts(env.Chat.Posts()))
			}
		}
	})
}
