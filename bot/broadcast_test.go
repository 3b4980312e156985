package bot_test

import (
	"strings"
	"testing"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
)

// The same announcement sent again the same day is not posted twice (a
// platform's redelivery must not double it in every channel), and the
// bot says so instead of claiming it sent it.
func TestRepeatedAnnouncementSaysAlreadySent(t *testing.T) {
	for _, tt := range []struct {
		user, command string
		kind          bot.MessageKind
	}{{"coord", "annonce", bot.KindAnnouncement}, {"dg", "mobilisation", bot.KindMobilisation}} {
		t.Run(tt.command, func(t *testing.T) {
			env := bottest.New(t, mustDay(t, 2, 10))
			first := env.Say(t, tt.user, "general", tt.command+" Réunion à 14 h")
			if n := count(first, tt.kind); n != 3 || !strings.Contains(plain(env.Chat.Last()), "envoyé dans 3 canaux") {
				t.Fatalf("first %s: %d posts, answer %q", tt.command, n, env.Chat.Last())
			}
			env.Clock.Advance(1e10)
			again := env.Say(t, tt.user, "general", tt.command+" Réunion à 14 h")
			if len(again) != 1 || count(again, tt.kind) != 0 {
				t.Fatalf("the repeat posted again:\n%s", bottest.Texts(again))
			}
			if got := plain(again[0].Msg.Text); !strings.Contains(got, "déjà été envoy") || !strings.Contains(got, "aujourd’hui") || strings.Contains(got, "C’est envoyé") {
				t.Errorf("answer to the repeat = %q, want it said already sent today", got)
			}
			// Another text, or the next day, goes out.
			env.Clock.Advance(1e10)
			if n := count(env.Say(t, tt.user, "general", tt.command+" Réunion à 15 h"), tt.kind); n != 3 {
				t.Errorf("another text: %d posts, want 3", n)
			}
			env.Set(env.At(3, 10, 0))
			if n := count(env.Say(t, tt.user, "general", tt.command+" Réunion à 14 h"), tt.kind); n != 3 {
				t.Errorf("the same text the next day: %d posts, want 3", n)
			}
		})
	}
}
