package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/scoring"
)

// fakeSlackDirectory answers the Slack Web API calls of the adapter's
// start-up: two of the three team channels exist, and some people.
func fakeSlackDirectory(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var out map[string]any
		switch strings.TrimPrefix(r.URL.Path, "/api/") {
		case "auth.test":
			out = map[string]any{"ok": true, "user_id": "UBOT", "team": "CD14"}
		case "conversations.list":
			out = map[string]any{"ok": true, "channels": []map[string]any{
				{"id": "C0ROUTES1", "name": "equipe-routes", "is_member": true},
				{"id": "C0COLLEGE", "name": "equipe-colleges", "is_member": true},
			}}
		case "users.list":
			var members []map[string]any
			for _, n := range []string{"alice", "bob", "carol", "dan", "emma", "farid", "gaby", "dg", "coord"} {
				members = append(members, map[string]any{"id": "U0" + strings.ToUpper(n), "name": n, "profile": map[string]any{}})
			}
			members = append(members, map[string]any{"id": "U0HENRI", "name": "henri", "profile": map[string]any{"email": "henri@cd14.fr"}})
			out = map[string]any{"ok": true, "members": members}
		case "users.lookupByEmail":
			out = map[string]any{"ok": false, "error": "users_not_found"}
		default:
			out = map[string]any{"ok": false, "error": "unknown_method"}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// gigabot check counts the agents, the roster file's among them, and,
// with a chat platform set, prints every name it could not resolve there.
func TestCheckRosterAndNames(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "agents.csv"), []byte("\ufeffuser;team\nhenri@cd14.fr;culture\nghost;routes\nnobody@cd14.fr;colleges\n"), 0o600)
	cfg := filepath.Join(dir, "campaign.yaml")
	os.WriteFile(cfg, []byte(bottest.ConfigYAML+"roster: agents.csv\n"), 0o600)
	srv := fakeSlackDirectory(t)
	env := map[string]string{
		"GIGABOT_PLATFORM": "slack", "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "0123456789abcdef0123456789abcdef",
		"SLACK_API_URL": srv.URL + "/api/",
	}
	var out, errOut bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
	if got := m.Run(context.Background(), []string{"check", "--config", cfg}); got != 0 {
		t.Fatalf("status %d\nstderr: %s", got, errOut.String())
	}
	for _, w := range []string{
		"3 teams, 10 agents", "agents: 10 (7 in the config, 3 from the roster file agents.csv)",
		"names on slack: 3 could not be resolved", `channel "equipe-culture": not found`,
		`user "ghost": matches no Slack user`, `user "nobody@cd14.fr": matches no Slack user`, "configuration OK",
	} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("stdout lacks %q:\n%s", w, out.String())
		}
	}
	if strings.Contains(out.String(), "henri") {
		t.Errorf("henri, found by e-mail, is reported:\n%s", out.String())
	}

	os.WriteFile(filepath.Join(dir, "agents.csv"), []byte("henri@cd14.fr;finances\n"), 0o600)
	out.Reset()
	errOut.Reset()
	if got := m.Run(context.Background(), []string{"check", "--config", cfg}); got != 1 || !strings.Contains(errOut.String(), `roster: agents.csv:1: unknown team "finances"`) {
		t.Errorf("a bad roster row: status %d, stderr %s", got, errOut.String())
	}
}

// gigabot check shows the calendar the running bot follows: the days
// coordinators postponed, read from the campaign's Redis, move it.
func TestCheckShowsPostponedDays(t *testing.T) {
	srv := miniredis.RunT(t)
	cfg := writeConfig(t, bottest.ConfigYAML)
	loaded, err := challenges.Parse([]byte(bottest.ConfigYAML))
	if err != nil {
		t.Fatal(err)
	}
	rdb := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	store := redis.NewStore(rdb, loaded.Campaign.ID)
	if _, err := store.Postpone(context.Background(), scoring.DefiPostponed{Date: "2027-03-23", Day: 2, By: "coord", Reason: "grève", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	env := map[string]string{"REDIS_URL": "redis://" + srv.Addr()}
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
	if got := m.Run(context.Background(), []string{"check", "--config", cfg}); got != 0 {
		t.Fatalf("status %d\nstderr: %s", got, errOut.String())
	}
	for _, w := range []string{"postponed days (reporter): 1", "2027-03-23  mardi 23 mars 2027", "skipped: défi reporté (grève)", "  2  2027-03-24", " 15  2027-04-13"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("stdout lacks %q:\n%s", w, out.String())
		}
	}
}
