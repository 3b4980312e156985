package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/scoring"
)

// Build makes a bot on a config and its calendar (bot.New with the
// process's store, chat, clock…).
type Build func(ctx context.Context, cfg *challenges.Config, cal *challenges.Calendar) (*Bot, error)

// Live is the campaign's core as the wiring holds it: a Bot that Reload
// (a new config, on SIGHUP) and Refresh (a postponed day, by any replica)
// replace with another built on the new config or calendar. The
// replacement is built and checked first, then swapped in one step: every
// call goes to one Bot, the old or the new, never half of each, and a
// config that does not build leaves the running one in place. A bot
// replaced finishes what it started (the reactions it queued during a
// store outage among them); Close ends every one.
type Live struct {
	build   Build
	postpon Postponements
	log     *slog.Logger
	cur     atomic.Pointer[Bot]

	mu      sync.Mutex // serialises rebuilds; guards what follows
	cfg     *challenges.Config
	skips   []scoring.DefiPostponed
	old     []*Bot
	swapped chan struct{} // closed at each swap (Follow moves to the new bot)
	onSwap  []func(*Bot)
}

// NewLive builds the first bot on cfg and the postponements the store
// holds.
func NewLive(ctx context.Context, cfg *challenges.Config, postponed Postponements, build Build, log *slog.Logger) (*Live, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Live{build: build, postpon: postponed, log: log, swapped: make(chan struct{})}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, skips, err := l.make(ctx, cfg)
	if err != nil {
		return nil, err
	}
	l.cfg, l.skips = cfg, skips
	l.cur.Store(b)
	return l, nil
}

// make builds a bot on cfg and the store's postponements; l.mu is held.
func (l *Live) make(ctx context.Context, cfg *challenges.Config) (*Bot, []scoring.DefiPostponed, error) {
	var ps []scoring.DefiPostponed
	if l.postpon != nil {
		var err error
		if ps, err = l.postpon.Postponements(ctx); err != nil {
			return nil, nil, err
		}
	}
	skips, err := PostponedSkips(ps, cfg.Location())
	if err != nil {
		return nil, nil, err
	}
	cal, err := challenges.NewCalendar(cfg, skips...)
	if err != nil {
		return nil, nil, fmt.Errorf("calendar: %w", err)
	}
	b, err := l.build(ctx, cfg, cal)
	if err != nil {
		return nil, nil, err
	}
	return b, ps, nil
}

// swap makes b the current bot; l.mu is held.
func (l *Live) swap(b *Bot) {
	l.old = append(l.old, l.cur.Swap(b))
	close(l.swapped)
	l.swapped = make(chan struct{})
	for _, f := range l.onSwap {
		f(b)
	}
}

// OnSwap registers f, called with each new bot once it is current (the
// wiring restarts the scheduler on its calendar).
func (l *Live) OnSwap(f func(*Bot)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.onSwap = append(l.onSwap, f)
}

// ErrCampaignChanged is returned by Reload for a config of another
// campaign (campaign.id names the store's data: a restart changes it).
var ErrCampaignChanged = errors.New("campaign.id changed")

// Reload builds a bot on cfg and, if it builds, makes it current. cfg is
// a validated config (challenges.Load); its campaign.id must be the
// running one's.
func (l *Live) Reload(ctx context.Context, cfg *challenges.Config) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cfg.Campaign.ID != l.cfg.Campaign.ID {
		return fmt.Errorf("%w from %q to %q: the store keeps a campaign's figures under its id; restart the bot to change it",
			ErrCampaignChanged, l.cfg.Campaign.ID, cfg.Campaign.ID)
	}
	b, skips, err := l.make(ctx, cfg)
	if err != nil {
		return err
	}
	l.cfg, l.skips = cfg, skips
	l.swap(b)
	return nil
}

