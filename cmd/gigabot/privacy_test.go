package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
)

// gigabot runs one command of the program against the Redis at url and
// returns its exit status, stdout and stderr.
func gigabot(t *testing.T, url string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return map[string]string{"REDIS_URL": url}[k] }}
	code := m.Run(context.Background(), args)
	return code, out.String(), errOut.String()
}

// TestPrivacyEndToEnd: agents react and a coordinator corrects on the
// console; `privacy export` prints what is kept about each, `privacy
// erase` replaces a name everywhere and `audit` still passes with the
// same figures; bad arguments change nothing; once the retention period
// is over, the running bot erases everyone, team figures kept.
func TestPrivacyEndToEnd(t *testing.T) {
	url, id := e2eStore(t)
	rdb, err := redis.Connect(context.Background(), url) // the bot's own Redis, embedded or real
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	config := writeConfig(t, strings.Replace(bottest.ConfigYAML, "days: 15", "days: 15\n  id: "+id+"\n  retention_days: 30", 1))

	loc, _ := time.LoadLocation("Europe/Paris")
	clock := clockwork.NewFakeClockAt(time.Date(2027, 3, 22, 8, 59, 0, 0, loc))
	p := start(t, config, url, clock)
	clock.Advance(time.Minute)
	defis := p.waitFor(t, `\[#equipe-routes\] (P\d+) 🗂️ \*Défi du jour 1/15`, 1)
	for _, user := range []string{"alice", "bob"} {
		p.say(t, user+" +white_check_mark "+defis[0][1])
	}
	p.say(t, "coord: correction culture 3 rangement du local")
	p.waitFor(t, `Correction`, 1)
	p.say(t, "alice: moi")
	p.waitFor(t, `\*alice\*, équipe Direction des routes\x{a0}: 1 défi`, 1)
	p.stop(t)

	code, audit, stderr := gigabot(t, url, "audit", "--config", config)
	if code != 0 {
		t.Fatalf("audit exited %d: %s%s", code, audit, stderr)
	}
	snapshot := func() string {
		t.Helper()
		keys, err := redistest.Keys(context.Background(), rdb, "gigabot:{"+id+"}:*")
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, k := range keys {
			v, _ := rdb.Dump(context.Background(), k).Result()
			b.WriteString(k + "=" + v + "\n")
		}
		return b.String()
	}

	// Bad arguments: a clear error, nothing changed.
	before := snapshot()
	if !strings.Contains(before, "alice") || !strings.Contains(before, ":reacts=") {
		t.Fatalf("the store's dump does not hold the campaign's facts (is it the bot's Redis?):\n%s", before)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"privacy"}, "privacy export --config FILE USER"},
		{[]string{"privacy", "delete", "--config", config, "alice"}, "privacy erase --config FILE USER"},
		{[]string{"privacy", "erase", "alice"}, "--config FILE is required"},
		{[]string{"privacy", "erase", "--config", config}, "want one USER"},
		{[]string{"privacy", "erase", "--config", config, "alice", "bob"}, "want one USER"},
		{[]string{"privacy", "erase", "alice", "--config", config}, "want one USER"},
		{[]string{"privacy", "erase", "--config", config, ""}, "USER is empty"},
		{[]string{"privacy", "erase", "--config", config, "alice:P1"}, "not a user name"},
		{[]string{"privacy", "erase", "--config", config, "@dave:example.fr"}, `nothing is kept about "@dave:example.fr"`},
		{[]string{"privacy", "erase", "--config", config, "al ice"}, "not a user name"},
		{[]string{"privacy", "erase", "--config", config, "alicia"}, `nothing is kept about "alicia"`},
		{[]string{"privacy", "export", "--config", config, "alicia"}, `nothing is kept about "alicia"`},
		{[]string{"privacy", "erase", "--config", config + ".missing", "alice"}, "no such file"},
		{[]string{"privacy", "erase", "--konfig", config, "alice"}, "flag provided but not defined"},
	} {
		code, out, stderr := gigabot(t, url, tt.args...)
		if code == 0 || !strings.Contains(stderr, tt.want) || out != "" {
			t.Errorf("gigabot %q: exit %d, stdout %q, stderr %q; want an error mentioning %q", tt.args, code, out, stderr, tt.want)
		}
	}
	if code, _, stderr := gigabot(t, "", "privacy", "erase", "--config", config, "alice"); code == 0 || !strings.Contains(stderr, "REDIS_URL") {
		t.Errorf("erase without a Redis: exit %d, %s", code, stderr)
	}
	if snapshot() != before {
		t.Fatal("a refused command changed the store")
	}

	// Export: every key and log entry that names alice, and her place in the config.
	code, out, stderr := gigabot(t, url, "privacy", "export", "--config", config, "alice")
	if code != 0 {
		t.Fatalf("export exited %d: %s", code, stderr)
	}
	var export struct {
		User, Campaign string
		Keys           []struct{ Key, Field, Value string }
		Log            []struct {
			ID     string
			Fields [][]string
		}
		Config struct{ Team string }
	}
	if err := json.Unmarshal([]byte(out), &export); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, out)
	}
	if export.User != "alice" || export.Campaign != id || export.Config.Team != "routes" || len(export.Log) != 1 || len(export.Keys) < 3 {
		t.Errorf("export of alice:\n%s", out)
	}
	code, out, _ = gigabot(t, url, "privacy", "export", "--config", config, "coord")
	if code != 0 || !strings.Contains(out, `"by"`) || !strings.Contains(out, "corrlog") || !strings.Contains(out, "coordinators") {
		t.Errorf("export of coord (exit %d) lacks the correction:\n%s", code, out)
	}

	// Erase: the names go, the figures and the audit stay.
	for _, user := range []string{"alice", "coord"} {
		code, out, stderr = gigabot(t, url, "privacy", "erase", "--config", config, user)
		if code != 0 || !strings.Contains(out, user+" erased") || !strings.Contains(out, "still in the configuration") {
			t.Fatalf("erase %s: exit %d\n%s%s", user, code, out, stderr)
		}
	}
	if d := snapshot(); strings.Contains(d, "alice") || strings.Contains(d, "coord") {
		t.Error("a key of the store still names alice or coord")
	}
	code, after, stderr := gigabot(t, url, "audit", "--config", config)
	if code != 0 || after != audit {
		t.Errorf("audit after the erasure: exit %d\n%s%s\nbefore:\n%s", code, after, stderr, audit)
	}
	code, out, _ = gigabot(t, url, "privacy", "export", "--config", config, "alice")
	if code != 0 || !regexp.MustCompile(`"pseudonym": "anon-[0-9a-f]{16}"`).MatchString(out) || strings.Contains(out, `"alice:`) {
		t.Errorf("export after the erasure (exit %d):\n%s", code, out)
	}

	// The retention period: 30 days after the last recap, the running bot
	// erases everyone; the figures stay.
	cfgEnd := time.Date(2027, 4, 12, 17, 0, 0, 0, loc).AddDate(0, 0, 30) // day 15 (Easter Monday skipped)
	clock.Advance(cfgEnd.Sub(clock.Now()) - time.Minute)
	p = start(t, config, url, clock)
	if code, out, _ := gigabot(t, url, "privacy", "export", "--config", config, "bob"); code != 0 || !strings.Contains(out, `"bob:`) {
		t.Errorf("bob's data was erased before the retention period ended:\n%s", out)
	}
	clock.Advance(2 * time.Minute)
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, out, stderr = gigabot(t, url, "privacy", "export", "--config", config, "bob")
		if code != 0 || strings.Contains(out, `"keys": []`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.stop(t)
	if code != 0 || !strings.Contains(out, `"keys": []`) || !strings.Contains(out, `"log": []`) || !strings.Contains(out, `"team": "routes"`) {
		t.Errorf("bob is still in the store after the retention period (exit %d):\n%s%s", code, out, stderr)
	}
	if d := snapshot(); strings.Contains(d, "bob") {
		t.Error("a key of the store still names bob")
	}
	if code, final, stderr := gigabot(t, url, "audit", "--config", config); code != 0 || final != audit {
		t.Errorf("audit after the retention erasure: exit %d\n%s%s", code, final, stderr)
	}
}
