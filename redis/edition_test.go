package redis_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

func TestEdition(t *testing.T) {
	ctx := context.Background()
	s, rdb, id := redistest.NewStore(t)
	if err := s.SaveTeams(ctx, "Giga 2026", []scoring.Team{{ID: "routes", Name: "Routes"}, {ID: "rh", Name: "RH"}, {ID: "idle", Name: "Idle"}}); err != nil {
		t.Fatal(err)
	}
	rules := scoring.ScanRules{Start: day1, HoldDrop: 0.9, Now: day1}
	scan := func(id, team string, at time.Time, bytes int64) {
		t.Helper()
		if _, err := s.RecordScan(ctx, scoring.Scan{ID: id, Team: team, Source: "share", Root: "/" + team, ScannedAt: at, Bytes: bytes, Files: 10}, rules); err != nil {
			t.Fatal(err)
		}
	}
	scan("b1", "routes", day1.Add(-time.Hour), 1_000)
	scan("b2", "rh", day1.Add(-time.Hour), 5_000)
	scan("r1", "routes", day1.Add(time.Hour), 700) // 300 freed on day 1
	if _, err := s.Snapshot(ctx, 1, day1.Add(8*time.Hour)); err != nil {
		t.Fatal(err)
	}
	scan("r2", "rh", day1.Add(25*time.Hour), 4_000) // 1 000 freed on day 2
	if _, err := s.Snapshot(ctx, 2, day1.Add(32*time.Hour)); err != nil {
		t.Fatal(err)
	}
	scan("r3", "retired", day1.Add(26*time.Hour), 50) // a team not saved: named by its id

	got, err := s.Edition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := scoring.Edition{Campaign: id, Name: "Giga 2026", TotalFreed: 1_300,
		Teams: []scoring.EditionTeam{{ID: "rh", Name: "RH", FreedBytes: 1_000}, {ID: "routes", Name: "Routes", FreedBytes: 300},
			{ID: "idle", Name: "Idle"}, {ID: "retired", Name: "retired"}},
		DayTotals: []int64{300, 1_300}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Edition() =\n%+v, want\n%+v", got, want)
	}
	if d, ok := got.AtDay(2); !ok || d != 1_300 {
		t.Errorf("AtDay(2) = %d, %v", d, ok)
	}
	if _, ok := got.AtDay(3); ok {
		t.Error("AtDay(3): no recap was recorded that day")
	}

	_, err = redis.NewStore(rdb, redistest.Campaign(t)).Edition(ctx)
	if !errors.Is(err, redis.ErrNoCampaign) {
		t.Errorf("Edition() of a campaign the Redis does not hold = %v, want ErrNoCampaign", err)
	}
}
