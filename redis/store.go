package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/alicebob/miniredis/v2"
	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/scoring"
)

// Store keeps a campaign's facts in Redis. Every key starts with
// "gigabot:{<campaign>}:" so that two editions never mix (and, on a Redis
// Cluster, every key of a campaign hashes to one slot, which the Lua scripts
// need). Every change is also appended to the campaign's audit stream.
type Store struct {
	rdb         goredis.UniversalClient
	prefix      string
	replicas    int           // WithReplicas: replicas an acknowledged write waits for
	waitTimeout time.Duration // and for how long
	// pkey caches the campaign's pseudonym key (privacy.go) once read:
	// React needs it only after an erasure, and is told when it does.
	pkey atomic.Pointer[[]byte]
}

// NewStore returns the store of one campaign on a Redis client.
func NewStore(rdb goredis.UniversalClient, campaign string, opts ...Option) *Store {
	s := &Store{rdb: rdb, prefix: "gigabot:{" + campaign + "}:"}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Connect opens a Redis client from a URL (redis://, rediss://, unix://)
// and checks that the server answers.
func Connect(ctx context.Context, url string) (*goredis.Client, error) {
	opts, err := goredis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parse REDIS_URL: %w", redact(err))
	}
	rdb := goredis.NewClient(opts)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("connect to redis %s: %w", opts.Addr, err)
	}
	return rdb, nil
}

// Embedded starts an in-process Redis (miniredis) and returns a client on it
// and a function that stops both. What it holds dies with the process.
func Embedded() (*goredis.Client, func(), error) {
	srv, err := miniredis.Run()
	if err != nil {
		return nil, nil, fmt.Errorf("start embedded redis: %w", err)
	}
	rdb := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	return rdb, func() { rdb.Close(); srv.Close() }, nil
}

func (s *Store) key(parts ...string) string { return s.prefix + strings.Join(parts, ":") }

// Ping checks that Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	return nil
}

// SaveTeams records the campaign's name and teams, so that a past edition's
// figures stay readable once its config file is gone.
func (s *Store) SaveTeams(ctx context.Context, name string, teams []scoring.Team) error {
	fields := make([]any, 0, 2*len(teams))
	for _, t := range teams {
		b, err := json.Marshal(t)
		if err != nil {
			return fmt.Errorf("save teams: %w", err)
		}
		fields = append(fields, t.ID, string(b))
	}
	_, err := s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.HSet(ctx, s.key("meta"), "name", name)
		if len(fields) > 0 {
			p.HSet(ctx, s.key("teams"), fields...)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save teams: %w", err)
	}
	return nil
}

// Figures returns every team's raw counts, read in one round trip. Freed
// and baseline bytes are summed in Go from each root's state, exactly.
func (s *Store) Figures(ctx context.Context) (map[string]scoring.Figures, error) {
	var part, corr, roots *goredis.MapStringStringCmd
	_, err := s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		part = p.HGetAll(ctx, s.key("partcount"))
		corr = p.HGetAll(ctx, s.key("corrections"))
		roots = p.HGetAll(ctx, s.key("roots"))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read figures: %w", err)
	}
	out := map[string]scoring.Figures{}
	var errs []error
	for team, v := range part.Val() {
		n, err := strconv.ParseInt(v, 10, 64)
		errs = append(errs, err)
		f := out[team]
		f.Participations = n
		out[team] = f
	}
	for team, v := range corr.Val() {
		x, err := strconv.ParseFloat(v, 64)
		errs = append(errs, err)
		f := out[team]
		f.Corrections = x
		out[team] = f
	}
	for field, v := range roots.Val() {
		team, _, _ := strings.Cut(field, rootSep)
		st, err := scoring.ParseRootState(v)
		errs = append(errs, err)
		f := out[team]
		f.FreedBytes += st.Freed()
		f.BaselineBytes += st.BaseBytes
		out[team] = f
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("read figures: %w", err)
	}
	return out, nil
}

// TotalFreed returns the campaign-wide freed bytes.
func (s *Store) TotalFreed(ctx context.Context) (int64, error) {
	figs, err := s.Figures(ctx)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, f := range figs {
		total += f.FreedBytes
	}
	return total, nil
}

