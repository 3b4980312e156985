package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
)

// At 14:00 the teams below half their agents get a friendly reminder in
// their channel, once however many replicas run, and their agents who have
// not reacted a direct one unless they turned them off; a team at or
// above half gets nothing.
func TestReminders(t *testing.T) {
	ctx := context.Background()
	yaml := bottest.ConfigYAML + "reminders:\n  - {at: \"14:00\", below: 50 %, direct: true}\n"
	env := bottest.New(t, mustDay(t, 1, 9), yaml)
	other := env.Restart(t, "replica-2")
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	env.React(t, "alice", "white_check_mark", env.DefiPost(t, "equipe-routes", 1), true)  // routes: 1 of 4
	env.React(t, "emma", "white_check_mark", env.DefiPost(t, "equipe-colleges", 1), true) // colleges: 1 of 2
	env.React(t, "gaby", "white_check_mark", env.DefiPost(t, "equipe-culture", 1), true)  // culture: 1 of 1
	if got := bottest.Texts(env.Say(t, "dan", "dm-dan", "rappels off")); !strings.Contains(got, "plus de rappel personnel") {
		t.Errorf("rappels off: %s", got)
	}
	env.Say(t, "carol", "dm-carol", "reminders off")
	if got := bottest.Texts(env.Say(t, "carol", "dm-carol", "rappels on")); !strings.Contains(got, "de nouveau") {
		t.Errorf("rappels on: %s", got)
	}
	if got := bottest.Texts(env.Say(t, "carol", "dm-carol", "rappels peut-être")); !strings.Contains(got, "`rappels off`") {
		t.Errorf("rappels with a bad argument: %s", got)
	}

	env.Set(env.At(1, 13, 59))
	env.Chat.Reset()
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(env.Chat.Of(bot.KindReminder)); n != 0 {
		t.Fatalf("%d reminders before 14:00", n)
	}
	env.Set(env.At(1, 14, 0))
	for _, b := range []*bot.Bot{env.Bot, other, env.Bot} {
		if err := b.Catchup(ctx); err != nil {
			t.Fatal(err)
		}
	}
	env.Set(env.At(1, 14, 30))
	if err := other.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, p := range env.Chat.Of(bot.KindReminder) {
		got[p.Channel]++
	}
	want := map[string]int{"equipe-routes": 1, "@bob": 1, "@carol": 1}
	if len(got) != len(want) {
		t.Errorf("reminders %v, want %v:\n%s", got, want, bottest.Texts(env.Chat.Posts()))
	}
	for ch, n := range want {
		if got[ch] != n {
			t.Errorf("%d reminders to %s, want %d", got[ch], ch, n)
		}
	}
	if text := bottest.Texts(env.Chat.In("equipe-routes")); !strings.Contains(text, "25\u00a0% de l’équipe a relevé le défi du jour") {
		t.Errorf("the reminder: %s", text)
	}
	if text := bottest.Texts(env.Chat.In("@bob")); !strings.Contains(text, "`rappels off`") || !strings.Contains(text, "#equipe-routes") {
		t.Errorf("the direct reminder: %s", text)
	}

	// After the recap, or on a day without défi, nothing.
	env.Set(env.At(1, 17, 30))
	env.Chat.Reset()
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(env.Chat.Of(bot.KindReminder)); n != 0 {
		t.Errorf("%d reminders after the recap", n)
	}
}
