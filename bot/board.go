package bot

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/scoring"
)

// Board is everything the dashboard shows, with every figure both as a
// number (for bars and curves) and as text formatted in the campaign's
// language ("1,7 To"), so that the page, the chat and the report agree to
// the letter.
type Board struct {
	Campaign string `json:"campaign"`
	// Language is "fr" or "en".
	Language string `json:"language"`
	// Status is "before", "running" or "over".
	Status string `json:"status"`
	// Day is the current campaign day (0 before the start, Days after the end).
	Day  int `json:"day"`
	Days int `json:"days"`
	// DayLabel reads "Jour 3 sur 15" (or "Début le 2 mars", "Campagne terminée").
	DayLabel string `json:"day_label"`
	// Defi is today's défi, when there is one.
	Defi *BoardDefi `json:"defi,omitempty"`
	// Total is the campaign's freed bytes.
	Total Figure `json:"total"`
	// Goal is campaign.goal (Value 0: no goal).
	Goal Figure `json:"goal"`
	// GoalPercent is Total/Goal in percent, not capped (0 without a goal).
	GoalPercent float64 `json:"goal_percent"`
	// GoalLabel reads "42 % de l'objectif de 2 To".
	GoalLabel string `json:"goal_label"`
	// Previous is the previous edition's total (campaign.previous; nil:
	// none), PreviousLabel reads "l’an dernier : 1,7 To".
	Previous      *Figure `json:"previous,omitempty"`
	PreviousLabel string  `json:"previous_label,omitempty"`
	// Equivalences turn Total into pages, cabinets and CO2e.
	Equivalences []Equivalence `json:"equivalences"`
	// Rankings are the points, volume, percent and participation rankings.
	Rankings []Ranking `json:"rankings"`
	// Curve is the cumulative freed bytes at the end of each day so far
	// (today: so far).
	Curve []CurvePoint `json:"curve"`
	// Milestones are the thresholds reached, latest first.
	Milestones []Figure `json:"milestones"`
	// Testimonies are the agents' latest testimonies, newest first.
	Testimonies []BoardTestimony `json:"testimonies"`
	// UpdatedAt is when the board was computed; UpdatedLabel reads "14:32".
	UpdatedAt    time.Time `json:"updated_at"`
	UpdatedLabel string    `json:"updated_label"`
}

// Figure is a number and its text.
type Figure struct {
	Value float64 `json:"value"`
	Label string  `json:"label"`
}

// BoardDefi is a défi as the dashboard shows it.
type BoardDefi struct {
	Day   int      `json:"day"`
	Title string   `json:"title"`
	Steps []string `json:"steps"`
	Tip   string   `json:"tip"`
	Saves string   `json:"saves"`
}

// Equivalence is the total in another unit.
type Equivalence struct {
	// Kind is "pages", "cabinets" or "co2e".
	Kind string `json:"kind"`
	// Value is the rounded amount; Label reads "6 500 000 pages PDF".
	Value float64 `json:"value"`
	Label string  `json:"label"`
	// Source says where the rate comes from.
	Source string `json:"source"`
}

// Ranking is one ranking of the teams, best first.
type Ranking struct {
	// By is the criterion ("points", "volume", "percent", "participation").
	By string `json:"by"`
	// Title reads "Classement aux points".
	Title string     `json:"title"`
	Teams []TeamLine `json:"teams"`
}

// TeamLine is a team in a ranking.
type TeamLine struct {
	Team string `json:"team"`
	Name string `json:"name"`
	Rank int    `json:"rank"`
	// Value is what the ranking orders by (bytes, percent 0–100, points);
	// Label is it formatted ("1,7 To", "42 %", "1 250 pts"), which the
	// ranking's Title names.
	Value float64 `json:"value"`
	Label string  `json:"label"`
	// Detail gives the figures that explain it, each labelled ("1,7 To
	// libérés · 12 % du volume de départ").
	Detail string `json:"detail"`
}

// CurvePoint is the campaign's cumulative freed bytes at the end of a day.
type CurvePoint struct {
	Day int `json:"day"`
	// Date is the day's date (YYYY-MM-DD); DateLabel reads "lun. 2 mars".
	Date      string  `json:"date"`
	DateLabel string  `json:"date_label"`
	Bytes     float64 `json:"bytes"`
	Label     string  `json:"label"`
}

