package bot

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/scoring"
)

// Eraser erases a whole campaign's personal data. The Redis store fits.
type Eraser interface {
	// EraseAll replaces every person's name in the campaign's data by a
	// pseudonym and forgets what links them, keeping every team figure.
	// It runs once: done is false when it had run already (from any
	// replica). It fails while another erasure runs; calling it again
	// later is safe.
	EraseAll(ctx context.Context, now time.Time) (e scoring.Erasure, done bool, err error)
}

// Retention erases the agents' personal data once the campaign's
// retention period is over: campaign.retention_days after its last recap.
// Tick is meant to be called every minute by every replica; the store
// makes sure the erasure happens once.
type Retention struct {
	due   time.Time
	clock Clock
	store Eraser
	log   *slog.Logger
	done  atomic.Bool
}

// NewRetention returns the retention job of a campaign.
func NewRetention(cfg *challenges.Config, cal *challenges.Calendar, store Eraser, clock Clock, log *slog.Logger) *Retention {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	due := cal.End().AddDate(0, 0, cfg.Campaign.RetentionDays)
	return &Retention{due: due, clock: clock, store: store, log: log}
}

// Due returns the instant from which the personal data is erased.
func (r *Retention) Due() time.Time { return r.due }

// Tick erases the personal data if it is due and not erased yet.
func (r *Retention) Tick(ctx context.Context) error {
	now := r.clock.Now()
	if r.done.Load() || now.Before(r.due) {
		return nil
	}
	e, done, err := r.store.EraseAll(ctx, now)
	if err != nil {
		return fmt.Errorf("retention erasure: %w", err)
	}
	r.done.Store(true)
	if done {
		r.log.Info("retention period over: every agent's personal data erased, team figures kept",
			"due", r.due, "people", e.People, "keys", e.Keys, "log_entries", e.Log)
	}
	return nil
}
