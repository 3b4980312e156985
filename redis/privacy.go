package redis

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/scoring"
)

// Where a campaign's store names a person, and nowhere else (the team
// figures, "partcount", "corrections", "roots", "reports", "snap:<day>",
// name teams only):
//
//	reacts             hash, "<agent>:<post>" → day: each mark on a défi post
//	part:<team>        hash, "<agent>:<day>" → marks: each défi done
//	agentdays:<agent>  set of the days done ("où en suis-je")
//	ratelimit:<user>   hash, the user's command bucket (expires within minutes)
//	corrlog:<day>      list of corrections, whose "by" names a coordinator
//	testimonies        hash, id → a testimony, its author and their words
//	                   (deleted, words and all, when its author is erased)
//	nudges-off         set of the agents who turned direct reminders off
//	chanmembers        hash, user → team, the agents of "members: channel"
//	                   teams (their channel's members)
//	postponed          hash, date → a postponement, whose "by" names a
//	                   coordinator
//	audit              stream: a participation's "agent", a correction's and
//	                   a held report's decision's "by"
//
// Erasing a person replaces their name, everywhere, by a pseudonym: the
// HMAC-SHA256 of the name under a random key the campaign keeps
// (privacy:key). A log entry cannot be edited in a Redis stream, so the
// log is copied with the names replaced, under the same ids, and the copy
// swapped in (rewriteLog): every figure replays the same, readers that
// remember an id resume where they were. The pseudonym is the same for
// every entry of one person, so their ✅ given and taken back still pair;
// and a reaction that person adds later is counted under it (the
// reaction script looks it up in privacy:erased), so a défi is never
// counted twice. The retention erasure (EraseAll) replaces every name,
// deletes every per-agent key and then the key itself: what is left names
// nobody, and no reaction counts any more (privacy:closed).
const pseudonymPrefix = "anon-"

// ErrNothingKept is returned by Erase for a user the store names nowhere.
var ErrNothingKept = errors.New("nothing is kept about this user")

// ErrErasing is returned while another erasure of the campaign runs.
var ErrErasing = errors.New("another erasure of this campaign is running: try again in a few minutes")

// Kept is one value the store keeps about a person: a key, or one field
// or member of it.
type Kept struct {
	Key   string `json:"key"`
	Field string `json:"field,omitempty"`
	Value string `json:"value"`
}

// LogEntry is one audit log entry that names a person, its fields in the
// order they were written.
type LogEntry struct {
	ID     string     `json:"id"`
	Fields [][]string `json:"fields"`
}

// PersonalData is everything the store of a campaign keeps about one
// person, as stored.
type PersonalData struct {
	User     string `json:"user"`
	Campaign string `json:"campaign"`
	// Pseudonym is what replaced the user's name if they were erased
	// (their later reactions are kept under it); empty otherwise.
	Pseudonym string     `json:"pseudonym,omitempty"`
	Keys      []Kept     `json:"keys"`
	Log       []LogEntry `json:"log"`
}

// Empty tells whether the store keeps nothing about the person.
func (p PersonalData) Empty() bool { return len(p.Keys) == 0 && len(p.Log) == 0 }

// PersonalData returns everything the store keeps about user: under their
// name and, once they were erased, under their pseudonym.
func (s *Store) PersonalData(ctx context.Context, user string) (PersonalData, error) {
	out := PersonalData{User: user, Campaign: s.campaign()}
	names := []string{user}
	p, erased, err := s.erasedPseudonym(ctx, user)
	if err != nil {
		return out, fmt.Errorf("personal data of %s: %w", user, err)
	}
	if erased {
		out.Pseudonym = p
		names = append(names, p)
	}
	out.Keys, out.Log, err = s.kept(ctx, names)
	if err != nil {
		return out, fmt.Errorf("personal data of %s: %w", user, err)
	}
	return out, nil
}

