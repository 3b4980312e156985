package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/internal/safebuf"
	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

// leftTeamStore returns the URL of a Redis (REDIS_URL's or an embedded
// one) and a campaign id in it where the team "archives", which is not in
// bottest.ConfigYAML, freed 10 Go and did a défi.
func leftTeamStore(t *testing.T) (url, id string) {
	t.Helper()
	url = os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://" + miniredis.RunT(t).Addr()
	}
	ctx := context.Background()
	rdb, err := redis.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	id = redistest.Campaign(t)
	t.Cleanup(func() { redistest.Drop(rdb, id) })
	store := redis.NewStore(rdb, id)
	paris, _ := time.LoadLocation("Europe/Paris")
	start := time.Date(2027, 3, 22, 0, 0, 0, 0, paris)
	rules := scoring.ScanRules{Start: start, HoldDrop: 0.5, Now: start.AddDate(0, 0, 1)}
	for _, sc := range []scoring.Scan{
		{ID: "a1", Team: "archives", Source: "share", Root: "/srv/archives", ScannedAt: start.Add(-time.Hour), Files: 100, Bytes: 100e9},
		{ID: "a2", Team: "archives", Source: "share", Root: "/srv/archives", ScannedAt: start.Add(20 * time.Hour), Files: 90, Bytes: 90e9},
	} {
		if _, err := store.RecordScan(ctx, sc, rules); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.React(ctx, scoring.Reaction{Agent: "zoe", Team: "archives", Day: 1, Post: "P1", At: start.Add(10 * time.Hour)}, true); err != nil {
		t.Fatal(err)
	}
	return url, id
}

// A team that holds figures in Redis but is no longer in the config is
// named by check, by run at start-up and by audit, which fails, until the
// config lists it in retired_teams.
func TestTeamsThatLeftTheConfig(t *testing.T) {
	url, id := leftTeamStore(t)
	withID := strings.Replace(bottest.ConfigYAML, "days: 15", "days: 15\n  id: "+id, 1)
	left := writeConfig(t, withID)
	retired := writeConfig(t, withID+"retired_teams: [archives]\n")
	withRedis := map[string]string{"REDIS_URL": url}
	tests := []struct {
		name    string
		command string
		config  string
		env     map[string]string
		status  int
		out     []string
	}{
		{"check names it", "check", left, withRedis, 1, []string{"archives", "retired_teams"}},
		{"check without Redis says it could not look", "check", left, nil, 0, []string{"REDIS_URL is not set", "configuration OK"}},
		{"check accepts it retired", "check", retired, withRedis, 0, []string{"retired team archives", "configuration OK"}},
		{"audit fails on it", "audit", left, withRedis, 1, []string{"archives", "not in the config", "retired_teams"}},
		{"audit checks it retired", "audit", retired, withRedis, 0, []string{"archives", "retired", "freed      10000000000", "audit OK"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			m := &Main{Stdout: &out, Stderr: &out, Getenv: func(k string) string { return tt.env[k] }}
			if code := m.Run(context.Background(), []string{tt.command, "--config", tt.config}); code != tt.status {
				t.Errorf("exit %d, want %d:\n%s", code, tt.status, out.String())
			}
			for _, w := range tt.out {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}

	t.Run("run warns at start-up", func(t *testing.T) {
		logs := &safebuf.Buffer{}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ready := make(chan string, 1)
		env := map[string]string{"REDIS_URL": url, "GIGABOT_HTTP_ADDR": "127.0.0.1:0"}
		m := &Main{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: logs, Getenv: func(k string) string { return env[k] },
			Clock: clockwork.NewFakeClockAt(time.Date(2027, 3, 23, 8, 0, 0, 0, time.UTC)), Ready: ready}
		done := make(chan int, 1)
		go func() { done <- m.Run(ctx, []string{"run", "--config", left}) }()
		select {
		case <-ready:
		case code := <-done:
			t.Fatalf("run exited %d:\n%s", code, logs.String())
		case <-time.After(10 * time.Second):
			t.Fatal("run did not start")
		}
		cancel()
		<-done
		if s := logs.String(); !strings.Contains(s, "level=WARN") || !strings.Contains(s, "archives") || !strings.Contains(s, "retired_teams") {
			t.Errorf("no warning naming archives at start-up:\n%s", s)
		}
	})
}
