package redis_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

// TestHistoryEndsOnLiveFigures replays a random mix of activity in pages,
// as the bot does, and finds the live counters at the end.
func TestHistoryEndsOnLiveFigures(t *testing.T) {
	for seed := range uint64(5) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			store, _, _ := redistest.NewStore(t)
			ctx := context.Background()
			teams, start, _ := randomActivity(t, store, seed)
			h := scoring.NewHistory(start)
			for pages := 0; ; pages++ {
				entries, err := store.AuditAfter(ctx, h.Last(), 37)
				if err != nil {
					t.Fatal(err)
				}
				if len(entries) == 0 {
					break
				}
				if err := h.Apply(entries); err != nil {
					t.Fatal(err)
				}
			}
			live, err := store.Figures(ctx)
			if err != nil {
				t.Fatal(err)
			}
			replayed := h.At(3, scoring.Forever())
			for _, team := range teams {
				want := live[team]
				got := replayed[team]
				// Corrections are sums of floats added in another order.
				if d := got.Corrections - want.Corrections; d > 1e-9 || d < -1e-9 {
					t.Errorf("%s: corrections %v, live %v", team, got.Corrections, want.Corrections)
				}
				got.Corrections = want.Corrections
				if got != want {
					t.Errorf("%s: replayed %+v, live %+v", team, got, want)
				}
			}
		})
	}
}

// TestHistoryAtEndOfEachDay checks the figures as they stood at each cut.
func TestHistoryAtEndOfEachDay(t *testing.T) {
	store, _, _ := redistest.NewStore(t)
	ctx := context.Background()
	paris, _ := time.LoadLocation("Europe/Paris")
	start := time.Date(2027, 3, 22, 9, 0, 0, 0, paris)
	day := func(n int) time.Time { return start.AddDate(0, 0, n-1) } // 09:00 on day n
	end := func(n int) time.Time { return time.Date(2027, 3, 22+n, 0, 0, 0, 0, paris) }
	scan := func(id string, at time.Time, bytes int64) {
		t.Helper()
		if _, err := store.RecordScan(ctx, scoring.Scan{ID: id, Team: "routes", Source: "share", Root: "/r", ScannedAt: at, Bytes: bytes}, scoring.ScanRules{Start: start}); err != nil {
			t.Fatal(err)
		}
	}
	react := func(agent string, d int, add bool) {
		t.Helper()
		if _, err := store.React(ctx, scoring.Reaction{Agent: agent, Team: "routes", Day: d, Post: fmt.Sprint("P", d), At: day(d)}, add); err != nil {
			t.Fatal(err)
		}
	}
	scan("first", day(1).Add(2*time.Hour), 1000) // no pre-start report yet: the baseline
	scan("d2", day(2).Add(5*time.Hour), 900)
	react("ana", 1, true)
	react("bob", 1, true)
	react("ana", 2, true)
	react("bob", 2, true)
	react("bob", 2, false)
	// carl marks day 1's défi on day 3: it counts from day 3 on.
	if _, err := store.React(ctx, scoring.Reaction{Agent: "carl", Team: "routes", Day: 1, Post: "P1", At: day(3)}, true); err != nil {
		t.Fatal(err)
	}
	scan("late-pre", start.Add(-24*time.Hour), 1200) // arrives late, becomes the baseline
	scan("d3", day(3).Add(time.Hour), 700)
	if err := store.Correct(ctx, scoring.Correction{Team: "routes", Points: -5, Reason: "doublon", By: "c", Day: 2, At: day(2)}); err != nil {
		t.Fatal(err)
	}
	entries, err := store.AuditAfter(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	h := scoring.NewHistory(start)
	if err := h.Apply(entries); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		day  int
		want scoring.Figures
	}{
		// The late pre-start report was taken before day 1 ended: it is
		// the baseline from day 1 on, as it is now.
		{1, scoring.Figures{Participations: 2, FreedBytes: 200, BaselineBytes: 1200}},
		{2, scoring.Figures{Participations: 3, FreedBytes: 300, BaselineBytes: 1200, Corrections: -5}},
		{3, scoring.Figures{Participations: 4, FreedBytes: 500, BaselineBytes: 1200, Corrections: -5}},
	} {
		if got := h.At(tc.day, end(tc.day))["routes"]; got != tc.want {
			t.Errorf("end of day %d: %+v, want %+v", tc.day, got, tc.want)
		}
	}
	if got := h.At(0, start.Add(-time.Hour))["routes"]; got.FreedBytes != 0 || got.BaselineBytes != 1200 {
		t.Errorf("before the start: %+v, want the baseline only", got)
	}
	if got := h.Done("routes", 2); got != 1 {
		t.Errorf("Done(routes, 2) = %d, want 1", got)
	}
	if got := h.Done("routes", 1); got != 3 {
		t.Errorf("Done(routes, 1) = %d, want 3, carl's late mark included", got)
	}
	live, err := store.Figures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.At(3, scoring.Forever())["routes"]; got != live["routes"] {
		t.Errorf("at the end %+v, live %+v", got, live["routes"])
	}
}
