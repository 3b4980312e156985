package mattermost

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/internal/safebuf"
	"github.com/gigabot/gigabot/redis/redistest"
)

func TestConnect(t *testing.T) {
	tests := []struct {
		name     string
		isBot    bool
		tune     func(*Config, *Options)
		yaml     string
		wantErr  error
		errSays  string
		channels []string
		joined   []string
		problems []string
		logSays  string
	}{
		{
			name: "bot token", isBot: true,
			channels: []string{"equipe-routes", "equipe-colleges", "equipe-culture"},
			joined:   []string{"equipe-colleges"},
		},
		{
			name: "names that match nothing are reported, the rest used", isBot: true,
			yaml: strings.Replace(strings.Replace(bottest.ConfigYAML, "channel: equipe-culture", "channel: equipe-fantome", 1),
				"members: [gaby]", "members: [gaby, ghost]", 1),
			channels: []string{"equipe-routes", "equipe-colleges"},
			joined:   []string{"equipe-colleges"},
			problems: []string{`channel "equipe-fantome": not found`, `user "ghost": no Mattermost account`},
			logSays:  "equipe-fantome",
		},
		{
			name: "a token's ID instead of the token", isBot: true,
			tune:    func(c *Config, _ *Options) { c.Token = "yq4wqehwbjbf7r5ejx4i4oepae" },
			wantErr: ErrInvalidToken, errSays: "token's ID rather than the token",
		},
		{
			name: "a user account's token", isBot: false,
			wantErr: ErrNotBot, errSays: `user account "gigabot"`,
		},
		{
			name: "a user account's token, allowed", isBot: false,
			tune:     func(c *Config, _ *Options) { c.AllowUserAccount = true },
			channels: []string{"equipe-routes", "equipe-colleges", "equipe-culture"},
			joined:   []string{"equipe-colleges"},
			logSays:  "not a bot account",
		},
		{
			name: "unknown team", isBot: true,
			tune:    func(c *Config, _ *Options) { c.Team = "ailleurs" },
			wantErr: ErrTeam, errSays: "MATTERMOST_TEAM",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mm := newFakeMM(t, tt.isBot)
			for _, n := range []string{"alice", "bob", "carol", "dan", "emma", "farid", "gaby", "dg", "coord"} {
				mm.addUser(n)
			}
			mm.addChannel("equipe-routes", "O", true)
			mm.addChannel("equipe-colleges", "O", false)
			mm.addChannel("equipe-culture", "P", true)
			mm.addChannel("secret", "P", false)
			yaml := bottest.ConfigYAML
			if tt.yaml != "" {
				yaml = tt.yaml
			}
			cfg, err := challenges.Parse([]byte(yaml))
			if err != nil {
				t.Fatal(err)
			}
			store, _, _ := redistest.NewStore(t)
			logs := &safebuf.Buffer{}
			conf := Config{URL: mm.srv.URL, Token: mm.token, Team: fakeTeam}
			opts := Options{Roster: bot.NewRoster(cfg), Deliveries: store, Owner: "r1", Logger: slog.New(slog.NewTextHandler(logs, nil))}
			if tt.tune != nil {
				tt.tune(&conf, &opts)
			}
			a, err := New(conf, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer a.client.HTTPClient.CloseIdleConnections()
			rep, err := a.Connect(context.Background())
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.errSays) {
					t.Fatalf("Connect() error = %v, want %v saying %q", err, tt.wantErr, tt.errSays)
				}
				if strings.Contains(err.Error(), conf.Token) {
					t.Errorf("the error shows the token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Connect(): %v", err)
			}
			if !slices.Equal(rep.Channels, tt.channels) || !slices.Equal(rep.Joined, tt.joined) {
				t.Errorf("channels %v joined %v, want %v and %v", rep.Channels, rep.Joined, tt.channels, tt.joined)
			}
			if len(rep.Problems) != len(tt.problems) {
				t.Fatalf("problems = %q, want %d like %q", rep.Problems, len(tt.problems), tt.problems)
			}
			for i, want := range tt.problems {
				if !strings.Contains(rep.Problems[i], want) {
					t.Errorf("problem %d = %q, want it to say %q", i, rep.Problems[i], want)
				}
			}
			if !strings.Contains(logs.String(), tt.logSays) {
				t.Errorf("log does not say %q:\n%s", tt.logSays, logs)
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		says string
	}{
		{"no URL", Config{Token: "t", Team: "x"}, "URL"},
		{"URL without scheme", Config{URL: "mattermost.example.fr", Token: "t", Team: "x"}, "URL"},
		{"no token", Config{URL: "https://mm.example.fr", Team: "x"}, "MATTERMOST_TOKEN"},
		{"no team", Config{URL: "https://mm.example.fr", Token: "t"}, "MATTERMOST_TEAM"},
		{"bad public URL", Config{URL: "https://mm.example.fr", Token: "t", Team: "x", PublicURL: "gigabot:8080"}, "public URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cfg, Options{}); err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("New() error = %v, want one saying %q", err, tt.says)
			}
		})
	}
}

// TestSetupAlone is "gigabot mattermost setup": no campaign, no store.
func TestSetupAlone(t *testing.T) {
	mm := newFakeMM(t, true)
	a, err := New(Config{URL: mm.srv.URL, Token: mm.token, Team: fakeTeam, PublicURL: "http://gigabot:8080"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.client.HTTPClient.CloseIdleConnections()
	if _, err := a.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	if token, created, err := a.SetupCommand(t.Context()); err != nil || token == "" || !created {
		t.Errorf("SetupCommand() = %q, %v, %v", token, created, err)
	}
	if err := a.Run(t.Context(), &bottest.Handler{}); err == nil || !strings.Contains(err.Error(), "Deliveries") {
		t.Errorf("Run() without a store = %v, want an error", err)
	}
}

func TestConfigLogValueHidesSecrets(t *testing.T) {
	logs := &safebuf.Buffer{}
	slog.New(slog.NewJSONHandler(logs, nil)).Info("config", "mattermost", Config{
		URL: "https://mm.example.fr", Token: "tok-secret", Team: "conseil", CommandToken: "cmd-secret",
	})
	out := logs.String()
	if strings.Contains(out, "tok-secret") || strings.Contains(out, "cmd-secret") || !strings.Contains(out, `"token":"(set)"`) {
		t.Errorf("logged config = %s", out)
	}
}

func TestNotConnected(t *testing.T) {
	cfg, _ := challenges.Parse([]byte(bottest.ConfigYAML))
	store, _, _ := redistest.NewStore(t)
	a, err := New(Config{URL: "http://127.0.0.1:1", Token: "t", Team: "x"}, Options{Roster: bot.NewRoster(cfg), Deliveries: store, Owner: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := a.Run(ctx, &bottest.Handler{}); !errors.Is(err, ErrNotConnected) {
		t.Errorf("Run() = %v, want ErrNotConnected", err)
	}
	if _, err := a.Post(ctx, "equipe-routes", bot.Message{Kind: bot.KindReply, Text: "x"}); !errors.Is(err, ErrNotConnected) {
		t.Errorf("Post() = %v, want ErrNotConnected", err)
	}
	if _, _, err := a.SetupCommand(ctx); !errors.Is(err, ErrNotConnected) {
		t.Errorf("SetupCommand() = %v, want ErrNotConnected", err)
	}
}
