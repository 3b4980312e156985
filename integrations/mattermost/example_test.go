package mattermost_test

import (
	"context"
	"log/slog"
	"net/http"
	"os"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/integrations/mattermost"
	"github.com/gigabot/gigabot/redis"
)

// Example wires the adapter as cmd/gigabot does: connect, build the bot
// on it, serve the slash command and the button, and listen.
func Example() {
	ctx := context.Background()
	log := slog.Default()
	campaign, err := challenges.Load("campaign.yaml")
	if err != nil {
		log.Error("config", "err", err)
		return
	}
	cal, _ := challenges.NewCalendar(campaign)
	rdb, _ := redis.Connect(ctx, os.Getenv("REDIS_URL"))
	store := redis.NewStore(rdb, campaign.Campaign.ID)

	chat, err := mattermost.New(mattermost.Config{
		URL:          os.Getenv("MATTERMOST_URL"),
		Token:        os.Getenv("MATTERMOST_TOKEN"),
		Team:         os.Getenv("MATTERMOST_TEAM"),
		CommandToken: os.Getenv("MATTERMOST_COMMAND_TOKEN"),
		PublicURL:    os.Getenv("GIGABOT_PUBLIC_URL"),
	}, mattermost.Options{Roster: bot.NewRoster(campaign), Deliveries: store, Owner: "gigabot-1", Logger: log})
	if err != nil {
		log.Error("mattermost", "err", err)
		return
	}
	if _, err := chat.Connect(ctx); err != nil { // a bad token stops here, saying why
		log.Error("mattermost", "err", err)
		return
	}
	b, err := bot.New(ctx, bot.Options{
		Config: campaign, Calendar: cal, Store: store, Chat: chat, Clock: clockwork.NewRealClock(), Owner: "gigabot-1", Logger: log,
	})
	if err != nil {
		log.Error("bot", "err", err)
		return
	}

	mux := http.NewServeMux()
	mux.Handle("POST "+mattermost.CommandPath, chat.CommandHandler(b))
	mux.Handle("POST "+mattermost.ActionPath, chat.ActionHandler(b))
	go http.ListenAndServe("127.0.0.1:8080", mux)

	_ = chat.Run(ctx, b) // until ctx ends
}
