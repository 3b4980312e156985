package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/scoring"
)

// claimScript leases a post or a delivery for one claim: ARGV[1] is the
// claim's token, "<owner>#<nonce>". The same claim sent again (the client
// retrying a pipeline whose answer it lost) finds its own lease and has it;
// any other claim, even by the same owner, is told the lease is busy.
var claimScript = goredis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then
  if string.sub(v, 1, 5) == 'sent:' then return 1 end
  if v == 'pending:' .. ARGV[1] then return 0 end
  return 2
end
redis.call('SET', KEYS[1], 'pending:' .. ARGV[1], 'PX', ARGV[2])
return 0`)

// confirmScript marks a leased post as sent, remembers what the platform's
// post id refers to, and audits it, in one step.
var confirmScript = goredis.NewScript(logEntry + `
redis.call('SET', KEYS[1], 'sent:' .. ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) end
logEntry(KEYS[3], 4)
return 1`)

// releaseScript drops a lease still held by its owner (any of its claims:
// "pending:<owner>#…"), so the post is retried.
var releaseScript = goredis.NewScript(`
local v = redis.call('GET', KEYS[1])
local mine = 'pending:' .. ARGV[1] .. '#'
if v and string.sub(v, 1, #mine) == mine then return redis.call('DEL', KEYS[1]) end
return 0`)

// claim leases key for owner under a token of this claim alone (see
// claimScript). A lease the replicas did not confirm (ErrNotReplicated) is
// dropped again before the error is returned, so that the caller's next try
// does not wait for it to expire.
func (s *Store) claim(ctx context.Context, key, owner string, lease time.Duration) (scoring.ClaimStatus, error) {
	nonce := make([]byte, 6)
	_, _ = rand.Read(nonce)
	st, err := s.write(ctx, claimScript, []string{key}, owner+"#"+hex.EncodeToString(nonce), lease.Milliseconds()).Int()
	if errors.Is(err, ErrNotReplicated) {
		_ = releaseScript.Run(context.WithoutCancel(ctx), s.rdb, []string{key}, owner).Err()
	}
	if err != nil {
		return scoring.Busy, err
	}
	return scoring.ClaimStatus(st), nil
}

// ClaimPost leases the post named key for owner. A post is sent exactly once
// per key: the lease keeps a second process (or a retry) from sending it
// while the first is at it, and a sent post is never claimed again. The
// lease expires so that a process that died before posting does not block
// the post forever.
func (s *Store) ClaimPost(ctx context.Context, key, owner string, lease time.Duration) (scoring.ClaimStatus, error) {
	st, err := s.claim(ctx, s.key("post", key), owner, lease)
	if err != nil {
		return scoring.Busy, fmt.Errorf("claim post %s: %w", key, err)
	}
	return st, nil
}

// ConfirmPost records that the post named key was sent as the platform's
// postID; ref (may be empty) is what reactions on that post refer to.
func (s *Store) ConfirmPost(ctx context.Context, key, postID, ref string, at time.Time) error {
	err := s.write(ctx, confirmScript, []string{s.key("post", key), s.key("postrefs"), s.key("audit")},
		xaddArgs([]any{key, postID, ref}, scoring.Encode(scoring.PostSent{Key: key, PostID: postID, Ref: ref, At: at}))...).Err()
	if err != nil {
		return fmt.Errorf("confirm post %s: %w", key, err)
	}
	return nil
}

// ReleasePost gives up owner's lease after a failed send.
func (s *Store) ReleasePost(ctx context.Context, key, owner string) error {
	if err := releaseScript.Run(ctx, s.rdb, []string{s.key("post", key)}, owner).Err(); err != nil {
		return fmt.Errorf("release post %s: %w", key, err)
	}
	return nil
}

// PostSent reports whether the post named key was sent, and as which post id.
func (s *Store) PostSent(ctx context.Context, key string) (string, bool, error) {
	v, err := s.rdb.Get(ctx, s.key("post", key)).Result()
	if errors.Is(err, goredis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read post %s: %w", key, err)
	}
	id, ok := strings.CutPrefix(v, "sent:")
	if !ok {
		return "", false, nil // leased, not sent yet
	}
	return id, true, nil
}

// ReferTo records what reactions on a platform post refer to, for a post
// outside the ledger (the défi card a user asked for).
func (s *Store) ReferTo(ctx context.Context, postID, ref string) error {
	if err := s.rdb.HSet(ctx, s.key("postrefs"), postID, ref).Err(); err != nil {
		return fmt.Errorf("record post %s: %w", postID, err)
	}
	return nil
}

// PostRef returns what a platform post id refers to (as given to
// ConfirmPost or ReferTo).
func (s *Store) PostRef(ctx context.Context, postID string) (string, bool, error) {
	v, err := s.rdb.HGet(ctx, s.key("postrefs"), postID).Result()
	if errors.Is(err, goredis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read post %s: %w", postID, err)
	}
	return v, true, nil
}

// raiseScript keeps the highest milestone announced: it records ARGV[1]
// unless a higher one is, and tells whether ARGV[1] is the highest.
var raiseScript = goredis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur and string.len(cur) > string.len(ARGV[1]) then return 0 end
if cur and string.len(cur) == string.len(ARGV[1]) and cur > ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1`)

// RaiseMilestone records threshold as the highest milestone announced, so
// that no replica announces a lower one late, and tells whether it is the
// highest (false: a higher one was announced already). Thresholds compare
// as decimal strings, exactly.
func (s *Store) RaiseMilestone(ctx context.Context, threshold int64) (bool, error) {
	ok, err := s.write(ctx, raiseScript, []string{s.key("milestone", "highest")}, strconv.FormatInt(threshold, 10)).Bool()
	if err != nil {
		return false, fmt.Errorf("raise milestone %d: %w", threshold, err)
	}
	return ok, nil
}
