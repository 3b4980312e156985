package redis_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

func mustReact(t testing.TB, s *redis.Store, r scoring.Reaction, add bool) int {
	t.Helper()
	d, err := s.React(context.Background(), r, add)
	if err != nil {
		t.Fatalf("React(%+v, %v): %v", r, add, err)
	}
	return d
}

// mark is a reaction of agent on post, the défi of day, by a member of team.
func mark(agent, team string, day int, post string) scoring.Reaction {
	return scoring.Reaction{Agent: agent, Team: team, Day: day, Post: post, At: day1.AddDate(0, 0, day-1).Add(time.Hour)}
}

func TestReact(t *testing.T) {
	type step struct {
		r         scoring.Reaction
		add       bool
		wantDelta int
	}
	alice1 := mark("alice", "routes", 1, "P1")
	tests := []struct {
		name      string
		steps     []step
		wantParts map[string]int64 // team → défis done
		wantDays  map[string][]int // agent → days done
	}{
		{
			name:      "a mark counts the défi",
			steps:     []step{{alice1, true, 1}},
			wantParts: map[string]int64{"routes": 1},
			wantDays:  map[string][]int{"alice": {1}},
		},
		{
			name:      "a duplicate delivery counts nothing",
			steps:     []step{{alice1, true, 1}, {alice1, true, 0}},
			wantParts: map[string]int64{"routes": 1},
			wantDays:  map[string][]int{"alice": {1}},
		},
		{
			name:      "removing the mark takes the défi back",
			steps:     []step{{alice1, true, 1}, {alice1, false, -1}},
			wantParts: map[string]int64{"routes": 0},
			wantDays:  map[string][]int{"alice": {}},
		},
		{
			name:      "removing twice takes back once",
			steps:     []step{{alice1, true, 1}, {alice1, false, -1}, {alice1, false, 0}},
			wantParts: map[string]int64{"routes": 0},
			wantDays:  map[string][]int{"alice": {}},
		},
		{
			name:      "removing a mark never added changes nothing",
			steps:     []step{{alice1, false, 0}},
			wantParts: map[string]int64{},
			wantDays:  map[string][]int{"alice": {}},
		},
		{
			name:      "removing another post's mark changes nothing",
			steps:     []step{{alice1, true, 1}, {mark("alice", "routes", 1, "P2"), false, 0}},
			wantParts: map[string]int64{"routes": 1},
			wantDays:  map[string][]int{"alice": {1}},
		},
		{
			name: "two posts of one défi count once and it stays done until the last mark goes",
			steps: []step{
				{alice1, true, 1},
				{mark("alice", "routes", 1, "P1-thread"), true, 0},
				{alice1, false, 0},
				{alice1, true, 0},
				{alice1, false, 0},
			},
			wantParts: map[string]int64{"routes": 1},
			wantDays:  map[string][]int{"alice": {1}},
		},
		{
			name: "the last of two marks going takes the défi back",
			steps: []step{
				{alice1, true, 1},
				{mark("alice", "routes", 1, "P1-thread"), true, 0},
				{alice1, false, 0},
				{mark("alice", "routes", 1, "P1-thread"), false, -1},
			},
			wantParts: map[string]int64{"routes": 0},
			wantDays:  map[string][]int{"alice": {}},
		},
		{
			name: "a mark removed and added again counts again",
			steps: []step{
				{alice1, true, 1}, {alice1, false, -1}, {alice1, true, 1},
			},
			wantParts: map[string]int64{"routes": 1},
			wantDays:  map[string][]int{"alice": {1}},
		},
		{
			name: "each day's défi counts",
			steps: []step{
				{alice1, true, 1}, {mark("alice", "routes", 2, "P2"), true, 1}, {mark("alice", "routes", 3, "P3"), true, 1},
			},
			wantParts: map[string]int64{"routes": 3},
			wantDays:  map[string][]int{"alice": {1, 2, 3}},
		},
		{
			name: "agents and teams count apart",
			steps: []step{
				{alice1, true, 1},
				{mark("bob", "routes", 1, "P1"), true, 1},
				{mark("gaby", "culture", 1, "C1"), true, 1},
				{mark("gaby", "culture", 2, "C2"), true, 1},
				{mark("bob", "routes", 1, "P1"), false, -1},
			},
			wantParts: map[string]int64{"routes": 1, "culture": 2},
			wantDays:  map[string][]int{"alice": {1}, "bob": {}, "gaby": {1, 2}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, _, _ := redistest.NewStore(t)
			var wantAudit []map[string]string
			for i, st := range tt.steps {
				if got := mustReact(t, s, st.r, st.add); got != st.wantDelta {
					t.Errorf("step %d: React(%s on %s day %d, add=%v) = %d, want %d",
						i, st.r.Agent, st.r.Post, st.r.Day, st.add, got, st.wantDelta)
				}
				if st.wantDelta != 0 {
					wantAudit = append(wantAudit, map[string]string{
						"type": "participation", "team": st.r.Team, "agent": st.r.Agent,
						"day": strconv.Itoa(st.r.Day), "post": st.r.Post, "delta": strconv.Itoa(st.wantDelta),
						"at": strconv.FormatInt(st.r.At.UnixMilli(), 10),
					})
				}
			}

			got := map[string]int64{}
			for team, f := range figures(t, s) {
				got[team] = f.Participations
			}
			if !maps.Equal(got, tt.wantParts) {
				t.Errorf("participations = %v, want %v", got, tt.wantParts)
			}
			for agent, want := range tt.wantDays {
				days, err := s.AgentDays(ctx, agent)
				if err != nil {
					t.Fatalf("AgentDays(%s): %v", agent, err)
				}
				if !slices.Equal(days, want) {
					t.Errorf("AgentDays(%s) = %v, want %v", agent, days, want)
				}
			}

			entries := audit(t, s)
			if len(entries) != len(wantAudit) {
				t.Fatalf("%d audit entries, want one per counted change (%d): %v", len(entries), len(wantAudit), entries)
			}
			for i, e := range entries {
				if got := fieldMap(scoring.Encode(e.Event)); e.Err != nil || !maps.Equal(got, wantAudit[i]) {
					t.Errorf("audit[%d] = %v (%v), want %v", i, got, e.Err, wantAudit[i])
				}
			}
		})
	}
}

