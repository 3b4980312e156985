package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/scoring"
)

// How scans are kept. Each root's state (scoring.RootState, a string of
// integers) is a field of one hash, "roots", named team + rootSep + root
// id; the latest report of each root is a field of "reports"; the ids of
// the reports counted (or found stale, or rejected) are the set "scans";
// the held reports wait in "held". The rule (scoring.RootState.Apply) runs
// in Go on the state read from Redis, and scanScript writes the result
// only if the state is still the one read: compare and set. Lua does no
// arithmetic, so every byte count is stored exactly as Go wrote it.
const rootSep = "\x1f"

// scanScript writes a scan's outcome decided in Go, provided the root's
// state did not change since it was read; it checks everything before it
// writes anything, so a refused call changes nothing.
//
// KEYS: scans, roots, reports, held, audit.
// ARGV: scan id, root field, state read ("" for none), mode, new state,
// report JSON, then the log entry's fields.
// mode: "apply" (count it), "stale" (remember the id only), "hold" (set it
// aside), "decide-apply" / "decide-stale" (a held report accepted),
// "reject" (a held report dropped).
// Returns "ok", "duplicate", "held" (the id waits already), "conflict"
// (the state changed: read again), "missing" (no held report of that id).
var scanScript = goredis.NewScript(logEntry + `
local id, mode = ARGV[1], ARGV[4]
local deciding = string.sub(mode, 1, 7) == 'decide-' or mode == 'reject'
if deciding then
  if redis.call('HEXISTS', KEYS[4], id) == 0 then return 'missing' end
else
  if redis.call('SISMEMBER', KEYS[1], id) == 1 then return 'duplicate' end
  if redis.call('HEXISTS', KEYS[4], id) == 1 then return 'held' end
end
if mode ~= 'reject' and (redis.call('HGET', KEYS[2], ARGV[2]) or '') ~= ARGV[3] then return 'conflict' end
if mode == 'hold' then
  redis.call('HSET', KEYS[4], id, ARGV[6])
else
  if deciding then redis.call('HDEL', KEYS[4], id) end
  redis.call('SADD', KEYS[1], id)
  if mode == 'apply' or mode == 'decide-apply' then
    redis.call('HSET', KEYS[2], ARGV[2], ARGV[5])
    if ARGV[6] ~= '' then redis.call('HSET', KEYS[3], ARGV[2], ARGV[6]) end
  end
end
local n = 7
while ARGV[n] do
  logEntry(KEYS[5], n)
  n = n + tonumber(ARGV[n]) + 1
end
return 'ok'`)

// casAttempts bounds the compare-and-set loop; each conflict means another
// report of the same root was counted meanwhile, which is rare.
const casAttempts = 50

