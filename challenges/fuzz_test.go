package challenges_test

import (
	"os"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/gigabot/gigabot/challenges"
)

// FuzzParse feeds the config loader arbitrary bytes: it never panics, it
// refuses with a *ValidationError, and what it accepts is a campaign: the
// calendar builds, and the config written back to YAML is accepted again
// as the same campaign.
func FuzzParse(f *testing.F) {
	f.Add([]byte(validYAML))
	f.Add([]byte(validYAML + "retired_teams: [archives]\n"))
	f.Add([]byte("campaign: {name: x, start: 2027-03-22, days: 0}\nteams: [{id: a, name: A, channel: c, members: [u]}]\nroles: {dgs: [d], coordinators: [c]}\n"))
	f.Add([]byte("campaign: {name: x, start: 22/03/2027, timezone: Local, goal: 1e30}\nmilestones: {every: .nan}\n"))
	if example, err := os.ReadFile("../deploy/campaign.example.yaml"); err == nil {
		f.Add(example)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := challenges.Parse(data)
		if err != nil {
			if _, ok := challenges.AsValidationError(err); !ok {
				t.Fatalf("Parse refused with %T (%v), not a *ValidationError", err, err)
			}
			return
		}
		cal, err := challenges.NewCalendar(cfg)
		if err != nil {
			t.Fatalf("Parse accepted a config whose calendar fails: %v\n%s", err, data)
		}
		if len(cal.Days) != cfg.Campaign.Days {
			t.Fatalf("calendar of %d days for days: %d", len(cal.Days), cfg.Campaign.Days)
		}
		out, err := yaml.Marshal(cfg)
		if err != nil {
			t.Fatalf("marshal an accepted config: %v", err)
		}
		again, err := challenges.Parse(out)
		if err != nil {
			t.Fatalf("an accepted config, written back, is refused: %v\nfrom:\n%s\nwritten:\n%s", err, data, out)
		}
		if a, b := mustMarshal(t, again), string(out); a != b {
			t.Fatalf("an accepted config, written back and read again, changed:\n%s\nthen:\n%s", b, a)
		}
	})
}

func mustMarshal(t *testing.T, cfg *challenges.Config) string {
	t.Helper()
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// A YAML tag ("!foo", "!!str") is refused with its field and line: the
// decoder panics on one where a list is expected (found by FuzzParse), and
// a campaign has no use for tags.
func TestParseRefusesTags(t *testing.T) {
	tests := []struct{ name, yaml, field string }{
		{"on a list", "milestones:\n  thresholds: !00000000000\n000", "milestones.thresholds"},
		{"standard tag on a list", "campaign:\n  working_days: !!str mon", "campaign.working_days"},
		{"on a scalar", "campaign:\n  name: !!str Giga", "campaign.name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := problemsOf(t, tt.yaml)
			if len(problems) != 1 || problems[0].Field != tt.field || problems[0].Line != 2 || !strings.Contains(problems[0].Message, "tag") {
				t.Errorf("problems %+v, want one at %s line 2 naming the tag", problems, tt.field)
			}
		})
	}
}
