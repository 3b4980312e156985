package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot"
)

// heartbeatEvery is how often the live feed sends a comment, so that
// proxies and browsers keep an idle stream open.
const heartbeatEvery = 25 * time.Second

// computeTimeout bounds one computation of the board.
const computeTimeout = 10 * time.Second

// heartbeatFrame is an SSE comment: browsers ignore it.
var heartbeatFrame = []byte(": ping\n\n")

// snapshot is one computed board, encoded once for every viewer.
type snapshot struct {
	board bot.Board
	// json is the board as /api/v1/board answers it; frame is the SSE
	// event that carries it.
	json, frame []byte
	// key is the JSON without UpdatedAt, which changes at every
	// computation: two boards with the same key show the same page.
	key []byte
}

func newSnapshot(b bot.Board) (*snapshot, error) {
	body, err := json.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("encode board: %w", err)
	}
	b2 := b
	b2.UpdatedAt = time.Time{}
	key, err := json.Marshal(b2)
	if err != nil {
		return nil, fmt.Errorf("encode board: %w", err)
	}
	frame := make([]byte, 0, len(body)+32)
	frame = append(frame, "event: board\ndata: "...)
	frame = append(frame, body...)
	frame = append(frame, "\n\n"...)
	return &snapshot{board: b, json: body, frame: frame, key: key}, nil
}

// subscriber is one page on the live feed. Its channel holds one frame:
// a page too slow to take a board before the next one gets only the latest.
type subscriber struct {
	ch chan []byte
}

// offer hands a frame to the subscriber without ever blocking the hub. A
// heartbeat is dropped when a frame is already waiting (that frame keeps
// the stream alive); a board replaces whatever is waiting.
func (s *subscriber) offer(frame []byte, heartbeat bool) {
	for {
		select {
		case s.ch <- frame:
			return
		default:
		}
		if heartbeat {
			return
		}
		// Only the hub sends, so after this drain the next send succeeds.
		select {
		case <-s.ch:
		default:
		}
	}
}

// Why a page cannot subscribe.
var (
	errHubStopped = errors.New("dashboard: the live feed has stopped")
	errHubFull    = errors.New("dashboard: too many live pages")
)

// hub holds the latest board and the pages waiting for the next.
type hub struct {
	// max caps the subscribers.
	max    int
	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	latest *snapshot
	fresh  time.Time // when latest was last confirmed by a computation
	// pokes counts the Pokes; seen is how many had been made when the
	// computation behind latest started. While seen < pokes, latest may
	// miss what a Poke announced.
	pokes, seen uint64
	running     bool
	stopped     chan struct{} // closed when Run returns
}

func newHub(max int) *hub {
	return &hub{max: max, subs: map[*subscriber]struct{}{}, stopped: make(chan struct{})}
}

// subscribe adds a page and returns the board it should show first (nil
// before the first computation). It fails with errHubStopped once the hub
// has stopped, and with errHubFull while max pages are subscribed.
func (h *hub) subscribe() (*subscriber, *snapshot, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	select {
	case <-h.stopped:
		return nil, nil, errHubStopped
	default:
	}
	if len(h.subs) >= h.max {
		return nil, nil, errHubFull
	}
	s := &subscriber{ch: make(chan []byte, 1)}
	h.subs[s] = struct{}{}
	return s, h.latest, nil
}

func (h *hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, s)
}

func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// current returns the latest board if a computation confirmed it at or
// after since, and none was poked since that computation started.
func (h *hub) current(since time.Time) (*snapshot, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.latest == nil || h.fresh.Before(since) || h.seen < h.pokes {
		return nil, false
	}
	return h.latest, true
}

func (h *hub) poked() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pokes++
}

// generation is the number of pokes a computation starting now takes into account.
func (h *hub) generation() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.pokes
}

// publish records a board computed at the given poke generation and sends
// it to every page if it shows something new. It reports whether it did.
func (h *hub) publish(s *snapshot, at time.Time, gen uint64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fresh = at
	h.seen = max(h.seen, gen)
	if h.latest != nil && bytes.Equal(h.latest.key, s.key) {
		return false
	}
	h.latest = s
	for sub := range h.subs {
		sub.offer(s.frame, false)
	}
	return true
}

func (h *hub) heartbeat() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs {
		sub.offer(heartbeatFrame, true)
	}
}

func (h *hub) start() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.running {
		return false
	}
	h.running = true
	return true
}

// stop ends every live feed, so that a server shutting down is not held
// open by them.
func (h *hub) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	close(h.stopped)
}

// Run keeps the live feed fresh until ctx is done: it computes the board
// at once, then every Every and at each Poke, and pushes it to the
// connected pages when it changed. A failed computation is logged and
// leaves the last board in place. Run returns nil when ctx is done; it may
// be called once.
func (d *Dashboard) Run(ctx context.Context) error {
	if !d.hub.start() {
		return errors.New("dashboard: Run: already called")
	}
	defer d.hub.stop()
	refresh, beat := d.newTicker(d.every), d.newTicker(heartbeatEvery)
	defer refresh.Stop()
	defer beat.Stop()
	d.refresh(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-refresh.Chan():
			d.refresh(ctx)
		case <-d.poke:
			d.refresh(ctx)
		case <-beat.Chan():
			d.hub.heartbeat()
		}
	}
}

func (d *Dashboard) newTicker(every time.Duration) clockwork.Ticker {
	if c, ok := d.clock.(tickerClock); ok {
		return c.NewTicker(every)
	}
	return clockwork.NewRealClock().NewTicker(every)
}

// refresh computes the board once for every page.
func (d *Dashboard) refresh(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, computeTimeout)
	defer cancel()
	gen := d.hub.generation()
	s, err := d.compute(cctx)
	switch {
	case err != nil && ctx.Err() != nil:
		// Shutting down: not a failure of the source.
	case err != nil:
		if !d.failing {
			d.log.Error("dashboard: board unavailable", "err", err)
		}
		d.failing = true
	default:
		if d.failing {
			d.log.Info("dashboard: board available again")
			d.failing = false
		}
		if d.hub.publish(s, d.clock.Now(), gen) {
			d.log.Debug("dashboard: board changed", "subscribers", d.hub.count())
		}
	}
}

// compute asks the source for the board and encodes it.
func (d *Dashboard) compute(ctx context.Context) (*snapshot, error) {
	b, err := d.src.Board(ctx)
	if err != nil {
		return nil, err
	}
	return newSnapshot(b)
}

// current returns the hub's board if it is at most two ticks old and no
// Poke is pending, and otherwise (hub not running, failing, or behind a
// scan just recorded) computes one.
func (d *Dashboard) current(ctx context.Context) (*snapshot, error) {
	if s, ok := d.hub.current(d.clock.Now().Add(-2 * d.every)); ok {
		return s, nil
	}
	return d.compute(ctx)
}
