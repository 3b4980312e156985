package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/scoring"
)

// leftTeamsAdvice tells a coordinator what to do about an orphaned team.
const leftTeamsAdvice = "put each back in teams, or list it in retired_teams if it left the campaign (its freed bytes stay in the campaign's total either way)"

// describe sums up a team's figures in a line.
func describe(id string, f scoring.Figures) string {
	return fmt.Sprintf("%s (%d défis done, %d bytes freed of %d, %.2f correction points)", id, f.Participations, f.FreedBytes, f.BaselineBytes, f.Corrections)
}

func describeAll(ids []string, figs map[string]scoring.Figures) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = describe(id, figs[id])
	}
	return strings.Join(out, ", ")
}

// checkStore is gigabot check's look at the store: the teams that hold
// figures but left the config, and the previous edition that
// campaign.previous names. Without a Redis variable (REDIS_URL,
// REDIS_SENTINEL_URL or REDIS_CLUSTER_URL), or when Redis cannot be
// reached (check runs before Redis in a deployment), it says it could not
// look; an orphaned team or an unknown previous edition is an error.
func (m *Main) checkStore(ctx context.Context, cfg *challenges.Config) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	rdb, err := redis.Open(ctx, m.Getenv)
	if errors.Is(err, redis.ErrNoServer) {
		fmt.Fprintln(m.Stdout, "teams holding figures in Redis, campaign.previous: not checked (REDIS_URL is not set)")
		return nil
	}
	if err != nil {
		fmt.Fprintf(m.Stdout, "teams holding figures in Redis, campaign.previous: not checked (%v)\n", err)
		return nil
	}
	defer rdb.Close()
	figs, err := redis.NewStore(rdb, cfg.Campaign.ID).Figures(ctx)
	if err != nil {
		return err
	}
	orphans, retired := bot.LeftTeams(cfg, figs)
	for _, id := range retired {
		fmt.Fprintf(m.Stdout, "retired team %s\n", describe(id, figs[id]))
	}
	if len(orphans) > 0 {
		return fmt.Errorf("teams hold figures in Redis but are not in the config: %s: %s", describeAll(orphans, figs), leftTeamsAdvice)
	}
	previous, err := loadPrevious(ctx, rdb, cfg)
	if err != nil {
		return err
	}
	if previous != nil {
		fmt.Fprintf(m.Stdout, "previous edition %s (%s): %d bytes freed by %d teams\n", previous.Campaign, previous.Name, previous.TotalFreed, len(previous.Teams))
	}
	return nil
}

// warnLeftTeams warns, as gigabot run starts, about the teams that hold
// figures but left the config.
func warnLeftTeams(ctx context.Context, log *slog.Logger, cfg *challenges.Config, store *redis.Store) {
	figs, err := store.Figures(ctx)
	if err != nil {
		log.Error("cannot look for teams that left the config", "err", err)
		return
	}
	orphans, retired := bot.LeftTeams(cfg, figs)
	if len(retired) > 0 {
		log.Info("retired teams: not ranked, their freed bytes stay in the campaign's total", "teams", describeAll(retired, figs))
	}
	if len(orphans) > 0 {
		log.Warn(strings.Repeat("!", 60))
		log.Warn("teams hold figures in Redis but are not in the config: "+leftTeamsAdvice, "teams", describeAll(orphans, figs))
		log.Warn(strings.Repeat("!", 60))
	}
}
