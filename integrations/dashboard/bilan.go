package dashboard

import (
	"fmt"
	"html"
	"html/template"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/charts"
)

// bilanView is what the printable report shows.
type bilanView struct {
	Bilan bot.Bilan
	T     map[string]string
	// Participants reads "3 000 agents dans 28 équipes".
	Participants string
	// Generated reads "Données du lundi 22 mars 2027 à 17:00."
	Generated string
	// GoalBar is the progress bar's value, at most 100.
	GoalBar float64
	// Curve is the campaign's cumulative curve, an inline SVG.
	Curve template.HTML
	// Podium are the first three teams by points.
	Podium []bilanTeamView
	Teams  []bilanTeamView
	Defis  []defiView
}

// bilanTeamView is a team's page of the report.
type bilanTeamView struct {
	bot.BilanTeam
	// Place reads "3e", RankLabel "3e sur 28", MembersLabel "120 agents".
	Place, RankLabel, MembersLabel string
	Curve                          template.HTML
}

// defiView is a défi's uptake, its count formatted ("1 630").
type defiView struct {
	bot.DefiUptake
	DoneLabel string
}

// Chart sizes in SVG points: the campaign's curve spans an A4 page's width,
// a team's leaves room for its figures.
const (
	curveWidth, curveHeight         = 900, 460
	teamCurveWidth, teamCurveHeight = 900, 420
)

// bilan answers GET /bilan: the campaign report, one page per team when
// printed.
func (d *Dashboard) bilan(w http.ResponseWriter, r *http.Request) {
	b, err := d.src.Bilan(r.Context())
	if err != nil {
		d.unavailable(w, "bilan", err)
		return
	}
	d.render(w, "bilan.html", newBilanView(b, d.log))
}

// newBilanView prepares the report. A curve that cannot be drawn is left
// out (and logged) rather than failing the whole report.
func newBilanView(b bot.Bilan, log *slog.Logger) bilanView {
	loc := bot.NewLocale(b.Board.Language)
	t := textsFor(b.Board.Language)
	v := bilanView{Bilan: b, T: t,
		Participants: fmt.Sprintf(t["participants_value"], loc.Int(int64(b.Participants)), len(b.Teams)),
		Generated:    fmt.Sprintf(t["generated"], loc.Date(b.Board.UpdatedAt), b.Board.UpdatedLabel),
		GoalBar:      goalBar(b.Board.GoalPercent),
	}
	bytes := loc.BytesTick
	curve := func(points []bot.CurvePoint, caption string, o charts.Options, culprit ...any) template.HTML {
		if len(points) == 0 {
			return ""
		}
		svg, err := curveSVG(points, fmt.Sprintf(t["curve_summary"], caption, points[len(points)-1].Label, points[len(points)-1].DateLabel), o)
		if err != nil {
			log.Error("dashboard: bilan: curve left out", append(culprit, "err", err)...)
		}
		return svg
	}
	goal := ""
	if b.Board.Goal.Value > 0 {
		goal = t["goal"] + " " + b.Board.Goal.Label
	}
	v.Curve = curve(b.Board.Curve, t["campaign_curve"], charts.Options{Width: curveWidth, Height: curveHeight,
		Format: bytes, Goal: b.Board.Goal.Value, GoalLabel: goal}, "curve", "campaign")
	for _, team := range b.Teams {
		tv := bilanTeamView{BilanTeam: team, Place: loc.Ordinal(team.Rank),
			RankLabel:    fmt.Sprintf(t["team_rank"], loc.Ordinal(team.Rank), len(b.Teams)),
			MembersLabel: fmt.Sprintf(t[plural(team.Members, "member", "members")], loc.Int(int64(team.Members))),
		}
		tv.Curve = curve(team.Curve, t["team_curve"], charts.Options{Width: teamCurveWidth, Height: teamCurveHeight, Format: bytes}, "team", team.Team)
		if team.Rank <= 3 {
			v.Podium = append(v.Podium, tv)
		}
		v.Teams = append(v.Teams, tv)
	}
	for _, d := range b.Defis {
		v.Defis = append(v.Defis, defiView{DefiUptake: d, DoneLabel: loc.Int(int64(d.Done))})
	}
	return v
}

// plural picks the key of a count's words: one for a single thing, many
// for the rest.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// curveSVG draws a cumulative curve, dated by its days, as SVG fit for a
// page whose policy forbids inline styles, described by alt.
func curveSVG(curve []bot.CurvePoint, alt string, o charts.Options) (template.HTML, error) {
	points := make([]charts.Point, len(curve))
	for i, p := range curve {
		points[i] = charts.Point{Label: p.DateLabel, Value: max(p.Bytes, 0)}
	}
	svg, err := charts.CurveSVG(points, o)
	if err != nil {
		return "", err
	}
	// The SVG comes from our own charts package, which escapes its text.
	return template.HTML(presentational(string(svg), alt)), nil
}

var (
	svgTag      = regexp.MustCompile(`<[^>]*>`)
	styleAttr   = regexp.MustCompile(`\sstyle="([^"]*)"`)
	svgRootSize = regexp.MustCompile(`^<svg width="[^"]*" height="[^"]*"`)
)

// svgProperties are the CSS properties that SVG also takes as attributes.
var svgProperties = map[string]bool{
	"fill": true, "fill-opacity": true, "fill-rule": true, "opacity": true,
	"stroke": true, "stroke-width": true, "stroke-dasharray": true, "stroke-linecap": true,
	"stroke-linejoin": true, "stroke-opacity": true,
	"font-family": true, "font-size": true, "font-weight": true, "font-style": true, "font-variant": true,
	"text-anchor": true, "dominant-baseline": true,
}

// presentational turns the style attributes of an SVG into presentation
// attributes ("fill:#fff" into fill="#fff"): the page's Content Security
// Policy blocks inline styles, not attributes. It also drops the root's
// fixed size, so that the style sheet fits the drawing to the page, and
// makes the drawing one image described by alt.
func presentational(svg, alt string) string {
	svg = svgRootSize.ReplaceAllLiteralString(svg, `<svg role="img" aria-label="`+html.EscapeString(alt)+`"`)
	return svgTag.ReplaceAllStringFunc(svg, func(tag string) string {
		return styleAttr.ReplaceAllStringFunc(tag, func(attr string) string {
			decl := html.UnescapeString(styleAttr.FindStringSubmatch(attr)[1])
			var b strings.Builder
			for d := range strings.SplitSeq(decl, ";") {
				prop, val, ok := strings.Cut(d, ":")
				prop, val = strings.TrimSpace(prop), strings.TrimSpace(val)
				if !ok || !svgProperties[prop] {
					continue
				}
				fmt.Fprintf(&b, ` %s="%s"`, prop, html.EscapeString(val))
			}
			return b.String()
		})
	})
}
