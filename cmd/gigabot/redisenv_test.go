package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/gigabot/gigabot/bot/bottest"
)

// TestRedisVariables: gigabot run takes its store from exactly one of
// REDIS_URL, REDIS_SENTINEL_URL and REDIS_CLUSTER_URL; two is an error that
// names both, and an unusable URL is an error that names its variable and
// never shows its password. REDIS_WAIT_REPLICAS and REDIS_WAIT_TIMEOUT are
// checked too, and replicas cannot be waited for on the embedded store.
func TestRedisVariables(t *testing.T) {
	config := writeConfig(t, bottest.ConfigYAML)
	for _, tt := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"REDIS_URL": "redis://:s3cret@127.0.0.1:1/0", "REDIS_SENTINEL_URL": "redis://:s3cret@127.0.0.1:1?master_name=gigabot"},
			[]string{"REDIS_URL", "REDIS_SENTINEL_URL"}},
		{map[string]string{"REDIS_SENTINEL_URL": "redis://:s3cret@127.0.0.1:1?master_name=gigabot", "REDIS_CLUSTER_URL": "redis://:s3cret@127.0.0.1:1"},
			[]string{"REDIS_SENTINEL_URL", "REDIS_CLUSTER_URL"}},
		{map[string]string{"REDIS_SENTINEL_URL": "redis://:s3cret@127.0.0.1:1"}, []string{"REDIS_SENTINEL_URL", "master_name"}},
		{map[string]string{"REDIS_CLUSTER_URL": "redis://:s3cret@ho st:7000"}, []string{"REDIS_CLUSTER_URL"}},
		{map[string]string{"REDIS_WAIT_REPLICAS": "deux"}, []string{`REDIS_WAIT_REPLICAS="deux"`}},
		{map[string]string{"REDIS_WAIT_TIMEOUT": "10m"}, []string{`REDIS_WAIT_TIMEOUT="10m"`}},
		{map[string]string{"REDIS_WAIT_REPLICAS": "1"}, []string{"REDIS_WAIT_REPLICAS=1", "embedded"}},
	} {
		env := map[string]string{"GIGABOT_HTTP_ADDR": "127.0.0.1:0"}
		for k, v := range tt.env {
			env[k] = v
		}
		var out, errOut bytes.Buffer
		m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
		if code := m.Run(context.Background(), []string{"run", "--config", config}); code != 1 {
			t.Errorf("%v: exit %d, want 1\n%s", tt.env, code, errOut.String())
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(errOut.String(), w) {
				t.Errorf("%v: stderr does not name %s:\n%s", tt.env, w, errOut.String())
			}
		}
		if strings.Contains(out.String()+errOut.String(), "s3cret") {
			t.Errorf("%v: the password is in the output:\n%s%s", tt.env, out.String(), errOut.String())
		}
	}
}

// audit and check read the campaign's Redis wherever it is: a Sentinel or
// a Cluster URL alone is a real store, not "REDIS_URL is required" (the
// Cluster here: a dead Sentinel takes go-redis far longer to give up on).
func TestAuditAndCheckTakeEveryRedisVariable(t *testing.T) {
	config := writeConfig(t, bottest.ConfigYAML)
	env := map[string]string{"REDIS_CLUSTER_URL": "redis://:s3cret@127.0.0.1:1"}
	for _, cmd := range []string{"audit", "check"} {
		var out, errOut bytes.Buffer
		m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
		m.Run(context.Background(), []string{cmd, "--config", config})
		got := out.String() + errOut.String()
		if strings.Contains(got, "REDIS_URL is required") || strings.Contains(got, "REDIS_URL is not set") {
			t.Errorf("%s with REDIS_CLUSTER_URL only: %s", cmd, got)
		}
		if !strings.Contains(got, "REDIS_CLUSTER_URL") {
			t.Errorf("%s did not try the Cluster (its error names it): %s", cmd, got)
		}
		if strings.Contains(got, "s3cret") {
			t.Errorf("%s printed the password: %s", cmd, got)
		}
	}
}
