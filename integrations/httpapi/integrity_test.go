package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/scanner"
	"github.com/gigabot/gigabot/scoring"
)

// The attacks of the integrity issue, through the intake as a scanner (or
// a hostile client holding the secret) would send them.

// A report without bytes or files once counted as an empty root: the team
// "freed 100 %". Absent is not 0.
func TestIntakeRefusesAReportWithoutItsFigures(t *testing.T) {
	e := newIntake(t)
	start := e.Calendar.Start()
	if code, a := e.post(t, mustJSON(t, report("base", "routes", start.Add(-time.Hour), 1_000_000_000_000)), nil); code != 202 {
		t.Fatalf("baseline: %d %v", code, a)
	}
	full := mustJSON(t, report("day1", "routes", start.Add(time.Hour), 900_000_000_000))
	for _, field := range []string{"bytes", "files", "scanned_at", "root", "source"} {
		t.Run("without "+field, func(t *testing.T) {
			body := withoutField(t, full, field)
			code, a := e.post(t, body, nil)
			if code != 400 || !strings.HasPrefix(a["error"], field+":") {
				t.Errorf("answer %d %v, want 400 naming %q", code, a, field)
			}
			if got := e.freed(t, "routes"); got != 0 {
				t.Errorf("routes freed %d after a refused report, want 0", got)
			}
		})
	}
	t.Run("null bytes", func(t *testing.T) {
		body := bytes.Replace(full, []byte(`"bytes":900000000000`), []byte(`"bytes":null`), 1)
		if bytes.Equal(body, full) {
			t.Fatal("the test did not put a null in the report")
		}
		if code, a := e.post(t, body, nil); code != 400 || !strings.HasPrefix(a["error"], "bytes:") {
			t.Errorf("answer %d %v, want 400 naming bytes", code, a)
		}
	})
	// The same scan id, complete this time: it was never stored, so it counts.
	if code, a := e.post(t, full, nil); code != 202 || a["status"] != "accepted" {
		t.Errorf("the complete report: %d %v, want 202 accepted", code, a)
	}
	if got := e.freed(t, "routes"); got != 100_000_000_000 {
		t.Errorf("routes freed %d, want 100 Go", got)
	}
}

// bytes = 2^63−1 once answered 503 with the scan id and the root already
// written: the retry was "duplicate" and the audit found a mismatch.
func TestIntakeImpossibleSizeChangesNothing(t *testing.T) {
	e := newIntake(t)
	start := e.Calendar.Start()
	e.post(t, mustJSON(t, report("base", "routes", start.Add(-time.Hour), 1_000_000_000_000)), nil)
	huge := report("s1", "routes", start.Add(time.Hour), 1<<63-1)
	code, a := e.post(t, mustJSON(t, huge), nil)
	if code != 400 || !strings.HasPrefix(a["error"], "bytes:") {
		t.Errorf("bytes 2^63-1: %d %v, want 400 naming bytes", code, a)
	}
	fixed := report("s1", "routes", start.Add(time.Hour), 990_000_000_000)
	if code, a := e.post(t, mustJSON(t, fixed), nil); code != 202 || a["status"] != "accepted" {
		t.Errorf("the same scan id with a possible size: %d %v, want 202 accepted", code, a)
	}
	if got := e.freed(t, "routes"); got != 10_000_000_000 {
		t.Errorf("routes freed %d, want 10 Go", got)
	}
}

// Above 2^53 the first store computed in doubles: 2^53+1 then 2^53−1 freed
// 1 byte, or none, instead of 2.
func TestIntakeCountsBytesExactlyAbove2Pow53(t *testing.T) {
	e := newIntake(t)
	start := e.Calendar.Start()
	for _, r := range []scanner.Report{
		report("base", "routes", start.Add(-time.Hour), 1<<53+1),
		report("later", "routes", start.Add(time.Hour), 1<<53-1),
	} {
		if code, a := e.post(t, mustJSON(t, r), nil); code != 202 || a["status"] != "accepted" {
			t.Fatalf("%s: %d %v", r.ScanID, code, a)
		}
	}
	if got := e.freed(t, "routes"); got != 2 {
		t.Errorf("routes freed %d bytes, want exactly 2", got)
	}
	st, err := e.Bot.Standings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Find("routes", scoring.ByPoints); got.BaselineBytes != 1<<53+1 {
		t.Errorf("routes baseline %d, want 2^53+1", got.BaselineBytes)
	}
}

