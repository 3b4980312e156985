package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/internal/safebuf"
)

// TestReloadOnHangup runs "gigabot run" on the console and sends it
// SIGHUP: a roster file that gained an agent is taken at once; a bad roster
// file and a config of another campaign are refused, their errors logged,
// and the running config kept. Then a coordinator postpones the day.
func TestReloadOnHangup(t *testing.T) {
	url, id := e2eStore(t)
	dir := t.TempDir()
	roster := filepath.Join(dir, "agents.csv")
	write := func(path, text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	yaml := strings.Replace(bottest.ConfigYAML, "days: 15", "days: 15\n  id: "+id, 1) + "roster: agents.csv\n"
	config := filepath.Join(dir, "campaign.yaml")
	write(config, yaml)
	write(roster, "user;team\nzoe;culture\n")

	loc, _ := time.LoadLocation("Europe/Paris")
	clock := clockwork.NewFakeClockAt(time.Date(2027, 3, 22, 9, 30, 0, 0, loc))
	inR, inW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	logs := &safebuf.Buffer{}
	p := &process{in: inW, out: &safebuf.Buffer{}, cancel: cancel, done: make(chan int, 1)}
	env := map[string]string{"REDIS_URL": url, "GIGABOT_HTTP_ADDR": "127.0.0.1:0"}
	m := &Main{Stdin: inR, Stdout: p.out, Stderr: logs, Getenv: func(k string) string { return env[k] }, Clock: clock, Ready: ready}
	go func() { p.done <- m.Run(ctx, []string{"run", "--config", config}) }()
	select {
	case p.addr = <-ready:
	case <-time.After(10 * time.Second):
		t.Fatalf("gigabot run did not start:\n%s", logs)
	}
	defer p.stop(t)
	hangup := func(logged string, n int) {
		t.Helper()
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		bottest.Eventually(t, logged, func() bool { return strings.Count(logs.String(), logged) >= n })
	}

	defis := p.waitFor(t, `\[#equipe-culture\] (P\d+) 🗂️ \*Défi du jour 1/15`, 1)
	culture := defis[0][1]
	p.say(t, "zoe +white_check_mark "+culture)
	p.say(t, "henri +white_check_mark "+culture) // not in the roster yet
	p.say(t, "zoe: moi")
	p.waitFor(t, `\*zoe\*, équipe Culture et patrimoine\x{a0}: 1 défi`, 1)
	if got := participations(p.standings(t), "culture"); got != 1 {
		t.Fatalf("culture: %d défis done, want zoe's", got)
	}

	write(roster, "user;team\nzoe;culture\nhenri;culture\n")
	hangup("configuration reloaded", 1)
	p.say(t, "henri +white_check_mark "+culture)
	p.say(t, "henri: moi")
	p.waitFor(t, `\*henri\*, équipe Culture et patrimoine\x{a0}: 1 défi`, 1)

	write(roster, "user;team\nzoe;culture\nhenri;finances\n")
	hangup("configuration refused", 1)
	if !strings.Contains(logs.String(), `roster: agents.csv:3: unknown team \"finances\"`) {
		t.Errorf("the refusal does not name the bad row:\n%s", logs)
	}
	write(roster, "user;team\nzoe;culture\nhenri;culture\n")
	write(config, strings.Replace(yaml, "id: "+id, "id: autre-campagne", 1))
	hangup("configuration refused", 2)
	if !strings.Contains(logs.String(), "campaign.id changed") {
		t.Errorf("a change of campaign.id is not refused:\n%s", logs)
	}
	p.say(t, "henri: moi") // the running config (with henri) is kept
	p.waitFor(t, `\*henri\*, équipe Culture et patrimoine\x{a0}: 1 défi`, 2)
	if got := participations(p.standings(t), "culture"); got != 2 {
		t.Errorf("culture: %d défis done, want 2", got)
	}

	p.say(t, "coord: reporter grève")
	p.waitFor(t, `\[#equipe-[a-z]+\] P\d+ ⏸️ \*Le défi du jour 1 est reporté\*`, 3)
	p.waitFor(t, `\[#general\] P\d+ C’est fait\x{a0}: le défi du jour 1 aura lieu le mardi 23 mars 2027`, 1)
	p.say(t, "alice: programme")
	p.waitFor(t, `1\. mardi 23 mars 2027`, 1)
}

// A swap asked for from a scheduled run (another replica's postponement,
// read by Refresh each minute) restarts the scheduler without waiting for
// that very run to end, and the new scheduler runs.
func TestScheduleRestartFromARun(t *testing.T) {
	cfg, err := challenges.Parse([]byte(bottest.ConfigYAML))
	if err != nil {
		t.Fatal(err)
	}
	cal, err := challenges.NewCalendar(cfg)
	if err != nil {
		t.Fatal(err)
	}
	clock := clockwork.NewFakeClockAt(cal.At(1, challenges.ClockTime{Hour: 10}))
	runs := make(chan int, 10)
	restarted := make(chan struct{})
	n := 0
	var s *schedule
	s = &schedule{clock: clock, log: slog.New(slog.DiscardHandler), run: func(context.Context) {
		n++
		if n == 1 {
			s.restart(func() *challenges.Calendar { return cal }, restarted)
		}
		runs <- n
	}}
	if err := s.start(cal); err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	next := func(want int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := clock.BlockUntilContext(ctx, 1); err != nil {
			t.Fatalf("no timer armed: %v", err)
		}
		clock.Advance(time.Minute)
		select {
		case got := <-runs:
			if got != want {
				t.Fatalf("run %d, want %d", got, want)
			}
		case <-ctx.Done():
			t.Fatalf("run %d never came", want)
		}
	}
	next(1)
	select {
	case <-restarted:
	case <-time.After(10 * time.Second):
		t.Fatal("the scheduler was not restarted: it waited for the run that asked for it")
	}
	next(2)
}
