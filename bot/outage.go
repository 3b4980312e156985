package bot

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Outages is what the store may tell about its errors. The Redis store
// fits; a store that does not has no outages, only failures.
type Outages interface {
	// Unavailable tells whether err means the store could not be reached
	// or could not serve for a while (a connection refused or cut, a
	// timeout, a server loading its data or failing over), so that the
	// same call may succeed later.
	Unavailable(err error) bool
}

// The bounds of the retry queue, by default: an outage longer than an
// hour, or one during which more than 10 000 reactions arrive (three per
// agent of the Calvados), is a disaster to repair by hand, not to wait out
// in memory.
const (
	defaultRetryQueue = 10_000
	defaultRetryFor   = time.Hour
	retryFirst        = time.Second
	retryMax          = 30 * time.Second
)

// unavailable tells whether a store error is an outage (see Outages).
func (b *Bot) unavailable(err error) bool {
	return b.outages != nil && b.outages.Unavailable(err)
}

// apologise answers a command that the store failed and returns err for
// the logs. An outage is said as such: the command was not run, try again
// in a few minutes. A command is not queued like a reaction: its author
// is there, waiting for the answer, and would type it again anyway; run
// from a queue as well, a correction typed again on a platform without
// delivery ids would count twice, and an announcement posted an hour late
// may say something no longer true.
func (b *Bot) apologise(ctx context.Context, ev Event, err error) error {
	key := "failed"
	if b.unavailable(err) {
		key = "unavailable"
	}
	if rerr := b.reply(ctx, ev, b.loc.T(key)); rerr != nil {
		b.log.Error("reply", "err", rerr)
	}
	return err
}

// retryQueue keeps the reactions that met a store outage and counts them
// once the store is back: in the order they arrived (a ✅ taken back after
// it was given stays taken back), with backoff, for a bounded time and in
// bounded numbers. While events wait, the next ones wait behind them.
// Counting a reaction twice changes nothing (the store counts one mark per
// agent and post), so a retry whose first try did reach the store is
// harmless. The queue lives in memory: a reaction queued when the process
// stops is lost, and logged as such.
type retryQueue struct {
	clock   Clock
	log     *slog.Logger
	outages func(error) bool
	sleep   func(context.Context, time.Duration) error
	limit   int
	keep    time.Duration

	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu      sync.Mutex
	items   []pending
	running bool
}

// pending is an event waiting for the store.
type pending struct {
	ev  Event
	at  time.Time
	run func(ctx context.Context, late bool) error
}

func (p pending) attrs() []any {
	return []any{"user", p.ev.User, "kind", p.ev.Kind, "post", p.ev.PostID, "arrived", p.at}
}

func newRetryQueue(o Options, outages func(error) bool) *retryQueue {
	q := &retryQueue{clock: o.Clock, log: o.Logger, outages: outages, sleep: o.Sleep, limit: o.RetryQueue, keep: o.RetryFor}
	if q.sleep == nil {
		q.sleep = sleep
	}
	if q.limit <= 0 {
		q.limit = defaultRetryQueue
	}
	if q.keep <= 0 {
		q.keep = defaultRetryFor
	}
	q.ctx, q.stop = context.WithCancel(context.Background())
	return q
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// do runs an event's store work now, or queues it: behind the events
// already waiting, or when it meets an outage (run then learns it is
// late). It returns nil once the event is queued, and an error when it
// failed otherwise or the queue is full.
func (q *retryQueue) do(ctx context.Context, ev Event, at time.Time, run func(ctx context.Context, late bool) error) error {
	p := pending{ev: ev, at: at, run: run}
	q.mu.Lock()
	waiting := len(q.items) > 0
	q.mu.Unlock()
	if !waiting {
		err := run(ctx, false)
		if err == nil || !q.outages(err) {
			return err
		}
		q.log.Warn("store unreachable: the event will be counted when it is back", append(p.attrs(), "err", err)...)
	}
	return q.push(p)
}

func (q *retryQueue) push(p pending) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) >= q.limit {
		return fmt.Errorf("event dropped: the store is unreachable and %d events already wait for it", len(q.items))
	}
	if q.ctx.Err() != nil {
		return fmt.Errorf("event dropped: the store is unreachable and the bot is stopping")
	}
	q.items = append(q.items, p)
	if !q.running {
		q.running = true
		q.wg.Add(1)
		go q.drain()
	}
	return nil
}

// drain retries the queue's first event until the store takes it, then
// the next ones, and returns when the queue is empty or the bot stops.
func (q *retryQueue) drain() {
	defer q.wg.Done()
	wait := retryFirst
	for {
		if wait > 0 {
			if err := q.sleep(q.ctx, wait); err != nil {
				q.abandon()
				return
			}
		}
		q.mu.Lock()
		head := q.items[0]
		q.mu.Unlock()
		err := head.run(q.ctx, true)
		if q.ctx.Err() != nil {
			q.abandon()
			return
		}
		outage := err != nil && q.outages(err)
		q.mu.Lock()
		switch {
		case err == nil:
			q.items = q.items[1:]
			q.log.Info("store back: a queued event was counted", append(head.attrs(), "waited", q.clock.Now().Sub(head.at))...)
			wait = 0
		case !outage:
			q.items = q.items[1:]
			q.log.Error("queued event dropped: the store refused it", append(head.attrs(), "err", err)...)
			wait = 0
		default:
			q.expire()
			wait = min(max(2*wait, retryFirst), retryMax)
		}
		if len(q.items) == 0 {
			q.items = nil
			q.running = false
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
	}
}

// expire drops, from the head of the queue, the events that waited longer
// than the queue keeps them. q.mu is held.
func (q *retryQueue) expire() {
	now := q.clock.Now()
	n := 0
	for n < len(q.items) && now.Sub(q.items[n].at) >= q.keep {
		q.log.Error(fmt.Sprintf("queued event dropped: the store stayed unreachable for %s", q.keep), q.items[n].attrs()...)
		n++
	}
	q.items = q.items[n:]
}

// abandon logs the events still waiting when the bot stops.
func (q *retryQueue) abandon() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, p := range q.items {
		q.log.Error("queued event dropped: the bot stopped before the store came back", p.attrs()...)
	}
	q.items = nil
	q.running = false
}

// Close stops retrying the events that wait for the store (each is
// logged as dropped) and returns once the retries have stopped.
func (b *Bot) Close() {
	b.retries.stop()
	b.retries.wg.Wait()
}
