package redis

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/scoring"
)

// reactionScript counts a défi for an agent when its first mark appears and
// takes it back when its last mark goes. A mark delivered twice changes
// nothing the second time.
//
// KEYS: reacts (agent:post → day), part:<team> (agent:day → marks),
// partcount (team → done), agentdays:<agent> (days), audit.
// ARGV: agent, post, day, team, add ("1"/"0"), then the log entry (whose
// delta, +1 for a mark added and -1 for one removed, is the only one the
// script can find).
var reactionScript = goredis.NewScript(logEntry + `
local mark = ARGV[1] .. ':' .. ARGV[2]
local done = ARGV[1] .. ':' .. ARGV[3]
local delta = 0
if ARGV[5] == '1' then
  if redis.call('HSETNX', KEYS[1], mark, ARGV[3]) == 0 then return 0 end
  if redis.call('HINCRBY', KEYS[2], done, 1) == 1 then delta = 1 end
else
  if redis.call('HDEL', KEYS[1], mark) == 0 then return 0 end
  if redis.call('HINCRBY', KEYS[2], done, -1) <= 0 then
    redis.call('HDEL', KEYS[2], done)
    delta = -1
  end
end
if delta == 0 then return 0 end
redis.call('HINCRBY', KEYS[3], ARGV[4], delta)
if delta == 1 then redis.call('SADD', KEYS[4], ARGV[3]) else redis.call('SREM', KEYS[4], ARGV[3]) end
logEntry(KEYS[5], 6)
return delta`)

// React records a mark added (add) or removed on a défi post and returns the
// change in the team's count of défis done: +1, -1, or 0 when the mark
// changed nothing (a duplicate delivery, a second mark on the same défi).
func (s *Store) React(ctx context.Context, r scoring.Reaction, add bool) (int, error) {
	flag := "0"
	if add {
		flag = "1"
	}
	delta := int64(1)
	if !add {
		delta = -1
	}
	entry := scoring.Encode(scoring.Participation{Team: r.Team, Agent: r.Agent, Day: r.Day, Post: r.Post, Delta: delta, At: r.At})
	keys := []string{s.key("reacts"), s.key("part", r.Team), s.key("partcount"), s.key("agentdays", r.Agent), s.key("audit")}
	res, err := s.write(ctx, reactionScript, keys, xaddArgs([]any{r.Agent, r.Post, strconv.Itoa(r.Day), r.Team, flag}, entry)...).Int()
	if err != nil {
		return 0, fmt.Errorf("record reaction of %s on day %d: %w", r.Agent, r.Day, err)
	}
	return res, nil
}

// AgentDays returns the campaign days whose défi the agent has done, in order.
func (s *Store) AgentDays(ctx context.Context, agent string) ([]int, error) {
	raw, err := s.rdb.SMembers(ctx, s.key("agentdays", agent)).Result()
	if err != nil {
		return nil, fmt.Errorf("read days of %s: %w", agent, err)
	}
	days := make([]int, 0, len(raw))
	for _, r := range raw {
		if d, err := strconv.Atoi(r); err == nil {
			days = append(days, d)
		}
	}
	sort.Ints(days)
	return days, nil
}
