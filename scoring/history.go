package scoring

import (
	"context"
	"errors"
	"fmt"
	"math"
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
// The freed bytes of a root at an instant follow the rule the live store
// applies (RootState.Apply) to the reports it counted that were taken by
// then, so the figures at the end of the campaign equal the live counters.
type History struct {
	start time.Time
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

// report is one scan of a root as the log recorded it.
type report struct {
	at           time.Time
	bytes, files int64
}

// NewHistory returns an empty history of a campaign starting at start.
func NewHistory(start time.Time) *History {
	return &History{
		start: start,
		marks: map[string][]mark{},
		done:  map[string]map[int]int64{},
		corr:  map[string]map[int]float64{},
		roots: map[rootKey][]report{},
		teams: map[string]bool{},
	}
}

// Last returns the id of the last entry applied ("" before any).
func (h *History) Last() string { return h.last }

// Apply replays records of the log, oldest first. A record that could not
// be read is skipped and reported in the error, so that one damaged entry
// does not stop the dashboard; the figures are the rest's.
func (h *History) Apply(records []Record) error {
	var errs []error
	for _, r := range records {
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("history: log entry %s skipped: %w", r.ID, r.Err))
		} else {
			h.apply(r.Event)
		}
		h.last = r.ID
	}
	return errors.Join(errs...)
}

// LogReader reads the campaign's log. The Redis store fits.
type LogReader interface {
	// AuditAfter returns up to count records logged after the one with id
	// after ("": from the start), oldest first.
	AuditAfter(ctx context.Context, after string, count int64) ([]Record, error)
}

// Feed applies every record logged after Last, read from r in pages. A
// read error stops it (the next Feed resumes); unreadable records are
// skipped and reported, as Apply does.
func (h *History) Feed(ctx context.Context, r LogReader) error {
	const page = 1000
	var skipped []error
	for {
		records, err := r.AuditAfter(ctx, h.last, page)
		if err != nil {
			return errors.Join(append(skipped, err)...)
		}
		if err := h.Apply(records); err != nil {
			skipped = append(skipped, err)
		}
		if len(records) < page {
			return errors.Join(skipped...)
		}
	}
}

func (h *History) apply(e Event) {
	switch e := e.(type) {
	case Participation:
		h.marks[e.Team] = append(h.marks[e.Team], mark{day: e.Day, at: e.At.UnixMilli(), delta: e.Delta})
		if h.done[e.Team] == nil {
			h.done[e.Team] = map[int]int64{}
		}
		h.done[e.Team][e.Day] += e.Delta
		h.teams[e.Team] = true
	case CorrectionMade:
		if h.corr[e.Team] == nil {
			h.corr[e.Team] = map[int]float64{}
		}
		h.corr[e.Team][e.Day] += e.Points
		h.teams[e.Team] = true
	case ScanApplied:
		k := rootKey{e.Team, e.Source + ":" + e.Root}
		h.roots[k] = append(h.roots[k], report{at: e.At, bytes: e.Bytes, files: e.Files})
		h.teams[e.Team] = true
	}
	// Other events (posts, held reports and decisions) carry no figure: a
	// held report counts through the ScanApplied logged when it is accepted.
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
		st, ok := h.rootAt(reports, cut)
		if !ok {
			continue
		}
		f := out[k.team]
		f.FreedBytes += st.Freed()
		f.BaselineBytes += st.BaseBytes
		out[k.team] = f
	}
	return out
}

// rootAt applies the freed-bytes rule (RootState.Apply) to the reports of
// a root taken by cut (unix ms), in the order the store counted them.
func (h *History) rootAt(reports []report, cut int64) (RootState, bool) {
	var st RootState
	for _, r := range reports {
		if r.at.UnixMilli() <= cut {
			st, _ = st.Apply(r.at, r.bytes, r.files, h.start)
		}
	}
	return st, st.Known()
}

// Done returns how many agents of a team did the défi of day n.
func (h *History) Done(team string, day int) int64 { return h.done[team][day] }
