package challenges_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"go.uber.org/goleak"

	"github.com/gigabot/gigabot/challenges"
)

// deadlockGuard bounds every wait on the scheduler so that a broken schedule
// fails the test instead of hanging it. It is not a speed requirement.
const deadlockGuard = 5 * time.Second

// armClock is a fake clock that records the deadline of every timer armed on it.
type armClock struct {
	*clockwork.FakeClock
	mu    sync.Mutex
	armed []time.Time
}

var _ clockwork.Clock = (*armClock)(nil)

func newArmClock(now time.Time) *armClock {
	return &armClock{FakeClock: clockwork.NewFakeClockAt(now)}
}

// AfterFunc records the deadline, then arms the timer.
func (c *armClock) AfterFunc(d time.Duration, f func()) clockwork.Timer {
	c.mu.Lock()
	c.armed = append(c.armed, c.Now().Add(d))
	c.mu.Unlock()
	return c.FakeClock.AfterFunc(d, f)
}

func (c *armClock) deadlines() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Time(nil), c.armed...)
}

// recorder is a run function that reports the clock's time of each call.
type recorder struct {
	clock *armClock
	calls chan time.Time
	mu    sync.Mutex
	count int
}

func newRecorder(clock *armClock) *recorder {
	return &recorder{clock: clock, calls: make(chan time.Time, 64)}
}

func (r *recorder) run(ctx context.Context) {
	if ctx == nil {
		panic("run called without a context")
	}
	r.mu.Lock()
	r.count++
	r.mu.Unlock()
	r.calls <- r.clock.Now()
}

func (r *recorder) calledTimes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count
}

// passPost waits until the scheduler is idle with its next timer armed,
// checks that the timer is set for exactly at, moves the clock to at and
// waits for the call.
func (r *recorder) passPost(t *testing.T, at time.Time) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadlockGuard)
	defer cancel()
	waitQuiet(ctx, t)
	if err := r.clock.BlockUntilContext(ctx, 1); err != nil {
		t.Fatalf("no timer armed for %s: %v", at, err)
	}
	armed := r.clock.deadlines()
	if last := armed[len(armed)-1]; !last.Equal(at) {
		t.Fatalf("timer armed for %s, want %s", last, at)
	}
	r.clock.Advance(at.Sub(r.clock.Now()))
	select {
	case got := <-r.calls:
		if !got.Equal(at) {
			t.Fatalf("run called at %s, want %s", got, at)
		}
	case <-ctx.Done():
		t.Fatalf("run not called at %s", at)
	}
}

// waitQuiet waits until every other goroutine is blocked.
//
// gocron v2 books a run (it reads the clock and drops the post times already
// passed) in its own goroutine while the run goes on. A fake clock moved onto
// the next post before that bookkeeping ends makes gocron arm that post a
// second time, or spin for ever on the last one; a real clock never jumps
// hours within a microsecond. So the test moves the clock only once the
// scheduler's goroutines are all parked. This waits on a state, not on time.
func waitQuiet(ctx context.Context, t *testing.T) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		busy := ""
		// The first trace is the calling goroutine's.
		for _, g := range strings.Split(string(buf[:n]), "\n\n")[1:] {
			if header, _, _ := strings.Cut(g, "\n"); strings.Contains(header, "[running") || strings.Contains(header, "[runnable") {
				busy = g
				break
			}
		}
		if busy == "" {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the scheduler never went idle; busy goroutine:\n%s", busy)
		default:
			runtime.Gosched()
		}
	}
}

