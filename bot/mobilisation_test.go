package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/challenges"
)

// The DGS's scheduled call goes out at its time in every team channel,
// once whichever replica sends it, signed and worded as the mobilisation
// command's; not before, not again, not a day late.
func TestScheduledMobilisation(t *testing.T) {
	ctx := context.Background()
	yaml := strings.Replace(bottest.ConfigYAML, "  days: 15\n", "  days: 15\n  mobilisation: {at: \"2027-03-19 10:30\", text: Tous au ménage !}\n", 1)
	env := bottest.New(t, time.Date(2027, 3, 19, 10, 29, 0, 0, mustDay(t, 1, 9).Location()), yaml)
	other := env.Restart(t, "replica-2")
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(env.Chat.Of(bot.KindMobilisation)); n != 0 {
		t.Fatalf("%d calls before 10:30", n)
	}
	env.Set(env.Clock.Now().Add(time.Minute))
	for _, b := range []*bot.Bot{other, env.Bot, other} {
		if err := b.Catchup(ctx); err != nil {
			t.Fatal(err)
		}
	}
	calls := env.Chat.Of(bot.KindMobilisation)
	if len(calls) != 3 {
		t.Fatalf("%d calls, want one per team channel:\n%s", len(calls), bottest.Texts(env.Chat.Posts()))
	}
	// Its text corrected after it went out, and reloaded: not sent again.
	live := env.Live(t, "replica-3")
	fixed, err := challenges.Parse([]byte(strings.Replace(yaml, "Tous au ménage !", "Tous au ménage et merci !", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if err := live.Reload(ctx, fixed); err != nil {
		t.Fatal(err)
	}
	if err := live.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(env.Chat.Of(bot.KindMobilisation)); n != 3 {
		t.Errorf("%d calls after the text was corrected and reloaded, want the 3 sent", n)
	}
	// The same words and signature as the command's.
	env.Chat.Reset()
	env.Say(t, "dg", "dm-dg", "mobilisation Tous au ménage !")
	byCommand := env.Chat.Of(bot.KindMobilisation)
	if len(byCommand) == 0 || byCommand[0].Msg.Text != calls[0].Msg.Text || !strings.Contains(calls[0].Msg.Text, "— Claire Martin") {
		t.Errorf("scheduled %q, by command %q: want the same text, signed Claire Martin", calls[0].Msg.Text, bottest.Texts(byCommand))
	}
	env.Chat.Reset()
	env.Set(time.Date(2027, 3, 20, 10, 0, 0, 0, env.Calendar.Location))
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(env.Chat.Of(bot.KindMobilisation)); n != 0 {
		t.Errorf("%d calls the next day", n)
	}
}

// A bot down all the call's day does not send it late.
func TestScheduledMobilisationNotLate(t *testing.T) {
	yaml := strings.Replace(bottest.ConfigYAML, "  days: 15\n", "  days: 15\n  mobilisation: {at: \"2027-03-19 10:30\", text: Allez !}\n", 1)
	env := bottest.New(t, mustDay(t, 1, 10), yaml)
	if err := env.Bot.Catchup(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(env.Chat.Of(bot.KindMobilisation)); n != 0 {
		t.Errorf("%d calls sent three days late", n)
	}
}
