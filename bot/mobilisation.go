package bot

import (
	"context"
	"time"
)

// postMobilisation sends the DGS's scheduled call (campaign.mobilisation)
// once its time has come, in every team channel, once each whichever
// replica sends it, signed with the DGS's display name, as the
// mobilisation command sends it. A call whose day is over without it
// having gone out (the bot was down all that day) is not sent late. The
// ledger names it by its time alone: a text corrected after it went out
// (and reloaded) is not sent again.
func (b *Bot) postMobilisation(ctx context.Context) error {
	m := b.cfg.Campaign.Mobilisation
	at, ok := b.cfg.MobilisationAt()
	now := b.clock.Now()
	if !ok || now.Before(at) {
		return nil
	}
	local := now.In(b.cal.Location)
	if local.Format(time.DateOnly) != at.Format(time.DateOnly) {
		return nil
	}
	key := "mobilisation:at:" + at.Format("2006-01-02T15:04")
	failed, built, err := b.broadcastText(ctx, key, "mobilisation", m.Text, b.displayName(m.Signer(b.cfg)), KindMobilisation)
	if built > 0 {
		b.log.Info("scheduled call to mobilisation sent", "channels", built, "failed", failed)
	}
	return err
}
