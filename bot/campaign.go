package bot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/scoring"
)

// Catchup publishes every post that is due now and not yet sent: today's
// défi once its time has come, today's recap once its time has come, the
// final podium after the last recap, and the highest milestone reached. The
// scheduler calls it at each post time and the bot at start-up, so a bot
// that was down at post time posts when it comes back the same day. It is
// safe to call any time, from several processes: each post goes out once.
func (b *Bot) Catchup(ctx context.Context) error {
	now := b.clock.Now()
	errs := []error{b.postMobilisation(ctx), b.postBriefings(ctx)}
	if day, ok := b.cal.DayOf(now); ok {
		if !now.Before(b.cal.At(day.N, b.cal.DefiAt)) {
			errs = append(errs, b.postDefi(ctx, day), b.postReminders(ctx, day))
		}
		if !now.Before(b.cal.At(day.N, b.cal.RecapAt)) {
			errs = append(errs, b.postRecap(ctx, day), b.postDigests(ctx))
		}
	}
	if !now.Before(b.cal.End()) {
		errs = append(errs, b.postPodium(ctx))
	}
	errs = append(errs, b.AnnounceMilestone(ctx))
	return errors.Join(errs...)
}

// postOnce sends the message build makes to channel unless the post named
// key was already sent (or is being sent by another process); build runs
// only for a post that goes out.
//
// The post is leased before it is sent and marked sent right after: a crash
// between the platform's answer and the mark (one Redis round trip) leaves
// the lease to expire, and the post is then sent again — a duplicate rather
// than a lost post. Every other crash loses nothing and doubles nothing.
func (b *Bot) postOnce(ctx context.Context, key, channel, ref string, build func() (Message, error)) error {
	st, err := b.store.ClaimPost(ctx, key, b.owner, b.lease)
	if err != nil || st != scoring.Claimed {
		return err
	}
	msg, err := build()
	msg.Key = key
	var id string
	if err == nil {
		sendCtx, cancel := context.WithTimeout(ctx, b.lease/2)
		id, err = b.chat.Post(sendCtx, channel, msg)
		cancel()
	}
	if err != nil {
		if rerr := b.store.ReleasePost(context.WithoutCancel(ctx), key, b.owner); rerr != nil {
			b.log.Error("release post", "key", key, "err", rerr)
		}
		return fmt.Errorf("post %s to %s: %w", key, channel, err)
	}
	// The post is out: record it even if the caller gives up now, and retry
	// briefly, since a failure here is what could send it twice.
	confirmCtx := context.WithoutCancel(ctx)
	for attempt := 0; ; attempt++ {
		err = b.store.ConfirmPost(confirmCtx, key, id, ref, b.clock.Now())
		if err == nil || attempt == 2 {
			break
		}
		time.Sleep(time.Duration(100*(attempt+1)) * time.Millisecond)
	}
	if err != nil {
		b.log.Error("post sent but not recorded: it may be sent again when its lease expires",
			"key", key, "channel", channel, "post", id, "err", err)
		return err
	}
	b.log.Info("posted", "key", key, "channel", channel, "post", id, "kind", msg.Kind)
	return nil
}

// broadcast sends one post per team channel, each once, and returns the
// ids of the teams whose post failed.
func (b *Bot) broadcast(ctx context.Context, keyPrefix, ref string, msgFor func(challenges.Team) (Message, error)) ([]string, error) {
	var failed []string
	var errs []error
	for _, t := range b.cfg.Teams {
		err := b.postOnce(ctx, keyPrefix+":"+t.ID, t.Channel, ref, func() (Message, error) { return msgFor(t) })
		if err != nil {
			failed = append(failed, t.ID)
			errs = append(errs, err)
		}
	}
	return failed, errors.Join(errs...)
}

func defiRef(day int) string { return "defi:" + strconv.Itoa(day) }

