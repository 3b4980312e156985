package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/integrations/httpapi"
	"github.com/gigabot/gigabot/internal/safebuf"
	"github.com/gigabot/gigabot/redis/redistest"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "campaign.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheck(t *testing.T) {
	good := writeConfig(t, bottest.ConfigYAML)
	bad := writeConfig(t, strings.Replace(strings.Replace(bottest.ConfigYAML, "2027-03-22", "2027-02-30", 1),
		"members: [gaby]", "members: [alice]", 1))
	tests := []struct {
		name   string
		args   []string
		status int
		out    []string
		errOut []string
	}{
		{"valid config prints the calendar", []string{"check", "--config", good}, 0,
			[]string{"3 teams, 7 agents, 15 days, Europe/Paris", "1  2027-03-22  lundi 22 mars 2027", "skipped: Lundi de Pâques",
				"skipped: samedi (week-end)", " 15  2027-04-12", "configuration OK"}, nil},
		{"invalid config names field and line", []string{"check", "--config", bad}, 1, nil,
			[]string{"campaign.start (line 4)", "2027-02-30", "teams[2].members[0] (line 9)", "already a member of team \"routes\""}},
		{"missing file", []string{"check", "--config", "/nope.yaml"}, 1, nil, []string{"/nope.yaml"}},
		{"missing flag", []string{"check"}, 1, nil, []string{"--config FILE is required"}},
		{"unknown flag", []string{"check", "--confg", good}, 1, nil, []string{"flag provided but not defined: -confg"}},
		{"unknown command", []string{"launch"}, 1, nil, []string{"unknown command \"launch\""}},
		{"no command", nil, 2, nil, []string{"Usage:"}},
		{"bad demo duration", []string{"demo", "--day-duration", "-1s"}, 1, nil, []string{"--day-duration"}},
		{"bad demo language", []string{"demo", "--lang", "de"}, 1, nil, []string{"--lang"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}
			if got := m.Run(context.Background(), tt.args); got != tt.status {
				t.Errorf("status %d, want %d\nstderr: %s", got, tt.status, errOut.String())
			}
			for _, w := range tt.out {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.errOut {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut.String())
				}
			}
		})
	}
}

func TestDemo(t *testing.T) {
	run := func(seed string) string {
		var out, errOut bytes.Buffer
		m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}
		if code := m.Run(context.Background(), []string{"demo", "--day-duration", "0", "--seed", seed}); code != 0 {
			t.Fatalf("demo exited %d: %s", code, errOut.String())
		}
		return out.String()
	}
	first := run("7")
	for _, want := range []string{"Défi du jour 1/15", "Défi du jour 15/15", "Bilan du jour 15/15", "Palier franchi", "c’est fini", "🥇", "Appel à la mobilisation"} {
		if !strings.Contains(first, want) {
			t.Errorf("demo transcript lacks %q", want)
		}
	}
	if strings.Contains(first, "\n! ") {
		t.Errorf("demo reported errors:\n%s", first)
	}
	if again := run("7"); again != first {
		t.Error("the same seed played a different campaign")
	}
	if other := run("8"); other == first {
		t.Error("another seed played the same campaign")
	}
}

// e2eStore returns the Redis that the end-to-end tests run "gigabot run"
// on — CI's real server (REDIS_URL), else a miniredis reached over TCP like
// a real one — and a campaign id of the test's own, so that a shared server
// keeps runs apart; its keys are dropped when the test ends.
func e2eStore(t *testing.T) (url, campaign string) {
	t.Helper()
	url = os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://" + miniredis.RunT(t).Addr()
	}
	rdb, _ := redistest.Redis(t)
	campaign = redistest.Campaign(t)
	t.Cleanup(func() { redistest.Drop(rdb, campaign) })
	return url, campaign
}

