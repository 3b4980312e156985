package dashboard_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/integrations/dashboard"
)

func TestNewChecksItsOptions(t *testing.T) {
	src := newFakeSource(t)
	tests := []struct {
		name string
		opts dashboard.Options
		err  string
	}{
		{"no source", dashboard.Options{}, "Source is required"},
		{"negative period", dashboard.Options{Source: src, Every: -time.Second}, "Every must be positive"},
		{"defaults", dashboard.Options{Source: src}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dashboard.New(tt.opts)
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("New: %v, want %q", err, tt.err)
			}
		})
	}
}

func TestIndexShowsTheBoard(t *testing.T) {
	e := newEnv(t)
	resp, body := e.get(t, "/")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	b := loadBoard(t)
	doc := parse(t, body)

	if lang := attr(first(t, doc, tag("html")), "lang"); lang != "fr" {
		t.Errorf("lang %q", lang)
	}
	body0 := first(t, doc, tag("body"))
	if got := attr(body0, "data-updated-at"); got != b.UpdatedAt.Format(time.RFC3339Nano) {
		t.Errorf("data-updated-at %q, want %q", got, b.UpdatedAt.Format(time.RFC3339Nano))
	}
	if attr(body0, "data-mode") != "page" {
		t.Errorf("data-mode %q", attr(body0, "data-mode"))
	}
	for id, want := range map[string]string{
		"total": b.Total.Label, "day": b.DayLabel, "campaign": b.Campaign, "goal-label": b.GoalLabel,
		"defi-body": b.Defi.Title, "updated": b.UpdatedLabel,
	} {
		if got := text(first(t, doc, byID(id))); !strings.Contains(got, want) {
			t.Errorf("#%s reads %q, want %q", id, got, want)
		}
	}
	goal := first(t, doc, byID("goal"))
	if goal.Data != "progress" || attr(goal, "max") != "100" || attr(goal, "value") != "60" || attr(goal, "aria-labelledby") != "goal-label" {
		t.Errorf("#goal is <%s max=%q value=%q>", goal.Data, attr(goal, "max"), attr(goal, "value"))
	}
	for _, s := range append([]string{b.Defi.Tip}, b.Defi.Steps...) {
		if !strings.Contains(text(first(t, doc, byID("defi"))), s) {
			t.Errorf("the défi lacks %q", s)
		}
	}
	for _, eq := range b.Equivalences {
		li := first(t, doc, attrIs("data-kind", eq.Kind))
		if !strings.Contains(text(li), eq.Label) || !strings.Contains(text(li), eq.Source) {
			t.Errorf("equivalence %s reads %q", eq.Kind, text(li))
		}
	}

	for _, rk := range b.Rankings {
		panel := first(t, doc, attrIs("data-ranking", rk.By))
		lines := all(panel, hasAttr("data-team"))
		if len(lines) != len(rk.Teams) {
			t.Fatalf("ranking %s shows %d teams, want %d", rk.By, len(lines), len(rk.Teams))
		}
		for i, tl := range rk.Teams {
			li := lines[i]
			value, _ := strconv.ParseFloat(attr(li, "data-value"), 64)
			if li.Data != "li" || attr(li, "data-team") != tl.Team || attr(li, "data-rank") != strconv.Itoa(tl.Rank) || value != tl.Value ||
				!strings.Contains(text(li), tl.Name) || !strings.Contains(text(li), tl.Label) {
				t.Errorf("ranking %s line %d: <%s team=%q rank=%q value=%q> %q; want %+v", rk.By, i, li.Data,
					attr(li, "data-team"), attr(li, "data-rank"), attr(li, "data-value"), text(li), tl)
			}
		}
		tab := first(t, doc, byID("tab-"+rk.By))
		if attr(tab, "role") != "tab" || attr(tab, "aria-controls") != attr(panel, "id") || tab.Data != "button" {
			t.Errorf("tab of %s: <%s role=%q controls=%q>", rk.By, tab.Data, attr(tab, "role"), attr(tab, "aria-controls"))
		}
	}

	curve := first(t, doc, byID("curve"))
	if curve.Data != "figure" || len(all(curve, tag("figcaption"))) != 1 {
		t.Errorf("#curve is a <%s> without its caption", curve.Data)
	}
	if rows := all(first(t, curve, tag("tbody")), tag("tr")); len(rows) != len(b.Curve) {
		t.Errorf("the curve's table has %d rows, want %d", len(rows), len(b.Curve))
	}
	if got := all(first(t, doc, byID("milestones")), tag("li")); len(got) != len(b.Milestones) || !strings.Contains(text(got[0]), b.Milestones[0].Label) {
		t.Errorf("milestones: %d, want %d", len(got), len(b.Milestones))
	}
	if !hasAttrNamed(first(t, doc, byID("no-milestones")), "hidden") {
		t.Error("“no milestone” shows beside milestones")
	}
	if live := first(t, doc, byID("announce")); attr(live, "aria-live") != "polite" {
		t.Error("no polite live region")
	}
}

