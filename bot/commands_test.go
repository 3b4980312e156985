package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/scoring"
)

func TestCommandsAnswer(t *testing.T) {
	env := bottest.New(t, mustDay(t, 3, 10))
	ctx := context.Background()
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, user, text string
		want             []string
		notWant          []string
	}{
		{"help for an agent", "alice", "aide", []string{"`classement", "`moi`", ":white_check_mark:"}, []string{"mobilisation", "correction"}},
		{"help for a coordinator", "coord", "aide", []string{"`annonce", "`correction"}, []string{"mobilisation"}},
		{"help for the DGS", "dg", "aide", []string{"`mobilisation", "`annonce"}, nil},
		{"english alias", "alice", "help", []string{"`classement"}, nil},
		{"empty message is help", "alice", "", []string{"Gigabot"}, nil},
		{"bot mention stripped", "alice", "@gigabot defi", []string{"Défi du jour 3/15"}, nil},
		{"today's défi", "alice", "defi", []string{"Défi du jour 3/15", "💡", "🌱"}, nil},
		{"accents and case ignored", "alice", "DÉFI", []string{"Défi du jour 3/15"}, nil},
		{"programme marks today", "alice", "programme", []string{"👉 3.", "✔️ 1.", "lundi 22 mars 2027", "mardi 30 mars 2027"}, []string{"29 mars"}},
		{"ranking by points", "alice", "classement", []string{"Classement aux points", "1. ", "Total libéré"}, nil},
		{"ranking by volume", "alice", "classement volume", []string{"volume libéré"}, nil},
		{"ranking by rate", "alice", "classement taux", []string{"taux de réduction"}, nil},
		{"ranking by participation", "alice", "classement participation", []string{"participation"}, nil},
		{"ranking per agent", "alice", "Classement Agent", []string{"points par agent"}, nil},
		{"unknown ranking", "alice", "classement vitesse", []string{"« vitesse »", "points, volume, taux"}, nil},
		{"own team", "alice", "equipe", []string{"*Direction des routes* (4 agents)"}, nil},
		{"a question about my team", "alice", "où en est mon équipe ?", []string{"*Direction des routes*"}, nil},
		{"team by id", "alice", "équipe colleges", []string{"*Direction des collèges* (2 agents)"}, nil},
		{"team by name", "alice", "equipe direction des colleges", []string{"*Direction des collèges*"}, nil},
		{"unknown team", "alice", "equipe cuisine", []string{"« cuisine »", "routes, colleges, culture"}, nil},
		{"team of an outsider", "zoe", "equipe", []string{"aucune équipe"}, nil},
		{"me", "alice", "moi", []string{"*alice*, équipe Direction des routes : 0 défi(s) relevé(s) sur 3"}, nil},
		{"me, outsider", "zoe", "moi", []string{"ne comptent pas"}, nil},
		{"unknown with suggestion", "alice", "clasement", []string{"« clasement »", "`classement`"}, nil},
		{"unknown without suggestion", "alice", "bonjour", []string{"« bonjour »", "`aide`"}, []string{"Vouliez-vous"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env.Chat.Reset()
			env.Clock.Advance(1e10) // spread commands out: the rate limit is tested apart
			posts := env.Say(t, tt.user, "equipe-routes", tt.text)
			if len(posts) != 1 {
				t.Fatalf("want one answer, got %d:\n%s", len(posts), bottest.Texts(posts))
			}
			if posts[0].Channel != "equipe-routes" {
				t.Errorf("answer went to %s, want the asking channel", posts[0].Channel)
			}
			for _, w := range tt.want {
				if !strings.Contains(plain(posts[0].Msg.Text), w) {
					t.Errorf("answer lacks %q:\n%s", w, posts[0].Msg.Text)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(plain(posts[0].Msg.Text), w) {
					t.Errorf("answer has %q:\n%s", w, posts[0].Msg.Text)
				}
			}
		})
	}
}

