package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Remember keeps a chat adapter's small piece of state under name, for
// keep (0: until replaced): what it must find again after a restart, such
// as where its event stream stopped or which reaction a removal undoes.
func (s *Store) Remember(ctx context.Context, name, value string, keep time.Duration) error {
	if err := s.rdb.Set(ctx, s.key("memory", name), value, keep).Err(); err != nil {
		return fmt.Errorf("remember %s: %w", name, err)
	}
	return nil
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
