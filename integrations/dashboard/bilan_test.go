package dashboard_test

import (
	"math"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestBilan(t *testing.T) {
	e := newEnv(t)
	resp, body := e.get(t, "/bilan")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	b := loadBilan(t)
	doc := parse(t, body)
	whole := text(doc)

	for _, want := range []string{b.Board.Campaign, b.Period, b.Board.Total.Label, b.Board.GoalLabel, "3\u202f436 agents dans 28 équipes"} {
		if !strings.Contains(whole, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	for _, eq := range b.Board.Equivalences {
		if strings.Count(whole, eq.Source) < 2 {
			t.Errorf("equivalence %s: its source should show beside it and among the sources", eq.Kind)
		}
	}
	for _, prize := range b.Prizes {
		if !strings.Contains(whole, prize) {
			t.Errorf("prize %q missing", prize)
		}
	}
	podium := all(first(t, doc, func(n *html.Node) bool { return n.Data == "ol" && attr(n, "class") == "podium" }), tag("li"))
	if len(podium) != 3 || !strings.Contains(text(podium[0]), b.Teams[0].Name) || !strings.Contains(text(podium[0]), "1er") {
		t.Errorf("podium: %d places", len(podium))
	}

	pages := all(doc, func(n *html.Node) bool { return n.Data == "section" && strings.Contains(attr(n, "class"), "team") })
	if len(pages) != len(b.Teams) {
		t.Fatalf("%d team pages, want %d", len(pages), len(b.Teams))
	}
	for i, team := range b.Teams {
		page := pages[i]
		got := text(page)
		if attr(page, "data-team") != team.Team || text(first(t, page, tag("h2"))) != team.Name {
			t.Errorf("page %d is %q, want %s", i, attr(page, "data-team"), team.Team)
		}
		for _, want := range []string{team.Points.Label, team.Freed.Label, team.Percent.Label, team.Participation.Label, team.BestDefi} {
			if !strings.Contains(got, want) {
				t.Errorf("team %s: no %q", team.Team, want)
			}
		}
		svg := first(t, page, tag("svg"))
		if attr(svg, "role") != "img" || !strings.Contains(attr(svg, "aria-label"), team.Curve[len(team.Curve)-1].Label) {
			t.Errorf("team %s: curve without its description", team.Team)
		}
	}
	rows := all(first(t, doc, func(n *html.Node) bool { return n.Data == "table" && attr(n, "class") == "defis" }), hasAttr("data-day"))
	if len(rows) != len(b.Defis) {
		t.Errorf("%d défis, want %d", len(rows), len(b.Defis))
	}
	for i, d := range b.Defis {
		if !strings.Contains(text(rows[i]), d.Title) || !strings.Contains(text(rows[i]), d.Share.Label) {
			t.Errorf("défi row %d reads %q, want %q", i, text(rows[i]), d.Title)
		}
	}
	if n := strings.Count(body, "<svg"); n < len(b.Teams)+1 {
		t.Errorf("%d SVG, want the campaign's curve and one per team", n)
	}
	if print := first(t, doc, byID("print")); print.Data != "button" || !hasAttrNamed(print, "hidden") {
		t.Error("the print button should wait for the script that makes it work")
	}
	if !strings.Contains(body, `/static/bilan.css?v=`) {
		t.Error("no print style sheet")
	}
}

func TestBilanLeavesOutACurveItCannotDraw(t *testing.T) {
	e := newEnv(t)
	e.src.mu.Lock()
	e.src.bilan.Teams[1].Curve[0].Bytes = math.Inf(1)
	e.src.mu.Unlock()
	resp, body := e.get(t, "/bilan")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	doc := parse(t, body)
	broken := first(t, doc, attrIs("data-team", e.src.bilan.Teams[1].Team))
	if len(all(broken, tag("svg"))) != 0 || len(all(first(t, doc, attrIs("data-team", e.src.bilan.Teams[0].Team)), tag("svg"))) != 1 {
		t.Error("one bad curve should only lose that curve")
	}
	if !strings.Contains(e.logs.String(), "curve left out") {
		t.Error("the bad curve was not logged")
	}
}

func TestBilanPrintStyles(t *testing.T) {
	raw := readFile(t, "web/static/bilan.css")
	for _, want := range []string{"@media print", "@page", "break-before: page", ".no-print { display: none"} {
		if !strings.Contains(raw, want) {
			t.Errorf("bilan.css lacks %q", want)
		}
	}
}
