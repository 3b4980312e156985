package redis_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/gigabot/gigabot/redis"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestOpenNoServer(t *testing.T) {
	rdb, err := redis.Open(context.Background(), env(nil))
	if !errors.Is(err, redis.ErrNoServer) || rdb != nil {
		t.Fatalf("Open() with no variable = %v, %v; want ErrNoServer", rdb, err)
	}
}

func TestOpenRefusesTwoVariables(t *testing.T) {
	for _, tt := range []map[string]string{
		{"REDIS_URL": "redis://127.0.0.1:1/0", "REDIS_SENTINEL_URL": "redis://127.0.0.1:1?master_name=gigabot"},
		{"REDIS_URL": "redis://127.0.0.1:1/0", "REDIS_CLUSTER_URL": "redis://127.0.0.1:1"},
		{"REDIS_SENTINEL_URL": "redis://127.0.0.1:1?master_name=gigabot", "REDIS_CLUSTER_URL": "redis://127.0.0.1:1"},
	} {
		rdb, err := redis.Open(context.Background(), env(tt))
		if err == nil || rdb != nil {
			t.Fatalf("Open(%v) = %v, %v; want an error", tt, rdb, err)
		}
		for k := range tt {
			if !strings.Contains(err.Error(), k) {
				t.Errorf("Open(%v) error %q does not name %s", tt, err, k)
			}
		}
	}
}

// A URL that does not parse, or a server that does not answer, is an error
// that names the variable and never shows the password.
func TestOpenErrorsNameTheVariableNotThePassword(t *testing.T) {
	for _, tt := range []struct{ name, url, want string }{
		{"REDIS_URL", "redis://u:s3cret@ho st:6379/0", "REDIS_URL"},
		{"REDIS_SENTINEL_URL", "redis://u:s3cret@ho st:26379?master_name=gigabot", "REDIS_SENTINEL_URL"},
		{"REDIS_CLUSTER_URL", "redis://u:s3cret@ho st:7000", "REDIS_CLUSTER_URL"},
		{"REDIS_SENTINEL_URL", "redis://u:s3cret@127.0.0.1:26379", "master_name"},
		{"REDIS_CLUSTER_URL", "redis://u:s3cret@127.0.0.1:7000?bogus=1", "REDIS_CLUSTER_URL"},
		{"REDIS_SENTINEL_URL", "redis://u:s3cret@127.0.0.1:1?master_name=gigabot", "REDIS_SENTINEL_URL"},
		{"REDIS_CLUSTER_URL", "redis://u:s3cret@127.0.0.1:1", "REDIS_CLUSTER_URL"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		rdb, err := redis.Open(ctx, env(map[string]string{tt.name: tt.url}))
		cancel()
		if err == nil || rdb != nil {
			t.Fatalf("Open(%s=%s) = %v, %v; want an error", tt.name, tt.url, rdb, err)
		}
		if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open(%s=%s) error %q: want %q in it and no password", tt.name, tt.url, err, tt.want)
		}
	}
	// Connect, REDIS_URL's parser, is no more talkative.
	if _, err := redis.Connect(context.Background(), "redis://u:s3cret@ho st:6379/0"); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("Connect(bad URL) error %q: want an error without the password", err)
	}
}

func TestOpenURL(t *testing.T) {
	srv := miniredis.RunT(t)
	rdb, err := redis.Open(context.Background(), env(map[string]string{"REDIS_URL": "redis://" + srv.Addr() + "/0"}))
	if err != nil {
		t.Fatalf("Open(REDIS_URL): %v", err)
	}
	defer rdb.Close()
	if err := redis.NewStore(rdb, "t").Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}