// RecordScan counts a scan of one root by the freed-bytes rule
// (scoring.RootState.Apply), holds it when it is implausible
// (scoring.RootState.Implausible), and logs what it did. Recording is
// idempotent by scan id and safe against reports arriving out of order,
// concurrently, or on several replicas. Nothing is written unless the
// whole outcome is.
func (s *Store) RecordScan(ctx context.Context, sc scoring.Scan, rules scoring.ScanRules) (scoring.ScanResult, error) {
	if sc.Bytes < 0 || sc.Bytes > scoring.MaxBytes || sc.Files < 0 || sc.Files > scoring.MaxFiles {
		return scoring.ScanResult{}, fmt.Errorf("record scan %s: %d bytes, %d files: out of range", sc.ID, sc.Bytes, sc.Files)
	}
	report, err := json.Marshal(sc)
	if err != nil {
		return scoring.ScanResult{}, fmt.Errorf("record scan %s: %w", sc.ID, err)
	}
	field := rootField(sc)
	for range casAttempts {
		cur, raw, err := s.rootState(ctx, field)
		if err != nil {
			return scoring.ScanResult{}, fmt.Errorf("record scan %s: %w", sc.ID, err)
		}
		next, change := cur.Apply(sc.ScannedAt, sc.Bytes, sc.Files, rules.Start)
		var mode string
		var entries [][]string
		body := report // the JSON the store keeps: the report, or its held record
		res := scoring.ScanResult{Status: scoring.ScanAccepted}
		reason := cur.Implausible(sc.ScannedAt, sc.Bytes, sc.Files, rules.HoldDrop, rules.Start)
		switch {
		case !change.Counts():
			mode, res.Status = "stale", scoring.ScanStale
		case reason != "":
			mode, res = "hold", scoring.ScanResult{Status: scoring.ScanHeld, Reason: reason}
			held, err := json.Marshal(scoring.HeldScan{Scan: sc, Reason: reason, HeldAt: rules.Now, Before: cur.LatestBytes})
			if err != nil {
				return scoring.ScanResult{}, fmt.Errorf("record scan %s: %w", sc.ID, err)
			}
			body = held
			entries = append(entries, scoring.Encode(scoring.ScanSetAside{ScanID: sc.ID, Team: sc.Team, Source: sc.Source,
				Root: sc.Root, At: sc.ScannedAt, Files: sc.Files, Bytes: sc.Bytes, Reason: reason}))
		default:
			mode = "apply"
			entries = append(entries, applied(sc))
		}
		if !change.Latest && mode == "apply" {
			body = nil // the root's latest report stays
		}
		st, err := s.runScan(ctx, sc.ID, field, raw, mode, next.String(), string(body), entries)
		if err != nil {
			return scoring.ScanResult{}, fmt.Errorf("record scan %s: %w", sc.ID, err)
		}
		switch st {
		case "ok":
			return res, nil
		case "duplicate":
			return scoring.ScanResult{Status: scoring.ScanDuplicate}, nil
		case "held":
			h, ok, err := s.heldScan(ctx, sc.ID)
			if err != nil {
				return scoring.ScanResult{}, fmt.Errorf("record scan %s: %w", sc.ID, err)
			}
			if ok {
				return scoring.ScanResult{Status: scoring.ScanHeld, Reason: h.Reason}, nil
			}
			// Decided meanwhile: the next round answers what it became.
		}
	}
	return scoring.ScanResult{}, fmt.Errorf("record scan %s: root %s kept changing", sc.ID, sc.Root)
}

// rootField names a scan's root in the roots and reports hashes.
func rootField(sc scoring.Scan) string { return sc.Team + rootSep + sc.Source + ":" + sc.Root }

// applied is the log entry of a scan counted.
func applied(sc scoring.Scan) []string {
	return scoring.Encode(scoring.ScanApplied{ScanID: sc.ID, Team: sc.Team, Source: sc.Source, Root: sc.Root,
		At: sc.ScannedAt, Files: sc.Files, Bytes: sc.Bytes})
}

// rootState reads a root's state, and its encoding for the compare and set.
func (s *Store) rootState(ctx context.Context, field string) (scoring.RootState, string, error) {
	raw, err := s.rdb.HGet(ctx, s.key("roots"), field).Result()
	if errors.Is(err, goredis.Nil) {
		return scoring.RootState{}, "", nil
	}
	if err != nil {
		return scoring.RootState{}, "", fmt.Errorf("read root: %w", err)
	}
	st, err := scoring.ParseRootState(raw)
	return st, raw, err
}

func (s *Store) runScan(ctx context.Context, id, field, read, mode, state, report string, entries [][]string) (string, error) {
	keys := []string{s.key("scans"), s.key("roots"), s.key("reports"), s.key("held"), s.key("audit")}
	args := []any{id, field, read, mode, state, report}
	for _, e := range entries {
		args = xaddArgs(args, e)
	}
	return s.write(ctx, scanScript, keys, args...).Text()
}

func (s *Store) heldScan(ctx context.Context, id string) (scoring.HeldScan, bool, error) {
	raw, err := s.rdb.HGet(ctx, s.key("held"), id).Result()
	if errors.Is(err, goredis.Nil) {
		return scoring.HeldScan{}, false, nil
	}
	if err != nil {
		return scoring.HeldScan{}, false, fmt.Errorf("read held scan %s: %w", id, err)
	}
	var h scoring.HeldScan
	if err := json.Unmarshal([]byte(raw), &h); err != nil {
		return scoring.HeldScan{}, false, fmt.Errorf("read held scan %s: %w", id, err)
	}
	return h, true, nil
}

