package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/scoring"
)

// The managers' briefing: the campaign informed its encadrants before it
// started. Each team's managers (teams[].managers) get a direct message
// campaign.briefing_days working days before day 1, at the défi's time,
// and, each week, at the recap's time on the week's last campaign day, a
// digest of their team's figures and testimonies. Each message goes once
// per manager, whichever replica sends it.

// KindBriefing is a direct message to a team's manager: the briefing
// before day 1 and the weekly digest.
const KindBriefing MessageKind = "briefing"

// postBriefings briefs the managers, from the briefing's instant until
// day 1 starts (a bot started late still briefs them).
func (b *Bot) postBriefings(ctx context.Context) error {
	if b.cal.Briefing.IsZero() {
		return nil
	}
	now := b.clock.Now()
	at := b.cal.Briefing
	due := time.Date(at.Year(), at.Month(), at.Day(), b.cal.DefiAt.Hour, b.cal.DefiAt.Minute, 0, 0, b.cal.Location)
	if now.Before(due) || !now.Before(b.cal.Start()) {
		return nil
	}
	var figs map[string]scoring.Figures
	var errs []error
	for _, t := range b.cfg.Teams {
		for _, m := range t.Managers {
			errs = append(errs, b.postOnce(ctx, "briefing:"+t.ID+":@"+m, "@"+m, "", func() (Message, error) {
				if figs == nil {
					var err error
					if figs, err = b.store.Figures(ctx); err != nil {
						return Message{}, err
					}
				}
				return Message{Kind: KindBriefing, Text: b.briefingText(t, figs[t.ID])}, nil
			}))
		}
	}
	return errors.Join(errs...)
}

func (b *Bot) briefingText(t challenges.Team, f scoring.Figures) string {
	l := b.loc
	start := l.Date(b.cal.Days[0].Date)
	baseline := l.T("briefing.baseline.none", t.Name, start)
	if f.BaselineBytes > 0 {
		baseline = l.T("briefing.baseline", t.Name, l.Bytes(f.BaselineBytes))
	}
	return strings.Join([]string{
		l.T("briefing.header", b.cfg.Campaign.Name),
		l.T("briefing.what", start, len(b.cal.Days), t.Channel),
		baseline,
		l.T("briefing.how", t.ID),
	}, "\n")
}

// postDigests sends each team's managers the digest of the week, once the
// recap of the week's last campaign day is due.
func (b *Bot) postDigests(ctx context.Context) error {
	now := b.clock.Now()
	day, ok := b.cal.DayOf(now)
	if !ok || now.Before(b.cal.At(day.N, b.cal.RecapAt)) || !b.weekEnds(day) || !b.anyManager() {
		return nil
	}
	first := day.N // the week's first campaign day
	for first > 1 && sameWeek(b.cal.Days[first-2].Date, day.Date) {
		first--
	}
	// The week's testimonies: those since the previous digest was due
	// (the previous week's last recap), so that none given on a Friday
	// evening or a week-end is left out; all of them the first week.
	var since time.Time
	if first > 1 {
		since = b.cal.At(first-1, b.cal.RecapAt)
	}
	// What the digests say is read once, and only for a digest that goes
	// out: this runs every minute of the evening, on every replica.
	week := sync.OnceValues(func() (weekFigures, error) { return b.weekFigures(ctx, first) })
	var errs []error
	for _, t := range b.cfg.Teams {
		for _, m := range t.Managers {
			key := "digest:" + day.Date.Format(time.DateOnly) + ":" + t.ID + ":@" + m
			errs = append(errs, b.postOnce(ctx, key, "@"+m, "", func() (Message, error) {
				w, err := week()
				if err != nil {
					return Message{}, err
				}
				return Message{Kind: KindBriefing, Text: b.digestText(t, w.st, w.before[t.ID], w.testimonies, since)}, nil
			}))
		}
	}
	return errors.Join(errs...)
}

// weekFigures is what a week's digests read: the standings, each team's
// figures at the end of the previous week, the testimonies.
type weekFigures struct {
	st          scoring.Standings
	before      map[string]scoring.Figures
	testimonies []scoring.Testimony
}

// weekFigures reads them for the week whose first campaign day is first.
func (b *Bot) weekFigures(ctx context.Context, first int) (weekFigures, error) {
	w := weekFigures{before: map[string]scoring.Figures{}}
	if first > 1 {
		snap, ok, err := b.store.DaySnapshot(ctx, first-1)
		if err != nil {
			return w, err
		}
		if ok {
			w.before = snap
		}
	}
	var err error
	if w.st, err = b.Standings(ctx); err != nil {
		return w, err
	}
	if b.testimonies != nil {
		if w.testimonies, err = b.testimonies.Testimonies(ctx); err != nil {
			return w, err
		}
	}
	return w, nil
}

func (b *Bot) digestText(t challenges.Team, st scoring.Standings, before scoring.Figures, all []scoring.Testimony, since time.Time) string {
	l := b.loc
	lines := []string{l.T("digest.header", t.Name)}
	if s, ok := st.Find(t.ID, scoring.ByPoints); ok {
		lines = append(lines,
			l.T("digest.week", l.Bytes(s.FreedBytes-before.FreedBytes), int(s.Participations-before.Participations)),
			l.T("digest.total", l.Bytes(s.FreedBytes), l.Percent(s.Percent), l.Ordinal(s.Rank), len(b.teams)))
	}
	var quoted []string
	for _, tm := range all {
		if tm.Team == t.ID && !tm.At.Before(since) {
			quoted = append(quoted, b.testimonyText(tm))
		}
	}
	if len(quoted) > 0 {
		lines = append(lines, l.T("digest.testimonies"))
		lines = append(lines, quoted...)
	} else {
		lines = append(lines, l.T("digest.no_testimony"))
	}
	return strings.Join(lines, "\n")
}

// weekEnds tells whether day is its week's last campaign day.
func (b *Bot) weekEnds(day challenges.Day) bool {
	return day.N == len(b.cal.Days) || !sameWeek(b.cal.Days[day.N].Date, day.Date)
}

func (b *Bot) anyManager() bool {
	for _, t := range b.cfg.Teams {
		if len(t.Managers) > 0 {
			return true
		}
	}
	return false
}

// sameWeek tells whether two dates fall in one ISO week.
func sameWeek(a, c time.Time) bool {
	ay, aw := a.ISOWeek()
	cy, cw := c.ISOWeek()
	return ay == cy && aw == cw
}
