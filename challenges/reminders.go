package challenges

import (
	"fmt"
	"strconv"
	"strings"
)

// Reminder is one afternoon reminder (reminders:): at a local time of
// each campaign day, every team whose share of agents who did the day's
// défi is below a threshold gets a short, friendly post in its channel.
type Reminder struct {
	// At is the local time ("14:00"), between the défi and the recap.
	At string `yaml:"at"`
	// Below is the threshold: a percentage ("50 %", 50) of the team's
	// agents.
	Below any `yaml:"below"`
	// Direct also sends each agent of those teams who has not done the
	// défi a direct message (each may turn them off: rappels off).
	Direct bool `yaml:"direct"`

	// share is Below as a share (0.5), set by validation.
	share float64
}

// Share returns the threshold as a share of the team's agents (0.5).
func (r Reminder) Share() float64 { return r.share }

// Clock returns the reminder's local time.
func (r Reminder) Clock() ClockTime {
	c, _ := ParseClock(r.At)
	return c
}

// parseShare reads a percentage as people write it: "50 %", "50%", "50,5
// %", or a number of percent (50).
func parseShare(v any) (float64, error) {
	var pct float64
	switch x := v.(type) {
	case nil:
		return 0, fmt.Errorf("is required (a percentage of the team's agents, such as 50 %%)")
	case int:
		pct = float64(x)
	case int64:
		pct = float64(x)
	case uint64:
		pct = float64(x)
	case float64:
		if x > 0 && x < 1 {
			return 0, fmt.Errorf("%v reads as %v %%: write the percentage, such as 50 %% for half the team's agents", x, x)
		}
		pct = x
	case string:
		s := strings.TrimSpace(strings.NewReplacer("\u00a0", "", "\u202f", "", " ", "").Replace(x))
		n, ok := strings.CutSuffix(s, "%")
		f, err := strconv.ParseFloat(strings.Replace(n, ",", ".", 1), 64)
		if !ok || err != nil {
			return 0, fmt.Errorf("%q is not a percentage (write it as 50 %%)", x)
		}
		pct = f
	default:
		return 0, fmt.Errorf("%v is not a percentage (write it as 50 %%)", v)
	}
	if !(pct > 0 && pct <= 100) {
		return 0, fmt.Errorf("%v %% is out of range: a reminder goes to the teams below a share above 0 and up to 100 %%", pct)
	}
	return pct / 100, nil
}

// validateReminders checks the reminders: a time between the défi and
// the recap, once each, and a percentage.
func (c *Config) validateReminders(v *validator) {
	defiAt, errDefi := ParseClock(c.Campaign.Schedule.Defi)
	recapAt, errRecap := ParseClock(c.Campaign.Schedule.Recap)
	seen := map[string]int{}
	for i := range c.Reminders {
		r := &c.Reminders[i]
		at := fmt.Sprintf("reminders[%d]", i)
		ct, err := ParseClock(r.At)
		switch {
		case r.At == "":
			v.addAt(at+".at", at, "is required (the local time of the reminder, such as \"14:00\")")
		case err != nil:
			v.add(at+".at", "%v", err)
		case errDefi == nil && errRecap == nil && (!defiAt.Before(ct) || !ct.Before(recapAt)):
			v.add(at+".at", "%s must come after the défi (%s) and before the recap (%s)", r.At, defiAt, recapAt)
		default:
			if first, dup := seen[ct.String()]; dup {
				v.add(at+".at", "%s is already the time of reminders[%d]", r.At, first)
			}
			seen[ct.String()] = i
		}
		share, err := parseShare(r.Below)
		switch {
		case r.Below == nil:
			v.addAt(at+".below", at, "%v", err)
			continue
		case err != nil:
			v.add(at+".below", "%v", err)
			continue
		}
		r.share = share
	}
}

// addAt adds a problem of a missing field, at the line of the item that
// lacks it.
func (v *validator) addAt(field, item, format string, args ...any) {
	v.problems = append(v.problems, Problem{Field: field, Line: v.line(item), Message: fmt.Sprintf(format, args...)})
}
