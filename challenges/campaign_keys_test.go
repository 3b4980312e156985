package challenges_test

import (
	"strings"
	"testing"
)

// TestRetentionAndPrevious checks campaign.retention_days (default 90)
// and campaign.previous: a bad value is refused with its field and line.
func TestRetentionAndPrevious(t *testing.T) {
	cfg := mustParse(t, validYAML)
	if cfg.Campaign.RetentionDays != 90 || cfg.Campaign.Previous != "" {
		t.Errorf("defaults: retention %d days, previous %q; want 90 and none", cfg.Campaign.RetentionDays, cfg.Campaign.Previous)
	}
	cfg = mustParse(t, replaceLine(t, validYAML, lineGoal, "  retention_days: 30"))
	if cfg.Campaign.RetentionDays != 30 {
		t.Errorf("retention_days: 30 gave %d", cfg.Campaign.RetentionDays)
	}
	cfg = mustParse(t, replaceLine(t, validYAML, lineGoal, "  previous: giga-destockage-2026"))
	if cfg.Campaign.Previous != "giga-destockage-2026" {
		t.Errorf("previous = %q", cfg.Campaign.Previous)
	}
	tests := []struct {
		name, text, wantField, wantMsg string
	}{
		{"no retention", "  retention_days: 0", "campaign.retention_days", "got 0"},
		{"negative retention", "  retention_days: -1", "campaign.retention_days", "got -1"},
		{"retention past two years", "  retention_days: 731", "campaign.retention_days", "731"},
		{"retention in words", "  retention_days: quatre-vingt-dix", "campaign.retention_days", "quatre-vingt-dix"},
		{"previous not an id", "  previous: Giga 2026", "campaign.previous", `"Giga 2026"`},
		{"previous is this campaign", "  previous: giga-destockage-2027", "campaign.previous", "own id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := problemsOf(t, replaceLine(t, validYAML, lineGoal, tt.text))
			if len(problems) != 1 {
				t.Fatalf("got %d problems, want 1: %+v", len(problems), problems)
			}
			p := problems[0]
			if p.Field != tt.wantField || p.Line != lineGoal || !strings.Contains(p.Message, tt.wantMsg) {
				t.Errorf("problem %+v, want %s at line %d mentioning %q", p, tt.wantField, lineGoal, tt.wantMsg)
			}
		})
	}
}
