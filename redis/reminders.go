package redis

import (
	"context"
	"fmt"
	"strconv"

	goredis "github.com/redis/go-redis/v9"
)

// AgentsDone tells which of agents did the défi of day (bot.Reminders),
// in one round trip.
func (s *Store) AgentsDone(ctx context.Context, day int, agents []string) (map[string]bool, error) {
	cmds := make([]*goredis.BoolCmd, len(agents))
	_, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, a := range agents {
			cmds[i] = p.SIsMember(ctx, s.key("agentdays", a), strconv.Itoa(day))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("agents who did day %d: %w", day, err)
	}
	done := make(map[string]bool, len(agents))
	for i, a := range agents {
		done[a] = cmds[i].Val()
	}
	return done, nil
}

// SetNudges turns user's direct reminders on or off (bot.Reminders); off
// is remembered, on is the default.
func (s *Store) SetNudges(ctx context.Context, user string, on bool) error {
	var err error
	if on {
		err = s.rdb.SRem(ctx, s.key("nudges-off"), user).Err()
	} else {
		err = s.rdb.SAdd(ctx, s.key("nudges-off"), user).Err()
	}
	if err != nil {
		return fmt.Errorf("direct reminders of %s: %w", user, err)
	}
	return nil
}

// NudgesOff returns the users who turned their direct reminders off.
func (s *Store) NudgesOff(ctx context.Context) (map[string]bool, error) {
	users, err := s.rdb.SMembers(ctx, s.key("nudges-off")).Result()
	if err != nil {
		return nil, fmt.Errorf("direct reminders turned off: %w", err)
	}
	off := make(map[string]bool, len(users))
	for _, u := range users {
		off[u] = true
	}
	return off, nil
}