// kept returns the keys, fields and log entries that name any of names.
func (s *Store) kept(ctx context.Context, names []string) ([]Kept, []LogEntry, error) {
	keys, log := []Kept{}, []LogEntry{}
	days := map[int]bool{}
	err := s.scanLog(ctx, func(id string, fields []string) {
		if named(fields, func(v string) bool { return slices.Contains(names, v) }) {
			log = append(log, LogEntry{ID: id, Fields: pairs(fields)})
		}
		if d, ok := correctionDay(fields); ok {
			days[d] = true
		}
	})
	if err != nil {
		return nil, nil, err
	}
	for _, name := range names {
		k, err := s.keptUnder(ctx, name, days)
		if err != nil {
			return nil, nil, err
		}
		keys = append(keys, k...)
	}
	return keys, log, nil
}

// keptUnder lists the keys and fields that name name, the corrections of
// days included.
func (s *Store) keptUnder(ctx context.Context, name string, days map[int]bool) ([]Kept, error) {
	var out []Kept
	hashes, err := s.agentHashes(ctx)
	if err != nil {
		return nil, err
	}
	for _, h := range hashes {
		fields, err := s.fieldsOf(ctx, h, name)
		if err != nil {
			return nil, err
		}
		for _, f := range fields {
			out = append(out, Kept{Key: h, Field: f[0], Value: f[1]})
		}
	}
	members, err := s.rdb.SMembers(ctx, s.key("agentdays", name)).Result()
	if err != nil {
		return nil, fmt.Errorf("read days of %s: %w", name, err)
	}
	sort.Strings(members)
	for _, m := range members {
		out = append(out, Kept{Key: s.key("agentdays", name), Value: m})
	}
	bucket, err := s.rdb.HGetAll(ctx, s.key("ratelimit", name)).Result()
	if err != nil {
		return nil, fmt.Errorf("read rate limit of %s: %w", name, err)
	}
	for _, f := range slices.Sorted(maps.Keys(bucket)) {
		out = append(out, Kept{Key: s.key("ratelimit", name), Field: f, Value: bucket[f]})
	}
	for _, d := range slices.Sorted(maps.Keys(days)) {
		raw, err := s.rdb.LRange(ctx, s.key("corrlog", strconv.Itoa(d)), 0, -1).Result()
		if err != nil {
			return nil, fmt.Errorf("read corrections: %w", err)
		}
		for _, r := range raw {
			var c scoring.Correction
			if json.Unmarshal([]byte(r), &c) == nil && c.By == name {
				out = append(out, Kept{Key: s.key("corrlog", strconv.Itoa(d)), Value: r})
			}
		}
	}
	off, err := s.rdb.SIsMember(ctx, s.key("nudges-off"), name).Result()
	if err != nil {
		return nil, fmt.Errorf("read reminder choices: %w", err)
	}
	if off {
		out = append(out, Kept{Key: s.key("nudges-off"), Value: name})
	}
	if team, err := s.rdb.HGet(ctx, s.key("chanmembers"), name).Result(); err == nil {
		out = append(out, Kept{Key: s.key("chanmembers"), Field: name, Value: team})
	} else if !errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("read channel members: %w", err)
	}
	postponed, err := s.rdb.HGetAll(ctx, s.key("postponed")).Result()
	if err != nil {
		return nil, fmt.Errorf("read postponements: %w", err)
	}
	for _, date := range slices.Sorted(maps.Keys(postponed)) {
		var p scoring.DefiPostponed
		if json.Unmarshal([]byte(postponed[date]), &p) == nil && p.By == name {
			out = append(out, Kept{Key: s.key("postponed"), Field: date, Value: postponed[date]})
		}
	}
	testimonies, err := s.rdb.HGetAll(ctx, s.key("testimonies")).Result()
	if err != nil {
		return nil, fmt.Errorf("read testimonies: %w", err)
	}
	for _, id := range slices.Sorted(maps.Keys(testimonies)) {
		if t, _, err := decodeTestimony(id, testimonies[id]); err == nil && t.Agent == name {
			out = append(out, Kept{Key: s.key("testimonies"), Field: id, Value: testimonies[id]})
		}
	}
	return out, nil
}

