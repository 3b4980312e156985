package bot_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
)

// typo writes French typography's spaces readably in an expectation: "~"
// is the no-break space (U+00A0), "^" the narrow one (U+202F).
var typo = strings.NewReplacer("~", "\u00a0", "^", "\u202f").Replace

// englishYAML is bottest's campaign in English.
var englishYAML = strings.Replace(bottest.ConfigYAML, "days: 15", "days: 15\n  language: en", 1)

// labelled runs threeDays in a language: on day 3, colleges leads the
// points with 20 Go freed out of 50 (40 %) and 1 défi of 6 possible;
// routes has freed 15 Go out of 100 (15 %) with 4 défis of 12 (33,3 %);
// culture has freed nothing and has 7 points of correction.
func labelled(t *testing.T, lang string) *bottest.Env {
	t.Helper()
	if lang == "en" {
		return threeDays(t, englishYAML)
	}
	return threeDays(t)
}

// lines returns the lines of the answer to a command.
func lines(t *testing.T, env *bottest.Env, text string) []string {
	t.Helper()
	env.Clock.Advance(1e10) // out of the rate limit's way
	posts := env.Say(t, "alice", "equipe-routes", text)
	if len(posts) != 1 {
		t.Fatalf("%q: %d answers", text, len(posts))
	}
	return strings.Split(posts[0].Msg.Text, "\n")
}

// hasLines fails the test for each wanted line that is not, whole, among got.
func hasLines(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == typo(w)
		}
		if !found {
			t.Errorf("%s lacks the line %q:\n%s", what, typo(w), strings.Join(got, "\n"))
		}
	}
}

// Every figure of the chat's rankings and team card says what it measures,
// so that a participation rate is never read as the share of the volume
// freed (issue 15).
func TestChatFiguresAreLabelled(t *testing.T) {
	tests := []struct {
		name, lang, command string
		want                []string
	}{
		{"points ranking", "fr", "classement", []string{
			"🏆 *Classement aux points*",
			"🥇 1. Direction des collèges~: 2^025 pts · 20~Go libérés · 40~% du volume de départ",
			"🥈 2. Direction des routes~: 785 pts · 15~Go libérés · 15~% du volume de départ",
			"🥉 3. Culture et patrimoine~: 7 pts · 0~o libérés · 0~% du volume de départ",
		}},
		{"points ranking", "en", "ranking", []string{
			"🏆 *Ranking by points*",
			"🥇 1. Direction des collèges: 2,025 pts · 20~GB freed · 40% of starting volume",
			"🥈 2. Direction des routes: 785 pts · 15~GB freed · 15% of starting volume",
		}},
		{"volume ranking", "fr", "classement volume", []string{
			"🥇 1. Direction des collèges~: 20~Go libérés · 40~% du volume de départ",
		}},
		{"volume ranking", "en", "ranking volume", []string{
			"🥇 1. Direction des collèges: 20~GB freed · 40% of starting volume",
		}},
		{"rate ranking", "fr", "classement taux", []string{
			"📉 *Classement au taux de réduction* (part de son volume de départ que chaque équipe a libérée)",
			"🥇 1. Direction des collèges~: 40~% du volume de départ · 20~Go libérés",
			"🥈 2. Direction des routes~: 15~% du volume de départ · 15~Go libérés",
		}},
		{"rate ranking", "en", "ranking rate", []string{
			"📉 *Ranking by reduction rate* (share of its starting volume each team freed)",
			"🥇 1. Direction des collèges: 40% of starting volume · 20~GB freed",
		}},
		{"participation ranking", "fr", "classement participation", []string{
			"🙋 *Classement à la participation* (part des défis publiés que les agents ont relevés)",
			"🥇 1. Direction des routes~: 33,3~% de participation · 4 défis relevés",
			"🥈 2. Direction des collèges~: 16,7~% de participation · 1 défi relevé",
			"🥉 3. Culture et patrimoine~: 0~% de participation · 0 défi relevé",
		}},
		{"participation ranking", "en", "ranking participation", []string{
			"🙋 *Ranking by participation* (share of the posted challenges the agents completed)",
			"🥇 1. Direction des routes: 33.3% participation · 4 challenges completed",
			"🥈 2. Direction des collèges: 16.7% participation · 1 challenge completed",
			"🥉 3. Culture et patrimoine: 0% participation · 0 challenges completed",
		}},
		{"per agent ranking", "fr", "classement agent", []string{
			"🥇 1. Direction des collèges~: 1^012,5 pts par agent · 2 agents",
			"🥉 3. Culture et patrimoine~: 7 pts par agent · 1 agent",
		}},
		{"per agent ranking", "en", "ranking agent", []string{
			"🥇 1. Direction des collèges: 1,012.5 pts per agent · 2 agents",
			"🥉 3. Culture et patrimoine: 7 pts per agent · 1 agent",
		}},
		{"team card", "fr", "equipe", []string{
			"*Direction des routes* (4 agents)",
			"• Points~: 785 pts (2e sur 3)",
			"• Volume libéré~: 15~Go (15~% de son volume de départ de 100~Go)",
			"• Participation aux défis~: 33,3~% (4 défis relevés)",
		}},
		{"team card", "en", "team", []string{
			"*Direction des routes* (4 agents)",
			"• Points: 785 pts (2nd of 3)",
			"• Volume freed: 15~GB (15% of its starting volume of 100~GB)",
			"• Challenge participation: 33.3% (4 challenges completed)",
		}},
		{"team card of one agent", "fr", "equipe culture", []string{
			"*Culture et patrimoine* (1 agent)",
			"• Participation aux défis~: 0~% (0 défi relevé)",
		}},
		{"team card of one agent", "en", "team culture", []string{
			"*Culture et patrimoine* (1 agent)",
			"• Challenge participation: 0% (0 challenges completed)",
		}},
	}
	envs := map[string]*bottest.Env{"fr": labelled(t, "fr"), "en": labelled(t, "en")}
	for _, tt := range tests {
		t.Run(tt.name+" "+tt.lang, func(t *testing.T) {
			hasLines(t, tt.command, lines(t, envs[tt.lang], tt.command), tt.want...)
		})
	}
}

