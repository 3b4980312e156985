package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/challenges"
)

// schedule is the campaign's scheduler on the current bot's calendar: a
// reload or a postponement that changes the calendar starts it again.
type schedule struct {
	clock clockwork.Clock
	run   func(ctx context.Context)
	log   *slog.Logger

	mu      sync.Mutex
	s       *challenges.Scheduler
	stopped bool
}

// start starts the scheduler on cal.
func (s *schedule) start(cal *challenges.Calendar) error {
	next, err := challenges.NewScheduler(cal, s.clock, time.Minute, s.run)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.s = next
	s.s.Start()
	return nil
}

// restart starts the scheduler again on the calendar cal gives then, in
// the background: the swap that asks for it may come from a scheduled run
// (another replica's postponement, read by Refresh), which stopping the
// scheduler waits for. done, when set, is closed once it is restarted.
func (s *schedule) restart(cal func() *challenges.Calendar, done chan<- struct{}) {
	go func() {
		if done != nil {
			defer close(done)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.stopped {
			return
		}
		if s.s != nil {
			if err := s.s.Stop(); err != nil {
				s.log.Error("scheduler", "err", err)
			}
		}
		next, err := challenges.NewScheduler(cal(), s.clock, time.Minute, s.run)
		if err != nil {
			s.log.Error("scheduler: not restarted", "err", err)
			s.s = nil
			return
		}
		s.s = next
		s.s.Start()
	}()
}

// stop stops the scheduler, waiting for a run in progress; no restart
// starts it again.
func (s *schedule) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	if s.s != nil {
		_ = s.s.Stop()
	}
}

// reloadOnHangup reloads the config file (and its roster file) on each
// SIGHUP until ctx ends: `docker compose kill -s HUP gigabot`.
func (m *Main) reloadOnHangup(ctx context.Context, path string, live *bot.Live, log *slog.Logger, swapped func(*challenges.Config)) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				if cfg, err := reload(ctx, path, live); err != nil {
					log.Error("SIGHUP: configuration refused: the running one is kept", "config", path, "err", err)
				} else {
					log.Info("SIGHUP: configuration reloaded", "config", path, "teams", len(cfg.Teams), "agents", agents(cfg))
					swapped(cfg)
				}
			}
		}
	}()
}

// reload loads the config at path, checks it builds a campaign, and makes
// it the running one.
func reload(ctx context.Context, path string, live *bot.Live) (*challenges.Config, error) {
	cfg, err := challenges.Load(path)
	if err != nil {
		return nil, err
	}
	if err := live.Reload(ctx, cfg); err != nil {
		return nil, fmt.Errorf("reload: %w", err)
	}
	return cfg, nil
}

// reload hands the platform the roster of a reloaded config.
func (p *platform) reload(ctx context.Context, cfg *challenges.Config, h bot.Handler) {
	if p.newRoster != nil {
		p.newRoster(ctx, bot.NewRoster(cfg), h)
	}
}
