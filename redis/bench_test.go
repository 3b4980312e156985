package redis_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

// The size of the campaign the benchmarks measure: the Conseil
// départemental du Calvados's 28 teams and about 3 000 agents.
const (
	benchTeams  = 28
	benchAgents = 3000
	benchDays   = 5 // défis published so far
)

func benchTeamList() []scoring.Team {
	teams := make([]scoring.Team, benchTeams)
	for i := range teams {
		teams[i] = scoring.Team{ID: fmt.Sprintf("team%02d", i), Name: fmt.Sprintf("Équipe %d", i)}
	}
	for a := range benchAgents {
		teams[a%benchTeams].Members++
	}
	return teams
}

// populate records a campaign under way: every agent marks some of the
// first benchDays défis, and every team has scanned two roots twice.
func populate(b *testing.B, s *redis.Store, teams []scoring.Team) {
	b.Helper()
	ctx := context.Background()
	for a := range benchAgents {
		team := teams[a%benchTeams].ID
		for day := 1; day <= 1+a%benchDays; day++ {
			r := scoring.Reaction{Agent: fmt.Sprintf("agent%04d", a), Team: team, Day: day, Post: fmt.Sprintf("%s-%d", team, day), At: day1}
			if _, err := s.React(ctx, r, true); err != nil {
				b.Fatal(err)
			}
		}
	}
	for i, t := range teams {
		for _, root := range []string{"/srv/partages/" + t.ID, "/srv/archives/" + t.ID} {
			base := int64(50e9 + int64(i)*1e9)
			for j, bytes := range []int64{base, base - int64(i+1)*3e8} {
				sc := scoring.Scan{ID: fmt.Sprintf("%s%s-%d", t.ID, root, j), Team: t.ID, Source: "share", Root: root,
					ScannedAt: campaignStart.Add(time.Duration(j*24-1) * time.Hour), Bytes: bytes}
				if _, err := s.RecordScan(ctx, sc, scoring.ScanRules{Start: campaignStart}); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

// BenchmarkReact counts défis one after the other; "wait" makes each
// wait for the replicas that REDIS_WAIT_REPLICAS names (one on Sentinel),
// "nowait" for none: the price of WAIT.
func BenchmarkReact(b *testing.B) {
	b.Run("wait", func(b *testing.B) { benchReact(b) })
	b.Run("nowait", func(b *testing.B) { benchReact(b, redis.WithReplicas(0, 0)) })
}

func benchReact(b *testing.B, opts ...redis.Option) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(b, opts...)
	teams := benchTeamList()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		// Distinct agents and posts, so that every call counts a défi.
		r := scoring.Reaction{
			Agent: fmt.Sprintf("agent%d", i%benchAgents), Team: teams[i%benchTeams].ID,
			Day: 1 + i/benchAgents, Post: fmt.Sprintf("P%d", i), At: day1,
		}
		if _, err := s.React(ctx, r, true); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkStandings(b *testing.B) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(b)
	teams := benchTeamList()
	populate(b, s, teams)
	w := scoring.Weights{Defi: 1, Gigabyte: 2, Percent: 1}
	b.ReportAllocs()
	for b.Loop() {
		f, err := s.Figures(ctx)
		if err != nil {
			b.Fatal(err)
		}
		st := scoring.Compute(teams, f, w, benchDays)
		if r := st.Ranking(scoring.ByPoints); len(r) != benchTeams || r[0].Points == 0 {
			b.Fatalf("ranking of %d teams, leader with %v points", len(r), r[0].Points)
		}
	}
}

func BenchmarkRecordScan(b *testing.B) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(b)
	teams := benchTeamList()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		// Each root of each team gets a newer, smaller report: every call is accepted.
		t := teams[i%benchTeams].ID
		sc := scoring.Scan{
			ID: fmt.Sprintf("scan-%d", i), Team: t, Source: "share", Root: fmt.Sprintf("/srv/%s/%d", t, i%(2*benchTeams)/benchTeams),
			ScannedAt: campaignStart.Add(time.Duration(i) * time.Second), Bytes: int64(1e12) - int64(i)*1e6,
			DuplicateBytes: 4e9, StaleBytes: 2e10, LargeBytes: 9e9,
		}
		res, err := s.RecordScan(ctx, sc, scoring.ScanRules{Start: campaignStart})
		if err != nil {
			b.Fatal(err)
		}
		if res.Status != scoring.ScanAccepted {
			b.Fatalf("scan %d: %s", i, res.Status)
		}
		i++
	}
}