// Erase replaces user's name by a pseudonym everywhere the store keeps it
// (see the top of this file): no team figure changes, and the log still
// replays to the live figures. Returns ErrNothingKept when nothing names
// user (and changes nothing), ErrErasing while another erasure runs.
// Running it again after a failure finishes the work.
func (s *Store) Erase(ctx context.Context, user string) (scoring.Erasure, error) {
	release, err := s.lockPrivacy(ctx)
	if err != nil {
		return scoring.Erasure{}, fmt.Errorf("erase %s: %w", user, err)
	}
	defer release()
	keys, log, err := s.kept(ctx, []string{user})
	if err != nil {
		return scoring.Erasure{}, fmt.Errorf("erase %s: %w", user, err)
	}
	if len(keys) == 0 && len(log) == 0 {
		return scoring.Erasure{}, fmt.Errorf("erase %s: %w", user, ErrNothingKept)
	}
	key, err := s.privacyKey(ctx, true)
	if err != nil {
		return scoring.Erasure{}, fmt.Errorf("erase %s: %w", user, err)
	}
	p := pseudonym(key, user)
	n, err := s.moveAgent(ctx, user, p)
	if err != nil {
		return scoring.Erasure{}, fmt.Errorf("erase %s: %w", user, err)
	}
	dropped, err := s.dropTestimonies(ctx, func(agent string) bool { return agent == user })
	if err != nil {
		return scoring.Erasure{}, fmt.Errorf("erase %s: %w", user, err)
	}
	n += dropped
	off, err := s.rdb.SRem(ctx, s.key("nudges-off"), user).Result()
	if err != nil {
		return scoring.Erasure{}, fmt.Errorf("erase %s: %w", user, err)
	}
	n += int(off)
	member, err := s.rdb.HDel(ctx, s.key("chanmembers"), user).Result()
	if err != nil {
		return scoring.Erasure{}, fmt.Errorf("erase %s: %w", user, err)
	}
	n += int(member)
	renamed, err := s.renamePostponements(ctx, func(v string) (string, bool) { return p, v == user })
	if err != nil {
		return scoring.Erasure{}, fmt.Errorf("erase %s: %w", user, err)
	}
	n += renamed
	rename := func(v string) (string, bool) { return p, v == user }
	logged, corr, err := s.rewriteLog(ctx, rename)
	if err != nil {
		return scoring.Erasure{}, fmt.Errorf("erase %s: %w", user, err)
	}
	return scoring.Erasure{Pseudonym: p, People: 1, Keys: n + corr, Log: logged}, nil
}

// moveAgentScript moves an agent's keys and fields under their pseudonym,
// and records the pseudonym as erased, at once: a reaction is counted
// either before (under the name, then moved) or after (under the
// pseudonym), never lost or counted twice. ratelimit:<agent> is dropped.
//
// KEYS: privacy:erased, agentdays:<agent>, agentdays:<pseudonym>,
// ratelimit:<agent>, then the hashes whose fields start with "<agent>:".
// ARGV: agent, pseudonym, HSCAN pattern of the agent's fields.
// Returns the number of keys and fields moved or dropped.
var moveAgentScript = goredis.NewScript(`
local agent, p = ARGV[1], ARGV[2]
redis.call('SADD', KEYS[1], p)
local n = 0
for i = 5, #KEYS do
  local cursor = '0'
  repeat
    local res = redis.call('HSCAN', KEYS[i], cursor, 'MATCH', ARGV[3], 'COUNT', 1000)
    cursor = res[1]
    local kv = res[2]
    for j = 1, #kv, 2 do
      local f = kv[j]
      if string.sub(f, 1, #agent + 1) == agent .. ':' and redis.call('HDEL', KEYS[i], f) == 1 then
        redis.call('HSET', KEYS[i], p .. string.sub(f, #agent + 1), kv[j + 1])
        n = n + 1
      end
    end
  until cursor == '0'
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  n = n + redis.call('SCARD', KEYS[2])
  redis.call('SUNIONSTORE', KEYS[3], KEYS[3], KEYS[2])
  redis.call('DEL', KEYS[2])
end
n = n + redis.call('DEL', KEYS[4])
return n`)