// HeldScans returns the reports waiting for a coordinator, oldest first.
func (s *Store) HeldScans(ctx context.Context) ([]scoring.HeldScan, error) {
	raw, err := s.rdb.HGetAll(ctx, s.key("held")).Result()
	if err != nil {
		return nil, fmt.Errorf("read held scans: %w", err)
	}
	out := make([]scoring.HeldScan, 0, len(raw))
	for id, v := range raw {
		var h scoring.HeldScan
		if err := json.Unmarshal([]byte(v), &h); err != nil {
			return nil, fmt.Errorf("read held scan %s: %w", id, err)
		}
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].HeldAt.Equal(out[j].HeldAt) {
			return out[i].HeldAt.Before(out[j].HeldAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// DecideScan settles a held report: accepted, it is counted as if it had
// just arrived, without the plausibility check (it may then change nothing,
// if a newer report came meanwhile); rejected, it is dropped and its id
// answered "duplicate" from then on. Both are logged with who decided.
// Returns scoring.ErrNotHeld when id is not held (decided already, or unknown).
func (s *Store) DecideScan(ctx context.Context, id, by string, accept bool, rules scoring.ScanRules) (scoring.HeldScan, scoring.ScanResult, error) {
	h, ok, err := s.heldScan(ctx, id)
	if err != nil {
		return h, scoring.ScanResult{}, err
	}
	if !ok {
		return h, scoring.ScanResult{}, fmt.Errorf("decide scan %s: %w", id, scoring.ErrNotHeld)
	}
	sc := h.Scan
	field := rootField(sc)
	decided := scoring.Encode(scoring.ScanDecided{ScanID: id, Team: sc.Team, By: by, Accepted: accept, At: rules.Now})
	for range casAttempts {
		mode, res := "reject", scoring.ScanResult{Status: scoring.ScanDuplicate}
		entries := [][]string{decided}
		var raw, state, report string
		if accept {
			cur, r, err := s.rootState(ctx, field)
			if err != nil {
				return h, scoring.ScanResult{}, fmt.Errorf("decide scan %s: %w", id, err)
			}
			next, change := cur.Apply(sc.ScannedAt, sc.Bytes, sc.Files, rules.Start)
			raw, state = r, next.String()
			mode, res = "decide-stale", scoring.ScanResult{Status: scoring.ScanStale}
			if change.Counts() {
				mode, res = "decide-apply", scoring.ScanResult{Status: scoring.ScanAccepted}
				entries = append(entries, applied(sc))
				if change.Latest {
					b, err := json.Marshal(sc)
					if err != nil {
						return h, scoring.ScanResult{}, fmt.Errorf("decide scan %s: %w", id, err)
					}
					report = string(b)
				}
			}
		}
		st, err := s.runScan(ctx, id, field, raw, mode, state, report, entries)
		if err != nil {
			return h, scoring.ScanResult{}, fmt.Errorf("decide scan %s: %w", id, err)
		}
		switch st {
		case "ok":
			return h, res, nil
		case "missing":
			return h, scoring.ScanResult{}, fmt.Errorf("decide scan %s: %w", id, scoring.ErrNotHeld)
		}
	}
	return h, scoring.ScanResult{}, fmt.Errorf("decide scan %s: root %s kept changing", id, sc.Root)
}

// LatestScans returns the most recent scan of each root of a team.
func (s *Store) LatestScans(ctx context.Context, team string) ([]scoring.Scan, error) {
	raw, err := s.rdb.HGetAll(ctx, s.key("reports")).Result()
	if err != nil {
		return nil, fmt.Errorf("read latest scans of %s: %w", team, err)
	}
	var out []scoring.Scan
	for field, v := range raw {
		if t, _, _ := strings.Cut(field, rootSep); t != team {
			continue
		}
		var sc scoring.Scan
		if err := json.Unmarshal([]byte(v), &sc); err != nil {
			return nil, fmt.Errorf("read latest scan of %s: %w", field, err)
		}
		out = append(out, sc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source+out[i].Root < out[j].Source+out[j].Root })
	return out, nil
}
