// Package redistest gives tests a Store: on the real Redis named by
// REDIS_URL, REDIS_SENTINEL_URL or REDIS_CLUSTER_URL when one is set (as in
// CI, which runs the store's tests on each), on an embedded miniredis
// otherwise.
// Each store gets a campaign namespace of its own, removed when the test ends,
// so tests never see each other's keys even on a shared server.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/alicebob/miniredis/v2"
	goredis "github.com/redis/go-redis/v9"

	"github.com/gigabot/gigabot/redis"
)

// Redis returns a client for tests and whether it is a real server: the
// one that REDIS_URL, REDIS_SENTINEL_URL or REDIS_CLUSTER_URL names (see
// redis.Open). Without any it starts a miniredis that stops with the test.
func Redis(tb testing.TB) (goredis.UniversalClient, bool) {
	tb.Helper()
	rdb, err := redis.Open(context.Background(), os.Getenv)
	if err == nil {
		tb.Cleanup(func() { rdb.Close() })
		return rdb, true
	}
	if !errors.Is(err, redis.ErrNoServer) {
		tb.Fatalf("a Redis is named but unusable: %v", err)
	}
	srv := miniredis.RunT(tb)
	mini := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	tb.Cleanup(func() { mini.Close() })
	return mini, false
}

// Campaign returns a fresh campaign id, unique to this call.
func Campaign(tb testing.TB) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "test-" + hex.EncodeToString(b)
}

// NewStore returns a store on a fresh campaign namespace, deleted at
// cleanup. Its writes wait for replicas as the environment says
// (redis.Durability: one with REDIS_SENTINEL_URL), then as opts say.
func NewStore(tb testing.TB, opts ...redis.Option) (*redis.Store, goredis.UniversalClient, string) {
	tb.Helper()
	rdb, _ := Redis(tb)
	durable, err := redis.Durability(os.Getenv)
	if err != nil {
		tb.Fatal(err)
	}
	id := Campaign(tb)
	tb.Cleanup(func() { Drop(rdb, id) })
	return redis.NewStore(rdb, id, append([]redis.Option{durable.Option()}, opts...)...), rdb, id
}

// Drop deletes every key of a campaign. A campaign's keys share one hash
// slot, so on a cluster one DEL takes them all.
func Drop(rdb goredis.UniversalClient, campaign string) {
	ctx := context.Background()
	if keys, err := Keys(ctx, rdb, "gigabot:{"+campaign+"}:*"); err == nil && len(keys) > 0 {
		rdb.Del(ctx, keys...)
	}
}

// Keys returns the keys that match pattern, scanning every master of a
// cluster (SCAN and KEYS see one node's keys only).
func Keys(ctx context.Context, rdb goredis.UniversalClient, pattern string) ([]string, error) {
	var mu sync.Mutex
	var keys []string
	scan := func(ctx context.Context, c *goredis.Client) error {
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			keys = append(keys, iter.Val())
			mu.Unlock()
		}
		return iter.Err()
	}
	var err error
	switch c := rdb.(type) {
	case *goredis.ClusterClient:
		err = c.ForEachMaster(ctx, scan)
	case *goredis.Client:
		err = scan(ctx, c)
	default:
		err = fmt.Errorf("redistest.Keys: a %T", rdb)
	}
	return keys, err
}