func TestAgentDaysSorted(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	// Set members come back in no useful order, and "10" < "2" as strings.
	for _, day := range []int{10, 2, 15, 7, 1, 11} {
		mustReact(t, s, mark("alice", "routes", day, fmt.Sprintf("P%d", day)), true)
	}
	tests := []struct {
		agent string
		want  []int
	}{
		{"alice", []int{1, 2, 7, 10, 11, 15}},
		{"nobody", []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.agent, func(t *testing.T) {
			got, err := s.AgentDays(ctx, tt.agent)
			if err != nil {
				t.Fatalf("AgentDays: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("AgentDays(%s) = %v, want %v", tt.agent, got, tt.want)
			}
		})
	}
}

func TestReactConcurrentSameMark(t *testing.T) {
	s, _, _ := redistest.NewStore(t)
	const n = 50
	r := mark("alice", "routes", 1, "P1")
	deltas := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			deltas[i], errs[i] = s.React(context.Background(), r, true)
		})
	}
	wg.Wait()
	sum := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("React %d: %v", i, errs[i])
		}
		sum += deltas[i]
	}
	if sum != 1 {
		t.Errorf("deltas sum to %d, want 1", sum)
	}
	if got := figures(t, s)["routes"].Participations; got != 1 {
		t.Errorf("participations = %d, want 1", got)
	}
	if got := auditOf(t, s, "participation"); len(got) != 1 {
		t.Errorf("%d audit entries, want 1", len(got))
	}
}

