package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// postMobilisation sends the DGS's scheduled call (campaign.mobilisation)
// once its time has come, in every team channel, once each whichever
// replica sends it, signed with the DGS's display name, as the
// mobilisation command sends it. A call whose day is over without it
// having gone out (the bot was down all that day) is not sent late.
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
	sum := sha256.Sum256([]byte(m.Text))
	key := "mobilisation:at:" + at.Format("2006-01-02T15:04") + ":" + hex.EncodeToString(sum[:8])
	failed, built, err := b.broadcastText(ctx, key, "mobilisation", m.Text, b.displayName(m.Signer(b.cfg)), KindMobilisation)
	if built > 0 {
		b.log.Info("scheduled call to mobilisation sent", "channels", built, "failed", failed)
	}
	return err
}
