package redis_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

// day1 is 09:00 on the first day of the campaign used across these tests.
var day1 = time.Date(2027, 3, 22, 9, 0, 0, 0, time.UTC)

func figures(t *testing.T, s *redis.Store) map[string]scoring.Figures {
	t.Helper()
	f, err := s.Figures(context.Background())
	if err != nil {
		t.Fatalf("Figures: %v", err)
	}
	return f
}

func audit(t *testing.T, s *redis.Store) []scoring.Record {
	t.Helper()
	a, err := s.Audit(context.Background(), 0)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	return a
}

// auditOf keeps the audit entries of one type.
func auditOf(t *testing.T, s *redis.Store, typ string) []map[string]string {
	t.Helper()
	var out []map[string]string
	for _, e := range audit(t, s) {
		if e.Err != nil {
			t.Fatalf("audit entry %s: %v", e.ID, e.Err)
		}
		if e.Event.Kind() == typ {
			out = append(out, fieldMap(scoring.Encode(e.Event)))
		}
	}
	return out
}

// fieldMap turns an encoded event's pairs into a map.
func fieldMap(pairs []string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	return m
}

// checkFields reports the fields of got that differ from want.
func checkFields(t *testing.T, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("audit field %s = %q, want %q (entry %v)", k, got[k], v, got)
		}
	}
}

func TestCorrect(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	corrections := []scoring.Correction{
		{Team: "routes", Points: 5, Reason: "défi photo", By: "coord", Day: 2, At: day1.Add(24 * time.Hour)},
		{Team: "routes", Points: -1.5, Reason: "doublon", By: "coord", Day: 2, At: day1.Add(25 * time.Hour)},
		{Team: "culture", Points: 2.25, Reason: "bonus", By: "dg", Day: 3, At: day1.Add(48 * time.Hour)},
	}
	for _, c := range corrections {
		if err := s.Correct(ctx, c); err != nil {
			t.Fatalf("Correct(%+v): %v", c, err)
		}
	}

	tests := []struct {
		day  int
		want []scoring.Correction
	}{
		{1, nil},
		{2, corrections[:2]},
		{3, corrections[2:]},
	}
	for _, tt := range tests {
		got, err := s.Corrections(ctx, tt.day)
		if err != nil {
			t.Fatalf("Corrections(%d): %v", tt.day, err)
		}
		if len(got) != len(tt.want) {
			t.Fatalf("Corrections(%d) = %+v, want %+v", tt.day, got, tt.want)
		}
		for i := range got {
			g, w := got[i], tt.want[i]
			if g.Team != w.Team || g.Points != w.Points || g.Reason != w.Reason || g.By != w.By || g.Day != w.Day || !g.At.Equal(w.At) {
				t.Errorf("Corrections(%d)[%d] = %+v, want %+v", tt.day, i, g, w)
			}
		}
	}

	f := figures(t, s)
	if got := f["routes"].Corrections; got != 3.5 {
		t.Errorf("routes corrections = %v, want 3.5", got)
	}
	if got := f["culture"].Corrections; got != 2.25 {
		t.Errorf("culture corrections = %v, want 2.25", got)
	}

	entries := auditOf(t, s, "correction")
	if len(entries) != len(corrections) {
		t.Fatalf("%d correction audit entries, want %d", len(entries), len(corrections))
	}
	checkFields(t, entries[1], map[string]string{
		"team": "routes", "points": "-1.5", "reason": "doublon", "by": "coord", "day": "2",
		"at": strconv.FormatInt(time.Date(2027, 3, 23, 10, 0, 0, 0, time.UTC).UnixMilli(), 10),
	})
}

