package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// takeTokenScript is a token bucket per user, shared by every replica: it
// refills the bucket for the time passed since its last command (the
// caller's clock: never Redis's), then takes a token if there is one.
// Without one, the first refusal since the last command allowed says to
// warn, the next ones to stay silent. A bucket left alone until it is full
// again is the same as none: it expires then.
//
// KEYS: ratelimit:<user> (tokens, last: the caller's ms, warned).
// ARGV: burst, interval in ms, now in ms.
// Returns {allowed (0/1), warn (0/1), wait in ms}.
var takeTokenScript = goredis.NewScript(`
local burst, every, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local s = redis.call('HMGET', KEYS[1], 'tokens', 'last', 'warned')
local tokens, last, warned = tonumber(s[1]), tonumber(s[2]), s[3] == '1'
if tokens == nil or last == nil then tokens, last, warned = burst, now, false end
if now > last then
  tokens = math.min(burst, tokens + (now - last) / every)
  last = now
end
local allowed, warn, wait = 0, 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  warned = false
  allowed = 1
else
  wait = math.ceil((1 - tokens) * every)
  if not warned then warn = 1 end
  warned = true
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'last', string.format('%d', last), 'warned', warned and '1' or '0')
redis.call('PEXPIRE', KEYS[1], math.max(1000, math.ceil((burst - tokens) * every)))
return {allowed, warn, wait}`)

// TakeToken takes one of user's command tokens at now from a bucket of
// burst tokens that gains one every interval (bot.RateLimits). The bucket
// lives in Redis, so that every replica draws on the same one; the time
// is the caller's, so that a fake clock drives it in tests and Redis's own
// clock only decides when an idle, full bucket is forgotten.
func (s *Store) TakeToken(ctx context.Context, user string, burst int, every time.Duration, now time.Time) (ok, warn bool, wait time.Duration, err error) {
	res, err := takeTokenScript.Run(ctx, s.rdb, []string{s.key("ratelimit", user)},
		burst, max(every.Milliseconds(), 1), strconv.FormatInt(now.UnixMilli(), 10)).Int64Slice()
	if err != nil {
		return false, false, 0, fmt.Errorf("rate limit of %s: %w", user, err)
	}
	if len(res) != 3 {
		return false, false, 0, fmt.Errorf("rate limit of %s: the script answered %v", user, res)
	}
	return res[0] == 1, res[1] == 1, time.Duration(res[2]) * time.Millisecond, nil
}
