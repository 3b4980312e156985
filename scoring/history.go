package scoring

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// History replays the audit stream into the figures of every team as they
// stood at the end of each campaign day: the curve of the dashboard, the
// export and the report. It is fed incrementally (Feed, or Apply the
// entries read after Last) and is not safe for concurrent use.
//
// A défi done counts from the moment it was marked (a ✅ on Friday for
// Wednesday's défi changes Friday's figures, not Wednesday's); a correction
// belongs to the campaign day it names; a scan to the instant it was taken.
// The freed bytes of a root at an instant follow the same rule as the live
// counters, applied to the reports the store accepted that were taken by
// then: the baseline is the last report before the campaign start or,
// without one, the first report; the latest is the most recent report. So
// the figures at the end of the campaign equal the live counters.
type History struct {
	start int64 // campaign start, unix ms
	last  string
	marks map[string][]mark          // team → défis marked and unmarked
	done  map[string]map[int]int64   // team → défi day → agents who did it
	corr  map[string]map[int]float64 // team → day → points
	roots map[rootKey][]report
	teams map[string]bool
}

// rootKey names one scanned root of one team.
type rootKey struct{ team, root string }

// mark is a défi counted (+1) or taken back (-1) at an instant (unix ms).
type mark struct {
	day       int
	at, delta int64
}

// report is one scan of a root as the audit recorded it.
type report struct{ at, bytes int64 }

// NewHistory returns an empty history of a campaign starting at start.
func NewHistory(start time.Time) *History {
	return &History{
		start: start.UnixMilli(),
		marks: map[string][]mark{},
		done:  map[string]map[int]int64{},
		corr:  map[string]map[int]float64{},
		roots: map[rootKey][]report{},
		teams: map[string]bool{},
	}
}

// Last returns the id of the last entry applied ("" before any).
func (h *History) Last() string { return h.last }

// Apply replays audit entries, oldest first. An entry it cannot read is
// skipped and reported in the error, so that one damaged entry does not
// stop the dashboard; the figures are the rest's.
func (h *History) Apply(entries []AuditEntry) error {
	var errs []error
	for _, e := range entries {
		if err := h.apply(e.Fields); err != nil {
			errs = append(errs, fmt.Errorf("history: audit entry %s skipped: %w", e.ID, err))
		}
		h.last = e.ID
	}
	return errors.Join(errs...)
}

// AuditReader reads the audit stream. *Store fits.
type AuditReader interface {
	AuditAfter(ctx context.Context, after string, count int64) ([]AuditEntry, error)
}

// Feed applies every entry recorded after Last, read from r in pages. A
// read error stops it (the next Feed resumes); unreadable entries are
// skipped and reported, as Apply does.
func (h *History) Feed(ctx context.Context, r AuditReader) error {
	const page = 1000
	var skipped []error
	for {
		entries, err := r.AuditAfter(ctx, h.last, page)
		if err != nil {
			return errors.Join(append(skipped, err)...)
		}
		if err := h.Apply(entries); err != nil {
			skipped = append(skipped, err)
		}
		if len(entries) < page {
			return errors.Join(skipped...)
		}
	}
}

func (h *History) apply(f map[string]string) error {
	team := f["team"]
	switch f["type"] {
	case "participation":
		day, err1 := strconv.Atoi(f["day"])
		delta, err2 := strconv.ParseInt(f["delta"], 10, 64)
		at, err3 := time.Parse(time.RFC3339, f["at"])
		if err1 != nil || err2 != nil || err3 != nil {
			return fmt.Errorf("participation: day %q, delta %q, at %q", f["day"], f["delta"], f["at"])
		}
		h.marks[team] = append(h.marks[team], mark{day: day, at: at.UnixMilli(), delta: delta})
		if h.done[team] == nil {
			h.done[team] = map[int]int64{}
		}
		h.done[team][day] += delta
	case "correction":
		day, err1 := strconv.Atoi(f["day"])
		points, err2 := strconv.ParseFloat(f["points"], 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("correction: day %q, points %q", f["day"], f["points"])
		}
		if h.corr[team] == nil {
			h.corr[team] = map[int]float64{}
		}
		h.corr[team][day] += points
	case "scan":
		at, err1 := strconv.ParseInt(f["at"], 10, 64)
		bytes, err2 := strconv.ParseInt(f["bytes"], 10, 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("scan: at %q, bytes %q", f["at"], f["bytes"])
		}
		k := rootKey{team, f["source"] + ":" + f["root"]}
		h.roots[k] = append(h.roots[k], report{at: at, bytes: bytes})
	default: // posts carry no score
		return nil
	}
	h.teams[team] = true
	return nil
}

// Forever returns an end instant after every report: At(day, Forever())
// counts everything received, as the live counters do.
func Forever() time.Time { return time.UnixMilli(math.MaxInt64) }

// At returns every team's figures as they stood at instant end of campaign
// day n: the défis of days 1..n marked by end, the corrections of days
// 1..n, and the scans taken by end.
func (h *History) At(day int, end time.Time) map[string]Figures {
	cut := end.UnixMilli()
	out := make(map[string]Figures, len(h.teams))
	for team := range h.teams {
		f := Figures{}
		for _, m := range h.marks[team] {
			if m.day <= day && m.at <= cut {
				f.Participations += m.delta
			}
		}
		for d, p := range h.corr[team] {
			if d <= day {
				f.Corrections += p
			}
		}
		out[team] = f
	}
	for k, reports := range h.roots {
		base, latest, ok := h.rootAt(reports, cut)
		if !ok {
			continue
		}
		f := out[k.team]
		f.FreedBytes += base - latest
		f.BaselineBytes += base
		out[k.team] = f
	}
	return out
}

// rootAt applies the freed-bytes rule to the reports of a root taken by cut
// (unix ms). Reports are in arrival order; ties go to the first arrived, as
// in the store's script.
func (h *History) rootAt(reports []report, cut int64) (base, latest int64, ok bool) {
	var preAt, firstAt, latestAt int64
	var pre, first bool
	for _, r := range reports {
		if r.at > cut {
			continue
		}
		if r.at < h.start && (!pre || r.at > preAt) {
			pre, preAt, base = true, r.at, r.bytes
		}
		if !pre && (!first || r.at < firstAt) {
			first, firstAt, base = true, r.at, r.bytes
		}
		if !ok || r.at > latestAt {
			ok, latestAt, latest = true, r.at, r.bytes
		}
	}
	return base, latest, ok
}

// Done returns how many agents of a team did the défi of day n.
func (h *History) Done(team string, day int) int64 { return h.done[team][day] }
