package challenges_test

import (
	"strings"
	"testing"
)

const lineEvery = 32

// Values that parse but would make a campaign misbehave are refused, each
// problem naming its field and line, all at once: no campaign days (0 is
// not "the default"), milestones so close together that every report
// would cross one, and the server's own time zone, which changes with
// the machine the bot runs on.
func TestParseRefusesHarmfulValues(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
		wantField  string
		wantMsg    []string
	}{
		{"no campaign days", "  days: 0", lineDays, "campaign.days", []string{"between 1 and 60", "got 0"}},
		{"the server's time zone", "  timezone: Local", lineTimezone, "campaign.timezone", []string{`"Local"`, "Europe/Paris"}},
		{"milestones every byte", "  every: 1", lineEvery, "milestones.every", []string{"1 Go", "1 o"}},
		{"milestones every 999 Mo", "  every: 999 Mo", lineEvery, "milestones.every", []string{"1 Go", "999 Mo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := problemsOf(t, replaceLine(t, validYAML, tt.line, tt.text))
			if len(problems) != 1 {
				t.Fatalf("got %d problems, want 1: %+v", len(problems), problems)
			}
			p := problems[0]
			if p.Field != tt.wantField || p.Line != tt.line {
				t.Errorf("problem at %s line %d, want %s line %d (%+v)", p.Field, p.Line, tt.wantField, tt.line, p)
			}
			for _, w := range tt.wantMsg {
				if !strings.Contains(strings.ReplaceAll(p.Message, "\u00a0", " "), w) {
					t.Errorf("message %q does not mention %q", p.Message, w)
				}
			}
		})
	}

	t.Run("all at once", func(t *testing.T) {
		src := replaceLine(t, validYAML, lineDays, "  days: 0")
		src = replaceLine(t, src, lineTimezone, "  timezone: Local")
		src = replaceLine(t, src, lineEvery, "  every: 1 Mo")
		var got []string
		for _, p := range problemsOf(t, src) {
			got = append(got, p.String())
		}
		want := []string{"campaign.days (line 4)", "campaign.timezone (line 5)", "milestones.every (line 32)"}
		if len(got) != len(want) {
			t.Fatalf("problems %q, want %d", got, len(want))
		}
		for i, w := range want {
			if !strings.HasPrefix(got[i], w) {
				t.Errorf("problem %d = %q, want %s", i, got[i], w)
			}
		}
	})

	t.Run("still accepted", func(t *testing.T) {
		for _, text := range []string{"  every: 1 Go", "  every: 0"} {
			mustParse(t, replaceLine(t, validYAML, lineEvery, text))
		}
		if cfg := mustParse(t, minimalYAML); cfg.Campaign.Days != 15 {
			t.Errorf("days without a value = %d, want the default 15", cfg.Campaign.Days)
		}
		mustParse(t, replaceLine(t, validYAML, lineTimezone, "  timezone: UTC"))
	})
}
