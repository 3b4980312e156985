package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/scoring"
)

// Postponements keeps the dates whose défi a coordinator moved to the
// next working day, shared by every replica, across restarts. The Redis
// store fits.
type Postponements interface {
	// Postpone records p once per date (and logs it in the audit); it
	// tells whether this call recorded it.
	Postpone(ctx context.Context, p scoring.DefiPostponed) (bool, error)
	// Postponements returns every postponed date, in date order.
	Postponements(ctx context.Context) ([]scoring.DefiPostponed, error)
}

// PostponedSkips turns postponements into the days the calendar skips
// (challenges.NewCalendar).
func PostponedSkips(ps []scoring.DefiPostponed, loc *time.Location) ([]challenges.Skip, error) {
	skips := make([]challenges.Skip, 0, len(ps))
	for _, p := range ps {
		d, err := challenges.ParseDate(p.Date, loc)
		if err != nil {
			return nil, err
		}
		reason := "défi reporté"
		if p.Reason != "" {
			reason += " (" + p.Reason + ")"
		}
		skips = append(skips, challenges.Skip{Date: d, Reason: reason})
	}
	return skips, nil
}

// cmdPostpone moves today's défi to the next working day, and every day
// after it by one: a strike, a closure. Every team channel is told, the
// audit log records it, and the calendar of every replica follows
// (Options.OnCalendar here, Live.Refresh on the others). Once the recap
// is out, the day is done and cannot move.
func (b *Bot) cmdPostpone(ctx context.Context, ev Event, args string) error {
	if b.postponed == nil {
		return errors.New("no store keeps postponements")
	}
	now := b.clock.Now()
	day, ok := b.cal.DayOf(now)
	switch {
	case !ok:
		return b.reply(ctx, ev, b.loc.T("postpone.none"))
	case !now.Before(b.cal.At(day.N, b.cal.RecapAt)):
		return b.reply(ctx, ev, b.loc.T("postpone.late", day.N, b.cal.RecapAt))
	}
	reason := Neutralise(clip(strings.TrimSpace(args)))
	p := scoring.DefiPostponed{Date: day.Date.Format(time.DateOnly), Day: day.N, By: ev.User, Reason: reason, At: now}
	all, err := b.postponed.Postponements(ctx)
	if err != nil {
		return err
	}
	skips, err := PostponedSkips(append(all, p), b.cal.Location)
	if err != nil {
		return err
	}
	moved, err := challenges.NewCalendar(b.cfg, skips...)
	if err != nil {
		return err
	}
	newDate := moved.Days[day.N-1].Date
	recorded, err := b.postponed.Postpone(ctx, p)
	if err != nil {
		return err
	}
	if recorded {
		b.log.Info("défi postponed", "day", day.N, "date", p.Date, "to", newDate.Format(time.DateOnly), "by", ev.User)
		if b.onCalendar != nil {
			b.onCalendar(context.WithoutCancel(ctx))
		}
	}
	text := b.loc.T("postpone.post", day.N, day.Defi.Title, b.loc.Date(newDate), Neutralise(ev.DisplayName))
	if reason != "" {
		text += "\n" + b.loc.T("postpone.reason", reason)
	}
	msg := Message{Kind: KindAnnouncement, Text: text}
	// The ledger posts each channel once: the command again (by anyone)
	// only retries the channels that failed.
	built := 0
	failed, berr := b.broadcast(ctx, "postpone:"+p.Date, "", func(challenges.Team) (Message, error) {
		built++
		return msg, nil
	})
	switch {
	case len(failed) > 0:
		b.log.Error("broadcast", "kind", "postpone", "failed", failed, "err", berr)
		return b.reply(ctx, ev, b.loc.T("broadcast.partial", len(b.cfg.Teams)-len(failed), len(b.cfg.Teams), strings.Join(failed, ", ")))
	case !recorded && built == 0:
		return b.reply(ctx, ev, b.loc.T("postpone.already", day.N))
	}
	return b.reply(ctx, ev, b.loc.T("postpone.done", day.N, b.loc.Date(newDate), len(b.cfg.Teams)))
}

// dayKey names a day's post in the ledger: "defi:3", or
// "defi:3@2027-03-25" for a day a postponement moved, which is posted
// again at its new date.
func dayKey(kind string, d challenges.Day) string {
	key := kind + ":" + strconv.Itoa(d.N)
	if d.Moved {
		key += "@" + d.Date.Format(time.DateOnly)
	}
	return key
}
