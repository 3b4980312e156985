package challenges_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/challenges"
)

// The scheduled call is read with its instant and signer, and every bad
// value is refused with its field and line.
func TestScheduledMobilisation(t *testing.T) {
	src := strings.Replace(validYAML, "  goal: 2 To\n", "  goal: 2 To\n  mobilisation: {at: \"19/03/2027 10:30\", text: Tous au ménage !}\n", 1)
	cfg := mustParse(t, src)
	at, ok := cfg.MobilisationAt()
	if want := time.Date(2027, 3, 19, 10, 30, 0, 0, cfg.Location()); !ok || !at.Equal(want) {
		t.Errorf("MobilisationAt = %s, %v; want %s", at, ok, want)
	}
	if s := cfg.Campaign.Mobilisation.Signer(cfg); s != "dg" {
		t.Errorf("signer %q, want the first DGS", s)
	}
	cal, err := challenges.NewCalendar(cfg)
	if err != nil || !cal.Mobilisation.Equal(at) {
		t.Errorf("calendar's call at %s (%v)", cal.Mobilisation, err)
	}

	const line = lineGoal + 1
	tests := []struct{ name, call, field, msg string }{
		{"no time", `{text: Allez !}`, "campaign.mobilisation.at", "is required"},
		{"a time without a date", `{at: "10:30", text: Allez !}`, "campaign.mobilisation.at", "not a date and time"},
		{"an impossible date", `{at: "2027-02-30 10:30", text: Allez !}`, "campaign.mobilisation.at", "2027-02-30"},
		{"a bad time", `{at: "2027-03-19 25:00", text: Allez !}`, "campaign.mobilisation.at", "25:00"},
		{"no text", `{at: "2027-03-19 10:30"}`, "campaign.mobilisation.text", "is required"},
		{"a blank text", `{at: "2027-03-19 10:30", text: "  "}`, "campaign.mobilisation.text", "is required"},
		{"signed by someone else", `{at: "2027-03-19 10:30", text: Allez !, by: coord}`, "campaign.mobilisation.by", `"coord" is not in roles.dgs`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := problemsOf(t, strings.Replace(validYAML, "  goal: 2 To\n", "  goal: 2 To\n  mobilisation: "+tt.call+"\n", 1))
			if len(problems) != 1 || problems[0].Field != tt.field || problems[0].Line != line || !strings.Contains(problems[0].Message, tt.msg) {
				t.Errorf("problems %+v, want one at %s line %d saying %q", problems, tt.field, line, tt.msg)
			}
		})
	}
}

// The scheduler also runs at each reminder's time and at the scheduled
// call's instant.
func TestSchedulerRemindersAndCall(t *testing.T) {
	cal := newCalendar(t, "2027-03-26", 1, nil)
	loc := cal.Location
	cal.Reminders = []challenges.ClockTime{{Hour: 14}}
	cal.Mobilisation = time.Date(2027, 3, 25, 10, 30, 0, 0, loc)
	clock := newArmClock(time.Date(2027, 3, 25, 8, 0, 0, 0, loc))
	rec := newRecorder(clock)
	startScheduler(t, cal, clock, 0, rec.run)
	for _, at := range []time.Time{
		time.Date(2027, 3, 25, 10, 30, 0, 0, loc), time.Date(2027, 3, 26, 9, 0, 0, 0, loc),
		time.Date(2027, 3, 26, 14, 0, 0, 0, loc), time.Date(2027, 3, 26, 17, 0, 0, 0, loc),
	} {
		rec.passPost(t, at)
	}
}
