package redis_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

// sizes are the roots' sizes the property test draws around: ordinary
// shares, and the edges of exact arithmetic (2^53, where a double stops
// counting bytes one by one, and scoring.MaxBytes).
var sizes = []int64{1_000_000_000_000, 1<<53 - 3, 1<<53 + 5, 9_000_000_000_000_000, scoring.MaxBytes}

// TestLiveStoreAgreesWithTheRules feeds the same shuffled activity to the
// live store (Lua scripts, compare and set) and replays its log with the
// rules stated in Go (scoring.History, scoring.RootState.Apply): reports out
// of order, sent twice, near 2^53 and above, some held then accepted or
// rejected, reactions added and removed, corrections. The figures must be
// identical, byte for byte, every time.
func TestLiveStoreAgreesWithTheRules(t *testing.T) {
	for seed := range uint64(8) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			store, _, _ := redistest.NewStore(t)
			ctx := context.Background()
			teams, start, st := randomActivity(t, store, seed)
			if st.held == 0 || st.big == 0 {
				t.Fatalf("the activity held %d reports and counted %d above 2^53: the test would not exercise both", st.held, st.big)
			}
			live, err := store.Figures(ctx)
			if err != nil {
				t.Fatal(err)
			}
			h := scoring.NewHistory(start)
			if err := h.Feed(ctx, store); err != nil {
				t.Fatal(err)
			}
			replayed := h.At(math.MaxInt, scoring.Forever())
			for _, team := range teams {
				l, r := live[team], replayed[team]
				if l.Participations != r.Participations || l.FreedBytes != r.FreedBytes || l.BaselineBytes != r.BaselineBytes ||
					math.Abs(l.Corrections-r.Corrections) > 1e-9 {
					t.Errorf("%s: live %+v, rules %+v", team, l, r)
				}
			}
		})
	}
}

// randomActivity records 400 random reactions, scans (out of order, sent
// twice, some before the start, some implausible and held, then decided)
// and corrections over three teams. It returns the teams, the campaign
// start, and how many reports were held and counted above 2^53.
func randomActivity(t *testing.T, store *redis.Store, seed uint64) ([]string, time.Time, activity) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 42))
	start := time.Date(2027, 3, 22, 9, 0, 0, 0, time.UTC)
	rules := scoring.ScanRules{Start: start, HoldDrop: 0.5, Now: start}
	teams := []string{"routes", "colleges", "culture"}
	var heldIDs []string
	var st activity
	for i := range 400 {
		team := teams[rng.IntN(len(teams))]
		var err error
		switch rng.IntN(5) {
		case 0, 1:
			r := scoring.Reaction{Agent: fmt.Sprint(team, rng.IntN(5)), Team: team, Day: 1 + rng.IntN(3), Post: fmt.Sprint("P", rng.IntN(6)), At: start}
			_, err = store.React(ctx, r, rng.IntN(3) > 0)
		case 2:
			// Root /r0 is ordinary; /r1 near 2^53 and above. A report may
			// cut its root by a little (counted) or by far (held).
			root, base := rng.IntN(2), sizes[0]
			if root == 1 {
				base = sizes[1+rng.IntN(len(sizes)-1)]
			}
			bytes, files := base-rng.Int64N(base/50), int64(1+rng.IntN(1000))
			switch rng.IntN(8) {
			case 0:
				bytes, files = 0, 0 // an unmounted share: held
			case 1:
				bytes = base / 3 // cut by two thirds: held
			}
			at := start.Add(time.Duration(rng.IntN(200)-50) * time.Hour)
			sc := scoring.Scan{ID: fmt.Sprint("s", rng.IntN(300)), Team: team, Source: "share", Root: fmt.Sprint("/r", root),
				ScannedAt: at, Files: files, Bytes: bytes}
			var res scoring.ScanResult
			res, err = store.RecordScan(ctx, sc, rules)
			switch {
			case res.Status == scoring.ScanHeld:
				st.held++
				heldIDs = append(heldIDs, sc.ID)
			case res.Status == scoring.ScanAccepted && bytes > 1<<53:
				st.big++
			}
		case 3:
			err = store.Correct(ctx, scoring.Correction{Team: team, Points: float64(rng.IntN(21) - 10), Reason: fmt.Sprint("r", i), By: "coord", Day: 1 + rng.IntN(3), At: start})
		case 4:
			if len(heldIDs) == 0 {
				continue
			}
			k := rng.IntN(len(heldIDs))
			_, _, err = store.DecideScan(ctx, heldIDs[k], "coord", rng.IntN(2) == 0, rules)
			heldIDs = append(heldIDs[:k], heldIDs[k+1:]...)
			if errors.Is(err, scoring.ErrNotHeld) {
				err = nil // decided already (the same id held twice)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return teams, start, st
}

// activity counts what randomActivity exercised.
type activity struct{ held, big int }