func (s *Store) moveAgent(ctx context.Context, agent, p string) (int, error) {
	hashes, err := s.agentHashes(ctx)
	if err != nil {
		return 0, err
	}
	keys := append([]string{s.key("privacy", "erased"), s.key("agentdays", agent), s.key("agentdays", p), s.key("ratelimit", agent)}, hashes...)
	n, err := moveAgentScript.Run(ctx, s.rdb, keys, agent, p, globEscape(agent)+":*").Int()
	if err != nil {
		return 0, fmt.Errorf("move the keys of %s: %w", agent, err)
	}
	return n, nil
}

// agentHashes returns the hashes whose fields start with an agent's name:
// reacts, reactsat, and part:<team> for every team with a défi done.
func (s *Store) agentHashes(ctx context.Context) ([]string, error) {
	teams, err := s.rdb.HKeys(ctx, s.key("partcount")).Result()
	if err != nil {
		return nil, fmt.Errorf("read teams: %w", err)
	}
	sort.Strings(teams)
	out := []string{s.key("reacts"), s.key("reactsat")}
	for _, t := range teams {
		out = append(out, s.key("part", t))
	}
	return out, nil
}

// fieldsOf returns the fields of hash that start with "<name>:", and
// their values.
func (s *Store) fieldsOf(ctx context.Context, hash, name string) ([][2]string, error) {
	var out [][2]string
	iter := s.rdb.HScan(ctx, hash, 0, globEscape(name)+":*", 1000).Iterator()
	for iter.Next(ctx) {
		f := iter.Val()
		if !iter.Next(ctx) {
			break
		}
		if strings.HasPrefix(f, name+":") {
			out = append(out, [2]string{f, iter.Val()})
		}
	}
	if err := iter.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", hash, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out, nil
}

// EraseAll is the retention erasure of the whole campaign: from now on no
// reaction counts, every name in the log and the corrections is replaced
// by a pseudonym, every per-agent key is deleted, and then the key of the
// pseudonyms, so that what is left names nobody. The team figures stay.
// It runs once: a second call, from any replica, returns done false and
// changes nothing. Returns ErrErasing while another erasure runs.
func (s *Store) EraseAll(ctx context.Context, now time.Time) (e scoring.Erasure, done bool, err error) {
	release, err := s.lockPrivacy(ctx)
	if err != nil {
		return scoring.Erasure{}, false, fmt.Errorf("retention erasure: %w", err)
	}
	defer release()
	finished, err := s.rdb.Exists(ctx, s.key("privacy", "done")).Result()
	if err != nil {
		return scoring.Erasure{}, false, fmt.Errorf("retention erasure: %w", err)
	}
	if finished == 1 {
		return scoring.Erasure{}, false, nil
	}
	// Closed first: a reaction arriving now would write what is being erased.
	if err := s.rdb.SetNX(ctx, s.key("privacy", "closed"), strconv.FormatInt(now.UnixMilli(), 10), 0).Err(); err != nil {
		return scoring.Erasure{}, false, fmt.Errorf("retention erasure: %w", err)
	}
	key, err := s.privacyKey(ctx, true)
	if err != nil {
		return scoring.Erasure{}, false, fmt.Errorf("retention erasure: %w", err)
	}
	people := map[string]bool{}
	rename := func(v string) (string, bool) {
		if strings.HasPrefix(v, pseudonymPrefix) {
			return v, false
		}
		people[v] = true
		return pseudonym(key, v), true
	}
	logged, corr, err := s.rewriteLog(ctx, rename)
	if err != nil {
		return scoring.Erasure{}, false, fmt.Errorf("retention erasure: %w", err)
	}
	n, err := s.dropAgentKeys(ctx, people, key)
	if err != nil {
		return scoring.Erasure{}, false, fmt.Errorf("retention erasure: %w", err)
	}
	dropped, err := s.dropTestimonies(ctx, func(string) bool { return true })
	if err != nil {
		return scoring.Erasure{}, false, fmt.Errorf("retention erasure: %w", err)
	}
	n += dropped
	off, err := s.rdb.Del(ctx, s.key("nudges-off"), s.key("chanmembers")).Result()
	if err != nil {
		return scoring.Erasure{}, false, fmt.Errorf("retention erasure: %w", err)
	}
	n += int(off)
	forgot, err := s.forgetMemory(ctx)
	if err != nil {
		return scoring.Erasure{}, false, fmt.Errorf("retention erasure: %w", err)
	}
	n += forgot
	renamed, err := s.renamePostponements(ctx, rename)
	if err != nil {
		return scoring.Erasure{}, false, fmt.Errorf("retention erasure: %w", err)
	}
	n += renamed
	_, err = s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.Del(ctx, s.key("privacy", "key"), s.key("privacy", "erased"))
		p.Set(ctx, s.key("privacy", "done"), strconv.FormatInt(now.UnixMilli(), 10), 0)
		return nil
	})
	if err != nil {
		return scoring.Erasure{}, false, fmt.Errorf("retention erasure: %w", err)
	}
	s.pkey.Store(nil)
	return scoring.Erasure{People: len(people), Keys: n + corr, Log: logged}, true, nil
}

