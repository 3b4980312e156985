package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/scoring"
)

// scanScript applies the freed-bytes rule to one root, atomically: the
// baseline is the last report before the campaign start or, without one, the
// first report; the latest is the most recent report; freed is baseline
// minus latest. The team and campaign sums move by the root's change.
//
// KEYS: scans (ids), root hash, freed (team → bytes), baseline (team → bytes),
// total, audit, roots of the team.
// ARGV: scan id, team, at (unix ms), bytes, before start ("1"/"0"), root,
// source, report JSON, root id.
var scanScript = goredis.NewScript(`
-- Numbers go back as '%.0f' strings: Lua 5.1's tostring writes 1e+15.
local function int(x) return string.format('%.0f', x) end
local total = tonumber(redis.call('GET', KEYS[5]) or '0')
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return {'duplicate', int(total), int(total)} end
local at, bytes, pre = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local r = redis.call('HMGET', KEYS[2], 'b_at', 'b_bytes', 'b_pre', 'l_at', 'l_bytes')
local oldFreed, oldBase = 0, 0
local setBase, setLatest = false, false
if not r[1] then
  setBase, setLatest = true, true
else
  local bAt, bPre, lAt = tonumber(r[1]), r[3], tonumber(r[4])
  oldBase = tonumber(r[2])
  oldFreed = oldBase - tonumber(r[5])
  if pre == '1' then
    setBase = (bPre ~= '1') or at > bAt
  else
    setBase = (bPre ~= '1') and at < bAt
  end
  setLatest = at > lAt
end
if not setBase and not setLatest then return {'stale', int(total), int(total)} end
if setBase then redis.call('HSET', KEYS[2], 'b_at', ARGV[3], 'b_bytes', ARGV[4], 'b_pre', pre) end
if setLatest then redis.call('HSET', KEYS[2], 'l_at', ARGV[3], 'l_bytes', ARGV[4], 'l_report', ARGV[8]) end
redis.call('SADD', KEYS[7], ARGV[9])
local h = redis.call('HMGET', KEYS[2], 'b_bytes', 'l_bytes')
local newBase = tonumber(h[1])
local newFreed = newBase - tonumber(h[2])
redis.call('HINCRBY', KEYS[3], ARGV[2], int(newFreed - oldFreed))
redis.call('HINCRBY', KEYS[4], ARGV[2], int(newBase - oldBase))
local after = redis.call('INCRBY', KEYS[5], int(newFreed - oldFreed))
redis.call('XADD', KEYS[6], '*', 'type', 'scan', 'scan_id', ARGV[1], 'team', ARGV[2], 'root', ARGV[6],
  'source', ARGV[7], 'at', ARGV[3], 'bytes', ARGV[4], 'baseline', tostring(setBase), 'latest', tostring(setLatest))
return {'accepted', int(total), int(after)}`)

// RecordScan applies a scan to its root. campaignStart decides whether the
// scan may serve as the pre-campaign baseline. Recording is idempotent by
// scan id and safe against reports arriving out of order or concurrently.
func (s *Store) RecordScan(ctx context.Context, sc scoring.Scan, campaignStart time.Time) (scoring.ScanResult, error) {
	report, err := json.Marshal(sc)
	if err != nil {
		return scoring.ScanResult{}, fmt.Errorf("record scan: %w", err)
	}
	pre := "0"
	if sc.ScannedAt.Before(campaignStart) {
		pre = "1"
	}
	rootID := sc.Source + ":" + sc.Root
	keys := []string{s.key("scans"), s.key("root", sc.Team, rootID), s.key("freed"), s.key("baseline"), s.key("total"), s.key("audit"), s.key("roots", sc.Team)}
	res, err := scanScript.Run(ctx, s.rdb, keys, sc.ID, sc.Team, strconv.FormatInt(sc.ScannedAt.UnixMilli(), 10),
		strconv.FormatInt(sc.Bytes, 10), pre, sc.Root, sc.Source, string(report), rootID).StringSlice()
	if err != nil {
		return scoring.ScanResult{}, fmt.Errorf("record scan %s: %w", sc.ID, err)
	}
	before, err1 := strconv.ParseInt(res[1], 10, 64)
	after, err2 := strconv.ParseInt(res[2], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return scoring.ScanResult{}, fmt.Errorf("record scan %s: read totals: %w", sc.ID, err)
	}
	return scoring.ScanResult{Status: scoring.ScanStatus(res[0]), TotalBefore: before, TotalAfter: after}, nil
}

// LatestScans returns the most recent scan of each root of a team.
func (s *Store) LatestScans(ctx context.Context, team string) ([]scoring.Scan, error) {
	roots, err := s.rdb.SMembers(ctx, s.key("roots", team)).Result()
	if err != nil {
		return nil, fmt.Errorf("read roots of %s: %w", team, err)
	}
	out := make([]scoring.Scan, 0, len(roots))
	for _, root := range roots {
		raw, err := s.rdb.HGet(ctx, s.key("root", team, root), "l_report").Result()
		if err != nil {
			return nil, fmt.Errorf("read latest scan of %s: %w", root, err)
		}
		var sc scoring.Scan
		if err := json.Unmarshal([]byte(raw), &sc); err != nil {
			return nil, fmt.Errorf("read latest scan of %s: %w", root, err)
		}
		out = append(out, sc)
	}
	return out, nil
}
