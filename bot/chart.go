package bot

import (
	"context"
	"strconv"

	"github.com/gigabot/gigabot/charts"
	"github.com/gigabot/gigabot/scoring"
)

// chartFiles renders the points ranking and the campaign's cumulative curve
// as one image for a recap or the podium. The post's text already holds
// the ranking, so a chart that cannot be drawn is logged and left out.
func (b *Bot) chartFiles(ctx context.Context, st scoring.Standings, title, name string) []File {
	if b.noCharts {
		return nil
	}
	days, err := b.history(ctx, b.clock.Now())
	if err != nil {
		b.log.Error("chart: read history", "err", err)
		return nil
	}
	ranking := st.Ranking(scoring.ByPoints)
	if len(ranking) == 0 || len(days) == 0 {
		return nil
	}
	bars := make([]charts.Bar, 0, len(ranking))
	for _, s := range ranking {
		bars = append(bars, charts.Bar{Label: strconv.Itoa(s.Rank) + ". " + s.Name, Value: max(0, s.Points), ValueLabel: b.loc.Points(s.Points)})
	}
	var curve []charts.Point
	for _, p := range b.curve(days, nil) {
		curve = append(curve, charts.Point{Label: p.DateLabel, Value: max(0, p.Bytes)})
	}
	png, err := charts.Recap(
		bars, charts.Options{Title: b.loc.T("board.title.points")},
		curve, charts.Options{Title: b.loc.T("board.curve"), Format: b.loc.BytesTick, Goal: float64(b.cfg.Campaign.Goal),
			GoalLabel: b.goalLabel()})
	if err != nil {
		b.log.Error("chart: render", "err", err)
		return nil
	}
	lead := ranking[0]
	alt := b.loc.T("chart.alt", title, b.loc.T("chart.leader", lead.Name, b.loc.Points(lead.Points),
		b.labelled(lead, figFreed), b.labelled(lead, figPercent))+
		", "+b.loc.T("chart.total", b.loc.Bytes(st.TotalFreed)))
	return []File{{Name: name, MIME: "image/png", Alt: alt, Data: png}}
}

// goalLabel reads "Objectif : 2 To" (empty without a goal).
func (b *Bot) goalLabel() string {
	if b.cfg.Campaign.Goal <= 0 {
		return ""
	}
	return b.loc.T("chart.goal", b.loc.Bytes(int64(b.cfg.Campaign.Goal)))
}