func TestIndexIsAccessibleMarkup(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/", "/?tv=1", "/bilan"} {
		t.Run(path, func(t *testing.T) {
			_, body := e.get(t, path)
			doc := parse(t, body)
			if n := len(all(doc, tag("h1"))); n != 1 {
				t.Errorf("%d h1, want 1", n)
			}
			if len(all(doc, tag("main"))) != 1 {
				t.Error("no main landmark")
			}
			for _, img := range all(doc, tag("img")) {
				if !hasAttrNamed(img, "alt") {
					t.Errorf("img %s has no alt", attr(img, "src"))
				}
			}
			for _, n := range all(doc, hasAttr("style")) {
				t.Errorf("inline style on <%s>: the policy blocks it", n.Data)
			}
			if len(all(doc, tag("style"))) > 0 {
				t.Error("a <style> element: the policy blocks it")
			}
			for _, s := range all(doc, tag("script")) {
				if attr(s, "src") == "" && attr(s, "type") != "application/json" {
					t.Errorf("inline script %q: the policy blocks it", text(s))
				}
			}
			ids := map[string]bool{}
			for _, n := range all(doc, hasAttr("id")) {
				if ids[attr(n, "id")] {
					t.Errorf("id %q twice", attr(n, "id"))
				}
				ids[attr(n, "id")] = true
			}
			for _, n := range all(doc, func(n *html.Node) bool {
				return attr(n, "aria-labelledby") != "" || attr(n, "aria-controls") != ""
			}) {
				for _, ref := range strings.Fields(attr(n, "aria-labelledby") + " " + attr(n, "aria-controls")) {
					if !ids[ref] {
						t.Errorf("<%s> refers to a missing #%s", n.Data, ref)
					}
				}
			}
		})
	}
}

func TestIndexTVMode(t *testing.T) {
	e := newEnv(t)
	_, body := e.get(t, "/?tv=1")
	doc := parse(t, body)
	if attr(first(t, doc, tag("body")), "data-mode") != "tv" || attr(first(t, doc, tag("html")), "class") != "tv" {
		t.Error("no TV marker")
	}
	if rotate := first(t, doc, byID("rotate")); rotate.Data != "button" {
		t.Error("no button to pause the rotation")
	}
	if len(all(first(t, doc, attrIs("data-ranking", "points")), hasAttr("data-team"))) != len(loadBoard(t).Rankings[0].Teams) {
		t.Error("the TV shows another ranking than the page")
	}
}

