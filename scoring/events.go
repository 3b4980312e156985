package scoring

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Event is one fact of a campaign, as its log records it: a défi counted
// or taken back, a scan applied, held, released or rejected, a correction,
// a post sent. The store appends each event in the same atomic step as the
// change it records, so the log is the campaign's history, and every figure
// can be recomputed from it (History).
//
// The log is a list of field/value strings (a Redis stream entry): Encode
// writes an event, Decode reads one. Every instant is Unix milliseconds in
// the "at" field.
type Event interface {
	// Kind is the event's "type" field.
	Kind() string
}

// Record is an event read back from the log, with the id the log gave it.
// Event is nil and Err set for an entry that cannot be read.
type Record struct {
	ID    string
	Event Event
	Err   error
}

// Participation is a défi counted for an agent (Delta +1, at its first
// mark) or taken back (Delta -1, when its last mark goes).
type Participation struct {
	Team, Agent string
	// Day is the campaign day of the défi; Post the post marked.
	Day   int
	Post  string
	Delta int64
	At    time.Time
}

// ScanApplied is a scan report the store counted: it became its root's
// baseline, its latest report, or both.
type ScanApplied struct {
	ScanID, Team, Source, Root string
	At                         time.Time
	Files, Bytes               int64
}

// ScanSetAside is an implausible report set aside until a coordinator decides.
type ScanSetAside struct {
	ScanID, Team, Source, Root string
	At                         time.Time
	Files, Bytes               int64
	Reason                     string
}

// ScanDecided is a coordinator's decision on a held report: Accepted (it
// is then applied, and a ScanApplied follows if it changed its root) or
// rejected.
type ScanDecided struct {
	ScanID, Team, By string
	Accepted         bool
	At               time.Time
}

// CorrectionMade is a coordinator's change of a team's points.
type CorrectionMade struct{ Correction }

// PostSent is a post the platform accepted.
type PostSent struct {
	Key, PostID, Ref string
	At               time.Time
}

// DefiPostponed is a coordinator's move of a day's défi to the next
// working day (a strike, a closure): Date (local, 2027-03-24) is no longer
// a campaign day, and Day and the days after it move on by one.
type DefiPostponed struct {
	Date, By, Reason string
	Day              int
	At               time.Time
}

// The kinds of events, as the log's "type" field names them.
const (
	KindParticipation = "participation"
	KindScan          = "scan"
	KindScanHeld      = "scan_held"
	KindScanDecided   = "scan_decided"
	KindCorrection    = "correction"
	KindPost          = "post"
	KindPostponed     = "postponed"
)

// Kind implements Event.
func (Participation) Kind() string { return KindParticipation }

// Kind implements Event.
func (ScanApplied) Kind() string { return KindScan }

// Kind implements Event.
func (ScanSetAside) Kind() string { return KindScanHeld }

// Kind implements Event.
func (ScanDecided) Kind() string { return KindScanDecided }

// Kind implements Event.
func (CorrectionMade) Kind() string { return KindCorrection }

// Kind implements Event.
func (PostSent) Kind() string { return KindPost }

// Kind implements Event.
func (DefiPostponed) Kind() string { return KindPostponed }

// Encode writes an event as the log's field/value pairs, "type" first.
func Encode(e Event) []string {
	f := []string{"type", e.Kind()}
	add := func(kv ...string) { f = append(f, kv...) }
	i64 := func(n int64) string { return strconv.FormatInt(n, 10) }
	ms := func(t time.Time) string { return i64(t.UnixMilli()) }
	switch e := e.(type) {
	case Participation:
		add("team", e.Team, "agent", e.Agent, "day", strconv.Itoa(e.Day), "post", e.Post, "delta", i64(e.Delta), "at", ms(e.At))
	case ScanApplied:
		add("scan_id", e.ScanID, "team", e.Team, "source", e.Source, "root", e.Root, "at", ms(e.At), "files", i64(e.Files), "bytes", i64(e.Bytes))
	case ScanSetAside:
		add("scan_id", e.ScanID, "team", e.Team, "source", e.Source, "root", e.Root, "at", ms(e.At), "files", i64(e.Files), "bytes", i64(e.Bytes), "reason", e.Reason)
	case ScanDecided:
		add("scan_id", e.ScanID, "team", e.Team, "by", e.By, "accepted", strconv.FormatBool(e.Accepted), "at", ms(e.At))
	case CorrectionMade:
		add("id", e.ID, "team", e.Team, "points", strconv.FormatFloat(e.Points, 'f', -1, 64), "reason", e.Reason, "by", e.By, "day", strconv.Itoa(e.Day), "at", ms(e.At))
	case PostSent:
		add("key", e.Key, "post", e.PostID, "ref", e.Ref, "at", ms(e.At))
	case DefiPostponed:
		add("date", e.Date, "day", strconv.Itoa(e.Day), "by", e.By, "reason", e.Reason, "at", ms(e.At))
	case TestimonyGiven:
		add("id", e.ID, "team", e.Team, "agent", e.Agent, "at", ms(e.At))
	case TestimonyWithdrawn:
		add("id", e.ID, "team", e.Team, "by", e.By, "at", ms(e.At))
	}
	return f
}

