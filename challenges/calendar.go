package challenges

import (
	"fmt"
	"strings"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/aa"
	"github.com/rickar/cal/v2/fr"
)

// holidaySets are the public holiday calendars a campaign may follow.
var holidaySets = map[string][]*cal.Holiday{
	"fr": fr.Holidays,
	// Alsace and Moselle keep Good Friday and St Stephen's Day (local law).
	"fr-alsace-moselle": append(append([]*cal.Holiday{}, fr.Holidays...),
		aa.GoodFriday.Clone(&cal.Holiday{Name: "Vendredi saint", Type: cal.ObservancePublic}),
		aa.ChristmasDay2.Clone(&cal.Holiday{Name: "Saint-Étienne", Type: cal.ObservancePublic})),
	"none": nil,
}

// Day is one campaign day.
type Day struct {
	// N counts campaign days from 1.
	N int
	// Date is midnight of the day in the campaign's time zone.
	Date time.Time
	Defi Defi
	// Moved is set on the days a postponement (NewCalendar's skip) moved
	// later: what was posted for the day at its first date is posted again.
	Moved bool
}

// Skip is a calendar day inside the campaign that is not a campaign day.
type Skip struct {
	Date   time.Time
	Reason string
}

// Calendar is the campaign's days, computed once from the configuration.
type Calendar struct {
	Location *time.Location
	Days     []Day
	Skipped  []Skip
	DefiAt   ClockTime
	RecapAt  ClockTime
	// Reminders are the local times of the afternoon reminders.
	Reminders []ClockTime
	// Mobilisation is the instant of the DGS's scheduled call (zero: none).
	Mobilisation time.Time
	// Briefing is the local date the managers are briefed,
	// campaign.briefing_days working days before day 1 (zero: never).
	Briefing time.Time
}

// NewCalendar lays out the campaign: Days working days from the start date
// (or the next working day), skipping week-ends, public holidays, and the
// dates of skip (days whose défi a coordinator postponed), each for its reason.
func NewCalendar(c *Config, skip ...Skip) (*Calendar, error) {
	loc := c.Location()
	start, err := ParseDate(c.Campaign.Start, loc)
	if err != nil {
		return nil, fmt.Errorf("campaign.start: %w", err)
	}
	defis, err := c.Catalog()
	if err != nil {
		return nil, err
	}
	working := map[time.Weekday]bool{}
	for _, d := range c.Campaign.WorkingDays {
		working[weekdayByShort[strings.ToLower(d)]] = true
	}
	holidays := &cal.Calendar{}
	holidays.AddHoliday(holidaySets[c.Campaign.Holidays]...)
	extra := map[string]bool{}
	for _, d := range c.Campaign.ExtraHolidays {
		t, err := ParseDate(d, loc)
		if err != nil {
			return nil, fmt.Errorf("campaign.extra_holidays: %w", err)
		}
		extra[t.Format(time.DateOnly)] = true
	}
	skipped := map[string]string{}
	for _, s := range skip {
		skipped[s.Date.Format(time.DateOnly)] = s.Reason
	}
	defiAt, _ := ParseClock(c.Campaign.Schedule.Defi)
	recapAt, _ := ParseClock(c.Campaign.Schedule.Recap)
	calendar := &Calendar{Location: loc, DefiAt: defiAt, RecapAt: recapAt}
	for _, r := range c.Reminders {
		calendar.Reminders = append(calendar.Reminders, r.Clock())
	}
	calendar.Mobilisation, _ = c.MobilisationAt()
	moved := false
	// off says why a date is no working day ("": it is one).
	off := func(d time.Time) string {
		if !working[d.Weekday()] {
			return frenchWeekday[d.Weekday()]
		}
		if actual, observed, h := holidays.IsHoliday(d); (actual || observed) && h != nil {
			return h.Name
		}
		if extra[d.Format(time.DateOnly)] {
			return "jour non travaillé (extra_holidays)"
		}
		return ""
	}
	// Walk by calendar date, never by adding 24 h: a day is 23 or 25 hours
	// long when daylight saving time changes.
	for d := start; len(calendar.Days) < c.Campaign.Days; d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc) {
		if len(calendar.Skipped) > 366 {
			return nil, fmt.Errorf("campaign.working_days: no working day found within a year of %s", c.Campaign.Start)
		}
		reason := off(d)
		if r, ok := skipped[d.Format(time.DateOnly)]; ok && reason == "" {
			reason = r
			moved = true
		}
		if reason != "" {
			calendar.Skipped = append(calendar.Skipped, Skip{Date: d, Reason: reason})
			continue
		}
		n := len(calendar.Days) + 1
		calendar.Days = append(calendar.Days, Day{N: n, Date: d, Defi: defis[(n-1)%len(defis)], Moved: moved})
	}
	if n := c.Briefing(); n > 0 && len(calendar.Days) > 0 {
		d := calendar.Days[0].Date
		for left := n; left > 0; {
			d = time.Date(d.Year(), d.Month(), d.Day()-1, 0, 0, 0, 0, loc)
			if off(d) == "" {
				left--
			}
		}
		calendar.Briefing = d
	}
	return calendar, nil
}

var frenchWeekday = map[time.Weekday]string{
	time.Monday: "lundi", time.Tuesday: "mardi", time.Wednesday: "mercredi", time.Thursday: "jeudi",
	time.Friday: "vendredi", time.Saturday: "samedi (week-end)", time.Sunday: "dimanche (week-end)",
}

// At returns the instant of a local time of day on campaign day n (1-based).
func (c *Calendar) At(n int, t ClockTime) time.Time {
	d := c.Days[n-1].Date
	return time.Date(d.Year(), d.Month(), d.Day(), t.Hour, t.Minute, 0, 0, c.Location)
}

// DayOf returns the campaign day that contains instant t, if any.
func (c *Calendar) DayOf(t time.Time) (Day, bool) {
	local := t.In(c.Location)
	for _, d := range c.Days {
		if d.Date.Year() == local.Year() && d.Date.YearDay() == local.YearDay() {
			return d, true
		}
	}
	return Day{}, false
}

// Elapsed returns how many campaign days have started by instant t (their
// défi time has passed), from 0 before the campaign to len(Days) after it.
func (c *Calendar) Elapsed(t time.Time) int {
	n := 0
	for _, d := range c.Days {
		if !t.Before(c.At(d.N, c.DefiAt)) {
			n = d.N
		}
	}
	return n
}

// Start returns the instant the campaign starts (the first défi post).
func (c *Calendar) Start() time.Time { return c.At(1, c.DefiAt) }

// End returns the instant of the last recap.
func (c *Calendar) End() time.Time { return c.At(len(c.Days), c.RecapAt) }

// Last returns the last campaign day.
func (c *Calendar) Last() Day { return c.Days[len(c.Days)-1] }

// RecapDay returns the campaign day whose recap comes next after instant t
// (the last day once every recap is past): what happens at t is reported there.
func (c *Calendar) RecapDay(t time.Time) int {
	for _, d := range c.Days {
		if t.Before(c.At(d.N, c.RecapAt)) {
			return d.N
		}
	}
	return len(c.Days)
}
