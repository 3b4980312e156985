package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
)

// Testimonies: agents share a good practice for their team, bounded and
// recorded once; each day's recap quotes up to two never quoted before,
// one team at a time, signed with the team, pinging nobody; a coordinator
// withdraws one; the dashboard and the report show them.
func TestTestimoniesEndToEnd(t *testing.T) {
	env := bottest.New(t, mustDay(t, 1, 10))
	ctx := context.Background()
	say := func(user, text string) string {
		t.Helper()
		posts := env.Say(t, user, "general", text)
		if len(posts) != 1 {
			t.Fatalf("%s: %q gave %d posts", user, text, len(posts))
		}
		return posts[0].Msg.Text
	}
	alice := "On vide la corbeille partagée chaque vendredi à 16 h, ensemble."
	for _, tt := range []struct{ user, text, want string }{
		{"alice", "temoignage " + alice, "Merci\u202f! Votre témoignage T1 est enregistré pour Direction des routes"},
		{"alice", "témoignage   " + strings.ReplaceAll(alice, " ", "  "), "Votre témoignage T1 est déjà enregistré"}, // delivered twice, spaced out
		{"bob", "temoignage trop court", "Votre témoignage compte 10 caractères"},
		{"bob", "temoignage " + strings.Repeat("très long ", 60), "il en faut de 20 à 500"},
		{"bob", "temoignage", "temoignage <texte>"},
		{"zoe", "temoignage Je ne suis dans aucune équipe de la campagne.", "Seuls les agents d’une équipe"},
		{"gaby", "temoignage Prévenez @channel avant de vider le dossier commun !", "T2 est enregistré pour Culture et patrimoine"},
		{"bob", "temoignage Nous avons archivé les marchés clos de 2018 à 2020.", "T3 est enregistré pour Direction des routes"},
		{"emma", "temoignage Chaque agent trie ses pièces jointes le lundi matin.", "T4 est enregistré pour Direction des collèges"},
		{"alice", "retirer T3", "réservée"},
		{"coord", "retirer T3", "Témoignage T3 de Direction des routes retiré"},
		{"coord", "retirer T3", "Aucun témoignage T3"},
	} {
		if got := say(tt.user, tt.text); !strings.Contains(got, tt.want) {
			t.Errorf("%s: %q\n got %q\nwant %q", tt.user, tt.text, got, tt.want)
		}
	}

	recap := func(n int) string {
		t.Helper()
		env.Set(env.At(n, 17, 0))
		if err := env.Bot.Catchup(ctx); err != nil {
			t.Fatal(err)
		}
		posts := env.Chat.In("equipe-culture")
		last := posts[len(posts)-1]
		if last.Msg.Kind != bot.KindRecap {
			t.Fatalf("the last post in #equipe-culture is not day %d's recap: %+v", n, last)
		}
		return last.Msg.Text
	}
	// Day 1: one per team, the oldest first: T1 (routes), T2 (culture).
	day1 := recap(1)
	for _, want := range []string{"Les bonnes pratiques de vos collègues", "«\u00a0" + alice + "\u00a0» — Direction des routes",
		"Prévenez @\u200bchannel avant", "— Culture et patrimoine"} {
		if !strings.Contains(day1, want) {
			t.Errorf("day 1's recap lacks %q:\n%s", want, day1)
		}
	}
	if strings.Contains(day1, "alice") || strings.Contains(day1, "pièces jointes") {
		t.Errorf("day 1's recap names the author or quotes a third testimony:\n%s", day1)
	}
	// Day 2: the one left, T4; never T1 or T2 again, never the withdrawn T3.
	env.Set(env.At(2, 10, 0))
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	day2 := recap(2)
	if !strings.Contains(day2, "pièces jointes") || strings.Contains(day2, alice) || strings.Contains(day2, "2018") {
		t.Errorf("day 2's recap:\n%s", day2)
	}

	board, err := env.Bot.Board(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tm := range board.Testimonies {
		ids = append(ids, tm.ID)
	}
	if strings.Join(ids, ",") != "T4,T2,T1" || board.Testimonies[2].TeamName != "Direction des routes" {
		t.Errorf("the board's testimonies: %+v, want T4, T2, T1", board.Testimonies)
	}
	bilan, err := env.Bot.Bilan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, team := range bilan.Teams {
		if team.Team == "routes" && (len(team.Testimonies) != 1 || team.Testimonies[0] != alice) {
			t.Errorf("the report's routes page: %q, want alice's testimony alone", team.Testimonies)
		}
	}
}
