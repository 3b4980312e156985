package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scanner"
)

// countingTransport counts the answers of 500 and above that the scanner
// met (and resent).
type countingTransport struct{ failed atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || resp.StatusCode >= 500 {
		c.failed.Add(1)
	}
	return resp, err
}

// TestTwoReplicasPlayADay runs two "gigabot run" replicas on one store and
// plays a campaign's first day through both: the défi, reactions delivered
// to one replica or to both, signed scan reports sent to either (some to
// both), the milestones they cross. Each défi and each milestone is posted
// once per channel, every reaction and report counted once, and both
// replicas answer the same standings. CI runs it on a single Redis, on
// Sentinel and on Cluster; on Sentinel with GIGABOT_FAILOVER_TEST=kill the
// master is killed (kill -9) in the middle of the flow: reactions wait in
// the bots' queues, reports are answered 503 and resent, and nothing
// acknowledged is lost (the store waits for a replica, redis.Durability).
func TestTwoReplicasPlayADay(t *testing.T) {
	env := map[string]string{"GIGABOT_SCANNER_SECRET": "0123456789abcdef0123456789abcdef"}
	store := "miniredis"
	for _, name := range []string{redis.EnvURL, redis.EnvSentinelURL, redis.EnvClusterURL} {
		if v := os.Getenv(name); v != "" {
			env[name], store = v, name
		}
	}
	if store == "miniredis" {
		env[redis.EnvURL] = "redis://" + miniredis.RunT(t).Addr()
	}
	kill := store == redis.EnvSentinelURL && os.Getenv("GIGABOT_FAILOVER_TEST") == "kill"
	rdb, err := redis.Open(context.Background(), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	id := redistest.Campaign(t)
	t.Cleanup(func() { redistest.Drop(rdb, id) })

	const perTeam = 20
	teams := []struct{ id, name, channel, prefix string }{
		{"routes", "Direction des routes", "equipe-routes", "r"},
		{"colleges", "Direction des collèges", "equipe-colleges", "c"},
		{"culture", "Culture et patrimoine", "equipe-culture", "u"},
	}
	var yaml strings.Builder
	fmt.Fprintf(&yaml, "campaign:\n  id: %s\n  name: Giga Déstockage à deux\n  start: 2027-03-22\n  days: 15\nteams:\n", id)
	for _, tm := range teams {
		var members []string
		for i := range perTeam {
			members = append(members, fmt.Sprintf("%s%02d", tm.prefix, i))
		}
		fmt.Fprintf(&yaml, "  - {id: %s, name: %s, channel: %s, members: [%s]}\n", tm.id, tm.name, tm.channel, strings.Join(members, ", "))
	}
	yaml.WriteString("roles: {dgs: [dg], coordinators: [coord]}\ndisplay_names: {dg: Claire Martin}\nmilestones:\n  thresholds: [2 Go, 4 Go]\n  every: 0\n")
	config := writeConfig(t, yaml.String())

	loc, _ := time.LoadLocation("Europe/Paris")
	clock := clockwork.NewFakeClockAt(time.Date(2027, 3, 22, 8, 30, 0, 0, loc))
	p1 := startWith(t, config, clock, env)
	p2 := startWith(t, config, clock, env)
	replicas := []*process{p1, p2}

	transport := &countingTransport{}
	send := func(p *process, r scanner.Report) string {
		t.Helper()
		url, err := scanner.IntakeURL("http://" + p.addr)
		if err != nil {
			t.Fatal(err)
		}
		c := scanner.Client{URL: url, Secret: []byte(env["GIGABOT_SCANNER_SECRET"]), HTTP: &http.Client{Transport: transport, Timeout: 10 * time.Second},
			Attempts: 200, Backoff: 20 * time.Millisecond, Now: clock.Now}
		status, err := c.Send(context.Background(), r)
		if err != nil {
			t.Fatalf("send %s: %v", r.ScanID, err)
		}
		return status
	}
	const gb, roots = int64(1_000_000_000), perTeam // a report per step of the flow
	report := func(team string, root int, scan string, at time.Time, bytes int64) scanner.Report {
		return scanner.Report{ScanID: scan, Team: team, Source: "share", Root: fmt.Sprintf("/srv/%s/%d", team, root),
			ScannedAt: at, Files: 1000, Bytes: bytes}
	}
	// The baselines, the evening before: each report sent to both replicas,
	// as a scanner retrying through a load balancer would.
	for _, tm := range teams {
		for root := range roots {
			r := report(tm.id, root, fmt.Sprintf("base-%s-%d", tm.id, root), time.Date(2027, 3, 21, 19, 0, 0, 0, loc), 10*gb)
			if a, b := send(p1, r), send(p2, r); a != "accepted" || b != "duplicate" {
				t.Fatalf("baseline %s: %s then %s, want accepted then duplicate", r.ScanID, a, b)
			}
		}
	}

	clock.Advance(30 * time.Minute) // 09:00: both schedulers are due
	defis := map[string]string{}
	for _, m := range waitForOutputs(t, `\[#(equipe-[a-z]+)\] (P\d+) 🗂️ \*Défi du jour 1/15`, len(teams), p1, p2) {
		defis[m[1]] = m[2]
	}

	// Reactions and the day's reports flow to both replicas; the master
	// dies a third of the way when asked.
	var pid int
	if kill {
		pid = masterPID(t, env)
	}
	var killed time.Time
	total := perTeam * len(teams)
	for i := range total {
		tm := teams[i%len(teams)]
		agent := fmt.Sprintf("%s%02d", tm.prefix, i/len(teams))
		line := agent + " +white_check_mark " + defis[tm.channel]
		replicas[i%2].say(t, line)
		if i%3 == 0 { // delivered to the other replica too
			replicas[(i+1)%2].say(t, line)
		}
		if kill && i == total/3 {
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatalf("kill -9 the master (pid %d): %v", pid, err)
			}
			killed = time.Now()
		}
		// One root's report of the day per step.
		r := report(tm.id, i/len(teams), fmt.Sprintf("day1-%s-%d", tm.id, i/len(teams)), clock.Now(), 9*gb)
		// A report the master recorded but its replicas did not confirm
		// in time is answered 503; resent, it is recognised: "duplicate".
		if status := send(replicas[i%2], r); status != "accepted" && (status != "duplicate" || transport.failed.Load() == 0) {
			t.Fatalf("report %s: %s, want accepted", r.ScanID, status)
		}
		if i%4 == 0 {
			if status := send(replicas[(i+1)%2], r); status != "duplicate" {
				t.Fatalf("report %s again: %s, want duplicate", r.ScanID, status)
			}
		}
	}
	back := time.Now()

	// Every reaction and report counted once, as both replicas read it.
	deadline := time.Now().Add(time.Minute)
	for {
		s1, s2 := p1.standings(t), p2.standings(t)
		done := reflect.DeepEqual(s1, s2) && s1.TotalFreedBytes == int64(len(teams)*roots)*gb
		for _, tm := range teams {
			done = done && participations(s1, tm.id) == perTeam
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a minute the replicas answer\n%+v\nand\n%+v\nwant %d défis per team and %d bytes freed",
				s1, s2, perTeam, int64(len(teams)*roots)*gb)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The milestones, once per channel, whichever replica announced them.
	waitForOutputs(t, `\[#equipe-[a-z]+\] P\d+ 🎉 \*Palier franchi\x{a0}: 4\x{a0}Go libérés`, len(teams), p1, p2)
	for _, p := range replicas {
		p.say(t, "coord: classement")
	}
	waitForOutputs(t, `🏆 \*Classement aux points\*`, 2, p1, p2) // both replicas read their input up to here
	out := p1.out.String() + p2.out.String()
	for _, tm := range teams {
		for _, want := range []string{"🗂️ *Défi du jour 1/15", "🎉 *Palier franchi\u00a0: 2\u00a0Go", "🎉 *Palier franchi\u00a0: 4\u00a0Go"} {
			if countPosts(out, tm.channel, want) > 1 {
				t.Errorf("#%s: %q posted %d times, want at most once", tm.channel, want, countPosts(out, tm.channel, want))
			}
		}
		if n := countPosts(out, tm.channel, "🗂️ *Défi du jour 1/15"); n != 1 {
			t.Errorf("#%s: the défi posted %d times, want once", tm.channel, n)
		}
	}
	for _, p := range replicas {
		p.stop(t)
	}
	if kill {
		t.Logf("master killed mid-flow; the flow ended %v after the kill; %d scan requests answered 5xx or unanswered, resent; %d reactions and %d reports acknowledged, all counted once",
			back.Sub(killed).Round(time.Millisecond), transport.failed.Load(), total, len(teams)*roots)
	} else if transport.failed.Load() > 0 && store != redis.EnvSentinelURL {
		// (On Sentinel a slow replica may make a write wait past its
		// timeout: a 503, resent, as designed.)
		t.Errorf("%d scan requests failed without a failover", transport.failed.Load())
	}
	var outBuf, errBuf strings.Builder
	m := &Main{Stdout: &outBuf, Stderr: &errBuf, Getenv: func(k string) string { return env[k] }}
	if code := m.Run(context.Background(), []string{"audit", "--config", config}); code != 0 || !strings.Contains(outBuf.String(), "audit OK") {
		t.Errorf("audit exited %d:\n%s%s", code, outBuf.String(), errBuf.String())
	}
}

// countPosts counts the posts in channel whose text starts with text.
func countPosts(out, channel, text string) int {
	n := 0
	for _, line := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(line, "[#"+channel+"] P")
		if !ok {
			continue
		}
		if _, after, ok := strings.Cut(rest, " "); ok && strings.HasPrefix(after, text) {
			n++
		}
	}
	return n
}

// masterPID is the process id of the master that the environment's Redis
// names (INFO server).
func masterPID(t *testing.T, env map[string]string) int {
	t.Helper()
	rdb, err := redis.Open(context.Background(), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	info, err := rdb.Info(context.Background(), "server").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "process_id:"); ok {
			pid, err := strconv.Atoi(v)
			if err == nil {
				return pid
			}
		}
	}
	t.Fatal("INFO server has no process_id")
	return 0
}
