package redis

import (
	"context"
	"fmt"
	"time"

	"github.com/gigabot/gigabot/scoring"
)

// Platforms deliver some events more than once (Slack retries a delivery it
// thinks failed; a reconnecting socket replays). A delivery is claimed before
// it is handled and finished after: a copy arriving meanwhile or later is
// skipped, and a delivery whose handler died is handled again when its
// lease expires — never dropped, never handled twice.

// ClaimDelivery leases the delivery id for owner. scoring.Claimed: handle it, then
// FinishDelivery (or ReleaseDelivery on failure). scoring.AlreadySent: it was
// handled. scoring.Busy: another process is handling it.
func (s *Store) ClaimDelivery(ctx context.Context, id, owner string, lease time.Duration) (scoring.ClaimStatus, error) {
	st, err := s.claim(ctx, s.key("delivery", id), owner, lease)
	if err != nil {
		return scoring.Busy, fmt.Errorf("claim delivery %s: %w", id, err)
	}
	return st, nil
}

// FinishDelivery records that the delivery was handled, for keep (at least
// as long as the platform may deliver it again).
func (s *Store) FinishDelivery(ctx context.Context, id string, keep time.Duration) error {
	if err := s.rdb.Set(ctx, s.key("delivery", id), "sent:done", keep).Err(); err != nil {
		return fmt.Errorf("finish delivery %s: %w", id, err)
	}
	return nil
}

// ReleaseDelivery gives up owner's lease after a failed handling, so that
// the platform's next retry is handled.
func (s *Store) ReleaseDelivery(ctx context.Context, id, owner string) error {
	if err := releaseScript.Run(ctx, s.rdb, []string{s.key("delivery", id)}, owner).Err(); err != nil {
		return fmt.Errorf("release delivery %s: %w", id, err)
	}
	return nil
}
