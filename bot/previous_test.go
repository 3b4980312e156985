package bot_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

// TestPreviousEdition: with campaign.previous, the standings carry the
// previous edition, the board shows "l’an dernier : 1,7 To", the recap
// compares the day with the same day of last year (and each team with
// itself), the podium the totals; without one, none of it.
func TestPreviousEdition(t *testing.T) {
	last := &scoring.Edition{Campaign: "giga-2026", Name: "Giga Déstockage 2026", TotalFreed: 1_700_000_000_000,
		Teams:     []scoring.EditionTeam{{ID: "routes", Name: "Direction des routes", FreedBytes: 1_000_000_000_000}, {ID: "social", Name: "Action sociale", FreedBytes: 700_000_000_000}},
		DayTotals: []int64{120_000_000_000}}
	for _, tt := range []struct {
		name     string
		previous *scoring.Edition
		want     map[string][]string // where → what it says
	}{
		{"with last year", last, map[string][]string{
			"board":           {"l’an dernier\u00a0: 1,7\u00a0To"},
			"recap routes":    {"L’an dernier au jour 1\u00a0: 120\u00a0Go libérés", "en tout\u00a0: 1,7\u00a0To.", "Votre équipe l’an dernier\u00a0: 1\u00a0To libérés en tout."},
			"recap culture":   {"L’an dernier au jour 1\u00a0: 120\u00a0Go"},
			"recap culture-":  {"Votre équipe l’an dernier"},
			"recap day 2":     {"L’an dernier, en tout\u00a0: 1,7\u00a0To libérés."},
			"podium":          {"L’an dernier\u00a0: 1,7\u00a0To libérés, soit 1,6\u00a0To de plus que cette année."},
			"standings total": {"1700000000000"},
		}},
		{"without", nil, map[string][]string{
			"board-": {"an dernier"}, "recap routes-": {"an dernier"}, "recap day 2-": {"an dernier"}, "podium-": {"an dernier"},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			cfg, err := challenges.Parse([]byte(bottest.ConfigYAML))
			if err != nil {
				t.Fatal(err)
			}
			cal, err := challenges.NewCalendar(cfg)
			if err != nil {
				t.Fatal(err)
			}
			store, _, _ := redistest.NewStore(t)
			chat := &bottest.Chat{}
			clock := clockwork.NewFakeClockAt(cal.At(1, cal.DefiAt).Add(-time.Minute))
			b, err := bot.New(ctx, bot.Options{Config: cfg, Calendar: cal, Store: store, Chat: chat, Clock: clock, Owner: "r1", NoCharts: true, Previous: tt.previous})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(b.Close)
			start := cal.Start()
			for _, sc := range []scoring.Scan{
				{ID: "a", Team: "routes", ScannedAt: start.Add(-time.Hour), Bytes: 1_000_000_000_000},
				{ID: "b", Team: "routes", ScannedAt: start.Add(time.Hour), Bytes: 900_000_000_000},
			} {
				sc.Source, sc.Root = "share", "/srv"
				if _, err := b.RecordScan(ctx, sc); err != nil {
					t.Fatal(err)
				}
			}
			said := map[string]string{}
			step := func(at time.Time) {
				clock.Advance(at.Sub(clock.Now()))
				if err := b.Catchup(ctx); err != nil {
					t.Fatal(err)
				}
			}
			step(cal.At(1, cal.RecapAt).Add(time.Minute))
			for _, p := range chat.Of(bot.KindRecap) {
				said["recap "+strings.TrimPrefix(p.Channel, "equipe-")] = p.Msg.Text
			}
			chat.Reset()
			step(cal.At(2, cal.RecapAt).Add(time.Minute))
			said["recap day 2"] = chat.Of(bot.KindRecap)[0].Msg.Text
			bd, err := b.Board(ctx)
			if err != nil {
				t.Fatal(err)
			}
			said["board"] = bd.PreviousLabel
			st, err := b.Standings(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Previous != tt.previous {
				t.Errorf("Standings().Previous = %v, want %v", st.Previous, tt.previous)
			}
			if st.Previous != nil {
				said["standings total"] = strconv.FormatInt(st.Previous.TotalFreed, 10)
			}
			chat.Reset()
			step(cal.End().Add(time.Minute))
			if p := chat.Of(bot.KindPodium); len(p) > 0 {
				said["podium"] = p[0].Msg.Text
			}
			if said["podium"] == "" || said["recap routes"] == "" || said["recap day 2"] == "" {
				t.Fatalf("the recaps and the podium were not posted: %q", said)
			}
			for where, phrases := range tt.want {
				absent := strings.HasSuffix(where, "-")
				text := said[strings.TrimSuffix(where, "-")]
				for _, ph := range phrases {
					if strings.Contains(text, ph) == absent {
						t.Errorf("%s: %q, want it %s %q", where, text, map[bool]string{true: "without", false: "to say"}[absent], ph)
					}
				}
			}
		})
	}
}
