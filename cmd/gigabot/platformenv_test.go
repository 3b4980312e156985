package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/internal/safebuf"
)

// Every value below is a "secret": none may appear in a log or an error.
var (
	envSlackSocket = map[string]string{"GIGABOT_PLATFORM": "slack", "SLACK_BOT_TOKEN": "xoxb-secret-1", "SLACK_APP_TOKEN": "xapp-secret-2"}
	envSlackHTTP   = map[string]string{"GIGABOT_PLATFORM": "slack", "SLACK_BOT_TOKEN": "xoxb-secret-1", "SLACK_SIGNING_SECRET": "secret-3"}
	envMattermost  = map[string]string{"GIGABOT_PLATFORM": "mattermost", "MATTERMOST_URL": "https://mm.example.fr/secret-4",
		"MATTERMOST_TOKEN": "secret-5", "MATTERMOST_TEAM": "secret-6"}
	envMatrix = map[string]string{"GIGABOT_PLATFORM": "matrix", "MATRIX_HOMESERVER_URL": "https://matrix.example.fr/secret-10",
		"MATRIX_USER_ID": "@gigabot:secret-11", "MATRIX_ACCESS_TOKEN": "secret-12"}
)

// with returns env with the given changes; an empty value removes the key.
func with(env map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

func TestPlatformFromEnv(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		want     string   // the platform chosen; empty when refused
		errHas   []string // the refusal names these
		errLacks []string
		warnHas  []string // a warning names these
	}{
		{"unset runs the console", map[string]string{}, "console", nil, nil, nil},
		{"slack in Socket Mode", envSlackSocket, "slack", nil, nil, nil},
		{"slack in HTTP mode", envSlackHTTP, "slack", nil, nil, nil},
		{"mattermost", envMattermost, "mattermost", nil, nil, nil},
		{"mattermost without its command token", with(envMattermost, "MATTERMOST_COMMAND_TOKEN", ""), "mattermost", nil, nil, nil},
		{"slack without the bot token", with(envSlackSocket, "SLACK_BOT_TOKEN", ""), "",
			[]string{"GIGABOT_PLATFORM is slack", "SLACK_BOT_TOKEN"}, []string{"either"}, nil},
		{"slack with neither mode", with(envSlackSocket, "SLACK_APP_TOKEN", ""), "",
			[]string{"either SLACK_APP_TOKEN or SLACK_SIGNING_SECRET", "Socket Mode"}, []string{"SLACK_BOT_TOKEN,"}, nil},
		{"slack with nothing", map[string]string{"GIGABOT_PLATFORM": "slack"}, "",
			[]string{"SLACK_BOT_TOKEN, either SLACK_APP_TOKEN or SLACK_SIGNING_SECRET"}, nil, nil},
		{"a blank token is not a token", with(envSlackSocket, "SLACK_BOT_TOKEN", "  "), "", []string{"SLACK_BOT_TOKEN"}, nil, nil},
		{"mattermost without its team", with(envMattermost, "MATTERMOST_TEAM", ""), "",
			[]string{"MATTERMOST_TEAM", "docs/mattermost.md"}, []string{"MATTERMOST_URL", "MATTERMOST_TOKEN,"}, nil},
		{"mattermost with nothing", map[string]string{"GIGABOT_PLATFORM": "mattermost"}, "",
			[]string{"MATTERMOST_URL, MATTERMOST_TOKEN, MATTERMOST_TEAM"}, nil, nil},
		{"matrix with a token", envMatrix, "matrix", nil, nil, nil},
		{"matrix with a password", with(envMatrix, "MATRIX_ACCESS_TOKEN", "", "MATRIX_PASSWORD", "secret-13"), "matrix", nil, nil, nil},
		{"matrix with neither token nor password", with(envMatrix, "MATRIX_ACCESS_TOKEN", ""), "",
			[]string{"GIGABOT_PLATFORM is matrix", "either MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD", "docs/matrix.md"}, []string{"MATRIX_USER_ID"}, nil},
		{"matrix with nothing", map[string]string{"GIGABOT_PLATFORM": "matrix"}, "",
			[]string{"MATRIX_HOMESERVER_URL, MATRIX_USER_ID, either MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD"}, nil, nil},
		{"mattermost with a Matrix token left over", with(envMattermost, "MATRIX_ACCESS_TOKEN", "secret-14"), "mattermost", nil, nil,
			[]string{"other_platform=matrix", "MATRIX_ACCESS_TOKEN"}},
		{"unknown platform", map[string]string{"GIGABOT_PLATFORM": "teams"}, "",
			[]string{`unknown platform "teams"`, "console, slack, mattermost, matrix"}, nil, nil},
		{"the platform name is exact", map[string]string{"GIGABOT_PLATFORM": "Slack"}, "", []string{`unknown platform "Slack"`}, nil, nil},
		{"console with Slack tokens left over", with(envSlackSocket, "GIGABOT_PLATFORM", "console"), "console", nil, nil,
			[]string{"other_platform=slack", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"}},
		{"slack with Mattermost variables", with(envSlackHTTP, "MATTERMOST_URL", "https://mm/secret-7", "MATTERMOST_COMMAND_TOKEN", "secret-8"), "slack", nil, nil,
			[]string{"platform=slack", "other_platform=mattermost", "MATTERMOST_URL", "MATTERMOST_COMMAND_TOKEN"}},
		{"mattermost with a Slack API URL", with(envMattermost, "SLACK_API_URL", "https://slack.example/secret-9"), "mattermost", nil, nil,
			[]string{"other_platform=slack", "SLACK_API_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			got, err := platformFromEnv(func(k string) string { return tt.env[k] }, log)
			if got != tt.want {
				t.Errorf("platform %q, want %q (err %v)", got, tt.want, err)
			}
			if (err != nil) != (len(tt.errHas) > 0) {
				t.Fatalf("err %v, want one naming %q", err, tt.errHas)
			}
			text := logs.String()
			if err != nil {
				text += err.Error()
				for _, w := range tt.errHas {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				for _, w := range tt.errLacks {
					if strings.Contains(err.Error(), w) {
						t.Errorf("error %q names %q, which is set", err, w)
					}
				}
			} else if !strings.Contains(logs.String(), "level=INFO msg=\"chat platform\" platform="+tt.want) {
				t.Errorf("the platform is not logged:\n%s", logs.String())
			}
			var warnings string
			for line := range strings.Lines(logs.String()) {
				if strings.Contains(line, "level=WARN") {
					warnings += line
				}
			}
			if len(tt.warnHas) == 0 && warnings != "" {
				t.Errorf("unexpected warning:\n%s", warnings)
			}
			for _, w := range tt.warnHas {
				if !strings.Contains(warnings, w) {
					t.Errorf("no warning names %q:\n%s", w, logs.String())
				}
			}
			if strings.Contains(text, "secret-") {
				t.Errorf("a value leaked:\n%s", text)
			}
		})
	}
}

// TestRunChecksThePlatformFirst: "gigabot run" refuses an incomplete
// platform before it opens a store, and runs with a warning when another
// platform's variables are set.
func TestRunChecksThePlatformFirst(t *testing.T) {
	config := writeConfig(t, bottest.ConfigYAML)
	t.Run("refused before the store opens", func(t *testing.T) {
		env := with(envSlackSocket, "SLACK_BOT_TOKEN", "", "GIGABOT_HTTP_ADDR", "127.0.0.1:0")
		var out, errOut bytes.Buffer
		m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
		if code := m.Run(context.Background(), []string{"run", "--config", config}); code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		if !strings.Contains(errOut.String(), "gigabot: GIGABOT_PLATFORM is slack but these are not set: SLACK_BOT_TOKEN") {
			t.Errorf("stderr lacks the refusal:\n%s", errOut.String())
		}
		if strings.Contains(errOut.String(), "REDIS_URL is not set") || strings.Contains(errOut.String(), "secret-") {
			t.Errorf("the store was opened first, or a value leaked:\n%s", errOut.String())
		}
	})
	t.Run("the console warns about Slack tokens", func(t *testing.T) {
		env := with(envSlackSocket, "GIGABOT_PLATFORM", "", "GIGABOT_HTTP_ADDR", "127.0.0.1:0")
		errOut := &safebuf.Buffer{}
		ready := make(chan string, 1)
		m := &Main{Stdin: strings.NewReader(""), Stdout: &safebuf.Buffer{}, Stderr: errOut, Getenv: func(k string) string { return env[k] }, Ready: ready}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int, 1)
		go func() { done <- m.Run(ctx, []string{"run", "--config", config}) }()
		select {
		case <-ready:
		case code := <-done:
			t.Fatalf("exit %d before serving:\n%s", code, errOut.String())
		case <-time.After(10 * time.Second):
			t.Fatal("gigabot run did not start")
		}
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("exit %d", code)
		}
		logs := errOut.String()
		for _, want := range []string{`msg="chat platform" platform=console`, "other_platform=slack", "SLACK_BOT_TOKEN"} {
			if !strings.Contains(logs, want) {
				t.Errorf("logs lack %q:\n%s", want, logs)
			}
		}
		if strings.Contains(logs, "secret-") {
			t.Errorf("a value leaked:\n%s", logs)
		}
	})
}