func parseDefiRef(ref string) (int, bool) {
	s, ok := strings.CutPrefix(ref, "defi:")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func (b *Bot) postDefi(ctx context.Context, day challenges.Day) error {
	msg := b.defiMessage(day)
	_, err := b.broadcast(ctx, dayKey("defi", day), defiRef(day.N), func(challenges.Team) (Message, error) {
		return msg, nil
	})
	return err
}

func (b *Bot) defiMessage(day challenges.Day) Message {
	d := day.Defi
	steps := make([]string, len(d.Steps))
	for i, s := range d.Steps {
		steps[i] = fmt.Sprintf("%d. %s", i+1, s)
	}
	text := b.loc.T("defi.card", day.N, len(b.cal.Days), d.Title, strings.Join(steps, "\n"), d.Tip, d.Saves, b.cfg.Campaign.Reaction)
	return Message{Kind: KindDefi, Text: text, Day: day.N, Days: len(b.cal.Days), Defi: &d, Reaction: b.cfg.Campaign.Reaction}
}

func (b *Bot) postRecap(ctx context.Context, day challenges.Day) error {
	now := b.clock.Now()
	snap, err := b.store.Snapshot(ctx, day.N, now)
	if err != nil {
		return err
	}
	// "Today" is since the last recap posted: the day before, or earlier if
	// the bot was down for a whole day.
	prev := map[string]scoring.Figures{}
	for d := day.N - 1; d >= 1; d-- {
		snap, ok, err := b.store.DaySnapshot(ctx, d)
		if err != nil {
			return err
		}
		if ok {
			prev = snap
			break
		}
	}
	st, err := b.Standings(ctx)
	if err != nil {
		return err
	}
	held, err := b.store.HeldScans(ctx)
	if err != nil {
		return err
	}
	corrections, err := b.store.Corrections(ctx, day.N)
	if err != nil {
		return err
	}
	var freedToday int64
	for _, t := range b.teams {
		freedToday += snap[t.ID].FreedBytes - prev[t.ID].FreedBytes
	}
	common := []string{
		b.loc.T("recap.header", day.N, len(b.cal.Days)),
		b.loc.T("recap.freed", b.loc.Bytes(freedToday), b.loc.Bytes(st.TotalFreed)),
		b.rankingText(st, scoring.ByPoints, 10),
	}
	if p := b.previousDayText(day.N); p != "" {
		common = append(common, p)
	}
	if len(corrections) > 0 {
		common = append(common, b.correctionsText(corrections))
	}
	testimonies, err := b.recapTestimonies(ctx, day.Date.Format(time.DateOnly))
	if err != nil {
		return err
	}
	common = append(common, testimonies...)
	// The chart is drawn once, for the first channel that still needs the
	// recap: the scheduler's retries call this every minute after 17:00.
	files := sync.OnceValue(func() []File {
		return b.chartFiles(ctx, st, b.loc.T("chart.recap.title", day.N, len(b.cal.Days)), b.loc.T("chart.recap.file", day.N))
	})
	_, err = b.broadcast(ctx, dayKey("recap", day), "", func(t challenges.Team) (Message, error) {
		lines := append([]string(nil), common...)
		if me, ok := st.Find(t.ID, scoring.ByPoints); ok {
			lines = append(lines, b.loc.T("recap.team", b.loc.Ordinal(me.Rank), len(b.teams),
				b.loc.Bytes(snap[t.ID].FreedBytes-prev[t.ID].FreedBytes),
				int(snap[t.ID].Participations-prev[t.ID].Participations)))
		}
		if p := b.previousTeamText(t.ID); p != "" {
			lines = append(lines, p)
		}
		advice, err := b.adviceText(ctx, t.ID)
		if err != nil {
			return Message{}, err
		}
		if advice != "" {
			lines = append(lines, advice)
		}
		if h := b.heldText(held, t.ID); h != "" {
			lines = append(lines, h)
		}
		if day.N < len(b.cal.Days) {
			next := b.cal.Days[day.N]
			if next.Date.Equal(day.Date.AddDate(0, 0, 1)) {
				lines = append(lines, b.loc.T("recap.tomorrow", next.Defi.Title))
			} else {
				lines = append(lines, b.loc.T("recap.next", b.loc.Date(next.Date), next.Defi.Title))
			}
		} else {
			lines = append(lines, b.loc.T("recap.last"))
		}
		return Message{Kind: KindRecap, Text: strings.Join(lines, "\n"), Day: day.N, Days: len(b.cal.Days), Files: files()}, nil
	})
	return err
}

func (b *Bot) correctionsText(cs []scoring.Correction) string {
	lines := []string{b.loc.T("correction.header")}
	for _, c := range cs {
		lines = append(lines, b.loc.T("correction.line", b.teamName(c.Team), signedPoints(b.loc, c.Points), Neutralise(c.Reason), b.displayName(c.By)))
	}
	return strings.Join(lines, "\n")
}

func signedPoints(l Locale, p float64) string {
	if p > 0 {
		return "+" + l.Points(p)
	}
	return l.Points(p)
}

func (b *Bot) teamName(id string) string {
	if t, ok := b.cfg.Team(id); ok {
		return t.Name
	}
	return id
}

func (b *Bot) postPodium(ctx context.Context) error {
	st, err := b.Standings(ctx)
	if err != nil {
		return err
	}
	byPart := st.Ranking(scoring.ByParticipation)
	byPct := st.Ranking(scoring.ByPercent)
	byAgent := st.Ranking(scoring.ByPerAgent)
	lines := []string{
		b.loc.T("podium.header", b.cfg.Campaign.Name),
		b.loc.T("podium.total", len(b.teams), b.loc.Bytes(st.TotalFreed), b.equivalencesText(st.TotalFreed)) + b.monthsText(st.TotalFreed, st.TotalScanned),
		b.rankingText(st, scoring.ByPoints, 3),
	}
	if p := b.previousPodiumText(st.TotalFreed); p != "" {
		lines = slices.Insert(lines, 2, p) // after the total it compares with
	}
	if len(byPart) > 0 {
		lines = append(lines, b.loc.T("podium.prizes",
			byPart[0].Name, b.labelled(byPart[0], figParticipation),
			byPct[0].Name, b.labelled(byPct[0], figPercent),
			byAgent[0].Name, b.labelled(byAgent[0], figPerAgent)))
	}
	lines = append(lines, b.loc.T("equivalences.of")+b.monthsSource(st.TotalScanned), b.loc.T("podium.thanks"))
	msg := sync.OnceValue(func() Message {
		return Message{Kind: KindPodium, Text: strings.Join(lines, "\n"), Day: len(b.cal.Days), Days: len(b.cal.Days),
			Files: b.chartFiles(ctx, st, b.cfg.Campaign.Name, b.loc.T("chart.podium.file"))}
	})
	_, err = b.broadcast(ctx, "podium", "", func(challenges.Team) (Message, error) { return msg(), nil })
	return err
}

// AnnounceMilestone announces the highest milestone the campaign's total
// has reached, once per channel. However many thresholds one report
// crossed, each channel gets one post: the highest, with its equivalences.
// A threshold below one already announced (by any replica) is not
// announced late.
func (b *Bot) AnnounceMilestone(ctx context.Context) error {
	if b.clock.Now().Before(b.cal.Start()) {
		return nil
	}
	total, err := b.store.TotalFreed(ctx)
	if err != nil {
		return err
	}
	m, ok := b.miles.Highest(total)
	if !ok || m <= b.announced.Load() {
		return nil
	}
	if highest, err := b.store.RaiseMilestone(ctx, m); err != nil || !highest {
		return err
	}
	st, err := b.Standings(ctx)
	if err != nil {
		return err
	}
	msg := Message{Kind: KindMilestone, Text: b.loc.T("milestone.post", b.loc.Bytes(m), b.equivalencesText(m)) + b.monthsText(m, st.TotalScanned) +
		"\n" + b.loc.T("equivalences.of") + b.monthsSource(st.TotalScanned)}
	if _, err := b.broadcast(ctx, "milestone:"+strconv.FormatInt(m, 10), "", func(challenges.Team) (Message, error) { return msg, nil }); err != nil {
		return err
	}
	for old := b.announced.Load(); old < m && !b.announced.CompareAndSwap(old, m); old = b.announced.Load() {
	}
	return nil
}

func (b *Bot) equivalencesText(bytes int64) string {
	e := b.equiv.Of(bytes)
	return b.loc.T("equivalences", b.loc.Int(roundTo(e.PDFPages, 1000)), b.loc.Int(roundTo(e.Cabinets, 1)), b.loc.Decimal(e.CO2eTonnesPerYear, 2))
}

// monthsText says, after a sentence of equivalences, how many months of the
// organisation's data production bytes are ("" while nothing was scanned).
func (b *Bot) monthsText(bytes, scanned int64) string {
	m, ok := b.equiv.MonthsOfData(bytes, scanned)
	if !ok {
		return ""
	}
	return " " + b.loc.T("equivalences.months", b.monthsLabel(m))
}

// monthsLabel is a number of months, whole from 2 on, to a tenth below.
func (b *Bot) monthsLabel(m float64) string {
	if m >= 2 {
		return b.loc.T("months", b.loc.Int(int64(math.Round(m))))
	}
	if r := math.Round(m*10) / 10; r == 1 {
		return b.loc.T("month.one")
	}
	return b.loc.T("months", b.loc.Decimal(m, 1))
}

// monthsSource writes out monthsText's assumption ("" while nothing was
// scanned), to follow the other equivalences' sources.
func (b *Bot) monthsSource(scanned int64) string {
	year := b.equiv.YearOfData(scanned)
	if year <= 0 {
		return ""
	}
	return "\n" + b.loc.T("equivalences.months.of", b.loc.Decimal(b.equiv.StorageDoublingYears, 1), b.loc.Bytes(scanned), b.loc.Bytes(int64(year)))
}

// roundTo rounds x to a multiple of unit, so that "about 650 000 pages" does
// not pretend to a precision the assumptions do not have.
func roundTo(x float64, unit int64) int64 {
	return int64(x/float64(unit)+0.5) * unit
}

// rankingText lists the first n teams of a ranking.
func (b *Bot) rankingText(st scoring.Standings, c scoring.Criterion, n int) string {
	lines := []string{b.loc.T("ranking.header." + string(c))}
	for i, s := range st.Ranking(c) {
		if i >= n {
			break
		}
		lines = append(lines, b.loc.T("ranking.line", medal(b.loc, s.Rank), s.Rank, s.Name, b.figure(s, c)))
	}
	return strings.Join(lines, "\n")
}

func medal(l Locale, rank int) string {
	switch rank {
	case 1:
		return "🥇"
	case 2:
		return "🥈"
	case 3:
		return "🥉"
	}
	return l.T("medal.other")
}
