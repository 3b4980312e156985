package bot

import (
	"context"
	"time"

	"github.com/gigabot/gigabot/scoring"
)

// Follow reads the campaign's log as it grows, whichever replica writes
// it, until ctx ends: after each scan counted or decided it announces the
// milestone reached (so a scan's HTTP request never waits for 28 posts),
// and after any event it calls notify (nil: nothing), which the dashboard
// uses to refresh its pages at once on every replica. Every replica runs
// it; the post ledger keeps each milestone to one post per channel. A
// store outage pauses it; it resumes where it stopped.
func (b *Bot) Follow(ctx context.Context, notify func()) error {
	defer b.following.Store(false)
	// Milestones are announced beside the follower, never in its way: 28
	// posts may take a while, and the log must keep being read meanwhile.
	// Requests made while one announcement runs merge into the next.
	announce := make(chan struct{}, 1)
	done := make(chan struct{})
	defer func() { <-done }()
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-announce:
				if err := b.AnnounceMilestone(ctx); err != nil && ctx.Err() == nil {
					b.log.Error("announce milestone", "err", err)
				}
			}
		}
	}()
	soon := func() {
		select {
		case announce <- struct{}{}:
		default:
		}
	}
	var after string
	for ctx.Err() == nil {
		if after == "" {
			id, err := b.store.LastAuditID(ctx)
			if err != nil {
				b.pause(ctx, "follow the log", err)
				continue
			}
			after = id
			b.changes.Add(1)
			b.following.Store(true)
			// Whatever was logged while this process was away.
			b.afterEvents(true, notify, soon)
		}
		recs, err := b.store.WaitAudit(ctx, after, b.follow)
		if err != nil {
			// Until the log is read again, the standings ask the store.
			b.following.Store(false)
			after = ""
			b.pause(ctx, "follow the log", err)
			continue
		}
		if len(recs) == 0 {
			continue
		}
		after = recs[len(recs)-1].ID
		b.changes.Add(1)
		scans := false
		for _, r := range recs {
			switch r.Event.(type) {
			case scoring.ScanApplied, scoring.ScanDecided:
				scans = true
			}
		}
		b.afterEvents(scans, notify, soon)
	}
	return ctx.Err()
}

// afterEvents tells notify that the figures moved and, after scans, asks
// for the milestone to be announced.
func (b *Bot) afterEvents(scans bool, notify, announce func()) {
	if notify != nil {
		notify()
	}
	if scans {
		announce()
	}
}

// followRetry is how long Follow waits after the store failed before it
// asks again.
const followRetry = time.Second

// pause logs a store failure and waits a little before the next try.
func (b *Bot) pause(ctx context.Context, what string, err error) {
	if ctx.Err() != nil {
		return
	}
	b.log.Error(what, "err", err)
	_ = sleep(ctx, followRetry)
}
