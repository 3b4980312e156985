package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/scoring"
)

// rawEntry is an entry of the log: its id and its fields in the order
// written.
type rawEntry struct {
	id     string
	fields []string
}

// logPageSize is how many entries one read of the log returns.
const logPageSize = 1000

// logPage reads up to n entries logged after the one with id after ("":
// from the start), fields in order (go-redis's XMessage is a map).
func (s *Store) logPage(ctx context.Context, after string, n int) ([]rawEntry, error) {
	start := "-"
	if after != "" {
		start = "(" + after
	}
	res, err := s.rdb.Do(ctx, "XRANGE", s.key("audit"), start, "+", "COUNT", n).Slice()
	if err != nil {
		return nil, fmt.Errorf("read the log: %w", err)
	}
	out := make([]rawEntry, 0, len(res))
	for _, item := range res {
		e, ok := item.([]any)
		if !ok || len(e) != 2 {
			return nil, fmt.Errorf("read the log: unexpected entry %v", item)
		}
		id, _ := e[0].(string)
		vals, _ := e[1].([]any)
		fields := make([]string, len(vals))
		for i, v := range vals {
			fields[i] = fmt.Sprint(v)
		}
		out = append(out, rawEntry{id: id, fields: fields})
	}
	return out, nil
}

// scanLog calls visit with every log entry, oldest first.
func (s *Store) scanLog(ctx context.Context, visit func(id string, fields []string)) error {
	after := ""
	for {
		page, err := s.logPage(ctx, after, logPageSize)
		if err != nil {
			return err
		}
		for _, e := range page {
			visit(e.id, e.fields)
			after = e.id
		}
		if len(page) < logPageSize {
			return nil
		}
	}
}

// swapScript puts the rewritten copy of the log in its place, after
// copying into it, as they are, the entries logged since the last one
// copied: the copy then holds every entry, and nothing is logged between
// the two steps.
//
// KEYS: audit, its copy. ARGV: the id of the last entry copied.
// Returns how many entries it copied.
var swapScript = goredis.NewScript(`
local tail = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+')
for _, e in ipairs(tail) do redis.call('XADD', KEYS[2], e[1], unpack(e[2])) end
redis.call('RENAME', KEYS[2], KEYS[1])
return #tail`)

// swapTail is the most entries left for swapScript to copy; until then
// rewriteLog catches up in rounds, outside of Redis's single thread.
const swapTail = 200

// rewriteAttempts bounds the catch-up rounds of rewriteLog: each one
// copies what was logged during the previous one, far less every time.
const rewriteAttempts = 20

// rewriteLog replaces the names of people in the log (the "agent" and
// "by" fields) and in the corrections' lists, as rename says: the log is
// copied, entry by entry under the same id, then the copy takes its place
// (swapScript). Ids, order, and every other field stay, so the figures
// replay the same and a reader resumes where it was. The entries logged
// during the copy are moved as they are: a reaction of an erased agent is
// logged under their pseudonym already (reactionScript), and should one
// of them name a person to rename (a correction made meanwhile), the log
// is rewritten again. Returns how many log entries and correction records
// changed.
func (s *Store) rewriteLog(ctx context.Context, rename func(string) (string, bool)) (logged, corrections int, err error) {
	days := map[int]bool{}
	for range rewriteAttempts {
		n, again, err := s.rewriteOnce(ctx, rename, days)
		if err != nil {
			return 0, 0, fmt.Errorf("rewrite the log: %w", err)
		}
		logged += n
		if !again {
			corrections, err = s.renameCorrections(ctx, slices.Sorted(maps.Keys(days)), rename)
			return logged, corrections, err
		}
	}
	return 0, 0, fmt.Errorf("rewrite the log: names kept appearing during %d rounds", rewriteAttempts)
}

// rewriteOnce copies the log with the names replaced and swaps the copy
// in. It returns how many entries changed, and whether the entries moved
// as they were in the swap named someone to rename.
func (s *Store) rewriteOnce(ctx context.Context, rename func(string) (string, bool), days map[int]bool) (int, bool, error) {
	dst := s.key("audit", "rewrite")
	if err := s.rdb.Del(ctx, dst).Err(); err != nil {
		return 0, false, err
	}
	defer s.rdb.Del(context.WithoutCancel(ctx), dst)
	after, changed := "", 0
	for round := 0; ; round++ {
		copied := 0
		for {
			page, err := s.logPage(ctx, after, logPageSize)
			if err != nil {
				return 0, false, err
			}
			if len(page) == 0 {
				break
			}
			_, err = s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
				for _, e := range page {
					fields, ch := renamed(e.fields, rename)
					if ch {
						changed++
					}
					if d, ok := correctionDay(e.fields); ok {
						days[d] = true
					}
					p.XAdd(ctx, &goredis.XAddArgs{Stream: dst, ID: e.id, Values: fields})
				}
				return nil
			})
			if err != nil {
				return 0, false, fmt.Errorf("copy: %w", err)
			}
			after, copied = page[len(page)-1].id, copied+len(page)
			if len(page) < logPageSize {
				break
			}
		}
		if copied <= swapTail || round == rewriteAttempts {
			break
		}
	}
	if changed == 0 {
		return 0, false, nil // nothing to replace: the log stays as it is
	}
	tail, err := swapScript.Run(ctx, s.rdb, []string{s.key("audit"), dst}, after).Int()
	if err != nil {
		return 0, false, fmt.Errorf("swap: %w", err)
	}
	if tail == 0 {
		return changed, false, nil
	}
	page, err := s.logPage(ctx, after, tail)
	if err != nil {
		return changed, false, err
	}
	for _, e := range page {
		if _, ch := renamed(e.fields, rename); ch {
			return changed, true, nil
		}
	}
	return changed, false, nil
}

// renamed returns an entry's fields with the people's names replaced.
func renamed(fields []string, rename func(string) (string, bool)) ([]string, bool) {
	out := slices.Clone(fields)
	changed := false
	for i := 0; i+1 < len(out); i += 2 {
		if !personFields[out[i]] || out[i+1] == "" {
			continue
		}
		if v, ok := rename(out[i+1]); ok && v != out[i+1] {
			out[i+1], changed = v, true
		}
	}
	return out, changed
}

// renameCorrections replaces the coordinators' names in the corrections
// kept for the recaps of days. A record is never changed once pushed, so
// its index is stable.
func (s *Store) renameCorrections(ctx context.Context, days []int, rename func(string) (string, bool)) (int, error) {
	n := 0
	for _, d := range days {
		k := s.key("corrlog", strconv.Itoa(d))
		raw, err := s.rdb.LRange(ctx, k, 0, -1).Result()
		if err != nil {
			return n, fmt.Errorf("rename in the corrections of day %d: %w", d, err)
		}
		for i, r := range raw {
			var c scoring.Correction
			if err := json.Unmarshal([]byte(r), &c); err != nil || c.By == "" {
				continue
			}
			by, ok := rename(c.By)
			if !ok || by == c.By {
				continue
			}
			c.By = by
			b, err := json.Marshal(c)
			if err != nil {
				return n, fmt.Errorf("rename in the corrections of day %d: %w", d, err)
			}
			if err := s.rdb.LSet(ctx, k, int64(i), string(b)).Err(); err != nil {
				return n, fmt.Errorf("rename in the corrections of day %d: %w", d, err)
			}
			n++
		}
	}
	return n, nil
}