// renamePostponements replaces, in the postponements kept, the name of
// the coordinator who postponed a day (the calendar only reads dates).
func (s *Store) renamePostponements(ctx context.Context, rename func(string) (string, bool)) (int, error) {
	all, err := s.rdb.HGetAll(ctx, s.key("postponed")).Result()
	if err != nil {
		return 0, fmt.Errorf("read postponements: %w", err)
	}
	n := 0
	for date, raw := range all {
		var p scoring.DefiPostponed
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return n, fmt.Errorf("read the postponement of %s: %w", date, err)
		}
		by, ok := rename(p.By)
		if !ok {
			continue
		}
		p.By = by
		b, err := json.Marshal(p)
		if err != nil {
			return n, err
		}
		if err := s.rdb.HSet(ctx, s.key("postponed"), date, string(b)).Err(); err != nil {
			return n, fmt.Errorf("rename the postponement of %s: %w", date, err)
		}
		n++
	}
	return n, nil
}

// dropAgentKeys deletes the per-agent keys: the marks, the défis done per
// agent, and the days and buckets of every person named (by name, and by
// pseudonym for those erased before).
func (s *Store) dropAgentKeys(ctx context.Context, people map[string]bool, key []byte) (int, error) {
	keys, err := s.agentHashes(ctx)
	if err != nil {
		return 0, err
	}
	erased, err := s.rdb.SMembers(ctx, s.key("privacy", "erased")).Result()
	if err != nil {
		return 0, fmt.Errorf("read the erased: %w", err)
	}
	for name := range people {
		keys = append(keys, s.key("agentdays", name), s.key("ratelimit", name), s.key("agentdays", pseudonym(key, name)))
	}
	for _, p := range erased {
		keys = append(keys, s.key("agentdays", p))
	}
	var n int64
	for len(keys) > 0 { // in batches: one DEL of every key would be a long command
		batch := keys[:min(len(keys), 500)]
		keys = keys[len(batch):]
		d, err := s.rdb.Del(ctx, batch...).Result()
		if err != nil {
			return 0, fmt.Errorf("delete the agents' keys: %w", err)
		}
		n += d
	}
	return int(n), nil
}

