package redis

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/scoring"
)

// reactionScript counts a défi for an agent when its first mark appears and
// takes it back when its last mark goes. A mark delivered twice changes
// nothing the second time. Once the campaign's personal data was erased
// for retention (privacy:closed), nothing counts any more. An agent
// erased before (privacy.go) is counted under their pseudonym, which the
// caller computes from the campaign's pseudonym key: a caller that knows
// no key while one exists is told to read it (2).
//
// Every reaction records when it came (reactsat: the latest instant of
// the mark's reactions), even one that changes nothing (a ✅ already
// counted, the removal of one never counted). A reaction that waited
// (Reaction.Late) older than the mark's last one changes nothing: two
// replicas draining their queues after an outage write them out of
// order. A reaction read from the platform at some instant
// (Reaction.Unless) does not change a mark that one touched at or after
// that instant.
//
// KEYS: reacts (agent:post → day), part:<team> (agent:day → marks),
// partcount (team → done), agentdays:<agent> (days), audit, privacy:key,
// privacy:erased, privacy:closed, agentdays:<pseudonym>, reactsat
// (agent:post → Unix ms of the mark's last change).
// ARGV: agent, post, day, team, add ("1"/"0"), pseudonym ("" without a
// key), unless (Unix ms, or ""), at (Unix ms), late ("1"/"0"), then the
// log entry (whose
// delta, +1 for a mark added and -1 for one removed, is the only one the
// script can find).
var reactionScript = goredis.NewScript(logEntry + `
if redis.call('EXISTS', KEYS[8]) == 1 then return 0 end
local agent, days, as = ARGV[1], KEYS[4], nil
if redis.call('EXISTS', KEYS[6]) == 1 then
  if ARGV[6] == '' then return 2 end
  if redis.call('SISMEMBER', KEYS[7], ARGV[6]) == 1 then agent, days, as = ARGV[6], KEYS[9], ARGV[6] end
end
local mark = agent .. ':' .. ARGV[2]
local done = agent .. ':' .. ARGV[3]
local at, last = tonumber(ARGV[8]), tonumber(redis.call('HGET', KEYS[10], mark))
if last then
  if ARGV[7] ~= '' and last >= tonumber(ARGV[7]) then return 0 end
  if ARGV[9] == '1' and last > at then return 0 end
  at = math.max(last, at)
end
redis.call('HSET', KEYS[10], mark, at)
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
if delta == 1 then redis.call('SADD', days, ARGV[3]) else redis.call('SREM', days, ARGV[3]) end
logEntry(KEYS[5], 10, as)
return delta`)

// rekey is reactionScript's answer when a pseudonym key exists that the
// caller did not know.
const rekey = 2

// React records a mark added (add) or removed on a défi post and returns the
// change in the team's count of défis done: +1, -1, or 0 when the mark
// changed nothing (a duplicate delivery, a second mark on the same défi,
// a campaign whose personal data was erased for retention).
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
	for range 2 {
		p := ""
		if key := s.pkey.Load(); key != nil {
			p = pseudonym(*key, r.Agent)
		}
		keys := []string{s.key("reacts"), s.key("part", r.Team), s.key("partcount"), s.key("agentdays", r.Agent), s.key("audit"),
			s.key("privacy", "key"), s.key("privacy", "erased"), s.key("privacy", "closed"), s.key("agentdays", p), s.key("reactsat")}
		unless := ""
		if !r.Unless.IsZero() {
			unless = strconv.FormatInt(r.Unless.UnixMilli(), 10)
		}
		late := "0"
		if r.Late {
			late = "1"
		}
		args := []any{r.Agent, r.Post, strconv.Itoa(r.Day), r.Team, flag, p, unless, strconv.FormatInt(r.At.UnixMilli(), 10), late}
		res, err := s.write(ctx, reactionScript, keys, xaddArgs(args, entry)...).Int()
		if err != nil {
			return 0, fmt.Errorf("record reaction of %s on day %d: %w", r.Agent, r.Day, err)
		}
		if res != rekey {
			return res, nil
		}
		if _, err := s.privacyKey(ctx, false); err != nil {
			return 0, fmt.Errorf("record reaction of %s on day %d: %w", r.Agent, r.Day, err)
		}
	}
	return 0, fmt.Errorf("record reaction of %s on day %d: the pseudonym key keeps changing", r.Agent, r.Day)
}

// Marked returns, for each of the posts, the agents whose mark on it
// counts, sorted (an agent erased for privacy appears under their
// pseudonym). It scans the marks of the whole campaign once, whatever the
// number of posts: a start-up's work, not a reaction's.
func (s *Store) Marked(ctx context.Context, posts ...string) (map[string][]string, error) {
	if len(posts) == 0 {
		return map[string][]string{}, nil
	}
	seen := make(map[string]map[string]bool, len(posts))
	for _, p := range posts {
		seen[p] = map[string]bool{}
	}
	iter := s.rdb.HScan(ctx, s.key("reacts"), 0, "*", 1000).Iterator()
	for iter.Next(ctx) {
		field := iter.Val()  // "<agent>:<post>"
		if !iter.Next(ctx) { // the field's value: the day
			break
		}
		for p, agents := range seen {
			if agent, ok := strings.CutSuffix(field, ":"+p); ok {
				agents[agent] = true
			}
		}
	}
	if err := iter.Err(); err != nil {
		return nil, fmt.Errorf("read the marks on %d posts: %w", len(posts), err)
	}
	out := make(map[string][]string, len(posts))
	for p, agents := range seen {
		out[p] = slices.Sorted(maps.Keys(agents))
	}
	return out, nil
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
