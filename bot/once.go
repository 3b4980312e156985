package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/gigabot/gigabot/scoring"
)

// Deliveries remembers which platform deliveries were handled, across
// replicas and restarts. The Redis store fits.
type Deliveries interface {
	// ClaimDelivery leases a delivery id to owner: scoring.Claimed (handle
	// it), scoring.AlreadySent (it was handled) or scoring.Busy (another
	// process holds it).
	ClaimDelivery(ctx context.Context, id, owner string, lease time.Duration) (scoring.ClaimStatus, error)
	// FinishDelivery records that id was handled, for keep.
	FinishDelivery(ctx context.Context, id string, keep time.Duration) error
	// ReleaseDelivery gives up owner's lease after a failed handling.
	ReleaseDelivery(ctx context.Context, id, owner string) error
}

// Delivered tells what Once.Do did with a delivery.
type Delivered int

// The outcomes of Once.Do.
const (
	// DeliveryHandled: this call handled the delivery.
	DeliveryHandled Delivered = iota
	// DeliveryDuplicate: the delivery was handled before; nothing was done.
	DeliveryDuplicate
	// DeliveryLater: nothing was done, because another process is
	// handling the delivery right now or (with an error) the store could
	// not be asked; the platform should deliver it again later.
	DeliveryLater
	// DeliveryFailed: the handling failed (Do's error says why); the lease
	// is released so that the platform's next copy is handled.
	DeliveryFailed
)

// Once handles each delivery of a chat platform once, however many times
// the platform delivers it (Slack's retries, a socket's replay after a
// reconnection), across replicas and restarts. A delivery is claimed
// before it is handled and recorded after; a copy arriving meanwhile is
// told to come back, one arriving later is skipped, and one whose handler
// died is handled again when its lease expires: never dropped, never
// handled twice. Adapters get a Once from the wiring; they never see the
// store.
type Once struct {
	store Deliveries
	owner string
	keep  time.Duration
}

// NewOnce returns the delivery guard of one process: owner names it in the
// leases (unique per replica); a handled delivery is remembered for keep,
// at least as long as the platform may deliver it again.
func NewOnce(store Deliveries, owner string, keep time.Duration) *Once {
	return &Once{store: store, owner: owner, keep: keep}
}

// Do runs handle unless the delivery id was handled or is being handled.
// lease must outlast one handling. An empty id (a platform that gives
// none) is handled every time.
func (o *Once) Do(ctx context.Context, id string, lease time.Duration, handle func(context.Context) error) (Delivered, error) {
	if id == "" {
		if err := handle(ctx); err != nil {
			return DeliveryFailed, err
		}
		return DeliveryHandled, nil
	}
	st, err := o.store.ClaimDelivery(ctx, id, o.owner, lease)
	if err != nil {
		return DeliveryLater, fmt.Errorf("claim delivery %s: %w", id, err)
	}
	switch st {
	case scoring.AlreadySent:
		return DeliveryDuplicate, nil
	case scoring.Busy:
		return DeliveryLater, nil
	}
	done := context.WithoutCancel(ctx)
	if err := handle(ctx); err != nil {
		if rerr := o.store.ReleaseDelivery(done, id, o.owner); rerr != nil {
			err = fmt.Errorf("%w (and release: %w)", err, rerr)
		}
		return DeliveryFailed, err
	}
	if err := o.store.FinishDelivery(done, id, o.keep); err != nil {
		// Handled but not recorded: a copy arriving after the lease would
		// be handled again; the caller logs it, the handling stands.
		return DeliveryHandled, fmt.Errorf("record delivery %s: %w", id, err)
	}
	return DeliveryHandled, nil
}

// GiveUp records a delivery as handled although its handling kept failing,
// so that the platform's copies stop being retried.
func (o *Once) GiveUp(ctx context.Context, id string) error {
	if err := o.store.FinishDelivery(ctx, id, o.keep); err != nil {
		return fmt.Errorf("give up delivery %s: %w", id, err)
	}
	return nil
}
