package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// composeProject loads the repository's docker-compose.yml as Compose
// itself does (compose-go), in a copy of the repository layout where
// deploy/gigabot.env holds envFile (absent when envFile is empty); opts
// add to the loading (profiles, the shell's variables).
func composeProject(t *testing.T, envFile string, opts ...cli.ProjectOptionsFn) (*types.Project, error) {
	t.Helper()
	dir := t.TempDir()
	compose, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "deploy"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"docker-compose.yml": string(compose), "deploy/campaign.yaml": "# mounted, not read here\n"}
	if envFile != "" {
		files["deploy/gigabot.env"] = envFile
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// No shell environment: what the service gets must come from the files.
	po, err := cli.NewProjectOptions([]string{filepath.Join(dir, "docker-compose.yml")},
		append([]cli.ProjectOptionsFn{cli.WithWorkingDirectory(dir), cli.WithName("gigabot"), cli.WithEnv(nil)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return po.LoadProject(context.Background())
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// uncomment returns the env example with one block uncommented as the
// example tells an admin to: from the "## ---- title" line to the next blank
// line, the first "#" of each line and the space after it removed.
func uncomment(example, title string) string {
	var b strings.Builder
	in := false
	for line := range strings.Lines(example) {
		switch {
		case strings.HasPrefix(line, "## ---- "+title):
			in = true
		case strings.TrimSpace(line) == "":
			in = false
		}
		if rest, ok := strings.CutPrefix(line, "#"); in && ok {
			line = strings.TrimPrefix(rest, " ")
		}
		b.WriteString(line)
	}
	return b.String()
}

// TestComposeEnvironment checks the environment Compose gives the gigabot
// service: deploy/gigabot.env chooses the platform, docker-compose.yml
// keeps the facts of its own network (Redis, the listening address). Where
// platform is set, "gigabot run" must accept that environment for it.
func TestComposeEnvironment(t *testing.T) {
	const unset = "<unset>"
	example := readFile(t, "../../deploy/gigabot.env.example")
	tests := []struct {
		name     string
		envFile  string
		want     map[string]string
		platform string // what platformFromEnv chooses; empty: not checked
		warn     string // a warning names this
		wantErr  string
	}{
		{"slack in the env file", readFile(t, "testdata/compose/slack.env"), map[string]string{
			"GIGABOT_PLATFORM": "slack", "SLACK_BOT_TOKEN": "xoxb-test-bot-token", "SLACK_APP_TOKEN": "xapp-test-app-token",
			"REDIS_URL": "redis://redis:6379/0", "GIGABOT_HTTP_ADDR": "0.0.0.0:8080",
		}, "slack", "", ""},
		{"mattermost in the env file", readFile(t, "testdata/compose/mattermost.env"), map[string]string{
			"GIGABOT_PLATFORM": "mattermost", "MATTERMOST_TEAM": "cd14", "REDIS_URL": "redis://redis:6379/0",
		}, "mattermost", "", ""},
		{"the env file cannot move Redis or the address", readFile(t, "testdata/compose/moves-redis.env"), map[string]string{
			"GIGABOT_PLATFORM": "slack", "REDIS_URL": "redis://redis:6379/0", "GIGABOT_HTTP_ADDR": "0.0.0.0:8080",
		}, "", "", ""},
		{"the example as shipped runs the console", example, map[string]string{
			"GIGABOT_PLATFORM": unset, "SLACK_BOT_TOKEN": unset, "MATTERMOST_URL": unset, "REDIS_URL": "redis://redis:6379/0",
		}, "console", "", ""},
		{"the example's Slack block uncommented", uncomment(example, "Slack"), map[string]string{
			"GIGABOT_PLATFORM": "slack", "SLACK_BOT_TOKEN": "xoxb-…", "SLACK_APP_TOKEN": "xapp-…", "MATTERMOST_URL": unset,
		}, "slack", "", ""},
		{"the example's Mattermost block uncommented", uncomment(example, "Mattermost"), map[string]string{
			"GIGABOT_PLATFORM": "mattermost", "MATTERMOST_URL": "https://mattermost.example.fr", "SLACK_BOT_TOKEN": unset,
		}, "mattermost", "", ""},
		{"both blocks uncommented: the last wins, with a warning", uncomment(uncomment(example, "Slack"), "Mattermost"), map[string]string{
			"GIGABOT_PLATFORM": "mattermost",
		}, "mattermost", "SLACK_BOT_TOKEN", ""},
		{"no env file", "", nil, "", "", "gigabot.env"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := composeProject(t, tt.envFile)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one naming %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			svc, err := p.GetService("gigabot")
			if err != nil {
				t.Fatal(err)
			}
			for k, want := range tt.want {
				got := unset
				if v, ok := svc.Environment[k]; ok && v != nil {
					got = *v
				}
				if got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if tt.platform == "" {
				return
			}
			var logs bytes.Buffer
			getenv := func(k string) string {
				if v := svc.Environment[k]; v != nil {
					return *v
				}
				return ""
			}
			got, err := platformFromEnv(getenv, slog.New(slog.NewTextHandler(&logs, nil)))
			if got != tt.platform || err != nil {
				t.Errorf("gigabot run would choose %q, %v; want %q", got, err, tt.platform)
			}
			switch warned := strings.Contains(logs.String(), "level=WARN"); {
			case tt.warn == "" && warned:
				t.Errorf("unexpected warning:\n%s", logs.String())
			case tt.warn != "" && (!warned || !strings.Contains(logs.String(), tt.warn)):
				t.Errorf("no warning names %s:\n%s", tt.warn, logs.String())
			}
		})
	}
}
