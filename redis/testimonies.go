package redis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/scoring"
)

// Testimonies live in three keys:
//
//	testimonies            hash, id → JSON (team, agent, text, instant, sig)
//	testimonies:sig        hash, sha256(agent, text) → id: the same words
//	                       from the same agent are one testimony
//	testimonies:shown      set of the ids a recap showed (never twice)
//	testimonies:day:<date> the ids the recap of that day shows, fixed by the
//	                       first replica that chose them
//
// The log records who gave or withdrew a testimony, not its text.

// storedTestimony is a testimony as its hash keeps it.
type storedTestimony struct {
	Team  string `json:"team"`
	Agent string `json:"agent"`
	Text  string `json:"text"`
	At    int64  `json:"at"` // Unix ms
	Sig   string `json:"sig"`
}

// addTestimonyScript records a testimony unless the same agent gave the
// same words before, and logs it. KEYS: testimonies, testimonies:sig,
// audit. ARGV: id, sig, JSON, then the log entry. Returns the id kept.
var addTestimonyScript = goredis.NewScript(logEntry + `
local old = redis.call('HGET', KEYS[2], ARGV[2])
if old and redis.call('HEXISTS', KEYS[1], old) == 1 then return old end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
logEntry(KEYS[3], 4)
return ARGV[1]`)

// AddTestimony records what agent of team shared at, numbered T1, T2…,
// and returns it; the same words from the same agent again (a command
// delivered twice) return the testimony already kept, and new false.
func (s *Store) AddTestimony(ctx context.Context, team, agent, text string, at time.Time) (t scoring.Testimony, isNew bool, err error) {
	sum := sha256.Sum256([]byte(agent + "\x00" + text))
	sig := hex.EncodeToString(sum[:])
	// Known words keep their number (the script checks again: two copies
	// at once may cost a number, never a second testimony).
	if id, err := s.rdb.HGet(ctx, s.key("testimonies", "sig"), sig).Result(); err == nil {
		if t, ok, err := s.testimony(ctx, id); err != nil || ok {
			return t, false, err
		}
	} else if !errors.Is(err, goredis.Nil) {
		return t, false, fmt.Errorf("add testimony: %w", err)
	}
	n, err := s.Sequence(ctx, "testimony")
	if err != nil {
		return t, false, fmt.Errorf("add testimony: %w", err)
	}
	raw, err := json.Marshal(storedTestimony{Team: team, Agent: agent, Text: text, At: at.UnixMilli(), Sig: sig})
	if err != nil {
		return t, false, fmt.Errorf("add testimony: %w", err)
	}
	id := "T" + strconv.FormatInt(n, 10)
	entry := scoring.Encode(scoring.TestimonyGiven{ID: id, Team: team, Agent: agent, At: at})
	kept, err := s.write(ctx, addTestimonyScript, []string{s.key("testimonies"), s.key("testimonies", "sig"), s.key("audit")},
		xaddArgs([]any{id, sig, string(raw)}, entry)...).Text()
	if err != nil {
		return t, false, fmt.Errorf("add testimony of %s: %w", agent, err)
	}
	if kept != id {
		t, _, err := s.testimony(ctx, kept)
		return t, false, err
	}
	return scoring.Testimony{ID: id, Team: team, Agent: agent, Text: text, At: time.UnixMilli(at.UnixMilli())}, true, nil
}

// testimony reads one testimony.
func (s *Store) testimony(ctx context.Context, id string) (scoring.Testimony, bool, error) {
	raw, err := s.rdb.HGet(ctx, s.key("testimonies"), id).Result()
	if errors.Is(err, goredis.Nil) {
		return scoring.Testimony{}, false, nil
	}
	if err != nil {
		return scoring.Testimony{}, false, fmt.Errorf("read testimony %s: %w", id, err)
	}
	t, _, err := decodeTestimony(id, raw)
	return t, err == nil, err
}

func decodeTestimony(id, raw string) (scoring.Testimony, string, error) {
	var st storedTestimony
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return scoring.Testimony{}, "", fmt.Errorf("testimony %s: %w", id, err)
	}
	return scoring.Testimony{ID: id, Team: st.Team, Agent: st.Agent, Text: st.Text, At: time.UnixMilli(st.At)}, st.Sig, nil
}

// Testimonies returns the testimonies kept, oldest first.
func (s *Store) Testimonies(ctx context.Context) ([]scoring.Testimony, error) {
	all, err := s.rdb.HGetAll(ctx, s.key("testimonies")).Result()
	if err != nil {
		return nil, fmt.Errorf("read testimonies: %w", err)
	}
	out := make([]scoring.Testimony, 0, len(all))
	for id, raw := range all {
		t, _, err := decodeTestimony(id, raw)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b scoring.Testimony) int { return testimonyNumber(a.ID) - testimonyNumber(b.ID) })
	return out, nil
}

func testimonyNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "T"))
	return n
}

// withdrawTestimonyScript drops a testimony still as read, and logs its
// withdrawal. KEYS: testimonies, testimonies:sig, audit. ARGV: id, the
// JSON read, its sig, then the log entry. Returns 1, or 0 when it changed.
var withdrawTestimonyScript = goredis.NewScript(logEntry + `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[3])
logEntry(KEYS[3], 4)
return 1`)

// WithdrawTestimony removes testimony id (a coordinator's decision, by)
// and returns it; false when no such testimony is kept.
func (s *Store) WithdrawTestimony(ctx context.Context, id, by string, at time.Time) (scoring.Testimony, bool, error) {
	for range 10 {
		raw, err := s.rdb.HGet(ctx, s.key("testimonies"), id).Result()
		if errors.Is(err, goredis.Nil) {
			return scoring.Testimony{}, false, nil
		}
		if err != nil {
			return scoring.Testimony{}, false, fmt.Errorf("withdraw testimony %s: %w", id, err)
		}
		t, sig, err := decodeTestimony(id, raw)
		if err != nil {
			return t, false, err
		}
		entry := scoring.Encode(scoring.TestimonyWithdrawn{ID: id, Team: t.Team, By: by, At: at})
		done, err := s.write(ctx, withdrawTestimonyScript, []string{s.key("testimonies"), s.key("testimonies", "sig"), s.key("audit")},
			xaddArgs([]any{id, raw, sig}, entry)...).Int()
		if err != nil {
			return t, false, fmt.Errorf("withdraw testimony %s: %w", id, err)
		}
		if done == 1 {
			return t, true, nil
		}
	}
	return scoring.Testimony{}, false, fmt.Errorf("withdraw testimony %s: it keeps changing", id)
}

// pickScript fixes the testimonies a day's recap shows: the first call's
// choice, marked shown; later calls (a retry, another replica) get it back.
// KEYS: testimonies:day:<date>, testimonies:shown. ARGV: the ids chosen.
var pickScript = goredis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then return v end
local ids = table.concat(ARGV, ',')
redis.call('SET', KEYS[1], ids)
for _, id in ipairs(ARGV) do redis.call('SADD', KEYS[2], id) end
return ids`)

// PickTestimonies chooses, once for the day named date, the testimonies
// its recap shows: up to n kept and never shown, the oldest first, one
// team at a time. Every later call for that date returns the same ones
// (those withdrawn since left out).
func (s *Store) PickTestimonies(ctx context.Context, date string, n int) ([]scoring.Testimony, error) {
	all, err := s.Testimonies(ctx)
	if err != nil {
		return nil, err
	}
	shown, err := s.rdb.SMembers(ctx, s.key("testimonies", "shown")).Result()
	if err != nil {
		return nil, fmt.Errorf("read testimonies shown: %w", err)
	}
	var ids []any
	teams := map[string]bool{}
	for pass := 0; pass < 2 && len(ids) < n; pass++ {
		for _, t := range all {
			if len(ids) == n {
				break
			}
			if slices.Contains(shown, t.ID) || slices.Contains(ids, any(t.ID)) || (pass == 0 && teams[t.Team]) {
				continue
			}
			teams[t.Team] = true
			ids = append(ids, t.ID)
		}
	}
	chosen, err := pickScript.Run(ctx, s.rdb, []string{s.key("testimonies", "day", date), s.key("testimonies", "shown")}, ids...).Text()
	if err != nil {
		return nil, fmt.Errorf("pick testimonies of %s: %w", date, err)
	}
	var out []scoring.Testimony
	for _, id := range strings.Split(chosen, ",") {
		for _, t := range all {
			if t.ID == id {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// dropTestimonies deletes the testimonies of the agents who (all: every
// one), their words included: a testimony is its author's personal data.
func (s *Store) dropTestimonies(ctx context.Context, who func(agent string) bool) (int, error) {
	all, err := s.rdb.HGetAll(ctx, s.key("testimonies")).Result()
	if err != nil {
		return 0, fmt.Errorf("drop testimonies: %w", err)
	}
	n := 0
	for id, raw := range all {
		t, sig, err := decodeTestimony(id, raw)
		if err != nil || !who(t.Agent) {
			continue
		}
		if err := s.rdb.HDel(ctx, s.key("testimonies"), id).Err(); err != nil {
			return n, fmt.Errorf("drop testimony %s: %w", id, err)
		}
		if err := s.rdb.HDel(ctx, s.key("testimonies", "sig"), sig).Err(); err != nil {
			return n, fmt.Errorf("drop testimony %s: %w", id, err)
		}
		n++
	}
	return n, nil
}
