package redis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Remember keeps a chat adapter's small piece of state under name, for
// keep (0: until replaced): what it must find again after a restart, such
// as where its event stream stopped. A value that names people goes
// through RememberAbout.
func (s *Store) Remember(ctx context.Context, name, value string, keep time.Duration) error {
	if err := s.rdb.Set(ctx, s.key("memory", name), value, keep).Err(); err != nil {
		return fmt.Errorf("remember %s: %w", name, err)
	}
	return nil
}

// rememberAboutScript keeps a value that names people and lists its name
// for the retention erasure, unless that erasure already ran.
//
// KEYS: memory:<name>, memory-names, privacy:closed.
// ARGV: name, value, time to live in ms (0: none).
var rememberAboutScript = goredis.NewScript(`
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
if tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
redis.call('SADD', KEYS[2], ARGV[1])
return 1`)

// RememberAbout is Remember for a value that names people, such as who
// made the reaction a redaction undoes: the retention erasure (EraseAll)
// forgets it, and once it ran nothing more is kept (the call does
// nothing: no reaction counts any more).
func (s *Store) RememberAbout(ctx context.Context, name, value string, keep time.Duration) error {
	keys := []string{s.key("memory", name), s.key("memory-names"), s.key("privacy", "closed")}
	if err := rememberAboutScript.Run(ctx, s.rdb, keys, name, value, keep.Milliseconds()).Err(); err != nil {
		return fmt.Errorf("remember %s: %w", name, err)
	}
	return nil
}

// forgetMemory deletes everything RememberAbout kept, and returns how
// many keys it deleted. EraseAll calls it once the campaign is closed, so
// that no name is listed meanwhile.
func (s *Store) forgetMemory(ctx context.Context) (int, error) {
	names, err := s.rdb.SMembers(ctx, s.key("memory-names")).Result()
	if err != nil {
		return 0, fmt.Errorf("list the adapters' memory: %w", err)
	}
	n := 0
	for batch := range slices.Chunk(names, 500) {
		keys := make([]string, len(batch))
		for i, name := range batch {
			keys[i] = s.key("memory", name)
		}
		deleted, err := s.rdb.Del(ctx, keys...).Result()
		if err != nil {
			return n, fmt.Errorf("forget the adapters' memory: %w", err)
		}
		n += int(deleted)
	}
	if err := s.rdb.Del(ctx, s.key("memory-names")).Err(); err != nil {
		return n, fmt.Errorf("forget the adapters' memory: %w", err)
	}
	return n, nil
}

// Recall returns what Remember kept under name; false when nothing is.
func (s *Store) Recall(ctx context.Context, name string) (string, bool, error) {
	v, err := s.rdb.Get(ctx, s.key("memory", name)).Result()
	if errors.Is(err, goredis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("recall %s: %w", name, err)
	}
	return v, true, nil
}
