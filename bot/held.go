package bot

import (
	"context"
	"errors"
	"strings"

	"github.com/gigabot/gigabot/scoring"
)

// Held reports: a scan that cuts its root by more than scoring.hold_drop in
// one step, or down to zero files, waits for a coordinator (see
// scoring.RootState.Implausible). `en attente` lists them, `valider <id>`
// counts one, `rejeter <id>` drops it; a unique prefix of the id is enough.

// minHeldPrefix is the shortest id prefix a coordinator may type.
const minHeldPrefix = 4

func (b *Bot) cmdHeld(ctx context.Context, ev Event, _ string) error {
	held, err := b.store.HeldScans(ctx)
	if err != nil {
		return err
	}
	if len(held) == 0 {
		return b.reply(ctx, ev, b.loc.T("held.none"))
	}
	lines := []string{b.loc.T("held.header", len(held))}
	for _, h := range held {
		lines = append(lines, b.heldLine(h))
	}
	return b.reply(ctx, ev, strings.Join(lines, "\n"))
}

// heldLine describes a held report: its id, team, root, the sizes before
// and in the report, why it was held and when it was scanned.
func (b *Bot) heldLine(h scoring.HeldScan) string {
	return b.loc.T("held.line", h.ID, b.teamName(h.Team), Neutralise(h.Root), b.loc.Bytes(h.Before), b.loc.Bytes(h.Bytes),
		b.heldReason(h), b.loc.Date(h.ScannedAt.In(b.cal.Location)))
}

func (b *Bot) heldReason(h scoring.HeldScan) string {
	if h.Reason == "zero_files" {
		return b.loc.T("held.reason.zero_files")
	}
	return b.loc.T("held.reason.drop")
}

func (b *Bot) cmdValidate(ctx context.Context, ev Event, args string) error {
	return b.decide(ctx, ev, args, true)
}

func (b *Bot) cmdReject(ctx context.Context, ev Event, args string) error {
	return b.decide(ctx, ev, args, false)
}

// decide settles the held report whose id starts with args.
func (b *Bot) decide(ctx context.Context, ev Event, args string, accept bool) error {
	verb := "rejeter"
	if accept {
		verb = "valider"
	}
	prefix := strings.TrimSpace(strings.Trim(strings.TrimSpace(args), "`"))
	if len(prefix) < minHeldPrefix || strings.ContainsAny(prefix, " \t") {
		return b.reply(ctx, ev, b.loc.T("usage", verb+" <scan_id>")+" "+b.loc.T("held.prefix", minHeldPrefix))
	}
	held, err := b.store.HeldScans(ctx)
	if err != nil {
		return err
	}
	var match []scoring.HeldScan
	for _, h := range held {
		if strings.HasPrefix(h.ID, prefix) {
			match = append(match, h)
		}
	}
	switch len(match) {
	case 0:
		return b.reply(ctx, ev, b.loc.T("held.unknown", quote(prefix)))
	case 1:
	default:
		ids := make([]string, len(match))
		for i, h := range match {
			ids[i] = "`" + h.ID + "`"
		}
		return b.reply(ctx, ev, b.loc.T("held.ambiguous", quote(prefix), strings.Join(ids, ", ")))
	}
	h, res, err := b.store.DecideScan(ctx, match[0].ID, ev.User, accept, b.scanRules())
	if errors.Is(err, scoring.ErrNotHeld) {
		// Decided meanwhile, by another coordinator or a redelivery.
		return b.reply(ctx, ev, b.loc.T("held.unknown", quote(prefix)))
	}
	if err != nil {
		return err
	}
	b.log.Info("held scan decided", "scan_id", h.ID, "team", h.Team, "by", ev.User, "accepted", accept, "outcome", res.Status)
	switch {
	case !accept:
		return b.reply(ctx, ev, b.loc.T("held.rejected", h.ID, b.teamName(h.Team)))
	case res.Status == scoring.ScanAccepted:
		return b.reply(ctx, ev, b.loc.T("held.accepted", h.ID, b.teamName(h.Team), b.loc.Bytes(h.Bytes)))
	default:
		return b.reply(ctx, ev, b.loc.T("held.accepted.stale", h.ID))
	}
}

// heldText is the recap's line about a team's held reports ("" if none).
func (b *Bot) heldText(held []scoring.HeldScan, team string) string {
	n := 0
	for _, h := range held {
		if h.Team == team {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return b.loc.T("recap.held", n)
}
