package main

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/integrations/httpapi"
	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

// TestPreviousEditionEndToEnd: last year's campaign is in the same Redis;
// campaign.previous names it, check describes it, and the running bot's
// standings and board compare with it. An id the Redis does not hold is
// refused by check and by run.
func TestPreviousEditionEndToEnd(t *testing.T) {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://" + miniredis.RunT(t).Addr()
	}
	ctx := context.Background()
	rdb, err := redis.Connect(ctx, url) // the bot's Redis, embedded or real
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	id, lastID := redistest.Campaign(t), redistest.Campaign(t)
	t.Cleanup(func() { redistest.Drop(rdb, id); redistest.Drop(rdb, lastID) })

	last := redis.NewStore(rdb, lastID)
	if err := last.SaveTeams(ctx, "Giga Déstockage 2026", []scoring.Team{{ID: "routes", Name: "Direction des routes"}, {ID: "social", Name: "Action sociale"}}); err != nil {
		t.Fatal(err)
	}
	first := time.Date(2026, 3, 23, 9, 0, 0, 0, time.UTC)
	for _, sc := range []scoring.Scan{
		{ID: "a", Team: "routes", ScannedAt: first.Add(-time.Hour), Bytes: 2_000_000_000_000},
		{ID: "b", Team: "routes", ScannedAt: first.Add(time.Hour), Bytes: 800_000_000_000},
		{ID: "c", Team: "social", ScannedAt: first.Add(-time.Hour), Bytes: 900_000_000_000},
		{ID: "d", Team: "social", ScannedAt: first.Add(time.Hour), Bytes: 400_000_000_000},
	} {
		sc.Source, sc.Root = "share", "/srv"
		if _, err := last.RecordScan(ctx, sc, scoring.ScanRules{Start: first, HoldDrop: 0.9, Now: first}); err != nil {
			t.Fatal(err)
		}
	}
	withPrevious := func(prev string) string {
		return writeConfig(t, strings.Replace(bottest.ConfigYAML, "days: 15", "days: 15\n  id: "+id+"\n  previous: "+prev, 1))
	}
	config := withPrevious(lastID)

	code, out, stderr := gigabot(t, url, "check", "--config", config)
	if code != 0 || !strings.Contains(out, "previous edition "+lastID+" (Giga Déstockage 2026): 1700000000000 bytes freed by 2 teams") {
		t.Errorf("check exited %d:\n%s%s", code, out, stderr)
	}
	unknown := withPrevious("giga-2025")
	for _, cmd := range []string{"check", "run"} {
		code, _, stderr := gigabot(t, url, cmd, "--config", unknown)
		if code != 1 || !strings.Contains(stderr, `campaign.previous: this Redis holds no campaign "giga-2025"`) {
			t.Errorf("%s with an unknown previous edition: exit %d, %s", cmd, code, stderr)
		}
	}

	loc, _ := time.LoadLocation("Europe/Paris")
	p := start(t, config, url, clockwork.NewFakeClockAt(time.Date(2027, 3, 22, 10, 0, 0, 0, loc)))
	defer p.stop(t)
	got := p.standings(t).Previous
	want := &httpapi.PreviousJSON{Campaign: lastID, Name: "Giga Déstockage 2026", TotalFreedBytes: 1_700_000_000_000,
		Teams: []httpapi.PreviousTeamJSON{{Team: "routes", Name: "Direction des routes", FreedBytes: 1_200_000_000_000}, {Team: "social", Name: "Action sociale", FreedBytes: 500_000_000_000}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("standings' previous = %+v, want %+v", got, want)
	}
	if board := p.get(t, "/api/v1/board", 200); !strings.Contains(board, "\"previous_label\":\"l’an dernier\u00a0: 1,7\u00a0To\"") {
		t.Errorf("the board lacks last year's total:\n%s", board)
	}
}
