package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/scoring"
)

// The article's "l'équivalent d'une année de données produites": with
// T = 10 To scanned and storage doubling in 4 years (the default), a year
// of production is 10 × (1 − 2^(−1/4)) ≈ 1,591 To, so 1,591 To freed is
// 12 months. The milestone, the ranking and the board say so, with the
// assumption written out, and say nothing of it before anything is scanned.
func TestMonthsOfDataEndToEnd(t *testing.T) {
	env := bottest.New(t, mustDay(t, 1, 9))
	ctx := context.Background()
	const months = "données produites par la collectivité"

	before := env.Say(t, "coord", "general", "classement")
	if len(before) != 1 || !strings.Contains(before[0].Msg.Text, "Classement") {
		t.Fatalf("classement before any scan: %+v", before)
	}
	if strings.Contains(before[0].Msg.Text, months) {
		t.Errorf("months of data with nothing scanned:\n%s", before[0].Msg.Text)
	}

	start := env.Calendar.Start()
	const scanned, freed = int64(10_000_000_000_000), int64(1_591_000_000_000)
	for _, sc := range []scoring.Scan{
		{ID: "base", Team: "routes", Source: "share", Root: "/srv", ScannedAt: start.Add(-time.Hour), Bytes: scanned},
		{ID: "day1", Team: "routes", Source: "share", Root: "/srv", ScannedAt: env.At(1, 10, 0), Bytes: scanned - freed},
	} {
		if _, err := env.Bot.RecordScan(ctx, sc); err != nil {
			t.Fatal(err)
		}
	}
	env.Set(env.At(1, 10, 0))
	if err := env.Bot.AnnounceMilestone(ctx); err != nil {
		t.Fatal(err)
	}
	miles := env.Chat.Of(bot.KindMilestone)
	if len(miles) != 3 {
		t.Fatalf("%d milestone posts, want 3 (1 To, one per channel)", len(miles))
	}
	// 1,5 To (past 1 To, milestones come every 0,5 To) of a 1,591 To year:
	// 11,3 months, said as 11.
	for _, want := range []string{"Palier franchi\u00a0: 1,5\u00a0To", "C’est aussi l’équivalent de 11\u00a0mois de " + months,
		"le stockage double en 4\u00a0ans", "sur les 10\u00a0To analysés, la dernière année en a produit 1,6\u00a0To"} {
		if text := miles[0].Msg.Text; !strings.Contains(text, want) {
			t.Errorf("the milestone lacks %q:\n%s", want, text)
		}
	}

	ranking := env.Say(t, "coord", "general", "classement")
	if text := ranking[0].Msg.Text; !strings.Contains(text, "C’est aussi l’équivalent de 12\u00a0mois de "+months) {
		t.Errorf("classement after 1,591 To freed of 10 To:\n%s", text)
	}
	board, err := env.Bot.Board(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range board.Equivalences {
		if e.Kind == "months_of_data" {
			found = true
			if e.Value != 12 || !strings.Contains(e.Label, "12\u00a0mois") || !strings.Contains(e.Source, "4\u00a0ans") {
				t.Errorf("the board's months of data: %+v", e)
			}
		}
	}
	if !found {
		t.Errorf("the board has no months of data: %+v", board.Equivalences)
	}
}
