package challenges_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/gigabot/gigabot/challenges"
)

// loadWithRoster writes config (validYAML plus extra) and a roster file
// named agents.csv in a temporary folder, and loads the config.
func loadWithRoster(t *testing.T, extra, roster string) (*challenges.Config, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "agents.csv"), []byte(roster), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "campaign.yaml")
	if err := os.WriteFile(path, []byte(validYAML+extra), 0o600); err != nil {
		t.Fatal(err)
	}
	return challenges.Load(path)
}

// A roster file adds its agents to the teams, whatever a spreadsheet
// saved: a byte order mark, ";" or ",", a header row, CRLF line ends,
// empty trailing columns, e-mail addresses.
func TestRosterFile(t *testing.T) {
	tests := []struct {
		name, roster string
		routes       []string
	}{
		{"commas", "erin,routes\nfrank@calvados.fr,colleges\n", []string{"alice", "bob", "erin"}},
		{"semicolons with BOM and header", "\ufeffutilisateur;équipe\r\nerin;routes\r\nfrank@calvados.fr;colleges\r\n", []string{"alice", "bob", "erin"}},
		{"empty columns and blank lines", "user,team,,\n\nerin , routes,,\nfrank@calvados.fr,colleges\n", []string{"alice", "bob", "erin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadWithRoster(t, "roster: agents.csv\n", tt.roster)
			if err != nil {
				t.Fatal(err)
			}
			routes, _ := cfg.Team("routes")
			if !slices.Equal(routes.Members, tt.routes) {
				t.Errorf("routes members %q, want %q", routes.Members, tt.routes)
			}
			if team, ok := cfg.TeamOf("frank@calvados.fr"); !ok || team.ID != "colleges" {
				t.Errorf("TeamOf(frank@calvados.fr) = %q, %v; want colleges", team.ID, ok)
			}
		})
	}
}

// Every bad row is refused with the file and its line, all at once, and
// no config is returned.
func TestRosterFileProblems(t *testing.T) {
	tests := []struct {
		name, roster string
		want         []string
	}{
		{"unknown team", "erin,routes\nfrank,finances\n", []string{"agents.csv:2: unknown team \"finances\""}},
		{"member of the YAML", "erin,routes\nalice,colleges\n", []string{"agents.csv:2: \"alice\" is already listed in teams[0].members"}},
		{"listed twice", "erin,routes\nfrank,colleges\nErin,colleges\n", []string{"agents.csv:3: \"Erin\" is already listed at line 1"}},
		{"three columns", "erin;routes;extra\n", []string{"agents.csv:1: want two columns"}},
		{"one column", "erin\nfrank,routes\n", []string{"agents.csv:1: want two columns"}},
		{"no team", "erin,\n", []string{"agents.csv:1: the team of \"erin\" is missing"}},
		{"a space in a name", "erin dupont,routes\n", []string{"agents.csv:1: \"erin dupont\" is not a user name"}},
		{"latin-1", "erin,routes\nb\xe9atrice,colleges\n", []string{"agents.csv:2: not UTF-8"}},
		{"bad quoting", "erin,routes\n\"frank,colleges\n", []string{"agents.csv:2:"}},
		{"empty", "\ufeff\n", []string{"agents.csv: names nobody"}},
		{"several at once", "erin,finances\nfrank,routes\nfrank,routes\n", []string{"agents.csv:1: unknown team", "agents.csv:3: \"frank\" is already listed at line 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadWithRoster(t, "roster: agents.csv\n", tt.roster)
			if err == nil {
				t.Fatalf("accepted: %+v", cfg.Teams)
			}
			ve, ok := challenges.AsValidationError(err)
			if !ok {
				t.Fatalf("%T %v, want a ValidationError", err, err)
			}
			if len(ve.Problems) != len(tt.want) {
				t.Fatalf("problems %v, want %d", ve.Problems, len(tt.want))
			}
			for i, w := range tt.want {
				if got := ve.Problems[i].String(); !strings.Contains(got, w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got, w)
				}
			}
		})
	}
}

func TestRosterFileMissing(t *testing.T) {
	_, err := loadWithRoster(t, "roster: absent.csv\n", "")
	if err == nil || !strings.Contains(err.Error(), "roster: ") || !strings.Contains(err.Error(), "absent.csv") {
		t.Fatalf("error %v, want one naming the roster file", err)
	}
}

// members: channel takes the team's agents from its chat channel: no
// list is required, the roster may not add to it, and the config written
// back says "channel" again.
func TestMembersFromChannel(t *testing.T) {
	src := replaceLine(t, validYAML, lineTeam1Members, "    members: channel")
	cfg := mustParse(t, src)
	colleges, _ := cfg.Team("colleges")
	if !colleges.MembersFromChannel || len(colleges.Members) != 0 {
		t.Fatalf("colleges %+v, want its members from its channel", colleges)
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "members: channel") {
		t.Errorf("written back without members: channel:\n%s", out)
	}
	if again := mustParse(t, string(out)); !again.Teams[1].MembersFromChannel {
		t.Error("read again, the team lost members: channel")
	}

	problems := problemsOf(t, replaceLine(t, validYAML, lineTeam1Members, "    members: canal"))
	if len(problems) != 1 || problems[0].Field != "teams[1].members" || problems[0].Line != lineTeam1Members || !strings.Contains(problems[0].Message, `"canal"`) {
		t.Errorf("members: canal gave %+v, want one problem at teams[1].members naming it", problems)
	}

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "agents.csv"), []byte("erin,colleges\n"), 0o600)
	path := filepath.Join(dir, "c.yaml")
	os.WriteFile(path, []byte(src+"roster: agents.csv\n"), 0o600)
	if _, err := challenges.Load(path); err == nil || !strings.Contains(err.Error(), "agents.csv:1: team \"colleges\" takes its members from its channel") {
		t.Errorf("a roster row for a channel team gave %v", err)
	}
}

// The config written back keeps the roster key and leaves the roster's
// agents out: read again, they are not listed twice.
func TestRosterWrittenBack(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "agents.csv"), []byte("erin,routes\n"), 0o600)
	path := filepath.Join(dir, "c.yaml")
	os.WriteFile(path, []byte(validYAML+"roster: agents.csv\n"), 0o600)
	cfg, err := challenges.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, out, 0o600)
	again, err := challenges.Load(path)
	if err != nil {
		t.Fatalf("written back, refused: %v\n%s", err, out)
	}
	if !slices.Equal(again.Teams[0].Members, cfg.Teams[0].Members) {
		t.Errorf("members %q, then %q", cfg.Teams[0].Members, again.Teams[0].Members)
	}
}
