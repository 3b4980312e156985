package scoring_test

import (
	"slices"
	"testing"

	"github.com/gigabot/gigabot/scoring"
)

func TestCompute(t *testing.T) {
	w := scoring.Weights{Defi: 1, Gigabyte: 2, Percent: 0.5}
	tests := []struct {
		name    string
		team    scoring.Team
		figures map[string]scoring.Figures
		weights scoring.Weights
		elapsed int
		want    scoring.Standing
	}{
		{
			name:    "percent of the baseline freed",
			team:    scoring.Team{ID: "routes", Members: 10},
			figures: map[string]scoring.Figures{"routes": {FreedBytes: 25e9, BaselineBytes: 100e9}},
			elapsed: 1,
			want:    scoring.Standing{Percent: 25},
		},
		{
			name:    "no baseline gives no percent",
			team:    scoring.Team{ID: "routes", Members: 10},
			figures: map[string]scoring.Figures{"routes": {FreedBytes: 25e9}},
			elapsed: 1,
		},
		{
			name:    "participation is done over possible pairs",
			team:    scoring.Team{ID: "routes", Members: 4},
			figures: map[string]scoring.Figures{"routes": {Participations: 3}},
			elapsed: 3,
			want:    scoring.Standing{Participation: 0.25},
		},
		{
			name:    "participation is capped at 1",
			team:    scoring.Team{ID: "routes", Members: 2},
			figures: map[string]scoring.Figures{"routes": {Participations: 10}},
			elapsed: 3,
			want:    scoring.Standing{Participation: 1},
		},
		{
			name:    "participation is 0 before the first défi",
			team:    scoring.Team{ID: "routes", Members: 2},
			figures: map[string]scoring.Figures{"routes": {Participations: 10}},
			elapsed: 0,
		},
		{
			name:    "participation is 0 for a team without members",
			team:    scoring.Team{ID: "routes", Members: 0},
			figures: map[string]scoring.Figures{"routes": {Participations: 10}},
			elapsed: 5,
		},
		{
			name: "points add défis, gigabytes, percent and corrections",
			team: scoring.Team{ID: "routes", Members: 4},
			figures: map[string]scoring.Figures{"routes": {
				Participations: 10, FreedBytes: 3e9, BaselineBytes: 12e9, Corrections: -1.25,
			}},
			weights: w,
			elapsed: 5,
			// 10×1 + 3×2 + 25×0.5 − 1.25 = 27.25; per agent 6.8125 → 6.81.
			want: scoring.Standing{Percent: 25, Participation: 0.5, Points: 27.25, PointsPerAgent: 6.81},
		},
		{
			name:    "points are rounded to the hundredth",
			team:    scoring.Team{ID: "routes", Members: 3},
			figures: map[string]scoring.Figures{"routes": {FreedBytes: 1_234_567_890}},
			weights: scoring.Weights{Gigabyte: 1},
			elapsed: 1,
			want:    scoring.Standing{Points: 1.23, PointsPerAgent: 0.41},
		},
		{
			name:    "no members gives no points per agent",
			team:    scoring.Team{ID: "routes"},
			figures: map[string]scoring.Figures{"routes": {Participations: 4}},
			weights: w,
			elapsed: 1,
			want:    scoring.Standing{Points: 4},
		},
		{
			name:    "a team without figures scores zero",
			team:    scoring.Team{ID: "routes", Members: 4},
			figures: map[string]scoring.Figures{"culture": {Participations: 4, FreedBytes: 1e9}},
			weights: w,
			elapsed: 1,
		},
		{
			name:    "a negative correction can bring points below zero",
			team:    scoring.Team{ID: "routes", Members: 2},
			figures: map[string]scoring.Figures{"routes": {Corrections: -3}},
			weights: w,
			elapsed: 1,
			want:    scoring.Standing{Points: -3, PointsPerAgent: -1.5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scoring.Compute([]scoring.Team{tt.team}, tt.figures, tt.weights, tt.elapsed)
			if len(got.Teams) != 1 {
				t.Fatalf("Compute returned %d teams, want 1", len(got.Teams))
			}
			want := tt.want
			want.Team = tt.team
			want.Figures = tt.figures[tt.team.ID]
			if got.Teams[0] != want {
				t.Errorf("Compute = %+v\nwant      %+v", got.Teams[0], want)
			}
			if got.TotalFreed != want.FreedBytes {
				t.Errorf("TotalFreed = %d, want %d", got.TotalFreed, want.FreedBytes)
			}
		})
	}
}

