package bot_test

import (
	"strings"
	"testing"

	"github.com/gigabot/gigabot/bot"
)

// zw writes the zero-width space readably in an expectation: "¦" is U+200B.
var zw = strings.NewReplacer("¦", "\u200b").Replace

func TestNeutralise(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"Mattermost and Slack @channel", "@channel", "@¦channel"},
		{"@all", "@all", "@¦all"},
		{"@here in a sentence", "venez @here !", "venez @¦here !"},
		{"@everyone", "@everyone", "@¦everyone"},
		{"a user", "@bob.durand", "@¦bob.durand"},
		{"Matrix @room", "@room", "@¦room"},
		{"Matrix user id", "@alice:cd14.fr", "@¦alice:cd14.fr"},
		{"Slack <!channel>", "<!channel>", "<¦!channel>"},
		{"Slack <!here> with a label", "<!here|here>", "<¦!here|here>"},
		{"Slack <!everyone>", "<!everyone>", "<¦!everyone>"},
		{"Slack user", "<@U0ALICE01>", "<¦@¦U0ALICE01>"},
		{"Slack user group", "<!subteam^S0DEVS|@devs>", "<¦!subteam^S0DEVS|@¦devs>"},
		{"Slack channel link", "<#C0ROUTES1>", "<¦#C0ROUTES1>"},
		{"Slack link with a false label", "<https://evil.example|intranet>", "<¦https://evil.example|intranet>"},
		{"glued to a word", "x<!channel>y@here", "x<¦!channel>y@¦here"},
		{"doubled", "@@channel <<!here>", "@¦@¦channel <¦<¦!here>"},
		{"an e-mail address", "alice@cd14.fr", "alice@¦cd14.fr"},
		{"already broken", "@¦channel <¦!here>", "@¦channel <¦!here>"},
		{"at the very end", "écrivez @", "écrivez @¦"},
		{"nothing to break", "classement volume", "classement volume"},
		{"accents and emoji", "équipe 🎉 « culture »", "équipe 🎉 « culture »"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bot.Neutralise(zw(tt.in))
			if got != zw(tt.want) {
				t.Errorf("Neutralise(%q) = %q, want %q", zw(tt.in), got, zw(tt.want))
			}
			if m := liveMention.FindString(got); m != "" {
				t.Errorf("Neutralise(%q) = %q still holds the mention %q", zw(tt.in), got, m)
			}
			if again := bot.Neutralise(got); again != got {
				t.Errorf("Neutralise is not idempotent: %q, then %q", got, again)
			}
			if read := strings.ReplaceAll(got, "\u200b", ""); read != strings.ReplaceAll(zw(tt.in), "\u200b", "") {
				t.Errorf("what people read changed: %q, from %q", read, tt.in)
			}
		})
	}
}

func FuzzNeutralise(f *testing.F) {
	for _, s := range []string{"@channel", "<!here>", "<@U1>", "a@b<c", "@\u200b", "\xff@"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := bot.Neutralise(s)
		if m := liveMention.FindString(got); m != "" {
			t.Errorf("Neutralise(%q) = %q still holds the mention %q", s, got, m)
		}
		if again := bot.Neutralise(got); again != got {
			t.Errorf("Neutralise is not idempotent on %q: %q, then %q", s, got, again)
		}
	})
}
