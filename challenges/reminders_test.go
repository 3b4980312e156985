package challenges_test

import (
	"strings"
	"testing"

	"github.com/gigabot/gigabot/challenges"
)

// Reminders are read with their share, and every bad value is refused
// with its field and line.
func TestReminders(t *testing.T) {
	cfg := mustParse(t, validYAML+"reminders:\n  - {at: \"14:00\", below: 50 %}\n  - {at: \"16:30\", below: 80, direct: true}\n  - {at: \"11:00\", below: \"33,5%\"}\n")
	want := []struct {
		share  float64
		direct bool
	}{{0.5, false}, {0.8, true}, {0.335, false}}
	for i, w := range want {
		if r := cfg.Reminders[i]; r.Share() != w.share || r.Direct != w.direct {
			t.Errorf("reminders[%d] = %+v (share %g), want %+v", i, r, r.Share(), w)
		}
	}
	cal, err := challenges.NewCalendar(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(cal.Reminders) != 3 || cal.Reminders[0] != (challenges.ClockTime{Hour: 14}) {
		t.Errorf("calendar reminders %v", cal.Reminders)
	}

	const line = 38 // the reminder's line: validYAML has 37
	tests := []struct{ name, reminder, field, msg string }{
		{"no time", `{below: 50 %}`, "reminders[0].at", "is required"},
		{"not a time", `{at: "2 pm", below: 50 %}`, "reminders[0].at", `"2 pm"`},
		{"before the défi", `{at: "08:00", below: 50 %}`, "reminders[0].at", "after the défi (09:00)"},
		{"after the recap", `{at: "17:30", below: 50 %}`, "reminders[0].at", "before the recap (17:00)"},
		{"no threshold", `{at: "14:00"}`, "reminders[0].below", "is required"},
		{"not a percentage", `{at: "14:00", below: half}`, "reminders[0].below", `"half"`},
		{"above 100 %", `{at: "14:00", below: 120 %}`, "reminders[0].below", "out of range"},
		{"zero", `{at: "14:00", below: 0}`, "reminders[0].below", "out of range"},
		{"a share, not a percentage", `{at: "14:00", below: 0.5}`, "reminders[0].below", "50 %"},
		{"a list", `{at: "14:00", below: [50]}`, "reminders[0].below", "not a percentage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := problemsOf(t, validYAML+"reminders:\n  - "+tt.reminder+"\n")
			if len(problems) != 1 || problems[0].Field != tt.field || problems[0].Line != line || !strings.Contains(problems[0].Message, tt.msg) {
				t.Errorf("problems %+v, want one at %s line %d saying %q", problems, tt.field, line, tt.msg)
			}
		})
	}
	problems := problemsOf(t, validYAML+"reminders:\n  - {at: \"14:00\", below: 50 %}\n  - {at: \"14:00\", below: 20 %}\n")
	if len(problems) != 1 || problems[0].Field != "reminders[1].at" || !strings.Contains(problems[0].Message, "reminders[0]") {
		t.Errorf("the same time twice: %+v", problems)
	}
}