// ErrUnknownKind is returned by Decode for an entry of a type this version
// does not know (written by a newer one): readers skip it.
var ErrUnknownKind = errors.New("unknown event type")

// Decode reads an event from the log's fields. It names the field at fault.
func Decode(fields map[string]string) (Event, error) {
	d := decoder{f: fields}
	var e Event
	switch kind := fields["type"]; kind {
	case KindParticipation:
		e = Participation{Team: d.str("team"), Agent: d.str("agent"), Day: d.day(), Post: d.str("post"), Delta: d.delta(), At: d.at()}
	case KindScan:
		e = ScanApplied{ScanID: d.str("scan_id"), Team: d.str("team"), Source: d.str("source"), Root: d.str("root"),
			At: d.at(), Files: d.int("files", true), Bytes: d.int("bytes", false)}
	case KindScanHeld:
		e = ScanSetAside{ScanID: d.str("scan_id"), Team: d.str("team"), Source: d.str("source"), Root: d.str("root"),
			At: d.at(), Files: d.int("files", false), Bytes: d.int("bytes", false), Reason: fields["reason"]}
	case KindScanDecided:
		e = ScanDecided{ScanID: d.str("scan_id"), Team: d.str("team"), By: fields["by"], Accepted: fields["accepted"] == "true", At: d.at()}
	case KindCorrection:
		e = CorrectionMade{Correction{ID: fields["id"], Team: d.str("team"), Points: d.float("points"), Reason: fields["reason"],
			By: fields["by"], Day: d.day(), At: d.at()}}
	case KindPost:
		e = PostSent{Key: d.str("key"), PostID: fields["post"], Ref: fields["ref"], At: d.at()}
	case KindPostponed:
		e = DefiPostponed{Date: d.str("date"), Day: d.day(), By: fields["by"], Reason: fields["reason"], At: d.at()}
	case KindTestimony:
		e = TestimonyGiven{ID: d.str("id"), Team: d.str("team"), Agent: d.str("agent"), At: d.at()}
	case KindTestimonyWithdrawn:
		e = TestimonyWithdrawn{ID: d.str("id"), Team: d.str("team"), By: d.str("by"), At: d.at()}
	default:
		return nil, fmt.Errorf("%w %q", ErrUnknownKind, kind)
	}
	if d.err != nil {
		return nil, fmt.Errorf("%s entry: %w", fields["type"], d.err)
	}
	return e, nil
}

// decoder reads fields, keeping the first error.
type decoder struct {
	f   map[string]string
	err error
}

func (d *decoder) fail(field, format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%s: "+format, append([]any{field}, args...)...)
	}
}

func (d *decoder) str(field string) string {
	v, ok := d.f[field]
	if !ok || v == "" {
		d.fail(field, "missing")
	}
	return v
}

// int reads a non-negative integer; optional fields default to 0 (entries
// written before the field existed).
func (d *decoder) int(field string, optional bool) int64 {
	v, ok := d.f[field]
	if !ok && optional {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		d.fail(field, "%q is not a count", v)
	}
	return n
}

func (d *decoder) day() int {
	n, err := strconv.Atoi(d.f["day"])
	if err != nil || n < 0 {
		d.fail("day", "%q is not a campaign day", d.f["day"])
	}
	return n
}

func (d *decoder) delta() int64 {
	v := d.f["delta"]
	if v != "1" && v != "-1" {
		d.fail("delta", "%q is neither 1 nor -1", v)
		return 0
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

func (d *decoder) float(field string) float64 {
	x, err := strconv.ParseFloat(d.f[field], 64)
	if err != nil {
		d.fail(field, "%q is not a number", d.f[field])
	}
	return x
}

// at reads the instant: Unix milliseconds, or RFC 3339 as the first
// versions wrote it for reactions and corrections.
func (d *decoder) at() time.Time {
	v := d.f["at"]
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms)
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		d.fail("at", "%q is not an instant", v)
	}
	return t
}
