package scoring

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The freed-bytes rule, stated once. The live store and the replay of the
// log (History) both apply it through RootState.Apply, so the counters and
// the curves can never disagree on what a report counts for.
//
// A root is one scanned folder (or mailbox set) of one team. Its baseline
// is the last report taken before the campaign started or, without one,
// the first report; its latest is the most recent report. What the root
// freed is its baseline minus its latest. Two reports taken at the same
// instant: the first to arrive wins.

// MaxBytes bounds every byte count a report may carry: 10^16 bytes (10 Po),
// far above any collectivité's share, and low enough that the sum of 900
// such roots still fits an int64 exactly.
const MaxBytes int64 = 10_000_000_000_000_000

// MaxFiles bounds a report's file count.
const MaxFiles int64 = 1_000_000_000_000

// RootState is what the store holds of one root. The zero value is a root
// never reported.
type RootState struct {
	// BaseAt, BaseBytes: the baseline report; BasePre tells whether it was
	// taken before the campaign started.
	BaseAt    time.Time
	BaseBytes int64
	BasePre   bool
	// LatestAt, LatestBytes, LatestFiles: the most recent report.
	LatestAt    time.Time
	LatestBytes int64
	LatestFiles int64
}

// Known tells whether the root was reported.
func (s RootState) Known() bool { return !s.LatestAt.IsZero() }

// Freed is what the root freed: baseline minus latest (negative when it grew).
func (s RootState) Freed() int64 { return s.BaseBytes - s.LatestBytes }

// Change is what one report does to a root.
type Change struct {
	// Baseline and Latest tell which figures the report becomes.
	Baseline, Latest bool
}

// Counts tells whether the report changes anything.
func (c Change) Counts() bool { return c.Baseline || c.Latest }

// Apply returns the root's state once a report taken at `at` is counted,
// and what the report became. start is the campaign's first instant.
func (s RootState) Apply(at time.Time, bytes, files int64, start time.Time) (RootState, Change) {
	at = ms(at)
	pre := at.Before(start)
	var c Change
	if !s.Known() {
		c = Change{Baseline: true, Latest: true}
	} else {
		if pre {
			c.Baseline = !s.BasePre || at.After(s.BaseAt)
		} else {
			c.Baseline = !s.BasePre && at.Before(s.BaseAt)
		}
		c.Latest = at.After(s.LatestAt)
	}
	if c.Baseline {
		s.BaseAt, s.BaseBytes, s.BasePre = at, bytes, pre
	}
	if c.Latest {
		s.LatestAt, s.LatestBytes, s.LatestFiles = at, bytes, files
	}
	return s, c
}

// Implausible tells why a report must be held for a coordinator rather
// than counted ("" when it may count): one that would become the root's
// latest figure, and not a new pre-campaign baseline (which frees
// nothing), while cutting it in one step by more than holdDrop (a share,
// 0.5 for 50 %; 0: no limit) of its size (the larger of its baseline and
// its latest figure, so that a root that grew is not held for a small
// cut), or down to zero files. A share that was not mounted when the
// scanner ran looks exactly like that, and would otherwise count its whole
// size as freed.
func (s RootState) Implausible(at time.Time, bytes, files int64, holdDrop float64, start time.Time) string {
	at = ms(at)
	if !s.Known() || !at.After(s.LatestAt) || (at.Before(start) && (!s.BasePre || at.After(s.BaseAt))) {
		return ""
	}
	if files == 0 && s.LatestFiles > 0 {
		return "zero_files"
	}
	size := max(s.BaseBytes, s.LatestBytes)
	if drop := s.LatestBytes - bytes; holdDrop > 0 && drop > 0 && float64(drop) > holdDrop*float64(size) {
		return "drop"
	}
	return ""
}

// ms drops what the log cannot hold: an instant is kept to the millisecond.
func ms(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()) }

// The store keeps a RootState as one string of integers, so that every
// byte count stays exact (Redis's Lua numbers are doubles).
const rootStateVersion = "r1"

// String encodes the state for the store: "r1|baseAt|baseBytes|pre|latestAt|latestBytes|latestFiles",
// instants in Unix milliseconds. The zero state encodes as "".
func (s RootState) String() string {
	if !s.Known() {
		return ""
	}
	pre := "0"
	if s.BasePre {
		pre = "1"
	}
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	return strings.Join([]string{rootStateVersion, i(s.BaseAt.UnixMilli()), i(s.BaseBytes), pre,
		i(s.LatestAt.UnixMilli()), i(s.LatestBytes), i(s.LatestFiles)}, "|")
}

// ParseRootState decodes a state String wrote ("" is the zero state).
func ParseRootState(v string) (RootState, error) {
	if v == "" {
		return RootState{}, nil
	}
	rest, ok := strings.CutPrefix(v, rootStateVersion+"|")
	if !ok {
		return RootState{}, fmt.Errorf("root state %q: unknown format", v)
	}
	var n [6]int64
	for i := range n {
		field, tail, found := strings.Cut(rest, "|")
		if found == (i == len(n)-1) {
			return RootState{}, fmt.Errorf("root state %q: %d fields, want 6", v, i+1)
		}
		x, err := strconv.ParseInt(field, 10, 64)
		if err != nil {
			return RootState{}, fmt.Errorf("root state %q: %w", v, err)
		}
		n[i], rest = x, tail
	}
	return RootState{BaseAt: time.UnixMilli(n[0]), BaseBytes: n[1], BasePre: n[2] == 1,
		LatestAt: time.UnixMilli(n[3]), LatestBytes: n[4], LatestFiles: n[5]}, nil
}