func TestComputeTotalAndOrder(t *testing.T) {
	teams := []scoring.Team{{ID: "routes", Members: 1}, {ID: "culture", Members: 1}, {ID: "rh", Members: 1}}
	figures := map[string]scoring.Figures{
		"routes":  {FreedBytes: 5e9},
		"culture": {FreedBytes: -2e9}, // a team that added data
		"rh":      {FreedBytes: 1e12},
		"unknown": {FreedBytes: 7e9}, // not a campaign team: not counted
	}
	got := scoring.Compute(teams, figures, scoring.Weights{}, 1)
	if want := int64(5e9 - 2e9 + 1e12); got.TotalFreed != want {
		t.Errorf("TotalFreed = %d, want %d", got.TotalFreed, want)
	}
	var ids []string
	for _, s := range got.Teams {
		ids = append(ids, s.ID)
	}
	if want := []string{"routes", "culture", "rh"}; !slices.Equal(ids, want) {
		t.Errorf("Compute keeps teams as %v, want the config order %v", ids, want)
	}
}

func TestRankingTies(t *testing.T) {
	tests := []struct {
		name      string
		points    map[string]float64
		wantIDs   []string
		wantRanks []int
	}{
		{
			name:      "two tied teams share the second rank",
			points:    map[string]float64{"d": 10, "c": 5, "b": 5, "a": 1},
			wantIDs:   []string{"d", "b", "c", "a"},
			wantRanks: []int{1, 2, 2, 4},
		},
		{
			name:      "tie for first",
			points:    map[string]float64{"z": 3, "y": 3, "x": 2},
			wantIDs:   []string{"y", "z", "x"},
			wantRanks: []int{1, 1, 3},
		},
		{
			name:      "everyone tied is ordered by id",
			points:    map[string]float64{"c": 0, "a": 0, "b": 0},
			wantIDs:   []string{"a", "b", "c"},
			wantRanks: []int{1, 1, 1},
		},
		{
			name:      "three-way tie then a fourth",
			points:    map[string]float64{"e": 7, "d": 4, "c": 4, "b": 4, "a": 2},
			wantIDs:   []string{"e", "b", "c", "d", "a"},
			wantRanks: []int{1, 2, 2, 2, 5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Teams are given in reverse id order so the tie order must come from the sort.
			var st scoring.Standings
			ids := make([]string, 0, len(tt.points))
			for id := range tt.points {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			slices.Reverse(ids)
			for _, id := range ids {
				st.Teams = append(st.Teams, scoring.Standing{Team: scoring.Team{ID: id}, Points: tt.points[id]})
			}
			r := st.Ranking(scoring.ByPoints)
			var gotIDs []string
			var gotRanks []int
			for _, s := range r {
				gotIDs = append(gotIDs, s.ID)
				gotRanks = append(gotRanks, s.Rank)
			}
			if !slices.Equal(gotIDs, tt.wantIDs) || !slices.Equal(gotRanks, tt.wantRanks) {
				t.Errorf("Ranking = %v ranks %v, want %v ranks %v", gotIDs, gotRanks, tt.wantIDs, tt.wantRanks)
			}
			for _, s := range st.Teams {
				if s.Rank != 0 {
					t.Errorf("Ranking set rank %d on the standings' own team %s", s.Rank, s.ID)
				}
			}
		})
	}
}

// criteriaStandings gives each criterion a different order of a, b, c.
func criteriaStandings() scoring.Standings {
	return scoring.Standings{Teams: []scoring.Standing{
		{Team: scoring.Team{ID: "a"}, Figures: scoring.Figures{FreedBytes: 1e9}, Points: 30, Percent: 50, Participation: 0.1, PointsPerAgent: 5},
		{Team: scoring.Team{ID: "b"}, Figures: scoring.Figures{FreedBytes: 3e9}, Points: 20, Percent: 10, Participation: 0.5, PointsPerAgent: 1},
		{Team: scoring.Team{ID: "c"}, Figures: scoring.Figures{FreedBytes: 2e9}, Points: 10, Percent: 30, Participation: 0.9, PointsPerAgent: 10},
	}}
}

func TestRankingCriteria(t *testing.T) {
	tests := []struct {
		criterion scoring.Criterion
		want      []string
	}{
		{scoring.ByPoints, []string{"a", "b", "c"}},
		{scoring.ByVolume, []string{"b", "c", "a"}},
		{scoring.ByPercent, []string{"a", "c", "b"}},
		{scoring.ByParticipation, []string{"c", "b", "a"}},
		{scoring.ByPerAgent, []string{"c", "a", "b"}},
		{scoring.Criterion("nonsense"), []string{"a", "b", "c"}}, // falls back to points
	}
	st := criteriaStandings()
	for _, tt := range tests {
		t.Run(string(tt.criterion), func(t *testing.T) {
			var got []string
			for i, s := range st.Ranking(tt.criterion) {
				got = append(got, s.ID)
				if s.Rank != i+1 {
					t.Errorf("%s has rank %d, want %d", s.ID, s.Rank, i+1)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Ranking(%s) = %v, want %v", tt.criterion, got, tt.want)
			}
		})
	}
}

func TestCriteriaListsEveryRankingDefaultFirst(t *testing.T) {
	want := []scoring.Criterion{scoring.ByPoints, scoring.ByVolume, scoring.ByPercent, scoring.ByParticipation, scoring.ByPerAgent}
	if !slices.Equal(scoring.Criteria, want) {
		t.Errorf("Criteria = %v, want %v", scoring.Criteria, want)
	}
}

func TestStandingValue(t *testing.T) {
	s := criteriaStandings().Teams[1]
	tests := []struct {
		criterion scoring.Criterion
		want      float64
	}{
		{scoring.ByPoints, 20},
		{scoring.ByVolume, 3e9},
		{scoring.ByPercent, 10},
		{scoring.ByParticipation, 0.5},
		{scoring.ByPerAgent, 1},
		{"", 20},
	}
	for _, tt := range tests {
		t.Run(string(tt.criterion), func(t *testing.T) {
			if got := s.Value(tt.criterion); got != tt.want {
				t.Errorf("Value(%q) = %v, want %v", tt.criterion, got, tt.want)
			}
		})
	}
}

func TestFind(t *testing.T) {
	st := criteriaStandings()
	tests := []struct {
		name      string
		team      string
		criterion scoring.Criterion
		wantOK    bool
		wantRank  int
	}{
		{"first by points", "a", scoring.ByPoints, true, 1},
		{"last by volume", "a", scoring.ByVolume, true, 3},
		{"second by percent", "c", scoring.ByPercent, true, 2},
		{"first by participation", "c", scoring.ByParticipation, true, 1},
		{"last by points per agent", "b", scoring.ByPerAgent, true, 3},
		{"unknown team", "nobody", scoring.ByPoints, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := st.Find(tt.team, tt.criterion)
			if ok != tt.wantOK {
				t.Fatalf("Find(%q) ok = %v, want %v", tt.team, ok, tt.wantOK)
			}
			if got.Rank != tt.wantRank {
				t.Errorf("Find(%q, %s) rank = %d, want %d", tt.team, tt.criterion, got.Rank, tt.wantRank)
			}
			if ok && got.ID != tt.team {
				t.Errorf("Find(%q) returned team %q", tt.team, got.ID)
			}
		})
	}
}

func TestFindSharedRank(t *testing.T) {
	st := scoring.Compute(
		[]scoring.Team{{ID: "routes", Members: 2}, {ID: "culture", Members: 2}, {ID: "rh", Members: 2}},
		map[string]scoring.Figures{"routes": {Participations: 2}, "culture": {Participations: 2}, "rh": {Participations: 3}},
		scoring.Weights{Defi: 1}, 2)
	for team, want := range map[string]int{"rh": 1, "culture": 2, "routes": 2} {
		got, ok := st.Find(team, scoring.ByPoints)
		if !ok || got.Rank != want {
			t.Errorf("Find(%q) = rank %d, %v; want rank %d", team, got.Rank, ok, want)
		}
	}
}
