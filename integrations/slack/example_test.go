package slack_test

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"os/signal"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/integrations/slack"
	"github.com/gigabot/gigabot/redis"
)

// Example wires the adapter the way cmd/gigabot does: New resolves the
// campaign's names in Slack, the bot takes the adapter as its Chat, Mount
// adds the HTTP-mode routes to the bot's server, and Run receives the
// events until the process is stopped.
func Example() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	log := slog.Default()
	cfg, err := challenges.Load("campaign.yaml")
	if err != nil {
		log.Error("config", "err", err)
		return
	}
	cal, err := challenges.NewCalendar(cfg)
	if err != nil {
		log.Error("calendar", "err", err)
		return
	}
	rdb, closeRedis, err := redis.Embedded()
	if err != nil {
		log.Error("store", "err", err)
		return
	}
	defer closeRedis()
	store := redis.NewStore(rdb, cfg.Campaign.ID)

	chat, err := slack.New(ctx, slack.Config{
		BotToken:      os.Getenv("SLACK_BOT_TOKEN"),
		AppToken:      os.Getenv("SLACK_APP_TOKEN"),
		SigningSecret: os.Getenv("SLACK_SIGNING_SECRET"),
		APIURL:        os.Getenv("SLACK_API_URL"),
	}, slack.Options{Roster: bot.NewRoster(cfg), Deliveries: store, Owner: "host-1", Logger: log})
	if err != nil {
		log.Error("slack", "err", err)
		return
	}
	b, err := bot.New(ctx, bot.Options{
		Config: cfg, Calendar: cal, Store: store, Chat: chat, Clock: clockwork.NewRealClock(), Logger: log, Owner: "host-1",
	})
	if err != nil {
		log.Error("bot", "err", err)
		return
	}
	mux := http.NewServeMux()
	chat.Mount(mux, b) // HTTP mode; adds nothing without a signing secret
	go http.ListenAndServe("127.0.0.1:8080", mux)
	if err := chat.Run(ctx, b); err != nil {
		log.Error("slack", "err", err)
	}
}
