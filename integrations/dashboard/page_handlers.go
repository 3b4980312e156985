package dashboard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gigabot/gigabot/bot"
)

// parsePages parses the page templates, which may link to the assets.
func parsePages(a assets) (*template.Template, error) {
	funcs := template.FuncMap{
		"asset": a.url,
		"icon": func(kind string) (string, error) {
			if _, ok := a["icons/"+kind+".svg"]; ok {
				return a.url("icons/" + kind + ".svg")
			}
			return a.url("icons/figure.svg")
		},
		"rfc3339": func(t time.Time) string { return t.Format(time.RFC3339Nano) },
		"number":  func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) },
	}
	return template.New("pages").Funcs(funcs).ParseFS(web, "web/*.html")
}

// indexView is what the dashboard page shows.
type indexView struct {
	Board bot.Board
	T     map[string]string
	// TV is the hall's mode: large type, no scroll, rotating rankings.
	TV bool
	// GoalBar is the progress bar's value, at most 100.
	GoalBar float64
	// Rankings carry each line's bar length.
	Rankings []rankingView
	// Script is what the page's script needs to follow the board: the
	// words of both languages and the pictograms' addresses.
	Script template.JS
}

// rankingView is a ranking with the tab that shows it.
type rankingView struct {
	bot.Ranking
	Tab   string
	Lines []lineView
}

// lineView is a team of a ranking and the length of its bar, in percent
// of the ranking's best value.
type lineView struct {
	bot.TeamLine
	Bar string
}

// index answers GET /: the dashboard, drawn from the current board so that
// it reads without the script, which then follows the live feed.
func (d *Dashboard) index(w http.ResponseWriter, r *http.Request) {
	s, err := d.current(r.Context())
	if err != nil {
		d.unavailable(w, "index", err)
		return
	}
	b := s.board
	v := indexView{Board: b, T: textsFor(b.Language), TV: r.URL.Query().Get("tv") == "1",
		GoalBar: goalBar(b.GoalPercent), Script: d.script}
	for _, rk := range b.Rankings {
		tab, ok := v.T["tab_"+rk.By]
		if !ok {
			tab = rk.Title
		}
		v.Rankings = append(v.Rankings, rankingView{Ranking: rk, Tab: tab, Lines: lines(rk)})
	}
	d.render(w, "index.html", v)
}

// goalBar is the progress bar's value for a share of the goal: the bar
// stops at 100 and the label tells how far past it the campaign went.
func goalBar(percent float64) float64 { return math.Min(math.Max(percent, 0), 100) }

// lines gives each team of a ranking its bar: its value over the best
// value, none for a value not above zero.
func lines(rk bot.Ranking) []lineView {
	top := 0.0
	for _, t := range rk.Teams {
		top = math.Max(top, t.Value)
	}
	out := make([]lineView, 0, len(rk.Teams))
	for _, t := range rk.Teams {
		bar := 0.0
		if top > 0 && t.Value > 0 {
			bar = 100 * t.Value / top
		}
		out = append(out, lineView{TeamLine: t, Bar: strconv.FormatFloat(bar, 'f', 1, 64)})
	}
	return out
}

// pageScript encodes what app.js reads from the page.
func pageScript(a assets) (template.JS, error) {
	icons := map[string]string{}
	for _, kind := range []string{"pages", "cabinets", "co2e", "figure", "flag"} {
		u, err := a.url("icons/" + kind + ".svg")
		if err != nil {
			return "", err
		}
		icons[kind] = u
	}
	// json.Marshal escapes <, > and &, so the text cannot close the
	// <script> element that holds it.
	b, err := json.Marshal(map[string]any{"texts": scriptTexts(), "icons": icons})
	if err != nil {
		return "", fmt.Errorf("encode page data: %w", err)
	}
	return template.JS(b), nil
}

// render executes a page into a buffer first, so that a failing template
// answers 500 rather than half a page.
func (d *Dashboard) render(w http.ResponseWriter, name string, v any) {
	var buf bytes.Buffer
	if err := d.pages.ExecuteTemplate(&buf, name, v); err != nil {
		d.log.Error("dashboard: render", "page", name, "err", err)
		http.Error(w, "Erreur interne du tableau de bord.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = buf.WriteTo(w)
}

// unavailable answers 503 with a page in the campaign's language that
// reloads itself, and logs why.
func (d *Dashboard) unavailable(w http.ResponseWriter, page string, err error) {
	d.log.Error("dashboard: source unavailable", "page", page, "err", err)
	var buf bytes.Buffer
	if err := d.pages.ExecuteTemplate(&buf, "unavailable.html", map[string]any{"lang": d.lang, "t": textsFor(d.lang)}); err != nil {
		d.log.Error("dashboard: render", "page", "unavailable.html", "err", err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Retry-After", "30")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = buf.WriteTo(w)
}