// Audit returns the log from the start, up to count records (0: all).
func (s *Store) Audit(ctx context.Context, count int64) ([]scoring.Record, error) {
	var msgs []goredis.XMessage
	var err error
	if count > 0 {
		msgs, err = s.rdb.XRangeN(ctx, s.key("audit"), "-", "+", count).Result()
	} else {
		msgs, err = s.rdb.XRange(ctx, s.key("audit"), "-", "+").Result()
	}
	if err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	return records(msgs), nil
}

// records decodes stream entries into events (scoring.Decode, the log's
// one decoder); an entry it cannot read keeps its error.
func records(msgs []goredis.XMessage) []scoring.Record {
	out := make([]scoring.Record, len(msgs))
	for i, m := range msgs {
		fields := make(map[string]string, len(m.Values))
		for k, v := range m.Values {
			fields[k] = fmt.Sprint(v)
		}
		e, err := scoring.Decode(fields)
		out[i] = scoring.Record{ID: m.ID, Event: e, Err: err}
	}
	return out
}

// xaddArgs appends a log entry's fields to a script's arguments, after
// their count, as the scripts' logEntry helper reads them.
func xaddArgs(args []any, fields []string) []any {
	args = append(args, len(fields))
	for _, f := range fields {
		args = append(args, f)
	}
	return args
}

// logEntry is the Lua helper that appends the entry whose fields follow
// their count at ARGV[n] to the stream key; agent, when given, replaces
// the value of its "agent" field (an erased agent's pseudonym).
const logEntry = `
local function logEntry(key, n, agent)
  local count = tonumber(ARGV[n])
  local fields = {}
  for i = 1, count do fields[i] = ARGV[n + i] end
  if agent then
    for i = 1, count - 1, 2 do
      if fields[i] == 'agent' then fields[i + 1] = agent end
    end
  end
  redis.call('XADD', key, '*', unpack(fields))
end
`

// correctScript applies a correction once per id (none: every time): the
// team's points, the day's list for the recap, the log.
//
// KEYS: corrections, corrlog:<day>, audit, correction id marker.
// ARGV: id, team, points, correction JSON, then the log entry.
var correctScript = goredis.NewScript(logEntry + `
if ARGV[1] ~= '' and not redis.call('SET', KEYS[4], '1', 'NX', 'EX', 2592000) then return 0 end
redis.call('HINCRBYFLOAT', KEYS[1], ARGV[2], ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[4])
logEntry(KEYS[3], 5)
return 1`)

// Correct adds points (negative to remove) to a team, and records the
// correction in the log and in the day's list for the recap. A correction
// whose ID was already recorded (within 30 days) changes nothing.
func (s *Store) Correct(ctx context.Context, c scoring.Correction) error {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("correct: %w", err)
	}
	keys := []string{s.key("corrections"), s.key("corrlog", strconv.Itoa(c.Day)), s.key("audit"), s.key("corrid", c.ID)}
	args := xaddArgs([]any{c.ID, c.Team, strconv.FormatFloat(c.Points, 'f', -1, 64), string(b)}, scoring.Encode(scoring.CorrectionMade{Correction: c}))
	if err := s.write(ctx, correctScript, keys, args...).Err(); err != nil {
		return fmt.Errorf("correct %s: %w", c.Team, err)
	}
	return nil
}

