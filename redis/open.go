package redis

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// The environment variables that name the store, one per deployment: a
// single server, a master watched by Sentinel, or a Redis Cluster.
const (
	EnvURL         = "REDIS_URL"          // redis://, rediss://, unix:// (redis.ParseURL)
	EnvSentinelURL = "REDIS_SENTINEL_URL" // the sentinels, with master_name (redis.ParseFailoverURL)
	EnvClusterURL  = "REDIS_CLUSTER_URL"  // one or more cluster nodes (redis.ParseClusterURL)
)

// ErrNoServer is Open's answer when none of the three variables is set.
var ErrNoServer = errors.New("none of " + EnvURL + ", " + EnvSentinelURL + ", " + EnvClusterURL + " is set")

// Configured returns which of REDIS_URL, REDIS_SENTINEL_URL and
// REDIS_CLUSTER_URL the environment sets (Open wants exactly one; none
// means the embedded store).
func Configured(getenv func(string) string) []string {
	var set []string
	for _, name := range []string{EnvURL, EnvSentinelURL, EnvClusterURL} {
		if getenv(name) != "" {
			set = append(set, name)
		}
	}
	return set
}

// Open connects to the Redis that the environment names: REDIS_URL (one
// server), REDIS_SENTINEL_URL (the master that Sentinel names, followed
// through failovers) or REDIS_CLUSTER_URL (a Redis Cluster; every key of a
// campaign carries the hash tag {<campaign>}, so one campaign lives in one
// slot and its Lua scripts and transactions run there). At most one may be
// set; none is ErrNoServer. It checks that Redis answers. Its errors name
// the variable and never hold the URL, which may carry a password.
func Open(ctx context.Context, getenv func(string) string) (goredis.UniversalClient, error) {
	set := Configured(getenv)
	switch len(set) {
	case 0:
		return nil, ErrNoServer
	case 1:
	default:
		return nil, fmt.Errorf("%s are all set: set only one", strings.Join(set, " and "))
	}
	name := set[0]
	raw := getenv(name)
	var rdb goredis.UniversalClient
	var addrs []string
	switch name {
	case EnvURL:
		c, err := Connect(ctx, raw)
		if err != nil {
			return nil, err // not a nil *Client in a non-nil interface
		}
		return c, nil
	case EnvSentinelURL:
		opts, err := goredis.ParseFailoverURL(raw)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, redact(err))
		}
		if opts.MasterName == "" {
			return nil, fmt.Errorf("parse %s: master_name is missing (…?master_name=NAME)", name)
		}
		addrs = opts.SentinelAddrs
		rdb = goredis.NewFailoverClient(opts)
	case EnvClusterURL:
		opts, err := goredis.ParseClusterURL(raw)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, redact(err))
		}
		addrs = opts.Addrs
		rdb = goredis.NewClusterClient(opts)
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("connect to redis (%s %s): %w", name, strings.Join(addrs, ","), err)
	}
	return rdb, nil
}

// redact drops the URL from a url.Error (net/url quotes the whole URL,
// password included); go-redis's own errors do not quote it.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