func TestRestrictedCommands(t *testing.T) {
	tests := []struct {
		name, user, text string
		// broadcast is true when the command must reach every team channel.
		broadcast bool
		reply     string
	}{
		{"agent may not rally", "alice", "mobilisation Allez !", false, "réservée à la direction générale"},
		{"coordinator may not rally", "coord", "mobilisation Allez !", false, "réservée à la direction générale"},
		{"agent may not announce", "alice", "annonce Réunion demain", false, "réservée aux référents"},
		{"agent may not correct", "alice", "correction routes 100 parce que", false, "réservée aux référents"},
		{"DGS rallies", "dg", "mobilisation Tous ensemble !", true, "envoyé dans 3 canaux"},
		{"coordinator announces", "coord", "annonce Réunion demain", true, "envoyé dans 3 canaux"},
		{"DGS announces", "dg", "annonce Bravo", true, "envoyé dans 3 canaux"},
		{"rally without text", "dg", "mobilisation", false, "Utilisation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := bottest.New(t, mustDay(t, 2, 10))
			posts := env.Say(t, tt.user, "general", tt.text)
			last := posts[len(posts)-1]
			if last.Channel != "general" || !strings.Contains(plain(last.Msg.Text), tt.reply) {
				t.Errorf("reply = %q in %s, want %q in general", last.Msg.Text, last.Channel, tt.reply)
			}
			var teamPosts int
			for _, p := range posts {
				if strings.HasPrefix(p.Channel, "equipe-") {
					teamPosts++
				}
			}
			if want := map[bool]int{true: 3, false: 0}[tt.broadcast]; teamPosts != want {
				t.Errorf("%d posts in team channels, want %d:\n%s", teamPosts, want, bottest.Texts(posts))
			}
			f, err := env.Store.Figures(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if f["routes"].Corrections != 0 {
				t.Errorf("a refused correction changed the score: %v", f["routes"].Corrections)
			}
		})
	}
}

func TestMobilisationIsSignedAndSentOnce(t *testing.T) {
	env := bottest.New(t, mustDay(t, 1, 8))
	env.Say(t, "dg", "general", "mobilisation Chaque geste compte !")
	rally := env.Chat.Of(bot.KindMobilisation)
	if len(rally) != 3 {
		t.Fatalf("want the call in 3 channels, got %d", len(rally))
	}
	for _, p := range rally {
		if !strings.Contains(p.Msg.Text, "Chaque geste compte !") || !strings.Contains(p.Msg.Text, "— Claire Martin") {
			t.Errorf("call in %s not signed with the DGS's name: %q", p.Channel, p.Msg.Text)
		}
	}
	// The same command delivered again the same day (a platform retry) is not sent again.
	env.Clock.Advance(1e10)
	env.Say(t, "dg", "general", "mobilisation Chaque geste compte !")
	if n := len(env.Chat.Of(bot.KindMobilisation)); n != 3 {
		t.Errorf("after a repeat, %d calls, want 3", n)
	}
}

func TestCorrection(t *testing.T) {
	tests := []struct {
		name, text string
		reply      string
		points     float64
	}{
		{"adds points", "correction routes 20 atelier de tri", "+20 pts pour Direction des routes", 20},
		{"removes points with a decimal comma", "correction Culture -7,5 scan compté deux fois", "-7,5 pts pour Culture et patrimoine", -7.5},
		{"not a number", "correction routes beaucoup merci", "« beaucoup » n’est pas un nombre", 0},
		{"zero", "correction routes 0 rien", "0 point ne change rien", 0},
		{"too large", "correction routes 99999 oups", "limitée à ±10", 0},
		{"infinite", "correction routes Inf oups", "n’est pas un nombre", 0},
		{"no reason", "correction routes 10", "Précisez le motif", 0},
		{"unknown team", "correction cuisine 10 motif", "« cuisine »", 0},
		{"missing arguments", "correction", "Utilisation", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := bottest.New(t, mustDay(t, 2, 10))
			posts := env.Say(t, "coord", "general", tt.text)
			if len(posts) != 1 || !strings.Contains(plain(posts[0].Msg.Text), tt.reply) {
				t.Fatalf("reply:\n%s\nwant %q", bottest.Texts(posts), tt.reply)
			}
			f, err := env.Store.Figures(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var total float64
			for _, x := range f {
				total += x.Corrections
			}
			if total != tt.points {
				t.Errorf("corrections total %v, want %v", total, tt.points)
			}
			audit, err := env.Store.Audit(context.Background(), 0)
			if err != nil {
				t.Fatal(err)
			}
			corrections := 0
			for _, a := range audit {
				if c, ok := a.Event.(scoring.CorrectionMade); ok {
					corrections++
					if c.By != "coord" || c.Reason == "" {
						t.Errorf("audit entry lacks author or reason: %+v", c)
					}
				}
			}
			if want := map[bool]int{true: 1, false: 0}[tt.points != 0]; corrections != want {
				t.Errorf("%d corrections audited, want %d", corrections, want)
			}
		})
	}
}