func TestIndexVariants(t *testing.T) {
	tests := []struct {
		name   string
		change func(b *bot.Board)
		check  func(t *testing.T, doc *html.Node)
	}{
		{"no goal", func(b *bot.Board) { b.Goal, b.GoalPercent, b.GoalLabel = bot.Figure{}, 0, "" }, func(t *testing.T, doc *html.Node) {
			if len(all(doc, byID("goal"))) != 0 || len(all(doc, byID("goal-label"))) != 0 {
				t.Error("a goal bar without a goal")
			}
		}},
		{"past the goal", func(b *bot.Board) { b.GoalPercent, b.GoalLabel = 120, "120 % de l’objectif de 2 To" }, func(t *testing.T, doc *html.Node) {
			goal := first(t, doc, byID("goal"))
			if attr(goal, "value") != "100" || attr(goal, "data-percent") != "120" {
				t.Errorf("goal bar value %q, percent %q", attr(goal, "value"), attr(goal, "data-percent"))
			}
			if got := text(first(t, doc, byID("goal-label"))); !strings.Contains(got, "120 %") || !strings.Contains(got, "Objectif atteint") {
				t.Errorf("goal label %q", got)
			}
		}},
		{"no previous edition", func(b *bot.Board) { b.Previous, b.PreviousLabel = nil, "" }, func(t *testing.T, doc *html.Node) {
			if p := first(t, doc, byID("previous")); !hasAttrNamed(p, "hidden") || text(p) != "" {
				t.Errorf("#previous without a previous edition: %q", text(p))
			}
		}},
		{"last year", func(b *bot.Board) {
			b.Previous, b.PreviousLabel = &bot.Figure{Value: 1.7e12, Label: "1,7\u00a0To"}, "l’an dernier\u00a0: 1,7\u00a0To"
		}, func(t *testing.T, doc *html.Node) {
			if p := first(t, doc, byID("previous")); hasAttrNamed(p, "hidden") || text(p) != "l’an dernier\u00a0: 1,7\u00a0To" {
				t.Errorf("#previous reads %q (hidden: %v)", text(p), hasAttrNamed(p, "hidden"))
			}
		}},
		{"no défi", func(b *bot.Board) { b.Defi = nil }, func(t *testing.T, doc *html.Node) {
			if got := text(first(t, doc, byID("defi-body"))); !strings.Contains(got, "Pas de défi") {
				t.Errorf("défi reads %q", got)
			}
		}},
		{"no milestone", func(b *bot.Board) { b.Milestones = []bot.Figure{} }, func(t *testing.T, doc *html.Node) {
			if p := first(t, doc, byID("no-milestones")); hasAttrNamed(p, "hidden") {
				t.Error("“no milestone” is hidden")
			}
		}},
		{"english", func(b *bot.Board) { b.Language = "en" }, func(t *testing.T, doc *html.Node) {
			if attr(first(t, doc, tag("html")), "lang") != "en" || !strings.Contains(text(first(t, doc, byID("defi-title"))), "Today’s challenge") {
				t.Error("the page did not switch to English")
			}
		}},
		{"a ranking the page has no word for", func(b *bot.Board) {
			b.Rankings = append(b.Rankings, bot.Ranking{By: "per_agent", Title: "Points par agent", Teams: b.Rankings[0].Teams})
		}, func(t *testing.T, doc *html.Node) {
			if got := text(first(t, doc, byID("tab-per_agent"))); got != "Points par agent" {
				t.Errorf("its tab reads %q", got)
			}
		}},
		{"a team name with markup", func(b *bot.Board) { b.Rankings[0].Teams[0].Name = `<script>alert(1)</script>` }, func(t *testing.T, doc *html.Node) {
			li := first(t, doc, attrIs("data-ranking", "points"))
			if !strings.Contains(text(li), `<script>alert(1)</script>`) || len(all(li, tag("script"))) != 0 {
				t.Error("a team name became markup")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.src.set(tt.change)
			resp, body := e.get(t, "/")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			tt.check(t, parse(t, body))
		})
	}
}

func TestBoardJSON(t *testing.T) {
	e := newEnv(t)
	resp, body := e.get(t, "/api/v1/board")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var got bot.Board
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(loadBoard(t))
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("the board changed on its way:\n got %.300s\nwant %.300s", gotJSON, wantJSON)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	_, page := e.get(t, "/")
	script := attr(first(t, parse(t, page), func(n *html.Node) bool { return n.Data == "script" && attr(n, "src") != "" }), "src")
	paths := []string{"/", "/?tv=1", "/bilan", "/api/v1/board", script, "/static/nothing.js"}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			resp, _ := e.get(t, path)
			h := resp.Header
			if got := h.Get("Content-Security-Policy"); got != "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'" {
				t.Errorf("Content-Security-Policy %q", got)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" {
				t.Errorf("nosniff %q, referrer %q", h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
			}
		})
	}
	e.src.fail(errStore)
	if resp, _ := e.get(t, "/"); resp.Header.Get("Content-Security-Policy") == "" {
		t.Error("the error page has no policy")
	}
}

