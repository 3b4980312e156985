package bot

import (
	"strings"

	"github.com/gigabot/gigabot/scoring"
)

// figureKind is one of a team's figures, as a reader sees it.
type figureKind int

const (
	figPoints        figureKind = iota // "238 pts"
	figFreed                           // "33,5 Go libérés"
	figPercent                         // "3,7 % du volume de départ"
	figParticipation                   // "80 % de participation"
	figDone                            // "12 défis relevés"
	figPerAgent                        // "47,6 pts par agent"
	figMembers                         // "5 agents"
)

// lineFigures are the figures a ranking's line shows: the one the ranking
// orders by first, then those that explain it. Two percentages on one line
// read as one another, so each figure carries its words, and a line keeps
// to three figures so that it still reads on a phone: the points line shows
// the volume freed and the taux, which weigh most in the points, and leaves
// participation to its own ranking, the team card and the podium's prize.
var lineFigures = map[scoring.Criterion][]figureKind{
	scoring.ByPoints:        {figPoints, figFreed, figPercent},
	scoring.ByVolume:        {figFreed, figPercent},
	scoring.ByPercent:       {figPercent, figFreed},
	scoring.ByParticipation: {figParticipation, figDone},
	scoring.ByPerAgent:      {figPerAgent, figMembers},
}

// figureSep separates a team's figures on one line.
const figureSep = " · "

// figure shows a team's line in a ranking: every figure of lineFigures,
// labelled ("238 pts · 33,5 Go libérés · 3,7 % du volume de départ").
func (b *Bot) figure(s scoring.Standing, c scoring.Criterion) string {
	return b.labelledAll(s, lineFigures[c])
}

// detail shows the figures that explain a ranking's value, without the
// value itself, which the dashboard shows apart under the ranking's title.
func (b *Bot) detail(s scoring.Standing, c scoring.Criterion) string {
	return b.labelledAll(s, lineFigures[c][1:])
}

func (b *Bot) labelledAll(s scoring.Standing, kinds []figureKind) string {
	parts := make([]string, len(kinds))
	for i, f := range kinds {
		parts[i] = b.labelled(s, f)
	}
	return strings.Join(parts, figureSep)
}

// labelled formats one of a team's figures with the words that say what it
// measures.
func (b *Bot) labelled(s scoring.Standing, f figureKind) string {
	l := b.loc
	switch f {
	case figFreed:
		return l.T("figure.freed", l.Bytes(s.FreedBytes))
	case figPercent:
		return l.T("figure.percent", l.Percent(s.Percent))
	case figParticipation:
		return l.T("figure.participation", l.Percent(100*s.Participation))
	case figDone:
		return b.count("figure.done", s.Participations)
	case figPerAgent:
		return l.T("figure.per_agent", l.Points(s.PointsPerAgent))
	case figMembers:
		return b.count("figure.members", int64(s.Members))
	default:
		return l.Points(s.Points)
	}
}

// count formats n with the words of key, or of key+".one" where the
// language puts them in the singular: 0 and 1 in French, 1 in English.
func (b *Bot) count(key string, n int64) string {
	if n == 1 || (n == 0 && b.loc.Lang == "fr") {
		key += ".one"
	}
	return b.loc.T(key, b.loc.Int(n))
}
