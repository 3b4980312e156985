package challenges

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ScheduledCall is the DGS's call to mobilisation, posted in every team
// channel at a local date and time (campaign.mobilisation), as the
// mobilisation command posts it.
type ScheduledCall struct {
	// At is the local date and time: "2027-03-19 09:30" (or 19/03/2027 09:30).
	At string `yaml:"at"`
	// Text is the call.
	Text string `yaml:"text"`
	// By names the DGS who signs it (one of roles.dgs; default the first).
	By string `yaml:"by,omitempty"`
}

// ParseDateTime reads a local date and time, "2027-03-19 09:30" or
// "19/03/2027 09:30" (a "T" may stand for the space), in loc.
func ParseDateTime(s string, loc *time.Location) (time.Time, error) {
	date, clock, ok := strings.Cut(strings.TrimSpace(strings.Replace(s, "T", " ", 1)), " ")
	if !ok {
		return time.Time{}, fmt.Errorf("%q is not a date and time (use 2027-03-19 09:30)", s)
	}
	d, err := ParseDate(date, loc)
	if err != nil {
		return time.Time{}, err
	}
	c, err := ParseClock(clock)
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(d.Year(), d.Month(), d.Day(), c.Hour, c.Minute, 0, 0, loc), nil
}

// MobilisationAt returns the instant of the scheduled call, if any.
func (c *Config) MobilisationAt() (time.Time, bool) {
	m := c.Campaign.Mobilisation
	if m == nil {
		return time.Time{}, false
	}
	t, err := ParseDateTime(m.At, c.Location())
	return t, err == nil
}

// Signer returns who signs the scheduled call: By, or the first DGS.
func (m *ScheduledCall) Signer(c *Config) string {
	if m.By != "" || len(c.Roles.DGS) == 0 {
		return m.By
	}
	return c.Roles.DGS[0]
}

// validateMobilisation checks the scheduled call: a date and time, a
// text, a DGS to sign it.
func (c *Config) validateMobilisation(v *validator) {
	m := c.Campaign.Mobilisation
	if m == nil {
		return
	}
	const at = "campaign.mobilisation"
	switch {
	case m.At == "":
		v.addAt(at+".at", at, "is required (the local date and time of the call, such as 2027-03-19 09:30)")
	default:
		if _, err := ParseDateTime(m.At, time.UTC); err != nil {
			v.add(at+".at", "%v", err)
		}
	}
	if strings.TrimSpace(m.Text) == "" {
		v.addAt(at+".text", at, "is required (the call the DGS sends to every team)")
	}
	if m.By != "" && !slices.Contains(c.Roles.DGS, m.By) {
		v.add(at+".by", "%q is not in roles.dgs: the call is signed by a DGS", m.By)
	}
}