// The recap, the podium, the recap's chart and its text alternative, the
// dashboard's board, the bilan and the spreadsheet export label their
// figures the same way.
func TestPostsBoardBilanAndExportAreLabelled(t *testing.T) {
	type want struct {
		recap, podium, alt, detail, percentTitle, summary []string
		prizes, header                                    []string
	}
	tests := map[string]want{
		"fr": {
			recap:  []string{"🥇 1. Direction des collèges~: 2^025 pts · 20~Go libérés · 40~% du volume de départ"},
			podium: []string{"🙋 Prix de la participation~: Direction des routes (6,7~% de participation). 📉 Prix de l’effort relatif~: Direction des collèges (40~% du volume de départ). ⚖️ Prix des points par agent~: Direction des collèges (1^012,5 pts par agent)."},
			alt: []string{"Graphique~: Bilan du jour 3/15^; en tête, Direction des collèges avec 2^025 pts (20~Go libérés, 40~% du volume de départ), " +
				"35~Go libérés au total."},
			detail:       []string{"20~Go libérés · 40~% du volume de départ", "40~% du volume de départ", "20~Go libérés", "4 défis relevés"},
			percentTitle: []string{"Taux de réduction (part du volume de départ libérée)"},
			summary:      []string{"2^025 pts · 20~Go libérés · 40~% du volume de départ"},
			prizes: []string{
				"Prix de la participation~: Direction des routes (33,3~% de participation)",
				"Prix de l’effort relatif~: Direction des collèges (40~% du volume de départ)",
				"Prix des points par agent~: Direction des collèges (1^012,5 pts par agent)",
			},
			header: []string{"jour", "date", "défi", "équipe", "nom de l’équipe", "agents",
				"octets libérés ce jour", "octets libérés depuis le début",
				"taux de réduction depuis le début (% du volume de départ)",
				"agents ayant relevé le défi du jour",
				"participation au défi du jour (% des agents de l’équipe)",
				"points depuis le début"},
		},
		"en": {
			recap:  []string{"🥇 1. Direction des collèges: 2,025 pts · 20~GB freed · 40% of starting volume"},
			podium: []string{"🙋 Participation prize: Direction des routes (6.7% participation). 📉 Relative effort prize: Direction des collèges (40% of starting volume). ⚖️ Points per agent prize: Direction des collèges (1,012.5 pts per agent)."},
			alt: []string{"Chart: Recap of day 3/15; leading, Direction des collèges with 2,025 pts (20~GB freed, 40% of starting volume), " +
				"35~GB freed in total."},
			detail:       []string{"20~GB freed · 40% of starting volume", "40% of starting volume", "20~GB freed", "4 challenges completed"},
			percentTitle: []string{"Reduction rate (share of starting volume freed)"},
			summary:      []string{"2,025 pts · 20~GB freed · 40% of starting volume"},
			prizes: []string{
				"Participation prize: Direction des routes (33.3% participation)",
				"Relative effort prize: Direction des collèges (40% of starting volume)",
				"Points per agent prize: Direction des collèges (1,012.5 pts per agent)",
			},
			header: []string{"day", "date", "challenge", "team", "team name", "agents",
				"bytes freed that day", "bytes freed since the start",
				"reduction rate since the start (% of starting volume)",
				"agents who did the day's challenge",
				"participation in the day's challenge (% of the team's agents)",
				"points since the start"},
		},
	}
	for lang, w := range tests {
		t.Run(lang, func(t *testing.T) {
			env := labelled(t, lang)
			ctx := context.Background()

			// The dashboard's board: the rankings' first lines, by points,
			// volume, rate and participation.
			bd, err := env.Bot.Board(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var details []string
			for _, r := range bd.Rankings {
				details = append(details, r.Teams[0].Detail)
			}
			hasLines(t, "the board's details", details, w.detail...)
			hasLines(t, "the board's percent title", []string{bd.Rankings[2].Title}, w.percentTitle...)

			// The bilan: the podium's figures and the prizes.
			bl, err := env.Bot.Bilan(ctx)
			if err != nil {
				t.Fatal(err)
			}
			hasLines(t, "the bilan's first team", []string{bl.Teams[0].Summary}, w.summary...)
			hasLines(t, "the bilan's prizes", bl.Prizes, w.prizes...)

			// The export's headers, as a spreadsheet opens them.
			var buf bytes.Buffer
			if _, err := env.Bot.Export(ctx, &buf, bot.CSVSpreadsheet); err != nil {
				t.Fatal(err)
			}
			comma := ','
			if lang == "fr" {
				comma = ';'
			}
			header, _ := readCSV(t, buf.Bytes(), comma)
			if strings.Join(header, "|") != strings.Join(w.header, "|") {
				t.Errorf("export headers:\n got %q\nwant %q", header, w.header)
			}

			// The recap of day 3, its chart's text alternative, then the podium.
			env.Set(env.At(3, 17, 0))
			if err := env.Bot.Catchup(ctx); err != nil {
				t.Fatal(err)
			}
			recaps := env.Chat.Of(bot.KindRecap)
			recap := recaps[len(recaps)-1]
			hasLines(t, "the recap", strings.Split(recap.Msg.Text, "\n"), w.recap...)
			if len(recap.Msg.Files) != 1 {
				t.Fatalf("the recap has %d files", len(recap.Msg.Files))
			}
			hasLines(t, "the chart's text alternative", []string{recap.Msg.Files[0].Alt}, w.alt...)
			env.Set(env.At(15, 17, 0))
			if err := env.Bot.Catchup(ctx); err != nil {
				t.Fatal(err)
			}
			podium := env.Chat.Of(bot.KindPodium)
			if len(podium) == 0 {
				t.Fatal("no podium")
			}
			hasLines(t, "the podium", strings.Split(podium[0].Msg.Text, "\n"), append(w.recap, w.podium...)...)
		})
	}
}
