package metrics

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// pipelineLabel is the command label of a pipeline or a transaction: its
// commands are sent and answered together, so they have one latency.
const pipelineLabel = "pipeline"

// RedisHook returns a go-redis hook that times every command and pipeline
// (gigabot_redis_command_duration_seconds) and counts those that fail
// (gigabot_redis_errors_total). Add it with client.AddHook.
//
// A command that needs a new connection is timed with the connection's
// set-up. Not failures: redis.Nil (a missing key is an answer),
// redis.TxFailedErr (a WATCHed key changed: the caller retries its
// transaction by design), and the set-up commands an older server refuses.
func (m *Metrics) RedisHook() redis.Hook { return redisHook{m: m, now: time.Now} }

type redisHook struct {
	m   *Metrics
	now func() time.Time
}

var _ redis.Hook = redisHook{}

// DialHook leaves dialling alone: a failed dial fails the command that
// needed the connection, which is counted.
func (h redisHook) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook times one command.
func (h redisHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if inside(ctx) {
			return next(ctx, cmd)
		}
		start := h.now()
		err := next(within(ctx), cmd)
		h.observe(h.m.redisCommands.value(cmd.Name()), start, failed(err))
		return err
	}
}

// ProcessPipelineHook times a pipeline or a transaction as one.
func (h redisHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if inside(ctx) {
			return next(ctx, cmds)
		}
		start := h.now()
		err := next(within(ctx), cmds)
		// The pipeline's error is its first command's, which may be
		// redis.Nil while a later command failed for real.
		bad := failed(err)
		for _, c := range cmds {
			bad = bad || failed(c.Err())
		}
		h.observe(pipelineLabel, start, bad)
		return err
	}
}

// measuringKey marks the context of a command being measured. go-redis
// runs the set-up of a new connection (HELLO, CLIENT SETINFO, CLIENT
// MAINT_NOTIFICATIONS) through the hooks too, inside the command that
// needed the connection: those are not measured apart — their time counts
// in that command's — and their refusals by an older server, which
// go-redis ignores, are not errors.
type measuringKey struct{}

func within(ctx context.Context) context.Context { return context.WithValue(ctx, measuringKey{}, true) }

func inside(ctx context.Context) bool { return ctx.Value(measuringKey{}) != nil }

func (h redisHook) observe(command string, start time.Time, bad bool) {
	h.m.redisTime.WithLabelValues(command).Observe(h.now().Sub(start).Seconds())
	if bad {
		h.m.redisErrs.WithLabelValues(command).Inc()
	}
}

// failed tells whether a command's error is a failure (see RedisHook).
func failed(err error) bool {
	return err != nil && !errors.Is(err, redis.Nil) && !errors.Is(err, redis.TxFailedErr)
}