// A share that was not mounted when the scanner ran reads as empty: once
// counted as 100 To freed, with 606 milestone posts inside the request.
func TestIntakeHoldsAShareThatFellToNothing(t *testing.T) {
	e := newIntake(t)
	e.Follow(t)
	start := e.Calendar.Start()
	base := report("base", "routes", start.Add(-time.Hour), 100_000_000_000_000)
	base.Files = 5_000_000
	if code, a := e.post(t, mustJSON(t, base), nil); code != 202 {
		t.Fatalf("baseline: %d %v", code, a)
	}
	empty := report("empty", "routes", start.Add(time.Hour), 0)
	empty.Files = 0
	code, a := e.post(t, mustJSON(t, empty), nil)
	if code != 202 || a["status"] != "held" || a["scan_id"] != "empty" || a["reason"] == "" {
		t.Fatalf("the empty root: %d %v, want 202 held with its scan_id and a reason", code, a)
	}
	if got := e.outcomes.last(); got != "held" {
		t.Errorf("outcome %q, want held", got)
	}
	// Sent again, it is still held, not counted.
	if code, a := e.post(t, mustJSON(t, empty), nil); code != 202 || a["status"] != "held" {
		t.Errorf("sent again: %d %v, want 202 held", code, a)
	}
	// A report cutting the root by 60 % is held too; one cutting 10 % counts.
	cut := report("cut", "routes", start.Add(2*time.Hour), 40_000_000_000_000)
	cut.Files = 2_000_000
	if code, a := e.post(t, mustJSON(t, cut), nil); code != 202 || a["status"] != "held" {
		t.Errorf("a 60 %% cut: %d %v, want 202 held", code, a)
	}
	if got := e.freed(t, "routes"); got != 0 {
		t.Errorf("routes freed %d while its reports are held, want 0", got)
	}
	fine := report("fine", "routes", start.Add(3*time.Hour), 90_000_000_000_000)
	fine.Files = 4_500_000
	if code, a := e.post(t, mustJSON(t, fine), nil); code != 202 || a["status"] != "accepted" {
		t.Fatalf("a 10 %% cut: %d %v, want 202 accepted", code, a)
	}
	// The follower proves it ran (it announces the 10 To of the last
	// report): no milestone ever came from the held ones.
	bottest.Eventually(t, "the milestone of the counted report", func() bool { return len(e.Chat.Of(bot.KindMilestone)) == 3 })
	for _, p := range e.Chat.Of(bot.KindMilestone) {
		if !strings.Contains(p.Msg.Text, "10\u00a0To") {
			t.Errorf("milestone %q, want only 10 To (the highest the counted report reached)", p.Msg.Text)
		}
	}
}

// One report that crossed 606 thresholds once posted 606 times in every
// channel, inside the request; the intake now answers before any post.
func TestIntakeAnswersBeforeTheMilestonesArePosted(t *testing.T) {
	e := newIntake(t)
	e.Follow(t)
	start := e.Calendar.Start()
	blocked := make(chan struct{})
	release := sync.OnceFunc(func() { close(blocked) })
	t.Cleanup(release) // never leave a post blocked, whatever fails
	e.Chat.Fail = func(string, bot.Message) error { <-blocked; return nil }
	e.post(t, mustJSON(t, report("base", "routes", start.Add(-time.Hour), 700_000_000_000_000)), nil)
	// 301 To freed: past 4 thresholds and 600 steps of 0,5 To.
	done := make(chan int, 1)
	go func() {
		code, _ := e.post(t, mustJSON(t, report("big", "routes", start.Add(time.Hour), 399_000_000_000_000)), nil)
		done <- code
	}()
	select {
	case code := <-done:
		if code != 202 {
			t.Errorf("answer %d, want 202", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the intake waited for the milestone posts (a chat post is blocked)")
	}
	release()
	bottest.Eventually(t, "the milestone in every channel", func() bool { return len(e.Chat.Of(bot.KindMilestone)) == 3 })
	for _, p := range e.Chat.Of(bot.KindMilestone) {
		if !strings.Contains(p.Msg.Text, "301\u00a0To") {
			t.Errorf("milestone %q, want the highest reached, 301 To", p.Msg.Text)
		}
	}
}

// withoutField removes a top-level field from a JSON object.
func withoutField(t *testing.T, body []byte, field string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m[field]; !ok {
		t.Fatalf("the report has no %q to remove", field)
	}
	delete(m, field)
	return mustJSON(t, m)
}

// The scanner's schema and the scoring bound byte counts alike: what the
// intake lets through, the store counts exactly.
func TestReportBoundsMatchTheScoring(t *testing.T) {
	if scanner.MaxBytes != scoring.MaxBytes || scanner.MaxFiles != scoring.MaxFiles {
		t.Errorf("scanner bounds %d bytes, %d files; scoring %d, %d", scanner.MaxBytes, scanner.MaxFiles, scoring.MaxBytes, scoring.MaxFiles)
	}
}