// Bilan is the campaign report for the DGS and the elected officials.
type Bilan struct {
	Board Board `json:"board"`
	// Period reads "du 2 mars au 20 mars 2026".
	Period string `json:"period"`
	// Participants is the number of agents in the teams.
	Participants int `json:"participants"`
	// Prizes are the special rankings' winners ("Prix de la participation : DRH").
	Prizes []string `json:"prizes"`
	// Teams are every team, in points order.
	Teams []BilanTeam `json:"teams"`
	// Defis are the days' défis, most taken up first.
	Defis []DefiUptake `json:"defis"`
}

// BilanTeam is a team's page of the report.
type BilanTeam struct {
	Team          string `json:"team"`
	Name          string `json:"name"`
	Rank          int    `json:"rank"`
	Members       int    `json:"members"`
	Points        Figure `json:"points"`
	Freed         Figure `json:"freed"`
	Percent       Figure `json:"percent"`
	Participation Figure `json:"participation"`
	// Summary is its line in the points ranking, each figure labelled
	// ("238 pts · 33,5 Go libérés · 3,7 % du volume de départ").
	Summary string `json:"summary"`
	// Curve is the team's cumulative freed bytes at the end of each day.
	Curve []CurvePoint `json:"curve"`
	// BestDefi is the défi most of its agents did ("Jour 4 · Vider la corbeille").
	BestDefi string `json:"best_defi"`
	// Testimonies are what its agents shared, oldest first.
	Testimonies []string `json:"testimonies"`
}

// DefiUptake is how many agents did a day's défi.
type DefiUptake struct {
	Day   int    `json:"day"`
	Title string `json:"title"`
	// Done counts the agents who did it; Share is Done over all agents (0–100).
	Done  int    `json:"done"`
	Share Figure `json:"share"`
}

// boardRankings are the rankings the dashboard shows, in its order.
var boardRankings = []scoring.Criterion{scoring.ByPoints, scoring.ByVolume, scoring.ByPercent, scoring.ByParticipation}

// Board computes what the dashboard shows now.
func (b *Bot) Board(ctx context.Context) (Board, error) {
	now, st, days, err := b.figures(ctx)
	if err != nil {
		return Board{}, fmt.Errorf("board: %w", err)
	}
	bd := b.board(now, st, days)
	if bd.Testimonies, err = b.boardTestimonies(ctx, testimoniesOnBoard); err != nil {
		return Board{}, fmt.Errorf("board: %w", err)
	}
	return bd, nil
}

// figures reads the standings and the history at one instant.
func (b *Bot) figures(ctx context.Context) (time.Time, scoring.Standings, []dayFigures, error) {
	now := b.clock.Now()
	st, err := b.Standings(ctx)
	if err != nil {
		return now, st, nil, err
	}
	days, err := b.history(ctx, now)
	return now, st, days, err
}

func (b *Bot) board(now time.Time, st scoring.Standings, days []dayFigures) Board {
	l := b.loc
	elapsed := b.cal.Elapsed(now)
	bd := Board{
		Campaign: b.cfg.Campaign.Name, Language: l.Lang, Day: elapsed, Days: len(b.cal.Days),
		Total:        Figure{Value: float64(st.TotalFreed), Label: l.Bytes(st.TotalFreed)},
		Equivalences: b.equivalences(st.TotalFreed, st.TotalScanned),
		Curve:        b.curve(days, nil),
		Milestones:   []Figure{},
		UpdatedAt:    now.In(b.cal.Location),
		UpdatedLabel: now.In(b.cal.Location).Format("15:04"),
	}
	switch {
	case elapsed == 0:
		bd.Status, bd.DayLabel = "before", l.T("board.before", l.Date(b.cal.Days[0].Date))
	case !now.Before(b.cal.End()):
		bd.Status, bd.DayLabel = "over", l.T("board.over")
	default:
		bd.Status, bd.DayLabel = "running", l.T("board.day", elapsed, len(b.cal.Days))
	}
	if bd.Status == "running" {
		d := b.cal.Days[elapsed-1].Defi
		bd.Defi = &BoardDefi{Day: elapsed, Title: d.Title, Steps: d.Steps, Tip: d.Tip, Saves: d.Saves}
	}
	if goal := int64(b.cfg.Campaign.Goal); goal > 0 {
		bd.Goal = Figure{Value: float64(goal), Label: l.Bytes(goal)}
		bd.GoalPercent = round2(100 * float64(st.TotalFreed) / float64(goal))
		bd.GoalLabel = l.T("board.goal", l.Percent(bd.GoalPercent), l.Bytes(goal))
	}
	bd.Previous, bd.PreviousLabel = b.previousFigure()
	for _, c := range boardRankings {
		bd.Rankings = append(bd.Rankings, b.ranking(st, c))
	}
	for _, m := range b.miles.Latest(st.TotalFreed, 5) {
		bd.Milestones = append(bd.Milestones, Figure{Value: float64(m), Label: l.Bytes(m)})
	}
	return bd
}

