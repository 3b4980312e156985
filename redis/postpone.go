package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/scoring"
)

// postponeScript records a postponed date once, with its log entry in the
// same step: a second coordinator (or replica) postponing the same date
// changes nothing.
//
// KEYS: postponed (date → the event as JSON), audit. ARGV: date, JSON,
// then the log entry (logEntry).
// Returns 1 when the date was recorded now, 0 when it already was.
var postponeScript = goredis.NewScript(logEntry + `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
logEntry(KEYS[2], 3)
return 1`)

// Postpone records that the défi of p.Date moves to the next working day
// (bot.Postponements); it tells whether this call recorded it (false: the
// date was postponed already).
func (s *Store) Postpone(ctx context.Context, p scoring.DefiPostponed) (bool, error) {
	raw, err := json.Marshal(p)
	if err != nil {
		return false, fmt.Errorf("postpone %s: %w", p.Date, err)
	}
	args := xaddArgs([]any{p.Date, string(raw)}, scoring.Encode(p))
	n, err := s.write(ctx, postponeScript, []string{s.key("postponed"), s.key("audit")}, args...).Int()
	if err != nil {
		return false, fmt.Errorf("postpone %s: %w", p.Date, err)
	}
	return n == 1, nil
}

// Postponements returns the postponed dates, in date order.
func (s *Store) Postponements(ctx context.Context) ([]scoring.DefiPostponed, error) {
	all, err := s.rdb.HGetAll(ctx, s.key("postponed")).Result()
	if err != nil {
		return nil, fmt.Errorf("read postponements: %w", err)
	}
	out := make([]scoring.DefiPostponed, 0, len(all))
	for date, raw := range all {
		var p scoring.DefiPostponed
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return nil, fmt.Errorf("read the postponement of %s: %w", date, err)
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b scoring.DefiPostponed) int { return strings.Compare(a.Date, b.Date) })
	return out, nil
}
