package challenges_test

import (
	"slices"
	"strings"
	"testing"
)

// A team that left the campaign keeps its figures in the store; the
// config says so with retired_teams, and a team cannot be both running
// and retired.
func TestRetiredTeams(t *testing.T) {
	t.Run("listed", func(t *testing.T) {
		cfg := mustParse(t, validYAML+"retired_teams: [archives, informatique]\n")
		if !slices.Equal(cfg.RetiredTeams, []string{"archives", "informatique"}) {
			t.Errorf("RetiredTeams = %q", cfg.RetiredTeams)
		}
		if !cfg.Retired("archives") || cfg.Retired("routes") {
			t.Errorf("Retired(archives) = %v, Retired(routes) = %v", cfg.Retired("archives"), cfg.Retired("routes"))
		}
	})
	tests := []struct {
		name, yaml, field string
		want              []string
	}{
		{"also a running team", "retired_teams: [archives, colleges]", "retired_teams[1]", []string{`"colleges"`, "teams[1]", "running or retired"}},
		{"listed twice", "retired_teams: [archives, archives]", "retired_teams[1]", []string{`"archives"`, "twice"}},
		{"not an id", "retired_teams: [Archives]", "retired_teams[0]", []string{`"Archives"`, "lower-case"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := problemsOf(t, validYAML+tt.yaml+"\n")
			if len(problems) != 1 {
				t.Fatalf("got %d problems, want 1: %+v", len(problems), problems)
			}
			p := problems[0]
			if p.Field != tt.field || p.Line != 37 {
				t.Errorf("problem at %s line %d, want %s line 37", p.Field, p.Line, tt.field)
			}
			for _, w := range tt.want {
				if !strings.Contains(p.Message, w) {
					t.Errorf("message %q does not say %q", p.Message, w)
				}
			}
		})
	}
}
