package bot_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

// benchCampaign is the Calvados's size on day 10 of 15: 28 teams, 3 000
// agents, about half of them doing each défi, two roots a team scanned
// every afternoon. It returns the campaign and a store holding it.
func benchCampaign(b *testing.B) (*challenges.Config, *challenges.Calendar, *redis.Store, clockwork.Clock) {
	b.Helper()
	var y strings.Builder
	y.WriteString("campaign: {name: Bench, start: 2027-03-22, days: 15, goal: 2 To}\nroles: {dgs: [dg], coordinators: [coord]}\nteams:\n")
	for t := range 28 {
		fmt.Fprintf(&y, "  - {id: t%02d, name: Équipe %d, channel: c%02d, members: [", t, t, t)
		for a := t; a < 3000; a += 28 {
			if a > t {
				y.WriteString(", ")
			}
			fmt.Fprintf(&y, "a%04d", a)
		}
		y.WriteString("]}\n")
	}
	cfg, err := challenges.Parse([]byte(y.String()))
	if err != nil {
		b.Fatal(err)
	}
	cal, err := challenges.NewCalendar(cfg)
	if err != nil {
		b.Fatal(err)
	}
	store, _, _ := redistest.NewStore(b)
	ctx := context.Background()
	for day := 1; day <= 10; day++ {
		for a := range 3000 {
			if (a+day)%2 == 0 {
				continue
			}
			team := fmt.Sprintf("t%02d", a%28)
			r := scoring.Reaction{Agent: fmt.Sprintf("a%04d", a), Team: team, Day: day, Post: fmt.Sprint(team, "-", day), At: cal.At(day, cal.DefiAt)}
			if _, err := store.React(ctx, r, true); err != nil {
				b.Fatal(err)
			}
		}
		for t := range 28 {
			for root := range 2 {
				at := cal.At(day, challenges.ClockTime{Hour: 16})
				sc := scoring.Scan{ID: fmt.Sprint(t, root, day), Team: fmt.Sprintf("t%02d", t), Source: "share", Root: fmt.Sprint("/r", root),
					ScannedAt: at, Bytes: int64(100e9 - day*int(1e9) - t*int(1e8))}
				if _, err := store.RecordScan(ctx, sc, scoring.ScanRules{Start: cal.Start()}); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	return cfg, cal, store, clockwork.NewFakeClockAt(cal.At(10, challenges.ClockTime{Hour: 16, Minute: 30}))
}

func benchBot(b *testing.B, cfg *challenges.Config, cal *challenges.Calendar, store *redis.Store, clock clockwork.Clock) *bot.Bot {
	b.Helper()
	bt, err := bot.New(context.Background(), bot.Options{Config: cfg, Calendar: cal, Store: store, Chat: &bottest.Chat{}, Clock: clock, Owner: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	return bt
}

// BenchmarkBoard is the hub's refresh: the standings and the new audit
// entries since the last one (none here).
func BenchmarkBoard(b *testing.B) {
	cfg, cal, store, clock := benchCampaign(b)
	bt := benchBot(b, cfg, cal, store, clock)
	if _, err := bt.Board(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bt.Board(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBoardColdStart is a bot's first board: the whole audit stream
// (about 15 000 reactions and 560 scans) replayed.
func BenchmarkBoardColdStart(b *testing.B) {
	cfg, cal, store, clock := benchCampaign(b)
	b.ReportAllocs()
	for b.Loop() {
		bt := benchBot(b, cfg, cal, store, clock)
		if _, err := bt.Board(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExport writes the 28 × 10 rows.
func BenchmarkExport(b *testing.B) {
	cfg, cal, store, clock := benchCampaign(b)
	bt := benchBot(b, cfg, cal, store, clock)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bt.Export(context.Background(), io.Discard, bot.CSVSpreadsheet); err != nil {
			b.Fatal(err)
		}
	}
}