// A correction command the platform delivers again (its reply failed)
// counts once.
func TestCorrectionRedeliveredCountsOnce(t *testing.T) {
	env := bottest.New(t, mustDay(t, 2, 10))
	ev := bot.Event{Kind: bot.MessageReceived, User: "coord", Channel: "equipe-routes", Text: "correction routes 12 affiche", ID: "Ev42"}
	for range 2 {
		if err := env.Bot.Handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	figs, err := env.Store.Figures(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := figs["routes"].Corrections; got != 12 {
		t.Errorf("routes corrections = %v, want 12 once", got)
	}
}

func TestCorrectionShowsInRecapAndPoints(t *testing.T) {
	env := bottest.New(t, mustDay(t, 2, 10))
	ctx := context.Background()
	env.Say(t, "coord", "general", "correction colleges 12 atelier collectif")
	st, err := env.Bot.Standings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := st.Find("colleges", scoring.ByPoints); s.Points != 12 || s.Rank != 1 {
		t.Errorf("colleges: %v points, rank %d; want 12 and first", s.Points, s.Rank)
	}
	env.Set(env.At(2, 17, 0))
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	recaps := env.Chat.Of(bot.KindRecap)
	if len(recaps) != 3 {
		t.Fatalf("want 3 recaps, got %d", len(recaps))
	}
	for _, r := range recaps {
		if !strings.Contains(plain(r.Msg.Text), "Direction des collèges : +12 pts (atelier collectif, par coord)") {
			t.Errorf("recap in %s does not show the correction:\n%s", r.Channel, r.Msg.Text)
		}
	}
}

func TestRateLimit(t *testing.T) {
	env := bottest.New(t, mustDay(t, 2, 10))
	// The default limit: 5 commands at once, then one every 10 s.
	for i := range 5 {
		if posts := env.Say(t, "alice", "general", "aide"); len(posts) != 1 || !strings.Contains(posts[0].Msg.Text, "Gigabot") {
			t.Fatalf("command %d: %s", i+1, bottest.Texts(posts))
		}
	}
	if posts := env.Say(t, "alice", "general", "aide"); len(posts) != 1 || !strings.Contains(posts[0].Msg.Text, "Doucement") {
		t.Fatalf("6th command: want one warning, got %s", bottest.Texts(posts))
	}
	if posts := env.Say(t, "alice", "general", "classement"); len(posts) != 0 {
		t.Fatalf("7th command: want silence, got %s", bottest.Texts(posts))
	}
	if posts := env.Say(t, "bob", "general", "aide"); len(posts) != 1 {
		t.Fatalf("another user is not limited: %s", bottest.Texts(posts))
	}
	env.Clock.Advance(10e9)
	if posts := env.Say(t, "alice", "general", "aide"); len(posts) != 1 || strings.Contains(posts[0].Msg.Text, "Doucement") {
		t.Fatalf("after 10 s: %s", bottest.Texts(posts))
	}
}

func TestEnglish(t *testing.T) {
	yaml := strings.Replace(bottest.ConfigYAML, "days: 15", "days: 15\n  language: en", 1)
	env := bottest.New(t, mustDay(t, 2, 10), yaml)
	if err := env.Bot.Catchup(context.Background()); err != nil {
		t.Fatal(err)
	}
	posts := env.Say(t, "alice", "general", "ranking volume")
	if !strings.Contains(posts[0].Msg.Text, "Ranking by volume freed") || !strings.Contains(posts[0].Msg.Text, "0\u00a0B") {
		t.Errorf("english ranking: %q", posts[0].Msg.Text)
	}
	if d := env.Chat.Of(bot.KindDefi); len(d) == 0 || !strings.Contains(d[0].Msg.Text, "Challenge of the day 2/15") ||
		!strings.Contains(d[0].Msg.Text, "Empty your Deleted Items and Sent Items") {
		t.Errorf("english défi: %v", d)
	}
}

// plain replaces the no-break spaces of French typography with plain ones,
// so that expectations read naturally; typography has tests of its own.
func plain(s string) string {
	return strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(s)
}

// A ✅ on the défi card a user asked for counts like one on the morning's
// post, and only once with it.
func TestReactionOnAskedDefiCardCounts(t *testing.T) {
	env := bottest.New(t, mustDay(t, 2, 10))
	if err := env.Bot.Catchup(context.Background()); err != nil {
		t.Fatal(err)
	}
	card := env.Say(t, "alice", "equipe-routes", "defi")
	if len(card) != 1 || card[0].Msg.Kind != bot.KindDefi {
		t.Fatalf("answer: %s", bottest.Texts(card))
	}
	env.React(t, "alice", "white_check_mark", card[0].ID, true)
	env.React(t, "alice", "white_check_mark", env.DefiPost(t, "equipe-routes", 2), true)
	days, err := env.Store.AgentDays(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	figs, err := env.Store.Figures(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 1 || days[0] != 2 || figs["routes"].Participations != 1 {
		t.Errorf("alice's days %v, routes' participations %d; want day 2 counted once", days, figs["routes"].Participations)
	}
}