func TestSourceUnavailable(t *testing.T) {
	tests := []struct {
		path, ctype, says string
	}{
		{"/", "text/html", "momentanément indisponible"},
		{"/?tv=1", "text/html", "momentanément indisponible"},
		{"/api/v1/board", "application/json", "momentanément indisponible"},
		{"/bilan", "text/html", "momentanément indisponible"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			e := newEnv(t)
			e.src.fail(errStore)
			resp, body := e.get(t, tt.path)
			if resp.StatusCode != http.StatusServiceUnavailable || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.ctype) {
				t.Errorf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if !strings.Contains(body, tt.says) || strings.Contains(body, errStore.Error()) {
				t.Errorf("the answer should explain in French and hide the cause: %s", body)
			}
			if !strings.Contains(e.logs.String(), errStore.Error()) {
				t.Errorf("the cause was not logged: %s", e.logs.String())
			}
		})
	}
}

func TestSourceUnavailableInEnglish(t *testing.T) {
	e := newEnv(t, func(o *dashboard.Options) { o.Language = "en" })
	e.src.fail(errStore)
	resp, body := e.get(t, "/")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "The dashboard is unavailable") {
		t.Errorf("status %d: %s", resp.StatusCode, body)
	}
}

func TestStaticAssets(t *testing.T) {
	e := newEnv(t)
	_, page := e.get(t, "/")
	doc := parse(t, page)
	style := attr(first(t, doc, func(n *html.Node) bool { return n.Data == "link" && attr(n, "rel") == "stylesheet" }), "href")
	script := attr(first(t, doc, func(n *html.Node) bool { return n.Data == "script" && attr(n, "src") != "" }), "src")
	bare, _, _ := strings.Cut(style, "?")

	tests := []struct {
		name, path string
		status     int
		ctype      string
		cache      string
	}{
		{"versioned style", style, 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
		{"versioned script", script, 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"unversioned", bare, 200, "text/css; charset=utf-8", "no-cache"},
		{"old version", bare + "?v=0123", 200, "text/css; charset=utf-8", "no-cache"},
		{"pictogram", "/static/icons/cabinets.svg", 200, "image/svg+xml", "no-cache"},
		{"missing", "/static/missing.css", 404, "", ""},
		{"templates are not assets", "/static/../index.html", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := e.get(t, tt.path)
			if resp.StatusCode != tt.status {
				t.Fatalf("%s: status %d, want %d", tt.path, resp.StatusCode, tt.status)
			}
			if tt.status != 200 {
				return
			}
			if resp.Header.Get("Content-Type") != tt.ctype || resp.Header.Get("Cache-Control") != tt.cache || resp.Header.Get("ETag") == "" {
				t.Errorf("type %q, cache %q, etag %q", resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), resp.Header.Get("ETag"))
			}
			req, _ := http.NewRequest(http.MethodGet, e.srv.URL+tt.path, nil)
			req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
			again, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			again.Body.Close()
			if again.StatusCode != http.StatusNotModified {
				t.Errorf("revalidation: status %d, want 304", again.StatusCode)
			}
		})
	}
}

func TestDashboardWorksWithoutTheHub(t *testing.T) {
	// Before Run (or without it), pages compute the board themselves.
	d, err := dashboard.New(dashboard.Options{Source: newFakeSource(t), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Subscribers() != 0 {
		t.Error("subscribers before any page")
	}
	d.Poke()
	d.Poke() // never blocks
	e := newEnv(t)
	before := e.src.calls()
	if resp, _ := e.get(t, "/api/v1/board"); resp.StatusCode != http.StatusOK || e.src.calls() != before+1 {
		t.Errorf("status %d, %d computations", resp.StatusCode, e.src.calls()-before)
	}
}

// HTML helpers.

func parse(t *testing.T, page string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func all(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	return out
}

func first(t *testing.T, n *html.Node, match func(*html.Node) bool) *html.Node {
	t.Helper()
	found := all(n, match)
	if len(found) == 0 {
		t.Fatal("element not found")
	}
	return found[0]
}

func tag(name string) func(*html.Node) bool { return func(n *html.Node) bool { return n.Data == name } }
func byID(id string) func(*html.Node) bool  { return attrIs("id", id) }
func hasAttr(key string) func(*html.Node) bool {
	return func(n *html.Node) bool { return hasAttrNamed(n, key) }
}
func attrIs(key, value string) func(*html.Node) bool {
	return func(n *html.Node) bool { return hasAttrNamed(n, key) && attr(n, key) == value }
}

func hasAttrNamed(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}