// Corrections returns the corrections made on campaign day n.
func (s *Store) Corrections(ctx context.Context, day int) ([]scoring.Correction, error) {
	raw, err := s.rdb.LRange(ctx, s.key("corrlog", strconv.Itoa(day)), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("read corrections: %w", err)
	}
	out := make([]scoring.Correction, 0, len(raw))
	for _, r := range raw {
		var c scoring.Correction
		if err := json.Unmarshal([]byte(r), &c); err != nil {
			return nil, fmt.Errorf("read corrections: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// snapshotScript records the figures Go computed as the day's snapshot,
// once: a second call for the same day keeps the first snapshot.
var snapshotScript = goredis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1`)

// Snapshot records every team's figures at the end of campaign day n (the
// first call for a day wins) and returns the recorded snapshot.
func (s *Store) Snapshot(ctx context.Context, day int, at time.Time) (map[string]scoring.Figures, error) {
	figs, err := s.Figures(ctx)
	if err != nil {
		return nil, fmt.Errorf("snapshot day %d: %w", day, err)
	}
	args := []any{"at", strconv.FormatInt(at.UnixMilli(), 10)}
	for team, f := range figs {
		args = append(args, "freed:"+team, strconv.FormatInt(f.FreedBytes, 10), "part:"+team, strconv.FormatInt(f.Participations, 10))
	}
	if err := snapshotScript.Run(ctx, s.rdb, []string{s.key("snap", strconv.Itoa(day))}, args...).Err(); err != nil {
		return nil, fmt.Errorf("snapshot day %d: %w", day, err)
	}
	snap, _, err := s.DaySnapshot(ctx, day)
	return snap, err
}

// DaySnapshot returns the figures recorded at the end of day n, if any.
func (s *Store) DaySnapshot(ctx context.Context, day int) (map[string]scoring.Figures, bool, error) {
	raw, err := s.rdb.HGetAll(ctx, s.key("snap", strconv.Itoa(day))).Result()
	if err != nil {
		return nil, false, fmt.Errorf("read snapshot day %d: %w", day, err)
	}
	out := map[string]scoring.Figures{}
	for k, v := range raw {
		kind, team, ok := strings.Cut(k, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		f := out[team]
		switch kind {
		case "freed":
			f.FreedBytes = n
		case "part":
			f.Participations = n
		}
		out[team] = f
	}
	return out, len(raw) > 0, nil
}

// Sequence returns the next number of a counter that survives restarts
// (1, 2, 3…), used to number posts on platforms without ids of their own.
func (s *Store) Sequence(ctx context.Context, name string) (int64, error) {
	n, err := s.rdb.Incr(ctx, s.key("seq", name)).Result()
	if err != nil {
		return 0, fmt.Errorf("next %s: %w", name, err)
	}
	return n, nil
}

// AuditAfter returns up to count audit entries recorded after the entry
// with id after ("" or "0": from the start), oldest first.
func (s *Store) AuditAfter(ctx context.Context, after string, count int64) ([]scoring.Record, error) {
	start := "-"
	if after != "" && after != "0" {
		start = "(" + after
	}
	msgs, err := s.rdb.XRangeN(ctx, s.key("audit"), start, "+", count).Result()
	if err != nil {
		return nil, fmt.Errorf("read audit after %q: %w", after, err)
	}
	return records(msgs), nil
}

// LastAuditID returns the id of the newest log record ("0-0" when the log
// is empty), where a follower starts.
func (s *Store) LastAuditID(ctx context.Context) (string, error) {
	msgs, err := s.rdb.XRevRangeN(ctx, s.key("audit"), "+", "-", 1).Result()
	if err != nil {
		return "", fmt.Errorf("read last audit id: %w", err)
	}
	if len(msgs) == 0 {
		return "0-0", nil
	}
	return msgs[0].ID, nil
}

// WaitAudit returns the records logged after the one with id after, waiting
// up to block for the first of them (none: an empty list). Every replica
// sees every record, whichever one wrote it.
func (s *Store) WaitAudit(ctx context.Context, after string, block time.Duration) ([]scoring.Record, error) {
	res, err := s.rdb.XRead(ctx, &goredis.XReadArgs{Streams: []string{s.key("audit"), after}, Count: 1000, Block: block}).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("wait for the audit log: %w", err)
	}
	if len(res) == 0 {
		return nil, nil
	}
	return records(res[0].Messages), nil
}

// LogLength returns how many records the log holds. Records are only ever
// appended, so the length names the state of the figures as cheaply as a
// ping: the standings are cached by it.
func (s *Store) LogLength(ctx context.Context) (int64, error) {
	n, err := s.rdb.XLen(ctx, s.key("audit")).Result()
	if err != nil {
		return 0, fmt.Errorf("read the log's length: %w", err)
	}
	return n, nil
}

// ErrOldLayout is returned by CheckLayout for a campaign whose figures an
// earlier version of the store wrote (running totals in Lua numbers).
var ErrOldLayout = errors.New("this campaign's figures were written by an earlier version of gigabot")

// CheckLayout refuses a campaign whose scan figures an earlier version
// wrote as running totals ("freed", "baseline", "total" keys): this store
// sums each root's exact state instead, and would silently read those
// figures as zero. Start such a campaign under a new campaign.id.
func (s *Store) CheckLayout(ctx context.Context) error {
	n, err := s.rdb.Exists(ctx, s.key("freed"), s.key("baseline"), s.key("total")).Result()
	if err != nil {
		return fmt.Errorf("check the store's layout: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("%w (keys %s…): give the campaign a new campaign.id, or delete its keys", ErrOldLayout, s.key("freed"))
	}
	return nil
}