// Closed tells whether the campaign's personal data was erased for
// retention (EraseAll), and when.
func (s *Store) Closed(ctx context.Context) (time.Time, bool, error) {
	v, err := s.rdb.Get(ctx, s.key("privacy", "closed")).Result()
	if errors.Is(err, goredis.Nil) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read retention: %w", err)
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read retention: %q is not an instant", v)
	}
	return time.UnixMilli(ms), true, nil
}

// pseudonym is the name that replaces user's under key.
func pseudonym(key []byte, user string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(user))
	return pseudonymPrefix + hex.EncodeToString(m.Sum(nil))[:16]
}

// privacyKey returns the campaign's pseudonym key, creating it when create
// is set (nil when there is none and create is not set).
func (s *Store) privacyKey(ctx context.Context, create bool) ([]byte, error) {
	k := s.key("privacy", "key")
	if create {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("make the pseudonym key: %w", err)
		}
		if err := s.rdb.SetNX(ctx, k, hex.EncodeToString(b), 0).Err(); err != nil {
			return nil, fmt.Errorf("make the pseudonym key: %w", err)
		}
	}
	v, err := s.rdb.Get(ctx, k).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the pseudonym key: %w", err)
	}
	key := []byte(v)
	s.pkey.Store(&key)
	return key, nil
}

// erasedPseudonym returns user's pseudonym and whether user was erased.
func (s *Store) erasedPseudonym(ctx context.Context, user string) (string, bool, error) {
	key, err := s.privacyKey(ctx, false)
	if err != nil || key == nil {
		return "", false, err
	}
	p := pseudonym(key, user)
	ok, err := s.rdb.SIsMember(ctx, s.key("privacy", "erased"), p).Result()
	if err != nil {
		return "", false, fmt.Errorf("read the erased: %w", err)
	}
	return p, ok, nil
}

// privacyLease bounds an erasure; a process that dies holding the lock
// frees it when the lease ends.
const privacyLease = 15 * time.Minute

// lockPrivacy takes the campaign's erasure lock, so that two erasures
// (the CLI, the retention job of two replicas) never copy the log at once.
func (s *Store) lockPrivacy(ctx context.Context) (func(), error) {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	owner := hex.EncodeToString(b)
	k := s.key("privacy", "lock")
	ok, err := s.rdb.SetNX(ctx, k, "pending:"+owner+"#erase", privacyLease).Result() // as a claim's lease, which releaseScript drops
	if err != nil {
		return nil, fmt.Errorf("take the erasure lock: %w", err)
	}
	if !ok {
		return nil, ErrErasing
	}
	return func() { _ = releaseScript.Run(context.WithoutCancel(ctx), s.rdb, []string{k}, owner).Err() }, nil
}

// personFields are the log fields that name a person.
var personFields = map[string]bool{"agent": true, "by": true}

// named tells whether a log entry (field, value, field, value…) names a
// person for whom is says so.
func named(fields []string, is func(string) bool) bool {
	for i := 0; i+1 < len(fields); i += 2 {
		if personFields[fields[i]] && fields[i+1] != "" && is(fields[i+1]) {
			return true
		}
	}
	return false
}

// correctionDay returns the day of a correction's log entry.
func correctionDay(fields []string) (int, bool) {
	if len(fields) < 2 || fields[0] != "type" || fields[1] != scoring.KindCorrection {
		return 0, false
	}
	for i := 2; i+1 < len(fields); i += 2 {
		if fields[i] == "day" {
			d, err := strconv.Atoi(fields[i+1])
			return d, err == nil
		}
	}
	return 0, false
}

// globEscape escapes the characters that HSCAN's MATCH reads as a pattern.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *Store) campaign() string {
	return strings.TrimSuffix(strings.TrimPrefix(s.prefix, "gigabot:{"), "}:")
}

func pairs(fields []string) [][]string {
	out := make([][]string, 0, len(fields)/2)
	for i := 0; i+1 < len(fields); i += 2 {
		out = append(out, []string{fields[i], fields[i+1]})
	}
	return out
}