// startScheduler starts a scheduler that the test stops at its end, then
// checks that no goroutine outlives it.
func startScheduler(t *testing.T, cal *challenges.Calendar, clock *armClock, retry time.Duration, run func(context.Context)) *challenges.Scheduler {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) }) // cleanups run last-in first-out: after Stop
	s, err := challenges.NewScheduler(cal, clock, retry, run)
	if err != nil {
		t.Fatalf("NewScheduler: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	s.Start()
	return s
}

func TestScheduler(t *testing.T) {
	// Three days around the spring clock change: Friday 26 March 2027, then
	// (week-end, Easter Monday) Tuesday 30 and Wednesday 31 in summer time.
	cal := newCalendar(t, "2027-03-26", 3, nil)
	loc := cal.Location
	at := func(day, hour int) time.Time { return time.Date(2027, time.March, day, hour, 0, 0, 0, loc) }
	tests := []struct {
		name string
		now  time.Time
		want []time.Time
	}{
		{
			name: "before the campaign: every post",
			now:  at(25, 12),
			want: []time.Time{at(26, 9), at(26, 17), at(30, 9), at(30, 17), at(31, 9), at(31, 17)},
		},
		{
			name: "restarted mid-campaign: only the posts to come",
			now:  at(30, 12),
			want: []time.Time{at(30, 17), at(31, 9), at(31, 17)},
		},
		{
			name: "restarted exactly at a post time: that post is not repeated",
			now:  at(31, 9),
			want: []time.Time{at(31, 17)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newArmClock(tt.now)
			rec := newRecorder(clock)
			startScheduler(t, cal, clock, 0, rec.run)
			for _, want := range tt.want {
				rec.passPost(t, want)
			}
			// Well past the end: nothing is left to run.
			ctx, cancel := context.WithTimeout(context.Background(), deadlockGuard)
			defer cancel()
			waitQuiet(ctx, t)
			clock.Advance(30 * 24 * time.Hour)
			if got, want := fmt.Sprint(clock.deadlines()), fmt.Sprint(tt.want); got != want {
				t.Errorf("timers armed for %s\nwant              %s", got, want)
			}
			if n := rec.calledTimes(); n != len(tt.want) {
				t.Errorf("run called %d times, want %d", n, len(tt.want))
			}
		})
	}
}

func TestSchedulerUTCOffsets(t *testing.T) {
	// The post instants follow the local clock across the change: 09:00 is
	// 08:00 UTC in winter time and 07:00 UTC in summer time.
	cal := newCalendar(t, "2027-03-26", 2, nil)
	clock := newArmClock(time.Date(2027, time.March, 25, 12, 0, 0, 0, time.UTC))
	rec := newRecorder(clock)
	startScheduler(t, cal, clock, 0, rec.run)
	for _, want := range []string{"2027-03-26T08:00:00Z", "2027-03-26T16:00:00Z", "2027-03-30T07:00:00Z", "2027-03-30T15:00:00Z"} {
		at, err := time.Parse(time.RFC3339, want)
		if err != nil {
			t.Fatal(err)
		}
		rec.passPost(t, at)
	}
}

func TestSchedulerNothingLeft(t *testing.T) {
	cal := newCalendar(t, "2027-03-22", 3, nil)
	clock := newArmClock(cal.End().Add(time.Minute))
	rec := newRecorder(clock)
	startScheduler(t, cal, clock, 0, rec.run)
	clock.Advance(365 * 24 * time.Hour)
	if armed := clock.deadlines(); len(armed) != 0 {
		t.Errorf("timers armed after the campaign: %v", armed)
	}
	if n := rec.calledTimes(); n != 0 {
		t.Errorf("run called %d times after the campaign", n)
	}
}

func TestSchedulerRetries(t *testing.T) {
	// After the last recap only the retry job is left, so each call is a retry.
	cal := newCalendar(t, "2027-03-22", 3, nil)
	from := cal.End().Add(time.Minute)
	clock := newArmClock(from)
	rec := newRecorder(clock)
	startScheduler(t, cal, clock, 10*time.Minute, rec.run)
	for i := 1; i <= 3; i++ {
		rec.passPost(t, from.Add(time.Duration(i)*10*time.Minute))
	}
	if n := rec.calledTimes(); n != 3 {
		t.Errorf("run called %d times, want 3", n)
	}
}

func TestSchedulerStopWithoutStart(t *testing.T) {
	defer goleak.VerifyNone(t)
	cal := newCalendar(t, "2027-03-22", 3, nil)
	clock := newArmClock(time.Date(2027, 3, 1, 0, 0, 0, 0, cal.Location))
	s, err := challenges.NewScheduler(cal, clock, time.Hour, func(context.Context) {})
	if err != nil {
		t.Fatalf("NewScheduler: %v", err)
	}
	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}
