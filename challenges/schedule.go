package challenges

import (
	"context"
	"fmt"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"
)

// Scheduler calls a function at every post time of the campaign (each
// day's défi, reminders and recap, in the campaign's time zone) and, if
// asked, at a regular interval to retry what failed.
type Scheduler struct {
	s gocron.Scheduler
}

// NewScheduler prepares the campaign's schedule on clock. run is called at
// every défi and recap time still to come, and every retry interval when it
// is positive. Calls never overlap.
func NewScheduler(cal *Calendar, clock clockwork.Clock, retry time.Duration, run func(context.Context)) (*Scheduler, error) {
	s, err := gocron.NewScheduler(gocron.WithClock(clock), gocron.WithLocation(cal.Location),
		gocron.WithLimitConcurrentJobs(1, gocron.LimitModeWait))
	if err != nil {
		return nil, fmt.Errorf("new scheduler: %w", err)
	}
	now := clock.Now()
	var times []time.Time
	for _, d := range cal.Days {
		// Each instant is built from the local date and time (never by adding
		// hours), so a daylight saving change does not shift a post.
		at := []time.Time{cal.At(d.N, cal.DefiAt), cal.At(d.N, cal.RecapAt)}
		for _, r := range cal.Reminders {
			at = append(at, cal.At(d.N, r))
		}
		for _, at := range at {
			if at.After(now) {
				times = append(times, at)
			}
		}
	}
	if m := cal.Mobilisation; !m.IsZero() && m.After(now) {
		times = append(times, m)
	}
	task := gocron.NewTask(run)
	if len(times) > 0 {
		if _, err := s.NewJob(gocron.OneTimeJob(gocron.OneTimeJobStartDateTimes(times...)), task, gocron.WithName("posts")); err != nil {
			return nil, fmt.Errorf("schedule posts: %w", err)
		}
	}
	if retry > 0 {
		if _, err := s.NewJob(gocron.DurationJob(retry), task, gocron.WithName("retry")); err != nil {
			return nil, fmt.Errorf("schedule retries: %w", err)
		}
	}
	return &Scheduler{s: s}, nil
}

// Start starts running the jobs.
func (s *Scheduler) Start() { s.s.Start() }

// Stop waits for a running call to end and stops the scheduler.
func (s *Scheduler) Stop() error {
	if err := s.s.Shutdown(); err != nil {
		return fmt.Errorf("stop scheduler: %w", err)
	}
	return nil
}