// Refresh builds the bot again if the postponed days changed (another
// replica's reporter command, or this one's): the scheduler calls it
// every minute.
func (l *Live) Refresh(ctx context.Context) error {
	if l.postpon == nil {
		return nil
	}
	ps, err := l.postpon.Postponements(ctx)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// The dates decide the calendar (an instant read back may carry
	// another *time.Location, so whole values never compare equal).
	same := func(a, b scoring.DefiPostponed) bool { return a.Date == b.Date && a.Reason == b.Reason }
	if slices.EqualFunc(ps, l.skips, same) {
		return nil
	}
	b, skips, err := l.make(ctx, l.cfg)
	if err != nil {
		return err
	}
	l.skips = skips
	l.swap(b)
	l.log.Info("calendar changed: a défi was postponed", "postponed", len(skips))
	return nil
}

// Current returns the bot calls go to now.
func (l *Live) Current() *Bot { return l.cur.Load() }

// Config returns the running config.
func (l *Live) Config() *challenges.Config {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cfg
}

// Close closes every bot it made (Bot.Close).
func (l *Live) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, b := range append(l.old, l.cur.Load()) {
		b.Close()
	}
}

// Follow runs the current bot's Follow (see Bot.Follow) until ctx ends,
// moving to each new bot.
func (l *Live) Follow(ctx context.Context, notify func()) error {
	for {
		l.mu.Lock()
		b, swapped := l.cur.Load(), l.swapped
		l.mu.Unlock()
		sub, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-swapped:
				cancel()
			case <-sub.Done():
			}
		}()
		err := b.Follow(sub, notify)
		cancel()
		if ctx.Err() != nil {
			return err
		}
	}
}

// The calls the adapters, the HTTP API and the dashboard make, each to the
// current bot.

// Handle processes one event (Bot.Handle).
func (l *Live) Handle(ctx context.Context, ev Event) error { return l.Current().Handle(ctx, ev) }

// Click counts a click on a défi button (Bot.Click).
func (l *Live) Click(ctx context.Context, c Click) (ClickOutcome, error) {
	return l.Current().Click(ctx, c)
}

// ListMembers records a channel's members (Bot.ListMembers).
func (l *Live) ListMembers(ctx context.Context, channel string, members []string) error {
	return l.Current().ListMembers(ctx, channel, members)
}

// SettleDefis brings the latest défi posts' marks in line with their
// reactions on the platform (Bot.SettleDefis).
func (l *Live) SettleDefis(ctx context.Context) (int, error) { return l.Current().SettleDefis(ctx) }

// Catchup publishes what is due (Bot.Catchup).
func (l *Live) Catchup(ctx context.Context) error { return l.Current().Catchup(ctx) }

// Standings computes the scores (Bot.Standings).
func (l *Live) Standings(ctx context.Context) (scoring.Standings, error) {
	return l.Current().Standings(ctx)
}

// Equivalences returns the campaign's rates (Bot.Equivalences).
func (l *Live) Equivalences() scoring.Equivalences { return l.Current().Equivalences() }

// Locale returns the campaign's language (Bot.Locale).
func (l *Live) Locale() Locale { return l.Current().Locale() }

// Board computes the live board (Bot.Board).
func (l *Live) Board(ctx context.Context) (Board, error) { return l.Current().Board(ctx) }

// Bilan computes the campaign report (Bot.Bilan).
func (l *Live) Bilan(ctx context.Context) (Bilan, error) { return l.Current().Bilan(ctx) }

// Export writes the campaign's table (Bot.Export).
func (l *Live) Export(ctx context.Context, w io.Writer, dialect CSVDialect) (int, error) {
	return l.Current().Export(ctx, w, dialect)
}

// RecordScan counts a scan report (Bot.RecordScan).
func (l *Live) RecordScan(ctx context.Context, sc scoring.Scan) (scoring.ScanResult, error) {
	return l.Current().RecordScan(ctx, sc)
}

var _ Handler = (*Live)(nil)

// Calendar returns the bot's calendar (with the postponed days).
func (b *Bot) Calendar() *challenges.Calendar { return b.cal }

// Config returns the bot's config.
func (b *Bot) Config() *challenges.Config { return b.cfg }