func TestReactConcurrentAgents(t *testing.T) {
	s, _, _ := redistest.NewStore(t)
	teams := []string{"routes", "culture", "rh", "finances"}
	const agents = 120
	// Each agent marks day 1 on two posts (counts once), day 2 on one post
	// delivered twice (counts once), and day 3 added then removed (counts 0).
	type op struct {
		r   scoring.Reaction
		add bool
	}
	var ops []op
	for a := range agents {
		name, team := fmt.Sprintf("agent%03d", a), teams[a%len(teams)]
		ops = append(ops,
			op{mark(name, team, 1, "D1-"+team), true},
			op{mark(name, team, 1, "D1-thread-"+team), true},
			op{mark(name, team, 2, "D2-"+team), true},
			op{mark(name, team, 2, "D2-"+team), true},
			op{mark(name, team, 3, "D3-"+team), true},
		)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(ops))
	for _, o := range ops {
		wg.Go(func() {
			if _, err := s.React(context.Background(), o.r, o.add); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	// Removals run once every add is in, so that each finds its mark.
	for a := range agents {
		name, team := fmt.Sprintf("agent%03d", a), teams[a%len(teams)]
		wg.Go(func() {
			if _, err := s.React(context.Background(), mark(name, team, 3, "D3-"+team), false); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("React: %v", err)
	}

	f := figures(t, s)
	for _, team := range teams {
		if got, want := f[team].Participations, int64(2*agents/len(teams)); got != want {
			t.Errorf("%s participations = %d, want %d", team, got, want)
		}
	}
	days, err := s.AgentDays(context.Background(), "agent007")
	if err != nil || !slices.Equal(days, []int{1, 2}) {
		t.Errorf("AgentDays(agent007) = %v, %v; want [1 2]", days, err)
	}
	var net int
	for _, e := range auditOf(t, s, "participation") {
		d, _ := strconv.Atoi(e["delta"])
		net += d
	}
	if net != 2*agents {
		t.Errorf("audit deltas sum to %d, want %d", net, 2*agents)
	}
}

// TestMarked lists the agents whose mark on a post counts: not those
// taken back, not those of another post, even one whose id ends the same
// or holds a pattern's characters.
func TestMarked(t *testing.T) {
	s, _, _ := redistest.NewStore(t)
	post := "C0ROUTES1/1711098000.000[1]*"
	for _, r := range []scoring.Reaction{
		mark("alice", "routes", 1, post), mark("bob", "routes", 1, post), mark("carol", "routes", 1, post),
		mark("dan", "routes", 1, "C0ROUTES1/1711098000.0001"), mark("emma", "colleges", 1, "X"+post),
	} {
		mustReact(t, s, r, true)
	}
	mustReact(t, s, mark("bob", "routes", 1, post), false)
	// Several posts at once, from one scan.
	got, err := s.Marked(context.Background(), post, "C0OTHER/1")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"alice", "carol"}; !slices.Equal(got[post], want) {
		t.Errorf("Marked = %v, want %v", got[post], want)
	}
	if none := got["C0OTHER/1"]; len(none) != 0 {
		t.Errorf("Marked of a post nobody marked = %v; want none", none)
	}
	if one, err := s.Marked(context.Background(), post); err != nil || !slices.Equal(one[post], got[post]) {
		t.Errorf("Marked of the post alone = %v, %v; want %v", one, err, got[post])
	}
}

// TestReactUnless: a reaction read from the platform at some instant
// (Unless) changes a mark only if no reaction touched it at or after that
// instant, a removal of a mark never counted included.
func TestReactUnless(t *testing.T) {
	s, _, _ := redistest.NewStore(t)
	at := func(r scoring.Reaction, minutes int, unless int) scoring.Reaction {
		r.At = day1.Add(time.Duration(minutes) * time.Minute)
		if unless >= 0 {
			r.Unless = day1.Add(time.Duration(unless) * time.Minute)
		}
		return r
	}
	alice, bob := mark("alice", "routes", 1, "P1"), mark("bob", "routes", 1, "P1")
	steps := []struct {
		name string
		r    scoring.Reaction
		add  bool
		want int
	}{
		{"alice's ✅ at 10", at(alice, 10, -1), true, 1},
		{"a list read at 5 without her: too old", at(alice, 12, 5), false, 0},
		{"a list read at 10 without her: as old as her ✅", at(alice, 12, 10), false, 0},
		{"a list read at 11 without her", at(alice, 12, 11), false, -1},
		{"bob takes back a ✅ never counted, at 20", at(bob, 20, -1), false, 0},
		{"a list read at 15 with him: older than his removal", at(bob, 21, 15), true, 0},
		{"a list read at 21 with him", at(bob, 22, 21), true, 1},
	}
	for _, st := range steps {
		if got := mustReact(t, s, st.r, st.add); got != st.want {
			t.Errorf("%s: delta %d, want %d", st.name, got, st.want)
		}
	}
	if m, err := s.Marked(context.Background(), "P1"); err != nil || !slices.Equal(m["P1"], []string{"bob"}) {
		t.Errorf("Marked = %v, %v; want bob", m, err)
	}
}

// TestReactLatestWins: reactions that waited for the store (Late), written
// out of their order (two replicas draining their queues after an
// outage), end as the latest one says; reactions on time are written in
// the order they come, whatever their clocks say.
func TestReactLatestWins(t *testing.T) {
	s, _, _ := redistest.NewStore(t)
	add, remove := mark("alice", "routes", 1, "P1"), mark("alice", "routes", 1, "P1")
	remove.At = add.At.Add(2 * time.Second)
	add.Late, remove.Late = true, true
	if d := mustReact(t, s, remove, false); d != 0 {
		t.Fatalf("the removal of a mark never counted: delta %d", d)
	}
	if d := mustReact(t, s, add, true); d != 0 {
		t.Errorf("the waiting ✅ written after its own removal: delta %d, want 0", d)
	}
	if m, err := s.Marked(context.Background(), "P1"); err != nil || len(m["P1"]) != 0 {
		t.Errorf("Marked = %v, %v; want none: the removal is the later reaction", m, err)
	}
	same := add
	same.At = remove.At // the same instant: written, in the order written
	if d := mustReact(t, s, same, true); d != 1 {
		t.Errorf("a waiting ✅ at the same instant: delta %d, want 1", d)
	}
	// On time, a reaction is written whatever its clock: a replica whose
	// clock is behind takes the ✅ back.
	onTime := remove
	onTime.Late, onTime.At = false, add.At.Add(-time.Minute)
	if d := mustReact(t, s, onTime, false); d != -1 {
		t.Errorf("a removal on time from a clock behind: delta %d, want -1", d)
	}
	// It did not move the mark's last reaction back: a waiting ✅ older
	// than the others still changes nothing.
	if d := mustReact(t, s, add, true); d != 0 {
		t.Errorf("a waiting ✅ older than the mark's last reaction: delta %d, want 0", d)
	}
}