func (b *Bot) ranking(st scoring.Standings, c scoring.Criterion) Ranking {
	r := Ranking{By: string(c), Title: b.loc.T("board.title." + string(c)), Teams: []TeamLine{}}
	for _, s := range st.Ranking(c) {
		v := s.Value(c)
		if c == scoring.ByParticipation {
			v *= 100
		}
		r.Teams = append(r.Teams, TeamLine{
			Team: s.ID, Name: s.Name, Rank: s.Rank, Value: round2(v), Label: b.primary(s, c), Detail: b.detail(s, c),
		})
	}
	return r
}

// primary formats the figure a ranking orders by.
func (b *Bot) primary(s scoring.Standing, c scoring.Criterion) string {
	switch c {
	case scoring.ByVolume:
		return b.loc.Bytes(s.FreedBytes)
	case scoring.ByPercent:
		return b.loc.Percent(s.Percent)
	case scoring.ByParticipation:
		return b.loc.Percent(100 * s.Participation)
	case scoring.ByPerAgent:
		return b.loc.Points(s.PointsPerAgent)
	default:
		return b.loc.Points(s.Points)
	}
}

// equivalences turns bytes into the things people picture, with the
// source of each rate, and, once something was scanned, into months of the
// organisation's own data production.
func (b *Bot) equivalences(bytes, scanned int64) []Equivalence {
	e := b.equiv.Of(bytes)
	def := challenges.DefaultEquivalences()
	source := func(rate, defaultRate float64, key string) string {
		if rate != defaultRate {
			key = "board.source.config"
		}
		return b.loc.T(key)
	}
	pages, cabinets := roundTo(e.PDFPages, 1000), roundTo(e.Cabinets, 1)
	list := []Equivalence{
		{Kind: "pages", Value: float64(pages), Label: b.loc.T("board.pages", b.loc.Int(pages)),
			Source: source(b.equiv.PDFPagesPerTB, def.PDFPagesPerTB, "board.source.calvados")},
		{Kind: "cabinets", Value: float64(cabinets), Label: b.loc.T("board.cabinets", b.loc.Int(cabinets)),
			Source: source(b.equiv.CabinetsPerTB, def.CabinetsPerTB, "board.source.calvados")},
		{Kind: "co2e", Value: round2(e.CO2eTonnesPerYear), Label: b.loc.T("board.co2e", b.loc.Decimal(e.CO2eTonnesPerYear, 2)),
			Source: source(b.equiv.CO2eTonnesPerTBYear, def.CO2eTonnesPerTBYear, "board.source.uba")},
	}
	if m, ok := b.equiv.MonthsOfData(bytes, scanned); ok {
		list = append(list, Equivalence{Kind: "months_of_data", Value: math.Round(m*10) / 10,
			Label: b.loc.T("board.months", b.monthsLabel(m)),
			Source: b.loc.T("board.source.doubling", b.loc.Decimal(b.equiv.StorageDoublingYears, 1), b.loc.Bytes(scanned)) + ", " +
				source(b.equiv.StorageDoublingYears, def.StorageDoublingYears, "board.source.calvados")})
	}
	return list
}

// dayFigures are every team's figures at the end of one campaign day.
type dayFigures struct {
	day     challenges.Day
	figures map[string]scoring.Figures
}

// history returns the figures at the end of each campaign day started by
// now; the last of them counts everything received so far, so that it
// matches the live standings.
func (b *Bot) history(ctx context.Context, now time.Time) ([]dayFigures, error) {
	b.histMu.Lock()
	defer b.histMu.Unlock()
	before := b.hist.Last()
	if err := b.hist.Feed(ctx, b.store); err != nil {
		if b.hist.Last() == before {
			return nil, err
		}
		// Some entries could not be read: the figures are the others'.
		b.log.Error("history", "err", err)
	}
	n := b.cal.Elapsed(now)
	// Nothing changes between two audit entries: the hub's refreshes and
	// the pages' requests reuse the last computation.
	if b.histDays != nil && b.histKey == (histKey{b.hist.Last(), n}) {
		return b.histDays, nil
	}
	out := make([]dayFigures, 0, n)
	for _, d := range b.cal.Days[:n] {
		end := scoring.Forever()
		if d.N < n {
			end = time.Date(d.Date.Year(), d.Date.Month(), d.Date.Day()+1, 0, 0, 0, 0, b.cal.Location)
		}
		out = append(out, dayFigures{day: d, figures: b.hist.At(d.N, end)})
	}
	b.histKey, b.histDays = histKey{b.hist.Last(), n}, out
	return out, nil
}

