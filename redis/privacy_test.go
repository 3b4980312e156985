package redis_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

// dump returns every key of a campaign and what it holds, as text, so that
// a test can look for a name anywhere in the store.
func dump(t *testing.T, rdb goredis.UniversalClient, campaign string) map[string]string {
	t.Helper()
	ctx := context.Background()
	keys, err := redistest.Keys(ctx, rdb, "gigabot:{"+campaign+"}:*")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, k := range keys {
		typ, err := rdb.Type(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		var v any
		switch typ {
		case "string":
			v, err = rdb.Get(ctx, k).Result()
		case "hash":
			v, err = rdb.HGetAll(ctx, k).Result()
		case "set":
			var m []string
			m, err = rdb.SMembers(ctx, k).Result()
			slices.Sort(m)
			v = m
		case "list":
			v, err = rdb.LRange(ctx, k, 0, -1).Result()
		case "stream":
			v, err = rdb.XRange(ctx, k, "-", "+").Result()
		default:
			t.Fatalf("key %s of type %s", k, typ)
		}
		if err != nil {
			t.Fatal(err)
		}
		out[k] = fmt.Sprint(v)
	}
	return out
}

// mentions returns the keys whose name or content holds name.
func mentions(d map[string]string, name string) []string {
	var out []string
	for k, v := range d {
		if strings.Contains(k, name) || strings.Contains(v, name) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// auditOK replays the log as `gigabot audit` does and compares it with the
// live figures of every team; it returns the live figures.
func auditOK(t *testing.T, s *redis.Store, start time.Time, days int) map[string]scoring.Figures {
	t.Helper()
	ctx := context.Background()
	live, err := s.Figures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h := scoring.NewHistory(start)
	if err := h.Feed(ctx, s); err != nil {
		t.Fatalf("replay the log: %v", err)
	}
	replayed := h.At(days, scoring.Forever())
	if len(replayed) != len(live) {
		t.Errorf("the log replays %d teams, the store counts %d", len(replayed), len(live))
	}
	for team, want := range live {
		got := replayed[team]
		if d := got.Corrections - want.Corrections; d > 1e-9 || d < -1e-9 {
			t.Errorf("audit: %s: corrections replayed %v, live %v", team, got.Corrections, want.Corrections)
		}
		got.Corrections = want.Corrections
		if got != want {
			t.Errorf("audit: %s: replayed %+v, live %+v", team, got, want)
		}
	}
	return live
}

func logIDs(t *testing.T, s *redis.Store) []string {
	t.Helper()
	recs, err := s.Audit(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	return ids
}

// privacyCampaign records some activity: alice and bob of routes, carol of
// rh, and coord, who corrects a team and decides a held report.
func privacyCampaign(t *testing.T, s *redis.Store) {
	t.Helper()
	ctx := context.Background()
	for _, r := range []scoring.Reaction{mark("alice", "routes", 1, "P1"), mark("alice", "routes", 2, "P2"),
		mark("alice", "routes", 2, "P2b"), mark("bob", "routes", 1, "P1"), mark("carol", "rh", 1, "P1")} {
		mustReact(t, s, r, true)
	}
	mustReact(t, s, mark("bob", "routes", 1, "P1"), false)
	mustReact(t, s, mark("bob", "routes", 1, "P1"), true)
	rules := scoring.ScanRules{Start: day1, HoldDrop: 0.5, Now: day1}
	base := scoring.Scan{ID: "b1", Team: "routes", Source: "share", Root: "/srv/routes", ScannedAt: day1.Add(-time.Hour), Bytes: 10_000, Files: 10}
	if _, err := s.RecordScan(ctx, base, rules); err != nil {
		t.Fatal(err)
	}
	drop := base
	drop.ID, drop.ScannedAt, drop.Bytes = "d1", day1.Add(time.Hour), 100
	if res, err := s.RecordScan(ctx, drop, rules); err != nil || res.Status != scoring.ScanHeld {
		t.Fatalf("RecordScan(a 99 %% drop) = %v, %v; want held", res, err)
	}
	if _, _, err := s.DecideScan(ctx, "d1", "coord", true, rules); err != nil {
		t.Fatal(err)
	}
	if err := s.Correct(ctx, scoring.Correction{ID: "c1", Team: "rh", Points: 2, Reason: "oubli", By: "coord", Day: 1, At: day1}); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.TakeToken(ctx, "alice", 5, time.Second, day1); err != nil {
		t.Fatal(err)
	}
}

func TestPersonalData(t *testing.T) {
	s, _, id := redistest.NewStore(t)
	ctx := context.Background()
	privacyCampaign(t, s)
	tests := []struct {
		user     string
		wantKeys []string // key suffixes (and fields)
		wantLog  int
	}{
		{"alice", []string{"reacts alice:P1", "reacts alice:P2", "reacts alice:P2b", "reactsat alice:P1", "reactsat alice:P2", "reactsat alice:P2b",
			"part:routes alice:1", "part:routes alice:2",
			"agentdays:alice", "agentdays:alice", "ratelimit:alice last", "ratelimit:alice tokens", "ratelimit:alice warned"}, 2},
		{"bob", []string{"reacts bob:P1", "reactsat bob:P1", "part:routes bob:1", "agentdays:bob"}, 3},
		{"coord", []string{"corrlog:1"}, 2},
		{"nobody", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			got, err := s.PersonalData(ctx, tt.user)
			if err != nil {
				t.Fatal(err)
			}
			if got.User != tt.user || got.Campaign != id || got.Pseudonym != "" {
				t.Errorf("PersonalData = %+v", got)
			}
			var keys []string
			for _, k := range got.Keys {
				keys = append(keys, strings.TrimSpace(strings.TrimPrefix(k.Key, "gigabot:{"+id+"}:")+" "+k.Field))
			}
			if !slices.Equal(keys, tt.wantKeys) {
				t.Errorf("keys = %q, want %q", keys, tt.wantKeys)
			}
			if len(got.Log) != tt.wantLog {
				t.Errorf("%d log entries, want %d: %+v", len(got.Log), tt.wantLog, got.Log)
			}
			for _, e := range got.Log {
				if e.Fields[0][0] != "type" || !strings.Contains(fmt.Sprint(e.Fields), tt.user) {
					t.Errorf("log entry %s: %v", e.ID, e.Fields)
				}
			}
			if got.Empty() != (tt.user == "nobody") {
				t.Errorf("Empty() = %v", got.Empty())
			}
		})
	}
}

func TestErase(t *testing.T) {
	s, rdb, id := redistest.NewStore(t)
	ctx := context.Background()
	privacyCampaign(t, s)
	mustReact(t, s, mark("@dave:example.fr", "rh", 2, "$ev:example.fr"), true) // a Matrix id and event id
	before := auditOK(t, s, day1, 3)
	ids := logIDs(t, s)

	for _, user := range []string{"alice", "coord", "@dave:example.fr"} {
		e, err := s.Erase(ctx, user)
		if err != nil {
			t.Fatalf("Erase(%s): %v", user, err)
		}
		if !strings.HasPrefix(e.Pseudonym, "anon-") || e.People != 1 || e.Log == 0 {
			t.Errorf("Erase(%s) = %+v", user, e)
		}
		if m := mentions(dump(t, rdb, id), user); len(m) > 0 {
			t.Errorf("after Erase(%s), these keys still name them: %v", user, m)
		}
	}
	if after := auditOK(t, s, day1, 3); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("figures changed:\nbefore %v\nafter  %v", before, after)
	}
	if got := logIDs(t, s); !slices.Equal(got, ids) {
		t.Errorf("log ids changed:\nbefore %v\nafter  %v", ids, got)
	}
	for _, other := range []string{"bob", "carol"} {
		if m := mentions(dump(t, rdb, id), other); len(m) == 0 {
			t.Errorf("%s was erased too", other)
		}
	}

	// What an erased agent does later is counted once, under the pseudonym.
	data, err := s.PersonalData(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if data.Pseudonym == "" || len(data.Log) != 2 || len(data.Keys) != 10 {
		t.Fatalf("PersonalData(alice) after erasure = %+v, want her 2 entries and 10 keys under a pseudonym", data)
	}
	steps := []struct {
		add  bool
		want int
	}{{true, 0}, {false, -1}, {false, 0}, {true, 1}, {true, 0}}
	for i, st := range steps {
		if got := mustReact(t, s, mark("alice", "routes", 1, "P1"), st.add); got != st.want {
			t.Errorf("step %d: React(alice, P1, %v) after erasure = %d, want %d", i, st.add, got, st.want)
		}
	}
	after := auditOK(t, s, day1, 3)
	if after["routes"].Participations != before["routes"].Participations {
		t.Errorf("routes: %d défis done, want %d", after["routes"].Participations, before["routes"].Participations)
	}
	if m := mentions(dump(t, rdb, id), "alice"); len(m) > 0 {
		t.Errorf("alice's later reactions name her in %v", m)
	}
	days, err := s.AgentDays(ctx, data.Pseudonym)
	if err != nil || !slices.Equal(days, []int{1, 2}) {
		t.Errorf("days of alice's pseudonym = %v, %v; want [1 2]", days, err)
	}
}

// TestEraseRefusesTheUnknown: a user the store does not name is an error
// that changes nothing.
func TestEraseRefusesTheUnknown(t *testing.T) {
	s, rdb, id := redistest.NewStore(t)
	privacyCampaign(t, s)
	before := dump(t, rdb, id)
	for _, user := range []string{"alicia", "ali", "alice:P1", "*"} {
		if _, err := s.Erase(context.Background(), user); !errors.Is(err, redis.ErrNothingKept) {
			t.Errorf("Erase(%q) = %v, want ErrNothingKept", user, err)
		}
	}
	if after := dump(t, rdb, id); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("the store changed:\nbefore %v\nafter  %v", before, after)
	}
}

// TestEraseWhileReactionsFlow: the log is copied while agents keep
// reacting; every reaction stays counted once and the log replays.
func TestEraseWhileReactionsFlow(t *testing.T) {
	s, rdb, id := redistest.NewStore(t)
	ctx := context.Background()
	for a := range 300 {
		mustReact(t, s, mark(fmt.Sprint("agent", a), "routes", 1+a%3, "P1"), true)
	}
	var wg sync.WaitGroup
	var stop atomic.Bool
	var counted atomic.Int64
	wg.Go(func() {
		for i := 0; !stop.Load(); i++ {
			d, err := s.React(ctx, mark(fmt.Sprint("late", i), "rh", 1, "P1"), true)
			if err != nil {
				t.Error(err)
				return
			}
			counted.Add(int64(d))
		}
	})
	for a := range 5 {
		if _, err := s.Erase(ctx, fmt.Sprint("agent", a)); err != nil {
			t.Errorf("Erase(agent%d): %v", a, err)
		}
	}
	stop.Store(true)
	wg.Wait()
	live := auditOK(t, s, day1, 3)
	if live["routes"].Participations != 300 || live["rh"].Participations != counted.Load() {
		t.Errorf("figures %v, want routes 300 and rh %d", live, counted.Load())
	}
	if m := mentions(dump(t, rdb, id), "agent1:"); len(m) > 0 {
		t.Errorf("agent1 is still named in %v", m)
	}
}

func TestEraseAll(t *testing.T) {
	s, rdb, id := redistest.NewStore(t)
	ctx := context.Background()
	privacyCampaign(t, s)
	if _, err := s.Erase(ctx, "bob"); err != nil { // one erased before: it keeps a pseudonym
		t.Fatal(err)
	}
	before := auditOK(t, s, day1, 3)
	ids := logIDs(t, s)
	at := day1.AddDate(0, 4, 0)

	// Two replicas run the job at once: one erases, the other finds it busy
	// or done.
	type result struct {
		e    scoring.Erasure
		done bool
		err  error
	}
	results := make(chan result, 2)
	for range 2 {
		go func() {
			e, done, err := s.EraseAll(ctx, at)
			results <- result{e, done, err}
		}()
	}
	var did int
	for range 2 {
		r := <-results
		switch {
		case r.done:
			did++
			if r.e.People != 3 || r.e.Log == 0 { // alice, carol, coord (bob was erased)
				t.Errorf("EraseAll = %+v", r.e)
			}
		case r.err != nil && !errors.Is(r.err, redis.ErrErasing):
			t.Errorf("EraseAll: %v", r.err)
		}
	}
	if did != 1 {
		t.Fatalf("EraseAll erased %d times, want once", did)
	}
	if _, done, err := s.EraseAll(ctx, at.Add(time.Minute)); done || err != nil {
		t.Errorf("EraseAll again = %v, %v; want nothing done", done, err)
	}
	if after := auditOK(t, s, day1, 3); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("figures changed:\nbefore %v\nafter  %v", before, after)
	}
	if got := logIDs(t, s); !slices.Equal(got, ids) {
		t.Errorf("log ids changed")
	}
	d := dump(t, rdb, id)
	for _, name := range []string{"alice", "bob", "carol", "coord", "agentdays", "reacts", "part:", "privacy}:key", "erased"} {
		if m := mentions(d, name); len(m) > 0 {
			t.Errorf("%q is still in %v", name, m)
		}
	}
	if closed, ok, err := s.Closed(ctx); err != nil || !ok || !closed.Equal(at) {
		t.Errorf("Closed() = %v, %v, %v; want %v", closed, ok, err, at)
	}
	// A reaction now counts nothing and names nobody.
	if got := mustReact(t, s, mark("alice", "routes", 3, "P3"), true); got != 0 {
		t.Errorf("React after the retention erasure = %d, want 0", got)
	}
	if m := mentions(dump(t, rdb, id), "alice"); len(m) > 0 {
		t.Errorf("a reaction after the retention erasure wrote %v", m)
	}
}
