package bot_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"image/png"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/scoring"
)

// threeDays plays days 1 to 3 of the test campaign: scans before the start
// and during the days, défis done (one late), a correction; the clock ends
// on day 3 at 15:00, before its recap.
func threeDays(t *testing.T, yaml ...string) *bottest.Env {
	t.Helper()
	env := bottest.New(t, mustDay(t, 1, 8), yaml...)
	ctx := context.Background()
	scan := func(id, team string, at time.Time, gb int64) {
		t.Helper()
		if _, err := env.Bot.RecordScan(ctx, scoring.Scan{ID: id, Team: team, Source: "share", Root: "/" + team, ScannedAt: at, Bytes: gb * 1e9}); err != nil {
			t.Fatal(err)
		}
	}
	scan("r0", "routes", env.At(1, 8, 0), 100)
	scan("c0", "colleges", env.At(1, 8, 0), 50)
	// Who marks which day's défi, each morning: carol marks day 1's late.
	marks := map[int][][2]string{
		1: {{"alice", "equipe-routes"}, {"bob", "equipe-routes"}},
		2: {{"alice", "equipe-routes"}},
		3: {{"emma", "equipe-colleges"}},
	}
	for day := 1; day <= 3; day++ {
		env.Set(env.At(day, 9, 0))
		if err := env.Bot.Catchup(ctx); err != nil {
			t.Fatal(err)
		}
		for _, m := range marks[day] {
			env.React(t, m[0], "white_check_mark", env.DefiPost(t, m[1], day), true)
		}
		if day == 3 {
			env.React(t, "carol", "white_check_mark", env.DefiPost(t, "equipe-routes", 1), true)
			break
		}
		env.Set(env.At(day, 17, 0))
		if err := env.Bot.Catchup(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Day 1: routes frees 10 Go; day 2: colleges frees 20 Go; day 3: routes
	// 5 Go more (the scans arrive late, each with the time it was taken).
	scan("r1", "routes", env.At(1, 16, 0), 90)
	scan("c2", "colleges", env.At(2, 16, 0), 30)
	scan("r3", "routes", env.At(3, 14, 0), 85)
	env.Set(env.At(3, 15, 0))
	env.Say(t, "coord", "equipe-routes", "correction culture 7 affiche réalisée")
	return env
}

func TestBoard(t *testing.T) {
	env := threeDays(t, strings.Replace(bottest.ConfigYAML, "days: 15", "days: 15\n  goal: 100 Go", 1))
	bd, err := env.Bot.Board(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if bd.Status != "running" || bd.Day != 3 || bd.Days != 15 || bd.DayLabel != "Jour 3 sur 15" {
		t.Errorf("day: %q %d/%d %q", bd.Status, bd.Day, bd.Days, bd.DayLabel)
	}
	if bd.Defi == nil || bd.Defi.Day != 3 || bd.Defi.Title != env.Calendar.Days[2].Defi.Title {
		t.Errorf("défi: %+v", bd.Defi)
	}
	if bd.Total.Value != 35e9 || bd.Total.Label != "35\u00a0Go" {
		t.Errorf("total: %+v", bd.Total)
	}
	if bd.Goal.Value != 100e9 || bd.GoalPercent != 35 || bd.GoalLabel != "35\u00a0% de l’objectif de 100\u00a0Go" {
		t.Errorf("goal: %+v %v %q", bd.Goal, bd.GoalPercent, bd.GoalLabel)
	}
	wantCurve := []float64{10e9, 30e9, 35e9}
	if len(bd.Curve) != 3 {
		t.Fatalf("curve: %+v", bd.Curve)
	}
	for i, p := range bd.Curve {
		if p.Day != i+1 || p.Bytes != wantCurve[i] {
			t.Errorf("curve day %d: %+v, want %v bytes", i+1, p, wantCurve[i])
		}
	}
	if bd.Curve[0].Date != "2027-03-22" || bd.Curve[0].DateLabel != "lun. 22 mars" {
		t.Errorf("curve date: %q %q", bd.Curve[0].Date, bd.Curve[0].DateLabel)
	}
	st, err := env.Bot.Standings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(bd.Rankings) != 4 {
		t.Fatalf("rankings: %d", len(bd.Rankings))
	}
	for _, r := range bd.Rankings {
		want := st.Ranking(scoring.Criterion(r.By))
		for i, line := range r.Teams {
			if line.Team != want[i].ID || line.Rank != want[i].Rank {
				t.Errorf("%s ranking, line %d: %+v, want %s rank %d", r.By, i, line, want[i].ID, want[i].Rank)
			}
		}
	}
	if v := bd.Rankings[1]; v.Teams[0].Team != "colleges" || v.Teams[0].Label != "20\u00a0Go" {
		t.Errorf("volume ranking: %+v", v.Teams[0])
	}
	// 35 Go freed of 150 Go scanned: 12 × 35 / (150 × (1 − 2^(−1/4))) ≈ 17,6 months.
	if len(bd.Equivalences) != 4 || bd.Equivalences[0].Kind != "pages" || bd.Equivalences[0].Label != "228\u202f000 pages PDF" ||
		bd.Equivalences[3].Kind != "months_of_data" || bd.Equivalences[3].Value != 17.6 {
		t.Errorf("equivalences: %+v", bd.Equivalences)
	}
}

func TestBoardBeforeAndAfter(t *testing.T) {
	env := bottest.New(t, mustDay(t, 1, 8))
	bd, err := env.Bot.Board(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if bd.Status != "before" || bd.Defi != nil || len(bd.Curve) != 0 || bd.DayLabel != "Début le lundi 22 mars 2027" {
		t.Errorf("before: %q %q %+v %d", bd.Status, bd.DayLabel, bd.Defi, len(bd.Curve))
	}
	if bd.Goal.Value != 0 || bd.GoalLabel != "" {
		t.Errorf("no goal configured, got %+v %q", bd.Goal, bd.GoalLabel)
	}
	env.Set(env.At(15, 17, 0))
	if bd, err = env.Bot.Board(context.Background()); err != nil {
		t.Fatal(err)
	}
	if bd.Status != "over" || len(bd.Curve) != 15 || bd.DayLabel != "Campagne terminée" {
		t.Errorf("after: %q %q %d points", bd.Status, bd.DayLabel, len(bd.Curve))
	}
}

// readCSV parses an export in the plain dialect, keyed by "day/team".
func readCSV(t *testing.T, data []byte, comma rune) ([]string, map[string][]string) {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.Comma = comma
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, data)
	}
	rows := map[string][]string{}
	for _, rec := range recs[1:] {
		rows[rec[0]+"/"+rec[3]] = rec
	}
	return recs[0], rows
}

func TestExportMatchesStandings(t *testing.T) {
	env := threeDays(t)
	ctx := context.Background()
	var buf bytes.Buffer
	n, err := env.Bot.Export(ctx, &buf, bot.CSVPlain)
	if err != nil {
		t.Fatal(err)
	}
	if n != 9 {
		t.Errorf("%d rows, want 3 teams × 3 days", n)
	}
	header, rows := readCSV(t, buf.Bytes(), ',')
	if strings.Join(header, ",") != "day,date,defi,team,team_name,members,freed_bytes_day,freed_bytes_total,percent_total,defi_done,participation_day,points_total" {
		t.Errorf("header: %v", header)
	}
	// Today's rows are the standings.
	st, err := env.Bot.Standings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st.Teams {
		row := rows["3/"+s.ID]
		if row == nil {
			t.Fatalf("no row for %s on day 3", s.ID)
		}
		if row[7] != strconv.FormatInt(s.FreedBytes, 10) || row[11] != strconv.FormatFloat(s.Points, 'f', -1, 64) ||
			row[8] != strconv.FormatFloat(float64(int64(s.Percent*100+0.5))/100, 'f', -1, 64) {
			t.Errorf("%s day 3: %v; standings %d bytes, %v %%, %v points", s.ID, row, s.FreedBytes, s.Percent, s.Points)
		}
	}
	// Past days are as they stood that evening; the day's défi counts
	// everyone who did it, carol's late mark included.
	for key, want := range map[string][2]string{ // freed that day, défi done
		"1/routes": {"10000000000", "3"}, "2/routes": {"0", "1"}, "3/routes": {"5000000000", "0"},
		"1/colleges": {"0", "0"}, "2/colleges": {"20000000000", "0"}, "3/colleges": {"0", "1"},
	} {
		if got := rows[key]; got[6] != want[0] || got[9] != want[1] {
			t.Errorf("%s: freed that day %s, done %s; want %s, %s", key, got[6], got[9], want[0], want[1])
		}
	}
	if got := rows["1/routes"][10]; got != "75" {
		t.Errorf("participation of routes in day 1's défi: %s %%, want 3 of 4 agents = 75", got)
	}
	// Day 1 points as they stood that evening, before carol's late mark:
	// 2 défis × 5 + 10 Go × 1 + 10 % × 50; day 3 has her défi.
	if got := rows["1/routes"][11]; got != "520" {
		t.Errorf("routes points on day 1: %s, want 520", got)
	}
	if got := rows["3/routes"][11]; got != "785" {
		t.Errorf("routes points on day 3: %s, want 4 défis × 5 + 15 Go + 15 %% × 50 = 785", got)
	}
	if got := rows["3/culture"][11]; got != "7" {
		t.Errorf("culture points on day 3 (a correction of 7): %s", got)
	}
}

func TestExportSpreadsheetDialect(t *testing.T) {
	env := threeDays(t)
	env.Say(t, "coord", "equipe-culture", "correction culture 2,5 quiz")
	var buf bytes.Buffer
	if _, err := env.Bot.Export(context.Background(), &buf, bot.CSVSpreadsheet); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\ufeff")) {
		t.Error("no byte order mark: spreadsheets would misread the accents")
	}
	header, rows := readCSV(t, buf.Bytes(), ';')
	if header[2] != "défi" || header[4] != "nom de l’équipe" {
		t.Errorf("French headers: %v", header)
	}
	if got := rows["3/culture"][11]; got != "9,5" {
		t.Errorf("points with a decimal comma: %q, want 9,5", got)
	}
	if got := rows["1/colleges"][4]; got != "Direction des collèges" {
		t.Errorf("team name: %q", got)
	}
}

func TestExportCommand(t *testing.T) {
	env := threeDays(t)
	posts := env.Say(t, "coord", "equipe-routes", "export")
	if len(posts) != 1 || len(posts[0].Msg.Files) != 1 {
		t.Fatalf("export reply: %s", bottest.Texts(posts))
	}
	f := posts[0].Msg.Files[0]
	if f.MIME != "text/csv" || f.Name != env.Config.Campaign.ID+"-jour-3.csv" || !strings.Contains(posts[0].Msg.Text, "3 équipes × 3 jours") {
		t.Errorf("file %q %q, text %q", f.Name, f.MIME, posts[0].Msg.Text)
	}
	if _, rows := readCSV(t, f.Data, ';'); len(rows) != 9 {
		t.Errorf("%d rows in the attached export", len(rows))
	}
	if posts := env.Say(t, "alice", "equipe-routes", "export"); len(posts[0].Msg.Files) != 0 || !strings.Contains(posts[0].Msg.Text, "réservée") {
		t.Errorf("an agent got: %s", bottest.Texts(posts))
	}
	before := bottest.New(t, mustDay(t, 1, 8))
	if posts := before.Say(t, "coord", "x", "export"); len(posts[0].Msg.Files) != 0 || !strings.Contains(posts[0].Msg.Text, "pas encore commencé") {
		t.Errorf("before the start: %s", bottest.Texts(posts))
	}
}

func TestBilan(t *testing.T) {
	env := threeDays(t)
	b, err := env.Bot.Bilan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if b.Participants != 7 || b.Period != "du lundi 22 mars 2027 au lundi 12 avril 2027" {
		t.Errorf("participants %d, period %q", b.Participants, b.Period)
	}
	if len(b.Teams) != 3 || b.Teams[0].Rank != 1 || len(b.Teams[0].Curve) != 3 {
		t.Fatalf("teams: %+v", b.Teams)
	}
	for _, team := range b.Teams {
		if team.Team == "routes" {
			if got := team.Curve[2].Bytes; got != 15e9 {
				t.Errorf("routes curve ends at %v", got)
			}
			if want := "Jour 1 · " + env.Calendar.Days[0].Defi.Title; team.BestDefi != want {
				t.Errorf("routes best défi %q, want %q", team.BestDefi, want)
			}
		}
	}
	if len(b.Defis) != 3 || b.Defis[0].Day != 1 || b.Defis[0].Done != 3 || b.Defis[0].Share.Label != "42,9\u00a0%" {
		t.Errorf("défis: %+v", b.Defis)
	}
	if len(b.Prizes) != 3 || !strings.HasPrefix(b.Prizes[0], "Prix de la participation\u00a0: Direction des routes") {
		t.Errorf("prizes: %q", b.Prizes)
	}
}

// fakeMetrics counts calls, as a Prometheus registry would.
type fakeMetrics struct {
	mu       sync.Mutex
	posts    map[string]int
	commands map[string]int
}

func (m *fakeMetrics) PostSent(kind string) { m.mu.Lock(); m.posts[kind]++; m.mu.Unlock() }
func (m *fakeMetrics) Command(name string)  { m.mu.Lock(); m.commands[name]++; m.mu.Unlock() }

func TestMetricsCountPostsAndCommands(t *testing.T) {
	env := bottest.New(t, mustDay(t, 1, 9))
	m := &fakeMetrics{posts: map[string]int{}, commands: map[string]int{}}
	b, err := bot.New(context.Background(), bot.Options{
		Config: env.Config, Calendar: env.Calendar, Store: env.Store, Chat: env.Chat, Clock: env.Clock, Owner: "m", Metrics: m,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Catchup(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"classement", "ranking", "où en est mon équipe ?", "blabla"} {
		if err := b.Handle(context.Background(), bot.Event{Kind: bot.MessageReceived, User: "alice", Channel: "c", Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	if m.posts["defi"] != 3 || m.posts["reply"] != 4 {
		t.Errorf("posts: %v", m.posts)
	}
	if m.commands["classement"] != 2 || m.commands["equipe"] != 1 || m.commands["unknown"] != 1 {
		t.Errorf("commands: %v", m.commands)
	}
}

func TestRecapCarriesAChart(t *testing.T) {
	env := threeDays(t)
	env.Set(env.At(3, 17, 0))
	if err := env.Bot.Catchup(context.Background()); err != nil {
		t.Fatal(err)
	}
	recaps := env.Chat.Of(bot.KindRecap)
	var day3 []bottest.Post
	for _, p := range recaps {
		if p.Msg.Day == 3 {
			day3 = append(day3, p)
		}
	}
	if len(day3) != 3 {
		t.Fatalf("%d recaps of day 3", len(day3))
	}
	for _, p := range day3 {
		if len(p.Msg.Files) != 1 {
			t.Fatalf("recap in %s has %d files", p.Channel, len(p.Msg.Files))
		}
		f := p.Msg.Files[0]
		img, err := png.Decode(bytes.NewReader(f.Data))
		if err != nil || f.MIME != "image/png" || f.Name != "bilan-jour-3.png" {
			t.Fatalf("chart %q %q: %v", f.Name, f.MIME, err)
		}
		if img.Bounds().Dx() < 800 {
			t.Errorf("chart of %v", img.Bounds())
		}
		if !strings.Contains(f.Alt, "Bilan du jour 3/15") || !strings.Contains(f.Alt, "en tête, Direction des") || !strings.Contains(f.Alt, "35\u00a0Go") {
			t.Errorf("alt text: %q", f.Alt)
		}
		if !strings.Contains(p.Msg.Text, "Classement aux points") {
			t.Errorf("the text lost its ranking: %q", p.Msg.Text)
		}
	}
}

func TestNoCharts(t *testing.T) {
	env := threeDays(t)
	b, err := bot.New(context.Background(), bot.Options{
		Config: env.Config, Calendar: env.Calendar, Store: env.Store, Chat: env.Chat, Clock: env.Clock, Owner: "r2", NoCharts: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	env.Set(env.At(3, 17, 0))
	if err := b.Catchup(context.Background()); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range env.Chat.Of(bot.KindRecap) {
		if p.Msg.Day != 3 {
			continue
		}
		n++
		if len(p.Msg.Files) != 0 {
			t.Errorf("recap in %s carries %d files", p.Channel, len(p.Msg.Files))
		}
	}
	if n != 3 {
		t.Errorf("%d recaps of day 3, want 3", n)
	}
}
