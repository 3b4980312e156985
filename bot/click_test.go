package bot_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/scoring"
)

// clickDay is day 1 at 10:00, the défis posted; it returns the défi post
// of equipe-routes.
func clickDay(t *testing.T) (*bottest.Env, string) {
	t.Helper()
	env := bottest.New(t, mustDay(t, 1, 10))
	if err := env.Bot.Catchup(context.Background()); err != nil {
		t.Fatal(err)
	}
	return env, env.DefiPost(t, "equipe-routes", 1)
}

// The core decides what a click on a défi card does and what the clicker
// reads; steps run in order, on one campaign day.
func TestClick(t *testing.T) {
	env, routes := clickDay(t)
	env.React(t, "bob", "white_check_mark", routes, true)
	reply := env.Say(t, "alice", "equipe-routes", "aide")[0].ID
	const (
		counted  = "C’est noté\u00a0: défi relevé ✅"
		already  = "C’est déjà noté\u00a0: vous aviez relevé ce défi ✅"
		outsider = "Vous ne faites partie d’aucune équipe de la campagne\u00a0: ce clic ne compte pas."
		notDefi  = "Ce message n’est pas un défi de la campagne\u00a0: ce clic ne compte pas."
	)
	steps := []struct {
		name       string
		user, post string
		want       bot.ClickOutcome
		// done are the agents whose défi of day 1 counts afterwards.
		done []string
	}{
		{"a member clicks", "alice", routes, bot.ClickOutcome{Result: bot.ClickCounted, Day: 1, Text: counted}, []string{"alice", "bob"}},
		{"she clicks again", "alice", routes, bot.ClickOutcome{Result: bot.ClickAlready, Day: 1, Text: already}, []string{"alice", "bob"}},
		{"a member who reacted clicks", "bob", routes, bot.ClickOutcome{Result: bot.ClickAlready, Day: 1, Text: already}, []string{"alice", "bob"}},
		{"someone in no team", "zoe", routes, bot.ClickOutcome{Result: bot.ClickOutsider, Text: outsider}, []string{"alice", "bob"}},
		{"the DGS, in no team", "dg", routes, bot.ClickOutcome{Result: bot.ClickOutsider, Text: outsider}, []string{"alice", "bob"}},
		{"a post that is no défi", "carol", reply, bot.ClickOutcome{Result: bot.ClickNotDefi, Text: notDefi}, []string{"alice", "bob"}},
		{"a member of another team, on this card", "emma", routes, bot.ClickOutcome{Result: bot.ClickCounted, Day: 1, Text: counted}, []string{"alice", "bob", "emma"}},
	}
	for _, s := range steps {
		got, err := env.Bot.Click(context.Background(), bot.Click{User: s.user, Channel: "equipe-routes", PostID: s.post})
		if err != nil || got != s.want {
			t.Fatalf("%s: Click = %+v, %v; want %+v", s.name, got, err, s.want)
		}
		var done []string
		for _, agent := range []string{"alice", "bob", "carol", "emma", "zoe", "dg"} {
			if days, _ := env.Store.AgentDays(context.Background(), agent); slices.Contains(days, 1) {
				done = append(done, agent)
			}
		}
		if !slices.Equal(done, s.done) {
			t.Fatalf("%s: défi 1 done by %v, want %v", s.name, done, s.done)
		}
	}
}

// failingReacts is a store that cannot record a reaction.
type failingReacts struct{ *redis.Store }

func (failingReacts) React(context.Context, scoring.Reaction, bool) (int, error) {
	return 0, errors.New("store broken")
}

func TestClickThatFails(t *testing.T) {
	env, routes := clickDay(t)
	b, err := bot.New(context.Background(), bot.Options{
		Config: env.Config, Calendar: env.Calendar, Store: failingReacts{env.Store}, Chat: env.Chat, Clock: env.Clock, Owner: "replica-2",
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.Click(context.Background(), bot.Click{User: "alice", Channel: "equipe-routes", PostID: routes})
	want := bot.ClickOutcome{Result: bot.ClickFailed, Day: 1, Text: "Désolé, cela n’a pas fonctionné\u00a0: réessayez, ou réagissez avec l’emoji."}
	if err == nil || got != want {
		t.Fatalf("Click = %+v, %v; want %+v and the store's error", got, err, want)
	}
}

// The answers and the button's words are the campaign's language.
func TestClickTextsInEnglish(t *testing.T) {
	en := bot.NewLocale("en")
	tests := []struct {
		result bot.ClickResult
		want   string
	}{
		{bot.ClickCounted, "Noted: challenge done ✅"},
		{bot.ClickAlready, "Already noted: you had done this challenge ✅"},
		{bot.ClickOutsider, "You are not in any team of the campaign: this click does not count."},
		{bot.ClickNotDefi, "This message is not a challenge of the campaign: this click does not count."},
		{bot.ClickFailed, "Sorry, that did not work: try again, or react with the emoji."},
	}
	for _, tt := range tests {
		if got := tt.result.Text(en); got != tt.want {
			t.Errorf("%d: %q, want %q", tt.result, got, tt.want)
		}
	}
	if got := en.T("chat.button"); got != "I did the challenge ✅" {
		t.Errorf("button %q", got)
	}
	if got := bot.NewLocale("fr").T("chat.button"); got != "J’ai relevé le défi ✅" {
		t.Errorf("bouton %q", got)
	}
}