// histKey names a computation of the history: the last audit entry read
// and the number of days.
type histKey struct {
	last string
	days int
}

// curve sums the freed bytes of the given teams (nil: all) day by day.
func (b *Bot) curve(days []dayFigures, team *scoring.Team) []CurvePoint {
	out := make([]CurvePoint, 0, len(days))
	for _, d := range days {
		var sum int64
		for _, t := range b.teams {
			if team == nil || t.ID == team.ID {
				sum += d.figures[t.ID].FreedBytes
			}
		}
		out = append(out, CurvePoint{
			Day: d.day.N, Date: d.day.Date.Format(time.DateOnly), DateLabel: b.loc.ShortDate(d.day.Date),
			Bytes: float64(sum), Label: b.loc.Bytes(sum),
		})
	}
	return out
}

// Bilan computes the campaign report.
func (b *Bot) Bilan(ctx context.Context) (Bilan, error) {
	now, st, days, err := b.figures(ctx)
	if err != nil {
		return Bilan{}, fmt.Errorf("bilan: %w", err)
	}
	l := b.loc
	out := Bilan{
		Board:  b.board(now, st, days),
		Period: l.T("bilan.period", l.Date(b.cal.Days[0].Date), l.Date(b.cal.Last().Date)),
		Teams:  []BilanTeam{}, Defis: []DefiUptake{},
	}
	testimonies, err := b.boardTestimonies(ctx, 0)
	if err != nil {
		return Bilan{}, fmt.Errorf("bilan: %w", err)
	}
	out.Board.Testimonies = testimonies
	for _, t := range b.teams {
		out.Participants += t.Members
	}
	if len(st.Teams) > 0 {
		part, pct, agent := st.Ranking(scoring.ByParticipation)[0], st.Ranking(scoring.ByPercent)[0], st.Ranking(scoring.ByPerAgent)[0]
		out.Prizes = []string{
			l.T("bilan.prize.participation", part.Name, b.labelled(part, figParticipation)),
			l.T("bilan.prize.percent", pct.Name, b.labelled(pct, figPercent)),
			l.T("bilan.prize.per_agent", agent.Name, b.labelled(agent, figPerAgent)),
		}
	}
	b.histMu.Lock()
	done := func(team string, day int) int64 { return b.hist.Done(team, day) }
	for _, s := range st.Ranking(scoring.ByPoints) {
		bt := BilanTeam{
			Team: s.ID, Name: s.Name, Rank: s.Rank, Members: s.Members,
			Points:        Figure{Value: s.Points, Label: l.Points(s.Points)},
			Freed:         Figure{Value: float64(s.FreedBytes), Label: l.Bytes(s.FreedBytes)},
			Percent:       Figure{Value: round2(s.Percent), Label: l.Percent(s.Percent)},
			Participation: Figure{Value: round2(100 * s.Participation), Label: l.Percent(100 * s.Participation)},
			Summary:       b.figure(s, scoring.ByPoints),
			Curve:         b.curve(days, &s.Team),
		}
		best, bestDone := 0, int64(0)
		for _, d := range days {
			if n := done(s.ID, d.day.N); n > bestDone {
				best, bestDone = d.day.N, n
			}
		}
		if best > 0 {
			bt.BestDefi = l.T("bilan.best", best, b.cal.Days[best-1].Defi.Title)
		}
		bt.Testimonies = []string{}
		for i := len(testimonies) - 1; i >= 0; i-- {
			if testimonies[i].Team == s.ID {
				bt.Testimonies = append(bt.Testimonies, testimonies[i].Text)
			}
		}
		out.Teams = append(out.Teams, bt)
	}
	for _, d := range days {
		var n int64
		for _, t := range b.teams {
			n += done(t.ID, d.day.N)
		}
		share := 0.0
		if out.Participants > 0 {
			share = 100 * float64(n) / float64(out.Participants)
		}
		out.Defis = append(out.Defis, DefiUptake{Day: d.day.N, Title: d.day.Defi.Title, Done: int(n),
			Share: Figure{Value: round2(share), Label: l.Percent(share)}})
	}
	b.histMu.Unlock()
	slices.SortStableFunc(out.Defis, func(x, y DefiUptake) int { return cmp.Compare(y.Done, x.Done) })
	return out, nil
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
