package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/demo"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scanner"
)

// browser finds a Chromium. Without one the test is skipped, unless
// GIGABOT_E2E_BROWSER=required (as in CI, which installs Debian's chromium).
func browser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("GIGABOT_E2E_BROWSER") == "required" {
		t.Fatal("GIGABOT_E2E_BROWSER=required but no chromium in PATH (apt-get install chromium)")
	}
	t.Skip("no chromium in PATH: the dashboard is not checked in a browser")
	return ""
}

// pageLine is a team of a ranking as the page shows it.
type pageLine struct {
	Team  string  `json:"team"`
	Rank  int     `json:"rank"`
	Value float64 `json:"value"`
	Text  string  `json:"text"`
}

// readRanking is evaluated in the page: the points ranking as displayed.
const readRanking = `[...document.querySelectorAll('[data-ranking="points"] [data-team]')].map(e => ({
	team: e.dataset.team, rank: Number(e.dataset.rank), value: Number(e.dataset.value), text: e.textContent}))`

// TestDashboardInBrowser starts "gigabot run" with scores in Redis (CI's
// real server), opens the dashboard in headless Chromium, checks that the
// rankings and the total match /api/v1/standings, sends a scan and sees it
// arrive without a reload, checks that the page asked nothing of another
// host, and saves screenshots (into GIGABOT_SCREENSHOTS when set).
func TestDashboardInBrowser(t *testing.T) {
	chromium := browser(t)
	redisURL := os.Getenv("REDIS_URL")
	if redisURL == "" {
		redisURL = "redis://" + miniredis.RunT(t).Addr()
	}
	rdb, _ := redistest.Redis(t)
	id := redistest.Campaign(t)
	t.Cleanup(func() { redistest.Drop(rdb, id) })
	// The demo's campaign: five teams of 5 to 20 agents, a goal of 2 To.
	text := strings.Replace(strings.Replace(demo.Config, "schedule: {}", "", 1), "id: demo", "id: "+id, 1)
	cfg, err := challenges.Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	config := writeConfig(t, text)
	const secret = "a-scanner-secret-of-the-test"
	loc, _ := time.LoadLocation("Europe/Paris")
	start := time.Date(2027, 3, 22, 8, 0, 0, 0, loc) // day 1, an hour before the défi
	clock := clockwork.NewFakeClockAt(start)
	p := startWith(t, config, clock, map[string]string{"REDIS_URL": redisURL, "GIGABOT_SCANNER_SECRET": secret})
	defer p.stop(t)

	// Four days of campaign: each morning the défi, about half of each team
	// reacting; each afternoon a scan of every team's share; each evening
	// the recap. Every scan goes through the signed intake.
	client := &scanner.Client{URL: "http://" + p.addr + "/api/v1/scans", Secret: []byte(secret), Now: clock.Now, Attempts: 1}
	send := func(id, team string, at time.Time, bytes float64) {
		t.Helper()
		r := scanner.Report{ScanID: id, Team: team, Source: "share", Root: `\\srv\` + team, ScannedAt: at, Files: 1000, Bytes: int64(bytes)}
		if _, err := client.Send(context.Background(), r); err != nil {
			t.Fatalf("send %s: %v", id, err)
		}
	}
	baseline := map[string]float64{"routes": 900e9, "colleges": 400e9, "social": 1500e9, "culture": 120e9, "rh": 700e9}
	pace := map[string]float64{"routes": 0.06, "colleges": 0.09, "social": 0.03, "culture": 0.12, "rh": 0.05}
	for team, b := range baseline {
		send(team+"-0", team, start.Add(-24*time.Hour), b)
	}
	// Two teams share a good practice: the dashboard quotes them (the hall
	// TV one at a time), the report on their team's page.
	testimonies := map[string]string{
		cfg.Teams[0].Members[0]: "On vide la corbeille partagée chaque vendredi, ensemble.",
		cfg.Teams[1].Members[0]: "Un dossier commun par projet, plus de copies dans les boîtes.",
	}
	for agent, words := range testimonies {
		p.say(t, agent+": temoignage "+words)
	}
	p.waitFor(t, `Votre témoignage T\d est enregistré`, len(testimonies))
	at := func(day, hour int) time.Time {
		return start.AddDate(0, 0, day-1).Add(time.Duration(hour-8) * time.Hour)
	}
	for day := 1; day <= 4; day++ {
		clock.Advance(at(day, 9).Sub(clock.Now()))
		defis := p.waitFor(t, fmt.Sprintf(`\[#equipe-([a-z]+)\] (P\d+) 🗂️ \*Défi du jour %d/15`, day), len(cfg.Teams))
		for i, team := range cfg.Teams {
			post := ""
			for _, d := range defis {
				if d[1] == team.ID {
					post = d[2]
				}
			}
			for _, agent := range team.Members[:len(team.Members)*(40+10*((i+day)%4))/100] {
				p.say(t, agent+" +white_check_mark "+post)
			}
		}
		clock.Advance(at(day, 16).Sub(clock.Now()))
		for team, b := range baseline {
			send(fmt.Sprint(team, "-", day), team, clock.Now(), b*(1-pace[team]*float64(day)))
		}
		clock.Advance(at(day, 17).Sub(clock.Now()))
		p.waitFor(t, fmt.Sprintf(`Bilan du jour %d/15`, day), len(cfg.Teams))
	}
	clock.Advance(at(5, 10).Sub(clock.Now())) // day 5, 10:00: its défi is out
	p.waitFor(t, `Défi du jour 5/15`, len(cfg.Teams))
	p.waitForBoard(t, func(b bot.Board) bool {
		st := p.standings(t)
		return b.Day == 5 && len(b.Rankings) > 0 && b.Rankings[0].Teams[0].Value == st.Teams[0].Points && b.Total.Value == float64(st.TotalFreedBytes)
	})

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	var mu sync.Mutex
	var requested []string
	err = chromedp.Listen(bctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requested = append(requested, e.Request.URL)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	page := "http://" + p.addr + "/"
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("open the dashboard", chromedp.Do(bctx, chromedp.Navigate(page),
		chromedp.WaitVisible(`[data-ranking="points"] [data-team]`)))
	_, err = chromedp.Run(bctx, chromedp.Evaluate[any](`window.e2eMarker = "same page"`))
	must("mark the page", err)
	total, err := chromedp.Run(bctx, chromedp.Text(`#total`))
	must("read #total", err)
	day, err := chromedp.Run(bctx, chromedp.Text(`#day`))
	must("read #day", err)
	lines, err := chromedp.Run(bctx, chromedp.Evaluate[[]pageLine](readRanking))
	must("read the ranking", err)

	// The page shows what the API says.
	st := p.standings(t)
	board := p.board(t)
	if board.Total.Value != float64(st.TotalFreedBytes) || !strings.Contains(total, board.Total.Label) {
		t.Errorf("total on the page %q; board %+v; standings %d bytes", total, board.Total, st.TotalFreedBytes)
	}
	if !strings.Contains(day, "Jour 5 sur 15") {
		t.Errorf("day on the page: %q", day)
	}
	if len(lines) != len(st.Teams) {
		t.Fatalf("%d teams on the page, %d in the standings: %+v", len(lines), len(st.Teams), lines)
	}
	for i, team := range st.Teams {
		got := lines[i]
		if got.Team != team.Team || got.Rank != team.Rank || got.Value != team.Points || !strings.Contains(got.Text, team.Name) {
			t.Errorf("line %d on the page %+v; standings %s rank %d %v points", i, got, team.Team, team.Rank, team.Points)
		}
	}
	shot(t, bctx, "dashboard.png")
	checkAccessibility(t, bctx, "/")

	// A new scan shows up without a reload: culture empties its share and
	// takes the lead.
	send("culture-5", "culture", clock.Now(), 1e9)
	want := p.board(t).Total.Label
	_, err = chromedp.Run(bctx, chromedp.Poll[bool](fmt.Sprintf(`document.querySelector('#total').textContent.includes(%q)`, want),
		chromedp.WithPollingTimeout(20*time.Second)))
	must(fmt.Sprintf("wait for the new total %q", want), err)
	marker, err := chromedp.Run(bctx, chromedp.Evaluate[string](`window.e2eMarker || ""`))
	must("read the marker", err)
	if marker != "same page" {
		t.Error("the page was reloaded to show the new scan")
	}
	lines, err = chromedp.Run(bctx, chromedp.Evaluate[[]pageLine](readRanking))
	must("read the ranking again", err)
	if len(lines) == 0 || lines[0].Team != "culture" || lines[0].Value != p.standings(t).Teams[0].Points {
		t.Errorf("after the scan, the page leads with %+v, want culture with its new points", lines)
	}

	// The hall's TV mode, a phone and the printable report open too.
	must("tv mode", chromedp.Do(bctx, chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(page+"?tv=1"), chromedp.WaitVisible(`#total`)))
	shot(t, bctx, "dashboard-tv.png")
	checkAccessibility(t, bctx, "/?tv=1")
	quotes, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#testimony-list li'))
		.filter(li => li.offsetParent !== null).map(li => li.querySelector('blockquote').textContent)`))
	must("read the testimonies", err)
	if len(quotes) != 1 || !slices.Contains(slices.Collect(maps.Values(testimonies)), quotes[0]) {
		t.Errorf("the hall TV shows the testimonies %q, want one of %q at a time", quotes, testimonies)
	}
	must("phone", chromedp.Do(bctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(page), chromedp.WaitVisible(`#total`)))
	shot(t, bctx, "dashboard-phone.png")
	checkAccessibility(t, bctx, "/ on a phone")
	must("bilan", chromedp.Do(bctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(page+"bilan"), chromedp.WaitVisible(`.chart svg`)))
	shot(t, bctx, "bilan.png")
	checkAccessibility(t, bctx, "/bilan")
	quoted, err := chromedp.Run(bctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector('#team-%s').textContent`, cfg.Teams[0].ID)))
	must("read the report's team page", err)
	if !strings.Contains(quoted, testimonies[cfg.Teams[0].Members[0]]) {
		t.Errorf("the report's page of %s lacks its testimony:\n%s", cfg.Teams[0].ID, quoted)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(requested) < 3 {
		t.Errorf("only %d requests seen: %v", len(requested), requested)
	}
	for _, raw := range requested {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "data" && u.Host != p.addr) {
			t.Errorf("the page asked another host: %s", raw)
		}
	}
}

// axeViolation is a rule axe-core found broken.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []string `json:"target"`
	} `json:"nodes"`
}

// checkAccessibility runs axe-core's WCAG 2.1 A and AA rules on the page,
// when GIGABOT_AXE_JS names axe.min.js (npm install axe-core): the rules
// are not ours to ship, so the check runs where the file is.
func checkAccessibility(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	path := os.Getenv("GIGABOT_AXE_JS")
	if path == "" {
		return
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("GIGABOT_AXE_JS: %v", err)
	}
	// The page's Content-Security-Policy forbids injected scripts but not
	// an evaluation through the DevTools protocol.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](string(src))); err != nil {
		t.Fatalf("load axe-core: %v", err)
	}
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](
		`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}).then(r => r.violations)`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	for _, v := range found {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, strings.Join(n.Target, " "))
		}
		t.Errorf("%s: accessibility %s (%s): %s, at %v", page, v.ID, v.Impact, v.Help, where)
	}
	t.Logf("%s: axe-core WCAG 2.1 A/AA rules: %d violations", page, len(found))
}

// board reads /api/v1/board.
func (p *process) board(t *testing.T) bot.Board {
	t.Helper()
	resp, err := http.Get("http://" + p.addr + "/api/v1/board")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bot.Board
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
		t.Fatal(err)
	}
	return b
}

// waitForBoard waits until /api/v1/board satisfies ok. The timeout only
// guards against a hang.
func (p *process) waitForBoard(t *testing.T, ok func(bot.Board) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok(p.board(t)) {
		if time.Now().After(deadline) {
			t.Fatalf("the board never caught up: %+v", p.board(t))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// shot saves a screenshot of the whole page.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := os.Getenv("GIGABOT_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(png))
}
