package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/integrations/console"
	"github.com/gigabot/gigabot/integrations/httpapi"
	"github.com/gigabot/gigabot/integrations/matrix"
	"github.com/gigabot/gigabot/integrations/mattermost"
	"github.com/gigabot/gigabot/integrations/metrics"
	"github.com/gigabot/gigabot/integrations/slack"
	"github.com/gigabot/gigabot/redis"
)

// platform is a chat platform wired for "gigabot run".
type platform struct {
	chat bot.Chat
	// mount adds the platform's HTTP routes, once the bot exists.
	mount func(b bot.Handler, api *httpapi.Server)
	// serve feeds the platform's events to the bot until ctx ends.
	serve func(ctx context.Context, b bot.Handler) error
	// newRoster hands the adapter the roster of a reloaded config (nil:
	// the platform takes names as they come).
	newRoster func(ctx context.Context, r bot.Roster, h bot.Handler)
}

// platformDeps is what every platform may need.
type platformDeps struct {
	// cfg gives the chat adapters their roster (bot.NewRoster): they do
	// not read the config themselves.
	cfg      *challenges.Config
	store    *redis.Store
	log      *slog.Logger
	owner    string
	embedded bool // the store dies with the process
	metrics  *metrics.Metrics
}

func (m *Main) platform(ctx context.Context, name string, d platformDeps) (*platform, error) {
	switch name {
	case "", "console":
		return m.consolePlatform(d), nil
	case "mattermost":
		return m.mattermostPlatform(ctx, d)
	case "slack":
		return m.slackPlatform(ctx, d)
	case "matrix":
		return m.matrixPlatform(ctx, d)
	}
	return nil, unknownPlatform(name)
}

func (m *Main) consolePlatform(d platformDeps) *platform {
	chat := console.New(m.Stdout, console.Options{
		NextID: func(ctx context.Context) (int64, error) { return d.store.Sequence(ctx, "console-post") },
	})
	return &platform{
		chat:  chat,
		mount: func(bot.Handler, *httpapi.Server) {},
		serve: func(ctx context.Context, b bot.Handler) error {
			if err := chat.Run(ctx, m.Stdin, b, m.Stderr); err != nil {
				return err
			}
			<-ctx.Done() // input closed: keep serving the schedule and HTTP until stopped
			return nil
		},
	}
}

func (m *Main) mattermostConfig() mattermost.Config {
	return mattermost.Config{
		URL: m.Getenv("MATTERMOST_URL"), Token: m.Getenv("MATTERMOST_TOKEN"), Team: m.Getenv("MATTERMOST_TEAM"),
		CommandToken: m.Getenv("MATTERMOST_COMMAND_TOKEN"), PublicURL: m.Getenv("GIGABOT_PUBLIC_URL"),
	}
}

func (m *Main) mattermostPlatform(ctx context.Context, d platformDeps) (*platform, error) {
	opts := mattermost.Options{Roster: bot.NewRoster(d.cfg), Deliveries: d.store, Owner: d.owner, Logger: d.log, Reconnects: d.metrics}
	if d.embedded {
		opts.Backfill = -1 // an in-memory store forgets what it answered: do not answer it again
	}
	mm, err := mattermost.New(m.mattermostConfig(), opts)
	if err != nil {
		return nil, fmt.Errorf("check MATTERMOST_URL, MATTERMOST_TOKEN and MATTERMOST_TEAM: %w", err)
	}
	if _, err := mm.Connect(ctx); err != nil {
		return nil, err
	}
	return &platform{
		chat: mm,
		mount: func(b bot.Handler, api *httpapi.Server) {
			api.Handle("POST "+mattermost.CommandPath, mm.CommandHandler(b))
			api.Handle("POST "+mattermost.ActionPath, mm.ActionHandler(b))
		},
		serve: func(ctx context.Context, b bot.Handler) error { return mm.Run(ctx, b) },
		newRoster: func(ctx context.Context, r bot.Roster, h bot.Handler) {
			if _, err := mm.Reload(ctx, r, h); err != nil {
				d.log.Error("mattermost: the reloaded config's names could not be resolved", "err", err)
			}
		},
	}, nil
}

