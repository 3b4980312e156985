package dashboard_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/integrations/dashboard"
	"github.com/gigabot/gigabot/scoring"
)

// typo writes French typography's spaces readably in an expectation: "~"
// is the no-break space (U+00A0), "^" the narrow one (U+202F).
var typo = strings.NewReplacer("~", "\u00a0", "^", "\u202f").Replace

// labelledCampaign plays two days of bottest's campaign, in a language:
// routes frees 3,7 Go of its 100 Go and three of its four agents do both
// défis (75 %); the other teams do nothing.
func labelledCampaign(t *testing.T, lang string) *bottest.Env {
	t.Helper()
	yaml := bottest.ConfigYAML
	if lang == "en" {
		yaml = strings.Replace(yaml, "days: 15", "days: 15\n  language: en", 1)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	env := bottest.New(t, time.Date(2027, 3, 22, 8, 0, 0, 0, paris), yaml)
	ctx := context.Background()
	scan := func(id string, at time.Time, bytes int64) {
		t.Helper()
		if _, err := env.Bot.RecordScan(ctx, scoring.Scan{ID: id, Team: "routes", Source: "share", Root: "/routes", ScannedAt: at, Bytes: bytes}); err != nil {
			t.Fatal(err)
		}
	}
	scan("r0", env.At(1, 8, 0), 100e9)
	for day := 1; day <= 2; day++ {
		env.Set(env.At(day, 9, 0))
		if err := env.Bot.Catchup(ctx); err != nil {
			t.Fatal(err)
		}
		for _, agent := range []string{"alice", "bob", "carol"} {
			env.React(t, agent, "white_check_mark", env.DefiPost(t, "equipe-routes", day), true)
		}
	}
	scan("r1", env.At(2, 14, 0), 96.3e9)
	env.Set(env.At(2, 15, 0))
	return env
}

// The dashboard, its TV mode, the live board its script redraws from and
// the bilan show each figure with the words that say what it measures
// (issue 15): a participation rate must not pass for the share of the
// volume freed.
func TestFiguresAreLabelled(t *testing.T) {
	type want struct {
		// The points ranking's line for routes: its value and the figures
		// that explain it.
		points, pointsDetail string
		// The rate and participation rankings' titles, values and details.
		percentTitle, percent, participationTitle, participation, participationDetail string
		// The bilan's podium line, its rate's term and its prizes.
		podium, percentTerm string
		prizes              []string
	}
	tests := map[string]want{
		"fr": {
			points: "218,7 pts", pointsDetail: "3,7~Go libérés · 3,7~% du volume de départ",
			percentTitle: "Taux de réduction (part du volume de départ libérée)", percent: "3,7~%",
			participationTitle: "Participation aux défis", participation: "75~%", participationDetail: "6 défis relevés",
			podium:      "218,7 pts · 3,7~Go libérés · 3,7~% du volume de départ",
			percentTerm: "Part du volume de départ libérée",
			prizes: []string{
				"Prix de la participation~: Direction des routes (75~% de participation)",
				"Prix de l’effort relatif~: Direction des routes (3,7~% du volume de départ)",
			},
		},
		"en": {
			points: "218.7 pts", pointsDetail: "3.7~GB freed · 3.7% of starting volume",
			percentTitle: "Reduction rate (share of starting volume freed)", percent: "3.7%",
			participationTitle: "Challenge participation", participation: "75%", participationDetail: "6 challenges completed",
			podium:      "218.7 pts · 3.7~GB freed · 3.7% of starting volume",
			percentTerm: "Share of starting volume freed",
			prizes: []string{
				"Participation prize: Direction des routes (75% participation)",
				"Relative effort prize: Direction des routes (3.7% of starting volume)",
			},
		},
	}
	for lang, w := range tests {
		t.Run(lang, func(t *testing.T) {
			src := labelledCampaign(t, lang).Bot
			e := newEnv(t, func(o *dashboard.Options) { o.Source = src })
			is := func(what, got, want string) {
				t.Helper()
				if got != typo(want) {
					t.Errorf("%s reads %q, want %q", what, got, typo(want))
				}
			}
			routes := func(doc *html.Node, by string) *html.Node {
				t.Helper()
				return first(t, first(t, doc, attrIs("data-ranking", by)), attrIs("data-team", "routes"))
			}
			class := func(n *html.Node, name string) string {
				t.Helper()
				return text(first(t, n, attrIs("class", name)))
			}

			for _, page := range []string{"/", "/?tv=1"} {
				_, body := e.get(t, page)
				doc := parse(t, body)
				is(page+" points value", class(routes(doc, "points"), "val"), w.points)
				is(page+" points detail", class(routes(doc, "points"), "detail"), w.pointsDetail)
				is(page+" rate title", text(first(t, first(t, doc, attrIs("data-ranking", "percent")), tag("h3"))), w.percentTitle)
				is(page+" rate value", class(routes(doc, "percent"), "val"), w.percent)
				is(page+" participation title", text(first(t, first(t, doc, attrIs("data-ranking", "participation")), tag("h3"))), w.participationTitle)
				is(page+" participation value", class(routes(doc, "participation"), "val"), w.participation)
				is(page+" participation detail", class(routes(doc, "participation"), "detail"), w.participationDetail)
			}

			// The script redraws the rankings from the board's texts alone.
			resp, body := e.get(t, "/api/v1/board")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("board: status %d", resp.StatusCode)
			}
			var b bot.Board
			if err := json.Unmarshal([]byte(body), &b); err != nil {
				t.Fatal(err)
			}
			is("the live board's points detail", b.Rankings[0].Teams[0].Detail, w.pointsDetail)
			is("the live board's rate title", b.Rankings[2].Title, w.percentTitle)

			_, body = e.get(t, "/bilan")
			doc := parse(t, body)
			podium := first(t, doc, attrIs("class", "podium"))
			is("the bilan's podium", text(first(t, podium, attrIs("class", "figs"))), w.podium)
			page := first(t, doc, attrIs("data-team", "routes"))
			terms := all(page, tag("dt"))
			if len(terms) != 4 {
				t.Fatalf("%d figures on routes' page", len(terms))
			}
			is("the bilan's rate term", text(terms[2]), w.percentTerm)
			whole := text(doc)
			for _, prize := range w.prizes {
				if !strings.Contains(whole, typo(prize)) {
					t.Errorf("the bilan lacks the prize %q", typo(prize))
				}
			}
		})
	}
}
