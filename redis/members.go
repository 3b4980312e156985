package redis

import (
	"context"
	"errors"
	"fmt"

	goredis "github.com/redis/go-redis/v9"
)

// The agents of the teams whose members are their channel's ("members:
// channel") live in one hash, chanmembers (user → team), shared by every
// replica: a platform tells one replica who joined, every replica counts
// that agent's reactions. An agent is in one team: the first channel that
// listed them keeps them.

// setChannelMembersScript replaces the members of one team.
//
// KEYS: chanmembers. ARGV: team, then the users.
// Returns how many of the users another team keeps.
var setChannelMembersScript = goredis.NewScript(`
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if all[i+1] == ARGV[1] then redis.call('HDEL', KEYS[1], all[i]) end
end
local taken = 0
for i = 2, #ARGV do
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[1]) == 0 then taken = taken + 1 end
end
return taken`)

// leaveChannelScript takes a user out of a team, if they are in it.
//
// KEYS: chanmembers. ARGV: user, team.
var leaveChannelScript = goredis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0`)

// SetChannelMembers makes users the members of team's channel, in place
// of those it had; it returns how many of them another channel's team
// keeps (bot.ChannelMembers).
func (s *Store) SetChannelMembers(ctx context.Context, team string, users []string) (int, error) {
	args := make([]any, 0, len(users)+1)
	args = append(args, team)
	for _, u := range users {
		args = append(args, u)
	}
	n, err := setChannelMembersScript.Run(ctx, s.rdb, []string{s.key("chanmembers")}, args...).Int()
	if err != nil {
		return 0, fmt.Errorf("set the members of %s: %w", team, err)
	}
	return n, nil
}

// JoinChannelTeam adds user to team, unless another team has them; it
// tells whether they are in team now.
func (s *Store) JoinChannelTeam(ctx context.Context, team, user string) (bool, error) {
	if _, err := s.rdb.HSetNX(ctx, s.key("chanmembers"), user, team).Result(); err != nil {
		return false, fmt.Errorf("add %s to %s: %w", user, team, err)
	}
	got, err := s.rdb.HGet(ctx, s.key("chanmembers"), user).Result()
	if err != nil {
		return false, fmt.Errorf("add %s to %s: %w", user, team, err)
	}
	return got == team, nil
}

// LeaveChannelTeam takes user out of team, if they are in it.
func (s *Store) LeaveChannelTeam(ctx context.Context, team, user string) error {
	if err := leaveChannelScript.Run(ctx, s.rdb, []string{s.key("chanmembers")}, user, team).Err(); err != nil {
		return fmt.Errorf("take %s out of %s: %w", user, team, err)
	}
	return nil
}

// ChannelTeamOf returns the team whose channel user is in, if any.
func (s *Store) ChannelTeamOf(ctx context.Context, user string) (string, bool, error) {
	team, err := s.rdb.HGet(ctx, s.key("chanmembers"), user).Result()
	switch {
	case errors.Is(err, goredis.Nil):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("team of %s: %w", user, err)
	}
	return team, true, nil
}

// ChannelTeams returns every channel member's team, by user.
func (s *Store) ChannelTeams(ctx context.Context) (map[string]string, error) {
	m, err := s.rdb.HGetAll(ctx, s.key("chanmembers")).Result()
	if err != nil {
		return nil, fmt.Errorf("channel members: %w", err)
	}
	return m, nil
}
