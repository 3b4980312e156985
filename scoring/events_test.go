package scoring_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/scoring"
)

// fields turns Encode's pairs into the map a log entry reads back as.
func fields(pairs []string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	return m
}

func TestEventsRoundTrip(t *testing.T) {
	at := time.UnixMilli(1_805_000_000_123)
	tests := []scoring.Event{
		scoring.Participation{Team: "routes", Agent: "alice", Day: 3, Post: "P12", Delta: 1, At: at},
		scoring.Participation{Team: "routes", Agent: "alice", Day: 3, Post: "P12", Delta: -1, At: at},
		scoring.ScanApplied{ScanID: "s1", Team: "routes", Source: "share", Root: `\\srv\routes`, At: at, Files: 12, Bytes: 1<<53 + 1},
		scoring.ScanSetAside{ScanID: "s2", Team: "routes", Source: "mailbox", Root: "/m", At: at, Files: 0, Bytes: 0, Reason: "zero_files"},
		scoring.ScanDecided{ScanID: "s2", Team: "routes", By: "coord", Accepted: true, At: at},
		scoring.CorrectionMade{Correction: scoring.Correction{ID: "c1", Team: "routes", Points: -12.5, Reason: "doublon", By: "coord", Day: 2, At: at}},
		scoring.PostSent{Key: "defi:1:routes", PostID: "P1", Ref: "defi:1", At: at},
		scoring.TestimonyGiven{ID: "T1", Team: "routes", Agent: "alice", At: at},
		scoring.TestimonyWithdrawn{ID: "T1", Team: "routes", By: "coord", At: at},
	}
	for _, e := range tests {
		t.Run(e.Kind(), func(t *testing.T) {
			enc := scoring.Encode(e)
			if enc[0] != "type" || enc[1] != e.Kind() || len(enc)%2 != 0 {
				t.Fatalf("Encode = %q", enc)
			}
			got, err := scoring.Decode(fields(enc))
			if err != nil {
				t.Fatalf("Decode(%q): %v", enc, err)
			}
			if !reflect.DeepEqual(got, e) {
				t.Errorf("round trip:\n got %#v\nwant %#v", got, e)
			}
		})
	}
}

func TestDecodeNamesTheField(t *testing.T) {
	tests := []struct {
		name   string
		fields map[string]string
		want   string
	}{
		{"scan without bytes", map[string]string{"type": "scan", "scan_id": "a", "team": "t", "source": "share", "root": "/", "at": "1"}, "bytes"},
		{"scan with a negative size", map[string]string{"type": "scan", "scan_id": "a", "team": "t", "source": "share", "root": "/", "at": "1", "bytes": "-1"}, "bytes"},
		{"scan with a bad instant", map[string]string{"type": "scan", "scan_id": "a", "team": "t", "source": "share", "root": "/", "at": "x", "bytes": "1"}, "at"},
		{"participation with a delta of 2", map[string]string{"type": "participation", "team": "t", "agent": "a", "day": "1", "post": "P", "delta": "2", "at": "1"}, "delta"},
		{"correction without points", map[string]string{"type": "correction", "team": "t", "day": "1", "at": "1"}, "points"},
		{"participation without a team", map[string]string{"type": "participation", "agent": "a", "day": "1", "post": "P", "delta": "1", "at": "1"}, "team"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scoring.Decode(tt.fields)
			if err == nil || !strings.Contains(err.Error(), tt.want+":") {
				t.Errorf("Decode = %v, want an error naming %q", err, tt.want)
			}
		})
	}
	if _, err := scoring.Decode(map[string]string{"type": "from_the_future"}); !errors.Is(err, scoring.ErrUnknownKind) {
		t.Errorf("unknown type: %v, want ErrUnknownKind", err)
	}
}

// The first versions wrote reactions' instants in RFC 3339: they still read.
func TestDecodeReadsTheFirstVersionsInstants(t *testing.T) {
	e, err := scoring.Decode(map[string]string{"type": "participation", "team": "a", "agent": "x", "day": "1", "post": "P", "delta": "1", "at": "2027-03-22T09:30:00+01:00"})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2027, 3, 22, 8, 30, 0, 0, time.UTC); !e.(scoring.Participation).At.Equal(want) {
		t.Errorf("at = %v, want %v", e.(scoring.Participation).At, want)
	}
}

