// Package redistest gives tests a Store: on the real Redis server named by
// REDIS_URL when it is set (as in CI), on an embedded miniredis otherwise.
// Each store gets a campaign namespace of its own, removed when the test ends,
// so tests never see each other's keys even on a shared server.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/alicebob/miniredis/v2"
	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/redis"
)

// Redis returns a client for tests and whether it is a real server.
// Without REDIS_URL it starts a miniredis that stops with the test.
func Redis(tb testing.TB) (goredis.UniversalClient, bool) {
	tb.Helper()
	if url := os.Getenv("REDIS_URL"); url != "" {
		rdb, err := redis.Connect(context.Background(), url)
		if err != nil {
			tb.Fatalf("REDIS_URL is set but unusable: %v", err)
		}
		tb.Cleanup(func() { rdb.Close() })
		return rdb, true
	}
	srv := miniredis.RunT(tb)
	rdb := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	tb.Cleanup(func() { rdb.Close() })
	return rdb, false
}

// Campaign returns a fresh campaign id, unique to this call.
func Campaign(tb testing.TB) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "test-" + hex.EncodeToString(b)
}

// NewStore returns a store on a fresh campaign namespace, deleted at cleanup.
func NewStore(tb testing.TB) (*redis.Store, goredis.UniversalClient, string) {
	tb.Helper()
	rdb, _ := Redis(tb)
	id := Campaign(tb)
	tb.Cleanup(func() { Drop(rdb, id) })
	return redis.NewStore(rdb, id), rdb, id
}

// Drop deletes every key of a campaign.
func Drop(rdb goredis.UniversalClient, campaign string) {
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, "gigabot:{"+campaign+"}:*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if len(keys) > 0 {
		rdb.Del(ctx, keys...)
	}
}
