package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// reserveScript takes a set of slots at once, for every replica: a slot is
// a key holding the instant (the caller's clock, in ms) before which it is
// busy. When every slot is free at now, each one whose gap is positive is
// made busy for that gap (a gap of 0 is only checked) and 0 is returned;
// otherwise nothing is taken and the wait until the last busy slot frees is
// returned. A slot expires once free, so idle channels leave no keys; a
// wait more than a second longer than the slot's time to live is cut to
// it, so that a replica whose clock runs ahead cannot hold the others for
// longer than a gap.
//
// KEYS: pace:<name>… ARGV: now in ms, then one gap in ms per key.
var reserveScript = goredis.NewScript(`
local now = tonumber(ARGV[1])
local wait = 0
for _, k in ipairs(KEYS) do
  local v = tonumber(redis.call('GET', k) or '0')
  if v > now then
    local w, ttl = v - now, redis.call('PTTL', k)
    if ttl >= 0 and w > ttl + 1000 then w = ttl end
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for i, k in ipairs(KEYS) do
  local gap = tonumber(ARGV[i + 1])
  if gap > 0 then redis.call('SET', k, string.format('%d', now + gap), 'PX', gap) end
end
return 0`)

// holdScript keeps a slot busy until an instant, unless it already is
// for longer. KEYS: pace:<name>. ARGV: now, until (ms).
var holdScript = goredis.NewScript(`
local now, till = tonumber(ARGV[1]), tonumber(ARGV[2])
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
if till > v and till > now then redis.call('SET', KEYS[1], string.format('%d', till), 'PX', till - now) end
return 0`)

// Reserve takes the named pacing slots at now, shared by every replica (a
// chat platform's pace of posts per channel and overall): if each slot is
// free at now, slot i becomes busy for gaps[i] (0: checked, not taken) and
// Reserve returns 0; otherwise it takes none and returns how long until the
// last of them frees, and the caller tries again then. Times are the
// caller's clock, never Redis's.
func (s *Store) Reserve(ctx context.Context, now time.Time, names []string, gaps []time.Duration) (time.Duration, error) {
	if len(names) == 0 || len(names) != len(gaps) {
		return 0, fmt.Errorf("reserve pacing slots: %d names for %d gaps", len(names), len(gaps))
	}
	keys := make([]string, len(names))
	args := []any{strconv.FormatInt(now.UnixMilli(), 10)}
	for i, n := range names {
		keys[i] = s.key("pace", n)
		args = append(args, strconv.FormatInt(max(gaps[i], 0).Milliseconds(), 10))
	}
	ms, err := reserveScript.Run(ctx, s.rdb, keys, args...).Int64()
	if err != nil {
		return 0, fmt.Errorf("reserve pacing slots: %w", err)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// Hold keeps the pacing slot name busy until until for every replica (a
// platform's Retry-After on a method), unless it already is for longer.
func (s *Store) Hold(ctx context.Context, name string, now, until time.Time) error {
	err := holdScript.Run(ctx, s.rdb, []string{s.key("pace", name)},
		strconv.FormatInt(now.UnixMilli(), 10), strconv.FormatInt(until.UnixMilli(), 10)).Err()
	if err != nil {
		return fmt.Errorf("hold pacing slot %s: %w", name, err)
	}
	return nil
}
