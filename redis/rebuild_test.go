package redis_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

// TestRebuildMatchesLiveFigures replays the audit stream after a random
// mix of reactions, scans (out of order, duplicated) and corrections, and
// finds the live counters.
func TestRebuildMatchesLiveFigures(t *testing.T) {
	for seed := range uint64(5) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			store, _, _ := redistest.NewStore(t)
			ctx := context.Background()
			teams, _ := randomActivity(t, store, seed)
			live, err := store.Figures(ctx)
			if err != nil {
				t.Fatal(err)
			}
			rebuilt, err := store.Rebuild(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, team := range teams {
				if live[team] != rebuilt[team] {
					t.Errorf("%s: live %+v, rebuilt %+v", team, live[team], rebuilt[team])
				}
			}
		})
	}
}

// randomActivity records 300 random reactions, scans (out of order,
// duplicated, some before the start) and corrections over three teams, and
// returns the teams and the campaign start.
func randomActivity(t *testing.T, store *redis.Store, seed uint64) ([]string, time.Time) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 42))
	start := time.Date(2027, 3, 22, 9, 0, 0, 0, time.UTC)
	teams := []string{"routes", "colleges", "culture"}
	for i := range 300 {
		team := teams[rng.IntN(len(teams))]
		var err error
		switch rng.IntN(4) {
		case 0, 1:
			r := scoring.Reaction{Agent: fmt.Sprint(team, rng.IntN(5)), Team: team, Day: 1 + rng.IntN(3), Post: fmt.Sprint("P", rng.IntN(6)), At: start}
			_, err = store.React(ctx, r, rng.IntN(3) > 0)
		case 2:
			at := start.Add(time.Duration(rng.IntN(200)-50) * time.Hour)
			_, err = store.RecordScan(ctx, scoring.Scan{
				ID: fmt.Sprint("s", rng.IntN(250)), Team: team, Source: "share", Root: fmt.Sprint("/r", rng.IntN(2)),
				ScannedAt: at, Bytes: 1_000_000_000_000 - rng.Int64N(300_000_000_000),
			}, start)
		case 3:
			err = store.Correct(ctx, scoring.Correction{Team: team, Points: float64(rng.IntN(21) - 10), Reason: fmt.Sprint("r", i), By: "coord", Day: 1 + rng.IntN(3), At: start})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return teams, start
}
