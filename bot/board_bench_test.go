package bot_test

import (
	"context"
	"io"
	"testing"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
)

// benchCampaign is the Calvados's size on day 10 of 15 (bottest.CalvadosYAML
// and LoadCalvados). It returns the campaign and a store holding it.
func benchCampaign(b *testing.B) (*challenges.Config, *challenges.Calendar, *redis.Store, clockwork.Clock) {
	b.Helper()
	cfg, err := challenges.Parse([]byte(bottest.CalvadosYAML()))
	if err != nil {
		b.Fatal(err)
	}
	cal, err := challenges.NewCalendar(cfg)
	if err != nil {
		b.Fatal(err)
	}
	store, _, _ := redistest.NewStore(b)
	if err := bottest.LoadCalvados(context.Background(), store, cal, 10); err != nil {
		b.Fatal(err)
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
