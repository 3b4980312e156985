package challenges_test

import (
	"strings"
	"testing"
)

// TestMatrixUserIDsAreMembers: on Matrix a member may be named by a full
// user id (@dave:example.fr); anything else with a colon is still no user
// name.
func TestMatrixUserIDsAreMembers(t *testing.T) {
	cfg := mustParse(t, replaceLine(t, validYAML, lineTeam1Members, `    members: [carol, "@dave:example.fr", "@eve.l=x/y+z_-:matrix.example.fr:8448"]`))
	for _, user := range []string{"@dave:example.fr", "@eve.l=x/y+z_-:matrix.example.fr:8448"} {
		if team, ok := cfg.TeamOf(user); !ok || team.ID != "colleges" {
			t.Errorf("TeamOf(%q) = %q, %v; want colleges", user, team.ID, ok)
		}
	}
	for _, bad := range []string{"@dave:", "dave:example.fr", "@:example.fr", "@Dave:example.fr", "@da ve:example.fr", "@dave:exa mple.fr"} {
		problems := problemsOf(t, replaceLine(t, validYAML, lineTeam1Members, `    members: [carol, "`+bad+`"]`))
		if len(problems) != 1 || problems[0].Field != "teams[1].members[1]" || !strings.Contains(problems[0].Message, bad) {
			t.Errorf("members [carol, %q]: problems %+v, want one naming it at teams[1].members[1]", bad, problems)
		}
	}
}