// mattermostSetup creates the /giga slash command through the API and
// prints the token to set as MATTERMOST_COMMAND_TOKEN.
func (m *Main) mattermostSetup(ctx context.Context, args []string) error {
	if len(args) != 1 || args[0] != "setup" {
		return fmt.Errorf("usage: gigabot mattermost setup")
	}
	log, err := m.logger()
	if err != nil {
		return err
	}
	mm, err := mattermost.New(m.mattermostConfig(), mattermost.Options{Logger: log})
	if err != nil {
		return fmt.Errorf("check MATTERMOST_URL, MATTERMOST_TOKEN and MATTERMOST_TEAM: %w", err)
	}
	if _, err := mm.Connect(ctx); err != nil {
		return err
	}
	token, created, err := mm.SetupCommand(ctx)
	if err != nil {
		return err
	}
	state := "already existed"
	if created {
		state = "created"
	}
	fmt.Fprintf(m.Stdout, "The /%s slash command %s. Set MATTERMOST_COMMAND_TOKEN=%s in gigabot's environment.\n", mattermost.Trigger, state, token)
	return nil
}

func (m *Main) slackPlatform(ctx context.Context, d platformDeps) (*platform, error) {
	cfg := slack.Config{
		BotToken: m.Getenv("SLACK_BOT_TOKEN"), AppToken: m.Getenv("SLACK_APP_TOKEN"),
		SigningSecret: m.Getenv("SLACK_SIGNING_SECRET"), APIURL: m.Getenv("SLACK_API_URL"),
	}
	a, err := slack.New(ctx, cfg, slack.Options{Roster: bot.NewRoster(d.cfg), Deliveries: d.store, Slots: d.store, Owner: d.owner, Logger: d.log, Reconnects: d.metrics})
	if err != nil {
		return nil, err
	}
	return &platform{
		chat:  a,
		mount: func(b bot.Handler, api *httpapi.Server) { a.Mount(api, b) },
		serve: func(ctx context.Context, b bot.Handler) error { return a.Run(ctx, b) },
		newRoster: func(ctx context.Context, r bot.Roster, h bot.Handler) {
			if _, err := a.Reload(ctx, r, h); err != nil {
				d.log.Error("slack: the reloaded config's names could not be resolved", "err", err)
			}
		},
	}, nil
}

// matrixConfig reads the MATRIX_* variables.
func (m *Main) matrixConfig() matrix.Config {
	return matrix.Config{
		HomeserverURL: m.Getenv("MATRIX_HOMESERVER_URL"), UserID: m.Getenv("MATRIX_USER_ID"),
		AccessToken: m.Getenv("MATRIX_ACCESS_TOKEN"), Password: m.Getenv("MATRIX_PASSWORD"),
	}
}

func (m *Main) matrixPlatform(ctx context.Context, d platformDeps) (*platform, error) {
	a, err := matrix.New(m.matrixConfig(), matrix.Options{
		Roster: bot.NewRoster(d.cfg), Deliveries: d.store, Memory: d.store, Owner: d.owner, Logger: d.log, Reconnects: d.metrics,
	})
	if err != nil {
		return nil, err
	}
	if _, err := a.Connect(ctx); err != nil {
		return nil, err
	}
	return &platform{
		chat:  a,
		mount: func(bot.Handler, *httpapi.Server) {},
		serve: func(ctx context.Context, b bot.Handler) error { return a.Run(ctx, b) },
		newRoster: func(ctx context.Context, r bot.Roster, h bot.Handler) {
			if _, err := a.Reload(ctx, r, h); err != nil {
				d.log.Error("matrix: the reloaded config's rooms could not be resolved", "err", err)
			}
		},
	}, nil
}