// process is one run of "gigabot run" fed through a pipe.
type process struct {
	in     *io.PipeWriter
	out    *safebuf.Buffer
	logs   *safebuf.Buffer // its stderr
	addr   string
	cancel context.CancelFunc
	done   chan int
}

func start(t *testing.T, config, redisURL string, clock clockwork.Clock) *process {
	t.Helper()
	return startWith(t, config, clock, map[string]string{"REDIS_URL": redisURL})
}

// startWith runs "gigabot run" with the given environment (and an HTTP
// server on a free port).
func startWith(t *testing.T, config string, clock clockwork.Clock, env map[string]string) *process {
	t.Helper()
	inR, inW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	p := &process{in: inW, out: &safebuf.Buffer{}, logs: &safebuf.Buffer{}, cancel: cancel, done: make(chan int, 1)}
	env["GIGABOT_HTTP_ADDR"] = "127.0.0.1:0"
	m := &Main{Stdin: inR, Stdout: p.out, Stderr: p.logs, Getenv: func(k string) string { return env[k] }, Clock: clock, Ready: ready}
	go func() { p.done <- m.Run(ctx, []string{"run", "--config", config}) }()
	select {
	case p.addr = <-ready:
	case code := <-p.done:
		t.Fatalf("gigabot run exited %d before serving:\n%s", code, p.logs.String())
	case <-time.After(10 * time.Second):
		t.Fatal("gigabot run did not start")
	}
	return p
}

