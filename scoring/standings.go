// Package scoring keeps the campaign's score: participation of agents,
// bytes freed by teams, corrections, and the rankings derived from them.
//
// The Store keeps raw facts in Redis (who did which défi, what each scanned
// root measured); points and rankings are computed from those facts on read,
// so they never drift from what was counted and can be rebuilt from the
// audit stream.
package scoring

import (
	"math"
	"sort"
)

// Team is what the scoring needs to know of a team.
type Team struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Members int    `json:"members"`
}

// Figures are the raw counts of one team.
type Figures struct {
	// Participations counts (agent, défi) pairs done.
	Participations int64
	// FreedBytes is the sum over the team's roots of baseline minus latest bytes.
	FreedBytes int64
	// BaselineBytes is the sum of the team's roots' baselines.
	BaselineBytes int64
	// Corrections is the sum of the points coordinators added or removed.
	Corrections float64
}

// Weights are the points given for each achievement.
type Weights struct {
	Defi     float64 // per défi done by an agent
	Gigabyte float64 // per 10^9 bytes freed
	Percent  float64 // per percent of the team's baseline freed
}

// Criterion is what a ranking orders teams by.
type Criterion string

// The five rankings.
const (
	ByPoints        Criterion = "points"
	ByVolume        Criterion = "volume"
	ByPercent       Criterion = "percent"
	ByParticipation Criterion = "participation"
	ByPerAgent      Criterion = "per_agent"
)

// Criteria lists every ranking, the default first.
var Criteria = []Criterion{ByPoints, ByVolume, ByPercent, ByParticipation, ByPerAgent}

// Standing is one team's position.
type Standing struct {
	Team
	Figures
	// Rank is the team's rank for the criterion of the ranking that holds it;
	// ex aequo teams share it (1, 2, 2, 4).
	Rank int
	// Percent of the team's baseline freed (0 without a baseline).
	Percent float64
	// Participation is the share of possible (agent, défi) pairs done, 0–1.
	Participation float64
	Points        float64
	// PointsPerAgent keeps small teams in the race.
	PointsPerAgent float64
}

// Value returns the figure a criterion ranks by.
func (s Standing) Value(c Criterion) float64 {
	switch c {
	case ByVolume:
		return float64(s.FreedBytes)
	case ByPercent:
		return s.Percent
	case ByParticipation:
		return s.Participation
	case ByPerAgent:
		return s.PointsPerAgent
	default:
		return s.Points
	}
}

// Standings are every team's scores at one moment.
type Standings struct {
	Teams      []Standing
	TotalFreed int64
	// TotalScanned is the sum of the baselines, what the campaign's scans
	// found before it started (0: nothing scanned yet).
	TotalScanned int64
	// Version names the state of the figures they were computed from (the
	// store sets it; "" when unknown): equal versions, equal standings, so
	// a reader may cache what it derives from them.
	Version string
	// Previous is the edition the campaign compares with (nil: none).
	Previous *Edition
}

// Compute derives every team's scores from their raw figures. elapsedDays is
// the number of défis published so far, which bounds participation.
func Compute(teams []Team, figures map[string]Figures, w Weights, elapsedDays int) Standings {
	out := Standings{Teams: make([]Standing, 0, len(teams))}
	for _, t := range teams {
		f := figures[t.ID]
		s := Standing{Team: t, Figures: f}
		if f.BaselineBytes > 0 {
			s.Percent = 100 * float64(f.FreedBytes) / float64(f.BaselineBytes)
		}
		if possible := int64(t.Members) * int64(elapsedDays); possible > 0 {
			s.Participation = math.Min(1, float64(f.Participations)/float64(possible))
		}
		s.Points = round2(w.Defi*float64(f.Participations) +
			w.Gigabyte*float64(f.FreedBytes)/1e9 +
			w.Percent*s.Percent +
			f.Corrections)
		if t.Members > 0 {
			s.PointsPerAgent = round2(s.Points / float64(t.Members))
		}
		out.TotalFreed += f.FreedBytes
		out.TotalScanned += f.BaselineBytes
		out.Teams = append(out.Teams, s)
	}
	return out
}

// Ranking returns the teams ordered by a criterion, best first, with ranks
// set. Ties share a rank and are listed by team id.
func (s Standings) Ranking(c Criterion) []Standing {
	r := append([]Standing(nil), s.Teams...)
	sort.SliceStable(r, func(i, j int) bool {
		vi, vj := r[i].Value(c), r[j].Value(c)
		if vi != vj {
			return vi > vj
		}
		return r[i].ID < r[j].ID
	})
	for i := range r {
		if i > 0 && r[i].Value(c) == r[i-1].Value(c) {
			r[i].Rank = r[i-1].Rank
		} else {
			r[i].Rank = i + 1
		}
	}
	return r
}

// Find returns the standing of a team and its rank by criterion c.
func (s Standings) Find(team string, c Criterion) (Standing, bool) {
	for _, st := range s.Ranking(c) {
		if st.ID == team {
			return st, true
		}
	}
	return Standing{}, false
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