// A correction delivered again under the same id counts once; another id,
// or none, counts again.
func TestCorrectOncePerID(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	c := scoring.Correction{ID: "Ev123", Team: "routes", Points: 5, Reason: "affiche", By: "coord", Day: 2, At: day1}
	for range 3 {
		if err := s.Correct(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	other := c
	other.ID = "Ev124"
	anonymous := c
	anonymous.ID = ""
	for _, c := range []scoring.Correction{other, anonymous, anonymous} {
		if err := s.Correct(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if got := figures(t, s)["routes"].Corrections; got != 20 {
		t.Errorf("routes corrections = %v, want 4 × 5 (Ev123 once, Ev124, two without id)", got)
	}
	if got, err := s.Corrections(ctx, 2); err != nil || len(got) != 4 {
		t.Errorf("day 2 lists %d corrections (%v), want 4", len(got), err)
	}
	if n := len(auditOf(t, s, "correction")); n != 4 {
		t.Errorf("%d audit entries, want 4", n)
	}
}

func TestCorrectionsWeighInStandings(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	if err := s.Correct(ctx, scoring.Correction{Team: "rh", Points: 4, Day: 1, At: day1}); err != nil {
		t.Fatal(err)
	}
	st := scoring.Compute([]scoring.Team{{ID: "rh", Members: 2}, {ID: "routes", Members: 2}}, figures(t, s), scoring.Weights{Defi: 1}, 1)
	got, _ := st.Find("rh", scoring.ByPoints)
	if got.Points != 4 || got.Rank != 1 {
		t.Errorf("rh = %v points rank %d, want 4 points rank 1", got.Points, got.Rank)
	}
}

func TestSnapshot(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	start := day1.Add(-24 * time.Hour)
	mustReact(t, s, scoring.Reaction{Agent: "alice", Team: "routes", Day: 1, Post: "P1", At: day1}, true)
	mustReact(t, s, scoring.Reaction{Agent: "bob", Team: "routes", Day: 1, Post: "P1", At: day1}, true)
	mustScan(t, s, scoring.Scan{ID: "s1", Team: "culture", Source: "share", Root: "/c", ScannedAt: day1, Bytes: 100}, start)
	mustScan(t, s, scoring.Scan{ID: "s2", Team: "culture", Source: "share", Root: "/c", ScannedAt: day1.Add(time.Hour), Bytes: 60}, start)

	want := map[string]scoring.Figures{"routes": {Participations: 2}, "culture": {FreedBytes: 40}}
	got, err := s.Snapshot(ctx, 1, day1.Add(8*time.Hour))
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	if !maps.Equal(got, want) {
		t.Errorf("Snapshot(1) = %v, want %v", got, want)
	}

	// Later changes do not alter day 1's snapshot, even when it is taken again.
	mustReact(t, s, scoring.Reaction{Agent: "carol", Team: "routes", Day: 1, Post: "P1", At: day1}, true)
	mustScan(t, s, scoring.Scan{ID: "s3", Team: "culture", Source: "share", Root: "/c", ScannedAt: day1.Add(2 * time.Hour), Bytes: 10}, start)
	again, err := s.Snapshot(ctx, 1, day1.Add(9*time.Hour))
	if err != nil {
		t.Fatalf("Snapshot again: %v", err)
	}
	if !maps.Equal(again, want) {
		t.Errorf("second Snapshot(1) = %v, want the first %v", again, want)
	}
	stored, ok, err := s.DaySnapshot(ctx, 1)
	if err != nil || !ok || !maps.Equal(stored, want) {
		t.Errorf("DaySnapshot(1) = %v, %v, %v; want %v, true, nil", stored, ok, err, want)
	}

	// Day 2 sees the new figures.
	day2, err := s.Snapshot(ctx, 2, day1.Add(32*time.Hour))
	if err != nil {
		t.Fatalf("Snapshot(2): %v", err)
	}
	want2 := map[string]scoring.Figures{"routes": {Participations: 3}, "culture": {FreedBytes: 90}}
	if !maps.Equal(day2, want2) {
		t.Errorf("Snapshot(2) = %v, want %v", day2, want2)
	}
}

func TestDaySnapshot(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	tests := []struct {
		name   string
		day    int
		take   bool
		wantOK bool
	}{
		{"missing day", 4, false, false},
		{"day taken with nothing counted yet", 1, true, true},
		{"other day still missing", 2, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.take {
				if _, err := s.Snapshot(ctx, tt.day, day1); err != nil {
					t.Fatalf("Snapshot: %v", err)
				}
			}
			got, ok, err := s.DaySnapshot(ctx, tt.day)
			if err != nil {
				t.Fatalf("DaySnapshot: %v", err)
			}
			if ok != tt.wantOK || len(got) != 0 {
				t.Errorf("DaySnapshot(%d) = %v, %v; want empty, %v", tt.day, got, ok, tt.wantOK)
			}
		})
	}
}

func TestSaveTeams(t *testing.T) {
	ctx := context.Background()
	s, rdb, id := redistest.NewStore(t)
	teams := []scoring.Team{{ID: "routes", Name: "Direction des routes", Members: 120}, {ID: "culture", Name: "Culture", Members: 40}}
	if err := s.SaveTeams(ctx, "Giga Déstockage 2027", teams); err != nil {
		t.Fatalf("SaveTeams: %v", err)
	}
	// Saving again (a restart with an edited config) overwrites, and an empty list keeps the teams.
	teams[1].Members = 41
	if err := s.SaveTeams(ctx, "Giga Déstockage 2027", teams); err != nil {
		t.Fatalf("SaveTeams again: %v", err)
	}
	if err := s.SaveTeams(ctx, "Giga Déstockage 2027", nil); err != nil {
		t.Fatalf("SaveTeams without teams: %v", err)
	}

	prefix := "gigabot:{" + id + "}:"
	name, err := rdb.HGet(ctx, prefix+"meta", "name").Result()
	if err != nil || name != "Giga Déstockage 2027" {
		t.Errorf("campaign name = %q, %v", name, err)
	}
	raw, err := rdb.HGetAll(ctx, prefix+"teams").Result()
	if err != nil {
		t.Fatalf("read teams: %v", err)
	}
	if len(raw) != len(teams) {
		t.Fatalf("saved %d teams, want %d: %v", len(raw), len(teams), raw)
	}
	for _, want := range teams {
		var got scoring.Team
		if err := json.Unmarshal([]byte(raw[want.ID]), &got); err != nil {
			t.Fatalf("team %s: %v", want.ID, err)
		}
		if got != want {
			t.Errorf("saved team = %+v, want %+v", got, want)
		}
	}
}

func TestSequence(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	steps := []struct {
		name string
		want int64
	}{
		{"posts", 1}, {"posts", 2}, {"other", 1}, {"posts", 3}, {"other", 2},
	}
	for _, st := range steps {
		got, err := s.Sequence(ctx, st.name)
		if err != nil {
			t.Fatalf("Sequence(%s): %v", st.name, err)
		}
		if got != st.want {
			t.Errorf("Sequence(%s) = %d, want %d", st.name, got, st.want)
		}
	}
}

func TestTotalFreed(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	if got, err := s.TotalFreed(ctx); err != nil || got != 0 {
		t.Errorf("TotalFreed on a new campaign = %d, %v; want 0, nil", got, err)
	}
	start := day1
	mustScan(t, s, scoring.Scan{ID: "a", Team: "routes", Source: "share", Root: "/r", ScannedAt: start.Add(-time.Hour), Bytes: 500}, start)
	mustScan(t, s, scoring.Scan{ID: "b", Team: "routes", Source: "share", Root: "/r", ScannedAt: start.Add(time.Hour), Bytes: 200}, start)
	if got, err := s.TotalFreed(ctx); err != nil || got != 300 {
		t.Errorf("TotalFreed = %d, %v; want 300, nil", got, err)
	}
}

func TestAuditCount(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	for i, team := range []string{"a", "b", "c"} {
		if err := s.Correct(ctx, scoring.Correction{Team: team, Points: float64(i), Day: 1, At: day1}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		count     int64
		wantTeams []string
	}{
		{0, []string{"a", "b", "c"}},
		{2, []string{"a", "b"}},
		{10, []string{"a", "b", "c"}},
	}
	for _, tt := range tests {
		got, err := s.Audit(ctx, tt.count)
		if err != nil {
			t.Fatalf("Audit(%d): %v", tt.count, err)
		}
		var teams []string
		for _, e := range got {
			if e.ID == "" {
				t.Errorf("audit entry without id: %v", e)
			}
			teams = append(teams, fieldMap(scoring.Encode(e.Event))["team"])
		}
		if !slices.Equal(teams, tt.wantTeams) {
			t.Errorf("Audit(%d) teams = %v, want %v (oldest first)", tt.count, teams, tt.wantTeams)
		}
	}
}

func TestNamespaces(t *testing.T) {
	ctx := context.Background()
	rdb, _ := redistest.Redis(t)
	ids := []string{redistest.Campaign(t), redistest.Campaign(t)}
	if ids[0] == ids[1] {
		t.Fatalf("Campaign returned %q twice", ids[0])
	}
	t.Cleanup(func() {
		for _, id := range ids {
			redistest.Drop(rdb, id)
		}
	})
	a, b := redis.NewStore(rdb, ids[0]), redis.NewStore(rdb, ids[1])

	mustReact(t, a, scoring.Reaction{Agent: "alice", Team: "routes", Day: 1, Post: "P1", At: day1}, true)
	mustScan(t, a, scoring.Scan{ID: "s1", Team: "routes", Source: "share", Root: "/r", ScannedAt: day1, Bytes: 100}, day1)
	mustScan(t, a, scoring.Scan{ID: "s2", Team: "routes", Source: "share", Root: "/r", ScannedAt: day1.Add(time.Hour), Bytes: 40}, day1)
	if err := a.Correct(ctx, scoring.Correction{Team: "routes", Points: 1, Day: 1, At: day1}); err != nil {
		t.Fatal(err)
	}
	if n, err := a.Sequence(ctx, "posts"); err != nil || n != 1 {
		t.Fatalf("a.Sequence = %d, %v", n, err)
	}
	if st, err := a.ClaimPost(ctx, "defi:1", "bot-a", time.Minute); err != nil || st != scoring.Claimed {
		t.Fatalf("a.ClaimPost = %v, %v", st, err)
	}

	if got := figures(t, b); len(got) != 0 {
		t.Errorf("b sees a's figures: %v", got)
	}
	if got, err := b.TotalFreed(ctx); err != nil || got != 0 {
		t.Errorf("b.TotalFreed = %d, %v; want 0", got, err)
	}
	if got := audit(t, b); len(got) != 0 {
		t.Errorf("b sees a's audit: %v", got)
	}
	if days, err := b.AgentDays(ctx, "alice"); err != nil || len(days) != 0 {
		t.Errorf("b.AgentDays(alice) = %v, %v", days, err)
	}
	if scans, err := b.LatestScans(ctx, "routes"); err != nil || len(scans) != 0 {
		t.Errorf("b.LatestScans(routes) = %v, %v", scans, err)
	}
	if n, err := b.Sequence(ctx, "posts"); err != nil || n != 1 {
		t.Errorf("b.Sequence = %d, %v; want its own 1", n, err)
	}
	if st, err := b.ClaimPost(ctx, "defi:1", "bot-b", time.Minute); err != nil || st != scoring.Claimed {
		t.Errorf("b.ClaimPost = %v, %v; want Claimed (a's lease is a's)", st, err)
	}
	// The same scan id is new to b.
	res, err := b.RecordScan(ctx, scoring.Scan{ID: "s1", Team: "routes", Source: "share", Root: "/r", ScannedAt: day1, Bytes: 100}, scoring.ScanRules{Start: day1})
	if err != nil || res.Status != scoring.ScanAccepted {
		t.Errorf("b.RecordScan(s1) = %+v, %v; want accepted", res, err)
	}

	if got := figures(t, a)["routes"]; got != (scoring.Figures{Participations: 1, FreedBytes: 60, BaselineBytes: 100, Corrections: 1}) {
		t.Errorf("a's figures changed: %+v", got)
	}
	keys, err := redistest.Keys(ctx, rdb, "gigabot:{"+ids[0]+"}:*")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, "gigabot:{"+ids[0]+"}:") {
			t.Errorf("key %q outside a's namespace", k)
		}
	}
	if len(keys) == 0 {
		t.Error("no key in a's namespace")
	}
}

func TestPing(t *testing.T) {
	s, _, _ := redistest.NewStore(t)
	if err := s.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestConnect(t *testing.T) {
	tests := []struct {
		name string
		url  string
	}{
		{"not a url", "://nope"},
		{"wrong scheme", "http://127.0.0.1:6379"},
		{"nobody listening", "redis://127.0.0.1:1/0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			rdb, err := redis.Connect(ctx, tt.url)
			if err == nil {
				rdb.Close()
				t.Fatalf("Connect(%q) succeeded, want an error", tt.url)
			}
		})
	}
}

func TestEmbedded(t *testing.T) {
	ctx := context.Background()
	rdb, stop, err := redis.Embedded()
	if err != nil {
		t.Fatalf("Embedded: %v", err)
	}
	defer stop()
	s := redis.NewStore(rdb, "embedded")
	if d, err := s.React(ctx, scoring.Reaction{Agent: "alice", Team: "routes", Day: 1, Post: "P1", At: day1}, true); err != nil || d != 1 {
		t.Errorf("React on the embedded store = %d, %v; want 1, nil", d, err)
	}
}

// A campaign an earlier version wrote (running totals) is refused, not
// read as zero.
func TestCheckLayout(t *testing.T) {
	ctx := context.Background()
	s, rdb, id := redistest.NewStore(t)
	if err := s.CheckLayout(ctx); err != nil {
		t.Fatalf("an empty campaign: %v", err)
	}
	mustScan(t, s, scoring.Scan{ID: "s1", Team: "routes", Source: "share", Root: "/r", ScannedAt: day1, Files: 1, Bytes: 100}, day1)
	if err := s.CheckLayout(ctx); err != nil {
		t.Fatalf("a campaign this version wrote: %v", err)
	}
	if err := rdb.HSet(ctx, "gigabot:{"+id+"}:freed", "routes", "100").Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckLayout(ctx); !errors.Is(err, redis.ErrOldLayout) || !strings.Contains(err.Error(), "campaign.id") {
		t.Errorf("an earlier version's campaign: %v, want ErrOldLayout naming campaign.id", err)
	}
}