func TestHistorySkipsAnUnreadableEntry(t *testing.T) {
	h := scoring.NewHistory(time.Time{})
	raw := []map[string]string{
		{"type": "participation", "team": "a", "agent": "x", "day": "1", "post": "P", "delta": "1", "at": "2027-03-22T09:30:00+01:00"},
		{"type": "scan", "team": "a", "at": "x", "bytes": "1"},
		{"type": "correction", "team": "a", "day": "1", "points": "4", "at": "1805000000000"},
	}
	var recs []scoring.Record
	for i, f := range raw {
		e, err := scoring.Decode(f)
		recs = append(recs, scoring.Record{ID: string(rune('1'+i)) + "-0", Event: e, Err: err})
	}
	err := h.Apply(recs)
	if err == nil || !strings.Contains(err.Error(), "log entry 2-0 skipped") || h.Last() != "3-0" {
		t.Fatalf("Apply = %v, Last = %q; want an error naming entry 2-0, and Last 3-0", err, h.Last())
	}
	if got := h.At(1, scoring.Forever())["a"]; got != (scoring.Figures{Participations: 1, Corrections: 4}) {
		t.Errorf("the readable entries give %+v", got)
	}
}

func TestRootStateRoundTrip(t *testing.T) {
	st := scoring.RootState{BaseAt: time.UnixMilli(1_805_000_000_000), BaseBytes: 1<<53 + 1, BasePre: true,
		LatestAt: time.UnixMilli(1_805_000_360_000), LatestBytes: 9_999_999_999_999_999, LatestFiles: 12}
	got, err := scoring.ParseRootState(st.String())
	if err != nil || got != st {
		t.Fatalf("round trip of %q: %+v, %v", st.String(), got, err)
	}
	if got, err := scoring.ParseRootState(""); err != nil || got.Known() {
		t.Errorf("the empty state: %+v, %v", got, err)
	}
	for _, bad := range []string{"r0|1|2|0|3|4|5", "r1|1|2|0|3|4", "r1|1|2|0|3|4|5|6", "r1|1|x|0|3|4|5", "1|2|0|3|4|5"} {
		if _, err := scoring.ParseRootState(bad); err == nil {
			t.Errorf("ParseRootState(%q) accepted it", bad)
		}
	}
}

func TestImplausible(t *testing.T) {
	start := time.UnixMilli(1_805_000_000_000)
	at := func(h int) time.Time { return start.Add(time.Duration(h) * time.Hour) }
	root := func(base, latest, files int64, pre bool) scoring.RootState {
		st := scoring.RootState{BaseAt: at(-10), BaseBytes: base, BasePre: pre, LatestAt: at(-10), LatestBytes: latest, LatestFiles: files}
		if !pre {
			st.BaseAt, st.LatestAt = at(1), at(1)
		}
		return st
	}
	tests := []struct {
		name         string
		st           scoring.RootState
		at           time.Time
		bytes, files int64
		want         string
	}{
		{"never reported", scoring.RootState{}, at(2), 0, 0, ""},
		{"a small cut", root(1000, 1000, 10, false), at(2), 900, 9, ""},
		{"exactly half", root(1000, 1000, 10, false), at(2), 500, 5, ""},
		{"more than half", root(1000, 1000, 10, false), at(2), 499, 5, "drop"},
		{"down to zero files", root(1000, 1000, 10, false), at(2), 900, 0, "zero_files"},
		{"always empty", root(0, 0, 0, false), at(2), 0, 0, ""},
		{"older than the latest", root(1000, 1000, 10, false), at(0), 0, 0, ""},
		{"a new pre-campaign baseline frees nothing", root(1000, 1000, 10, true), at(-1), 100, 1, ""},
		{"a root that grew from nothing, cut a little", root(0, 100_000, 10, false), at(2), 99_000, 9, ""},
		{"a root that grew, cut by more than half its size", root(0, 100_000, 10, false), at(2), 40_000, 9, "drop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.st.Implausible(tt.at, tt.bytes, tt.files, 0.5, start); got != tt.want {
				t.Errorf("Implausible = %q, want %q", got, tt.want)
			}
		})
	}
	if got := root(1000, 1000, 10, false).Implausible(at(2), 1, 1, 0, start); got != "" {
		t.Errorf("hold_drop 0 (no limit) held a cut: %q", got)
	}
}