func (p *process) stop(t *testing.T) {
	t.Helper()
	p.cancel()
	p.in.Close()
	select {
	case code := <-p.done:
		if code != 0 {
			t.Errorf("gigabot run exited %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("gigabot run did not stop")
	}
}

func (p *process) say(t *testing.T, line string) {
	t.Helper()
	if _, err := fmt.Fprintln(p.in, line); err != nil {
		t.Fatal(err)
	}
}

// waitFor waits until the output matches re n times and returns the matches.
func (p *process) waitFor(t *testing.T, re string, n int) [][]string {
	t.Helper()
	return waitForOutputs(t, re, n, p)
}

// waitForOutputs waits until the outputs of ps together match re n times
// and returns the matches. The timeout only guards against a hang; nothing
// here measures speed.
func waitForOutputs(t *testing.T, re string, n int, ps ...*process) [][]string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var m [][]string
		for _, p := range ps {
			m = append(m, rx.FindAllStringSubmatch(p.out.String(), -1)...)
		}
		if len(m) >= n {
			return m
		}
		if time.Now().After(deadline) {
			var outs []string
			for _, p := range ps {
				outs = append(outs, p.out.String())
			}
			t.Fatalf("output never had %d × %q:\n%s", n, re, strings.Join(outs, "\n---\n"))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (p *process) standings(t *testing.T) httpapi.StandingsJSON {
	t.Helper()
	resp, err := http.Get("http://" + p.addr + "/api/v1/standings")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s httpapi.StandingsJSON
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// get fetches path and checks the status.
func (p *process) get(t *testing.T, path string, status int) string {
	t.Helper()
	resp, err := http.Get("http://" + p.addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("GET %s: %d, want %d: %s", path, resp.StatusCode, status, body)
	}
	return string(body)
}

func participations(s httpapi.StandingsJSON, team string) int64 {
	for _, t := range s.Teams {
		if t.Team == team {
			return t.Participations
		}
	}
	return -1
}

// TestEndToEnd drives "gigabot run" on the console platform, with scores in
// the Redis of REDIS_URL (CI's real server) or, without it, a miniredis
// reached over TCP like a real one.
func TestEndToEnd(t *testing.T) {
	url, id := e2eStore(t)
	config := writeConfig(t, strings.Replace(bottest.ConfigYAML, "days: 15", "days: 15\n  id: "+id, 1))

	loc, _ := time.LoadLocation("Europe/Paris")
	clock := clockwork.NewFakeClockAt(time.Date(2027, 3, 22, 8, 30, 0, 0, loc))
	p := start(t, config, url, clock)

	p.say(t, "alice@equipe-routes: defi")
	p.waitFor(t, `\[#equipe-routes\] P\d+ La campagne .* commence le lundi 22 mars 2027`, 1)

	clock.Advance(30 * time.Minute) // 09:00: the scheduler posts the défi
	defis := p.waitFor(t, `\[#(equipe-[a-z]+)\] (P\d+) 🗂️ \*Défi du jour 1/15`, 3)
	routesDefi := ""
	for _, d := range defis {
		if d[1] == "equipe-routes" {
			routesDefi = d[2]
		}
	}

	p.say(t, "alice +white_check_mark "+routesDefi)
	p.say(t, "bob +white_check_mark "+routesDefi)
	p.say(t, "bob +white_check_mark "+routesDefi) // delivered twice
	p.say(t, "zoe +white_check_mark "+routesDefi) // not in a team
	p.say(t, "alice: moi")
	p.waitFor(t, `\[#general\] P\d+ \*alice\*, équipe Direction des routes\x{a0}: 1 défi`, 1)
	if got := participations(p.standings(t), "routes"); got != 2 {
		t.Fatalf("routes: %d défis done, want 2", got)
	}
	p.say(t, "bob -white_check_mark "+routesDefi)
	p.say(t, "bob: moi")
	p.waitFor(t, `\*bob\*, équipe Direction des routes\x{a0}: 0 défi`, 1)
	if got := participations(p.standings(t), "routes"); got != 1 {
		t.Fatalf("after a removal, routes: %d défis done, want 1", got)
	}

	p.say(t, "alice: mobilisation Tous au ménage !")
	p.waitFor(t, `\[#general\] P\d+ Désolé, la commande .mobilisation. est réservée`, 1)
	p.say(t, "dg: mobilisation Tous au ménage !")
	p.waitFor(t, `\[#equipe-[a-z]+\] P\d+ 📣 \*Appel à la mobilisation\* ⏎ Tous au ménage ! ⏎ — Claire Martin`, 3)
	p.say(t, "alice@equipe-routes: classement")
	p.waitFor(t, `\[#equipe-routes\] P\d+ 🏆 \*Classement aux points\* ⏎ 🥇 1\. Direction des routes`, 1)
	p.stop(t)

	// kill and restart the same day: nothing is posted twice, and reactions
	// on the posts of the first run still count.
	clock.Advance(2 * time.Hour)
	p2 := start(t, config, url, clock)
	p2.say(t, "carol +white_check_mark "+routesDefi)
	p2.say(t, "carol: moi")
	p2.waitFor(t, `\*carol\*, équipe Direction des routes\x{a0}: 1 défi`, 1)
	if n := strings.Count(p2.out.String(), "Défi du jour 1/15"); n != 0 {
		t.Errorf("the restarted bot posted the défi %d more times", n)
	}
	if got := participations(p2.standings(t), "routes"); got != 2 {
		t.Errorf("after restart, routes: %d défis done, want 2", got)
	}
	clock.Advance(6 * time.Hour) // 17:00: the recap
	p2.waitFor(t, `\[#equipe-[a-z]+\] P\d+ 📊 \*Bilan du jour 1/15\*`, 3)
	p2.waitFor(t, `\[pièce jointe\x{a0}: bilan-jour-1\.png — Graphique\x{a0}: Bilan du jour 1/15`, 3)

	// The restarted process counts what it did; the export wants its token.
	metrics := p2.get(t, "/metrics", 200)
	for _, want := range []string{
		`gigabot_posts_sent_total{kind="recap"} 3`, `gigabot_posts_sent_total{kind="reply"} 1`,
		`gigabot_commands_total{command="moi"} 1`, `gigabot_redis_command_duration_seconds_count{command="evalsha"}`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if body := p2.get(t, "/api/v1/export.csv", 401); !strings.Contains(body, "GIGABOT_API_TOKEN") {
		t.Errorf("export without a token configured: %s", body)
	}
	p2.stop(t)

	// The live scores match what the audit stream replays.
	var out, errOut bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return map[string]string{"REDIS_URL": url}[k] }}
	if code := m.Run(context.Background(), []string{"audit", "--config", config}); code != 0 || !strings.Contains(out.String(), "audit OK") {
		t.Errorf("audit exited %d:\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "routes") || !strings.Contains(out.String(), "défis      2") {
		t.Errorf("audit output:\n%s", out.String())
	}
}

// TestJSONLogs: with GIGABOT_LOG_FORMAT=json every log line is a JSON
// object, and no secret appears in them.
func TestJSONLogs(t *testing.T) {
	config := writeConfig(t, bottest.ConfigYAML)
	env := map[string]string{"GIGABOT_LOG_FORMAT": "json", "GIGABOT_LOG_LEVEL": "debug", "GIGABOT_PLATFORM": "slack",
		"SLACK_BOT_TOKEN": "xoxp-secret-user-token", "GIGABOT_HTTP_ADDR": "127.0.0.1:0"}
	var out, errOut bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
	if code := m.Run(context.Background(), []string{"run", "--config", config}); code != 1 {
		t.Fatalf("exit %d, want 1 (a user token)", code)
	}
	logs := 0
	for line := range strings.Lines(errOut.String()) {
		if !strings.HasPrefix(line, "{") {
			continue // the final error, for a person
		}
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil || entry["level"] == nil || entry["msg"] == nil {
			t.Errorf("not a JSON log entry (%v): %s", err, line)
		}
		logs++
	}
	if logs == 0 || strings.Contains(errOut.String(), "secret-user-token") {
		t.Errorf("%d JSON entries; stderr:\n%s", logs, errOut.String())
	}
}

func TestRunRefusesBadPlatformSettings(t *testing.T) {
	config := writeConfig(t, bottest.ConfigYAML)
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"unknown platform", map[string]string{"GIGABOT_PLATFORM": "teams"}, `unknown platform "teams"`},
		{"slack without a token", map[string]string{"GIGABOT_PLATFORM": "slack"}, "SLACK_BOT_TOKEN"},
		{"slack with a user token", map[string]string{"GIGABOT_PLATFORM": "slack", "SLACK_BOT_TOKEN": "xoxp-123", "SLACK_APP_TOKEN": "xapp-1"}, "xoxb-"},
		{"mattermost without a URL", map[string]string{"GIGABOT_PLATFORM": "mattermost"}, "MATTERMOST_URL"},
		{"bad scanner secret", map[string]string{"GIGABOT_SCANNER_SECRET": "short"}, "GIGABOT_SCANNER_SECRET is shorter than 16"},
		{"bad API token", map[string]string{"GIGABOT_API_TOKEN": "short"}, "GIGABOT_API_TOKEN is shorter than 16"},
		{"API token twice", map[string]string{"GIGABOT_API_TOKEN": "long-enough-token-1234", "GIGABOT_API_TOKEN_FILE": "/x"}, "set GIGABOT_API_TOKEN or GIGABOT_API_TOKEN_FILE, not both"},
		{"unknown log format", map[string]string{"GIGABOT_LOG_FORMAT": "JSON"}, `GIGABOT_LOG_FORMAT: unknown format "JSON" (use text or json)`},
		{"unknown log level", map[string]string{"GIGABOT_LOG_LEVEL": "loud"}, `GIGABOT_LOG_LEVEL: "loud" is not a level`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			tt.env["GIGABOT_HTTP_ADDR"] = "127.0.0.1:0"
			m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return tt.env[k] }}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if code := m.Run(ctx, []string{"run", "--config", config}); code != 1 || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant %q", code, errOut.String(), tt.want)
			}
		})
	}
}
