package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/integrations/matrix"
	"github.com/gigabot/gigabot/integrations/mattermost"
	"github.com/gigabot/gigabot/integrations/slack"
	"github.com/gigabot/gigabot/redis"
)

// printAgents is gigabot check's count of the campaign's agents: those the
// config lists, those its roster file adds, and the teams whose agents
// are their channel's (counted on the platform only).
func (m *Main) printAgents(cfg *challenges.Config) {
	listed, roster := 0, 0
	var channel []string
	for _, t := range cfg.Teams {
		listed += len(t.Members) - t.FromRoster()
		roster += t.FromRoster()
		if t.MembersFromChannel {
			channel = append(channel, t.ID)
		}
	}
	line := fmt.Sprintf("agents: %d (%d in the config", listed+roster, listed)
	if cfg.Roster != "" {
		line += fmt.Sprintf(", %d from the roster file %s", roster, cfg.Roster)
	}
	line += ")"
	if len(channel) > 0 {
		line += fmt.Sprintf(", and the members of the channels of %s (members: channel)", strings.Join(channel, ", "))
	}
	fmt.Fprintln(m.Stdout, line)
}

// checkNames is gigabot check's look at the chat platform: with
// GIGABOT_PLATFORM set to slack or mattermost (and its variables), it
// resolves every channel and person the config names, as gigabot run
// would (joining the public team channels), and prints each name it could
// not resolve. Any other platform takes names as they come.
func (m *Main) checkNames(ctx context.Context, cfg *challenges.Config) error {
	name := strings.TrimSpace(m.Getenv("GIGABOT_PLATFORM"))
	if name != "slack" && name != "mattermost" && name != "matrix" {
		fmt.Fprintln(m.Stdout, "names on the chat platform: not checked (GIGABOT_PLATFORM is not slack, mattermost or matrix)")
		return nil
	}
	log, err := m.logger()
	if err != nil {
		return err
	}
	if _, err := platformFromEnv(m.Getenv, log); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	// The adapters' delivery ledger and memory, unused by a check.
	rdb, stop, err := redis.Embedded()
	if err != nil {
		return err
	}
	defer stop()
	store := redis.NewStore(rdb, cfg.Campaign.ID)
	var problems []string
	switch name {
	case "slack":
		a, err := slack.New(ctx, slack.Config{
			BotToken: m.Getenv("SLACK_BOT_TOKEN"), AppToken: m.Getenv("SLACK_APP_TOKEN"),
			SigningSecret: m.Getenv("SLACK_SIGNING_SECRET"), APIURL: m.Getenv("SLACK_API_URL"),
		}, slack.Options{Roster: bot.NewRoster(cfg), Deliveries: store, Owner: "check", Logger: log})
		if err != nil {
			return err
		}
		rep := a.Report()
		for _, c := range rep.Channels {
			problems = append(problems, fmt.Sprintf("channel %q: not found", c))
		}
		for _, c := range rep.NotJoined {
			problems = append(problems, fmt.Sprintf("channel %q: the bot is not in it and could not join", c))
		}
		for _, p := range rep.Members {
			problems = append(problems, fmt.Sprintf("user %q: matches no Slack user name, e-mail address or ID", p))
		}
	case "mattermost":
		mm, err := mattermost.New(m.mattermostConfig(), mattermost.Options{Roster: bot.NewRoster(cfg), Logger: log})
		if err != nil {
			return fmt.Errorf("check MATTERMOST_URL, MATTERMOST_TOKEN and MATTERMOST_TEAM: %w", err)
		}
		rep, err := mm.Connect(ctx)
		if err != nil {
			return err
		}
		problems = rep.Problems
	case "matrix":
		a, err := matrix.New(m.matrixConfig(), matrix.Options{Roster: bot.NewRoster(cfg), Deliveries: store, Memory: store, Owner: "check", Logger: log})
		if err != nil {
			return err
		}
		rep, err := a.Connect(ctx)
		if err != nil {
			return err
		}
		problems = rep.Problems
	}
	if len(problems) == 0 {
		fmt.Fprintf(m.Stdout, "names on %s: every channel and person resolved\n", name)
		return nil
	}
	fmt.Fprintf(m.Stdout, "names on %s: %d could not be resolved (their reactions count for nobody until fixed):\n", name, len(problems))
	for _, p := range problems {
		fmt.Fprintf(m.Stdout, "  %s\n", p)
	}
	return nil
}

// postponedCalendar is gigabot check's calendar: with a Redis variable
// set, the days coordinators postponed (reporter) move it as they move
// the running bot's. Without Redis, or when it cannot be read, it is the
// config's, and says so.
func (m *Main) postponedCalendar(ctx context.Context, cfg *challenges.Config, cal *challenges.Calendar) (*challenges.Calendar, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	rdb, err := redis.Open(ctx, m.Getenv)
	if errors.Is(err, redis.ErrNoServer) {
		return cal, nil
	}
	if err != nil {
		fmt.Fprintf(m.Stdout, "postponed days: not read (%v)\n", err)
		return cal, nil
	}
	defer rdb.Close()
	ps, err := redis.NewStore(rdb, cfg.Campaign.ID).Postponements(ctx)
	if err != nil {
		fmt.Fprintf(m.Stdout, "postponed days: not read (%v)\n", err)
		return cal, nil
	}
	if len(ps) == 0 {
		return cal, nil
	}
	skips, err := bot.PostponedSkips(ps, cal.Location)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(m.Stdout, "postponed days (reporter): %d, in the calendar below\n", len(ps))
	return challenges.NewCalendar(cfg, skips...)
}
