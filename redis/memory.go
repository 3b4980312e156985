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
// as where its event stream stopped or which reaction a removal undoes.
// It may name people: the retention erasure forgets all of it
// (forgetMemory), so every name is listed.
func (s *Store) Remember(ctx context.Context, name, value string, keep time.Duration) error {
	_, err := s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.Set(ctx, s.key("memory", name), value, keep)
		p.SAdd(ctx, s.key("memory-names"), name)
		return nil
	})
	if err != nil {
		return fmt.Errorf("remember %s: %w", name, err)
	}
	return nil
}

// forgetMemory deletes everything Remember kept, and returns how many keys
// it deleted.
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
