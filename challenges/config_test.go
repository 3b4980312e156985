package challenges_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/challenges"
)

// validYAML is a complete, valid configuration. The error cases below
// replace one of its lines, so the line numbers in the comments are the ones
// the problems must report.
const validYAML = `campaign:
  name: Giga Déstockage 2027
  start: 2027-03-22
  days: 15
  timezone: Europe/Paris
  working_days: [mon, tue, wed, thu, fri]
  holidays: fr
  extra_holidays: [2027-04-02]
  schedule:
    defi: "09:00"
    recap: "17:00"
  language: fr
  goal: 2 To
teams:
  - id: routes
    name: Direction des routes
    channel: equipe-routes
    members: [alice, bob]
  - id: colleges
    name: Direction des collèges
    channel: equipe-colleges
    members: [carol, dave]
roles:
  dgs: [dg]
  coordinators: [coord]
scoring:
  defi: 5
  gigabyte: 1
  percent: 50
milestones:
  thresholds: [100 Go, 250 Go, 500 Go, 1 To]
  every: 500 Go
defi_order: [doublons, gros-fichiers]
rate_limit:
  burst: 3
  every: 30s
`

// Line numbers of validYAML.
const (
	lineName          = 2
	lineStart         = 3
	lineDays          = 4
	lineTimezone      = 5
	lineWorkingDays   = 6
	lineHolidays      = 7
	lineExtraHolidays = 8
	lineDefiAt        = 10
	lineRecapAt       = 11
	lineLanguage      = 12
	lineGoal          = 13
	lineTeams         = 14
	lineTeam0ID       = 15
	lineTeam1ID       = 19
	lineTeam1Name     = 20
	lineTeam1Channel  = 21
	lineTeam1Members  = 22
	lineDGS           = 24
	lineCoordinators  = 25
	lineGigabyte      = 28
	lineThresholds    = 31
	lineDefiOrder     = 33
	lineBurst         = 35
)

// minimalYAML holds only what has no default.
const minimalYAML = `campaign:
  name: Giga Déstockage 2027
  start: 2027-03-22
teams:
  - id: routes
    name: Direction des routes
    channel: equipe-routes
    members: [alice]
roles:
  dgs: [dg]
  coordinators: [coord]
`

// replaceLine returns src with its line n (1-based) replaced by text, so the
// other lines keep their numbers.
func replaceLine(t *testing.T, src string, n int, text string) string {
	t.Helper()
	lines := strings.Split(src, "\n")
	if n < 1 || n > len(lines) {
		t.Fatalf("replaceLine: no line %d", n)
	}
	lines[n-1] = text
	return strings.Join(lines, "\n")
}

// mustParse parses a configuration that must be valid.
func mustParse(t *testing.T, src string) *challenges.Config {
	t.Helper()
	cfg, err := challenges.Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return cfg
}

// problemsOf parses a configuration that must be invalid and returns its problems.
func problemsOf(t *testing.T, src string) []challenges.Problem {
	t.Helper()
	cfg, err := challenges.Parse([]byte(src))
	if err == nil {
		t.Fatalf("Parse accepted an invalid configuration: %+v", cfg.Campaign)
	}
	if cfg != nil {
		t.Errorf("Parse returned a config with its error")
	}
	ve, ok := challenges.AsValidationError(err)
	if !ok {
		t.Fatalf("Parse error %T (%v) is not a *ValidationError", err, err)
	}
	if len(ve.Problems) == 0 {
		t.Fatalf("ValidationError without problems: %v", err)
	}
	return ve.Problems
}

func paris(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatalf("load Europe/Paris: %v", err)
	}
	return loc
}

func TestParseAppliesDefaults(t *testing.T) {
	cfg := mustParse(t, minimalYAML)
	cp := cfg.Campaign
	checks := []struct {
		name      string
		got, want any
	}{
		{"campaign.id", cp.ID, "giga-destockage-2027"},
		{"campaign.days", cp.Days, 15},
		{"campaign.timezone", cp.Timezone, "Europe/Paris"},
		{"campaign.working_days", cp.WorkingDays, []string{"mon", "tue", "wed", "thu", "fri"}},
		{"campaign.holidays", cp.Holidays, "fr"},
		{"campaign.extra_holidays", len(cp.ExtraHolidays), 0},
		{"campaign.schedule", cp.Schedule, challenges.Schedule{Defi: "09:00", Recap: "17:00"}},
		{"campaign.language", cp.Language, "fr"},
		{"campaign.reaction", cp.Reaction, "white_check_mark"},
		{"campaign.goal", cp.Goal, challenges.Bytes(0)},
		{"scoring", cfg.Scoring, challenges.DefaultWeights()},
		{"scoring values", cfg.Scoring, challenges.Weights{Defi: 5, Gigabyte: 1, Percent: 50, HoldDrop: 0.5}},
		{"milestones.thresholds", cfg.Milestones.Thresholds, []challenges.Bytes{100 * challenges.GB, 250 * challenges.GB, 500 * challenges.GB, challenges.TB}},
		{"milestones.every", cfg.Milestones.Every, challenges.TB / 2},
		{"equivalences", cfg.Equivalences, challenges.DefaultEquivalences()},
		{"equivalences values", cfg.Equivalences, challenges.Equivalences{PDFPagesPerTB: 6_500_000, CabinetsPerTB: 1_300, CO2eTonnesPerTBYear: 0.2, StorageDoublingYears: 4}},
		{"rate_limit", cfg.RateLimit, challenges.RateLimit{Burst: 5, Every: 10 * time.Second}},
		{"display_names is usable", cfg.DisplayNames != nil, true},
		{"defis", len(cfg.Defis), 0},
		{"defi_order", len(cfg.DefiOrder), 0},
		{"location", cfg.Location().String(), "Europe/Paris"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

func TestDefault(t *testing.T) {
	cfg := challenges.Default()
	if cfg.Campaign.Days != 15 || cfg.Campaign.Timezone != "Europe/Paris" || cfg.Campaign.Holidays != "fr" ||
		cfg.Campaign.Language != "fr" || cfg.Campaign.Schedule != (challenges.Schedule{Defi: "09:00", Recap: "17:00"}) {
		t.Errorf("Default().Campaign = %+v, want the documented defaults", cfg.Campaign)
	}
	if cfg.Campaign.ID != "campagne" {
		t.Errorf("Default().Campaign.ID = %q, want %q (slug of an empty name)", cfg.Campaign.ID, "campagne")
	}
	if len(cfg.Teams) != 0 {
		t.Errorf("Default() has %d teams, want none", len(cfg.Teams))
	}
}

func TestParseKeepsExplicitValues(t *testing.T) {
	cfg := mustParse(t, validYAML)
	checks := []struct {
		name      string
		got, want any
	}{
		{"campaign.start", cfg.Campaign.Start, "2027-03-22"},
		{"campaign.extra_holidays", cfg.Campaign.ExtraHolidays, []string{"2027-04-02"}},
		{"campaign.goal", cfg.Campaign.Goal, 2 * challenges.TB},
		{"milestones.every", cfg.Milestones.Every, 500 * challenges.GB},
		{"defi_order", cfg.DefiOrder, []string{"doublons", "gros-fichiers"}},
		{"rate_limit", cfg.RateLimit, challenges.RateLimit{Burst: 3, Every: 30 * time.Second}},
		{"teams", len(cfg.Teams), 2},
		{"teams[1]", cfg.Teams[1], challenges.Team{ID: "colleges", Name: "Direction des collèges", Channel: "equipe-colleges", Members: []string{"carol", "dave"}}},
		{"roles", cfg.Roles, challenges.Roles{DGS: []string{"dg"}, Coordinators: []string{"coord"}}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

func TestParsePartialSettings(t *testing.T) {
	tests := []struct {
		name string
		// campaign is added to the campaign key, top at the end of the file.
		campaign, top string
		check         func(t *testing.T, cfg *challenges.Config)
	}{
		{
			name:     "explicit campaign id is kept",
			campaign: "  id: gd-27\n",
			check: func(t *testing.T, cfg *challenges.Config) {
				if cfg.Campaign.ID != "gd-27" {
					t.Errorf("ID = %q, want gd-27", cfg.Campaign.ID)
				}
			},
		},
		{
			name:     "english and another reaction",
			campaign: "  language: en\n  reaction: heavy_check_mark\n",
			check: func(t *testing.T, cfg *challenges.Config) {
				if cfg.Campaign.Language != "en" || cfg.Campaign.Reaction != "heavy_check_mark" {
					t.Errorf("language, reaction = %q, %q", cfg.Campaign.Language, cfg.Campaign.Reaction)
				}
			},
		},
		{
			name:     "french weekday names and upper case",
			campaign: "  working_days: [Lun, mar, MER]\n",
			check: func(t *testing.T, cfg *challenges.Config) {
				if !reflect.DeepEqual(cfg.Campaign.WorkingDays, []string{"Lun", "mar", "MER"}) {
					t.Errorf("working_days = %v", cfg.Campaign.WorkingDays)
				}
			},
		},
		{
			name: "one equivalence replaced, the others default",
			top:  "equivalences:\n  cabinets_per_tb: 1000\n",
			check: func(t *testing.T, cfg *challenges.Config) {
				want := challenges.DefaultEquivalences()
				want.CabinetsPerTB = 1000
				if cfg.Equivalences != want {
					t.Errorf("equivalences = %+v, want %+v", cfg.Equivalences, want)
				}
			},
		},
		{
			name: "thresholds set without every: the series stops",
			top:  "milestones:\n  thresholds: [1 To]\n",
			check: func(t *testing.T, cfg *challenges.Config) {
				if !reflect.DeepEqual(cfg.Milestones.Thresholds, []challenges.Bytes{challenges.TB}) || cfg.Milestones.Every != 0 {
					t.Errorf("milestones = %+v", cfg.Milestones)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(minimalYAML, "  start: 2027-03-22\n", "  start: 2027-03-22\n"+tt.campaign, 1) + tt.top
			tt.check(t, mustParse(t, src))
		})
	}
}

func TestParseCampaignID(t *testing.T) {
	idPattern := regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	tests := []struct {
		name   string
		yName  string
		wantID string
		// wantPrefix, when set instead of wantID, accepts any valid id that
		// starts the full slug.
		wantPrefix string
	}{
		{name: "accents and spaces", yName: "Giga Déstockage 2027", wantID: "giga-destockage-2027"},
		{name: "punctuation and padding", yName: `"  Été 2027 : « Grand Ménage » !"`, wantID: "ete-2027-grand-menage"},
		{name: "apostrophe", yName: "L’opération d'automne", wantID: "l-operation-d-automne"},
		{name: "nothing sluggable", yName: "★★★", wantID: "campagne"},
		{
			name:       "long name",
			yName:      "Campagne de déstockage numérique du Conseil départemental du Calvados 2027",
			wantPrefix: "campagne-de-destockage-numerique-du-conseil-departemental-du-cal",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustParse(t, replaceLine(t, minimalYAML, lineName, "  name: "+tt.yName))
			id := cfg.Campaign.ID
			switch {
			case tt.wantPrefix != "":
				if !idPattern.MatchString(id) || !strings.HasPrefix(tt.wantPrefix, strings.TrimRight(id, "-")) || len(id) < 32 {
					t.Errorf("ID = %q, want a valid id starting %q", id, tt.wantPrefix)
				}
			case id != tt.wantID:
				t.Errorf("ID = %q, want %q", id, tt.wantID)
			}
		})
	}
}

func TestParseReportsFieldAndLine(t *testing.T) {
	tests := []struct {
		name      string
		line      int
		text      string
		wantField string
		wantLine  int
		wantMsg   string
	}{
		{name: "impossible date", line: lineStart, text: "  start: 2027-02-30", wantField: "campaign.start", wantLine: lineStart, wantMsg: "2027-02-30"},
		{name: "start missing", line: lineStart, text: "  # no start", wantField: "campaign.start", wantLine: 0, wantMsg: "required"},
		{name: "too many days", line: lineDays, text: "  days: 61", wantField: "campaign.days", wantLine: lineDays, wantMsg: "61"},
		{name: "negative days", line: lineDays, text: "  days: -1", wantField: "campaign.days", wantLine: lineDays, wantMsg: "-1"},
		{name: "invalid campaign id", line: lineDays, text: "  id: Giga 2027", wantField: "campaign.id", wantLine: lineDays, wantMsg: "Giga 2027"},
		{name: "blank name", line: lineName, text: `  name: "  "`, wantField: "campaign.name", wantLine: lineName, wantMsg: "required"},
		{name: "unknown time zone", line: lineTimezone, text: "  timezone: Europe/Pariss", wantField: "campaign.timezone", wantLine: lineTimezone, wantMsg: "Europe/Pariss"},
		{name: "bad working day", line: lineWorkingDays, text: "  working_days: [mon, tue, wed, thu, fry]", wantField: "campaign.working_days[4]", wantLine: lineWorkingDays, wantMsg: "fry"},
		{name: "working day twice", line: lineWorkingDays, text: "  working_days: [mon, tue, lun]", wantField: "campaign.working_days[2]", wantLine: lineWorkingDays, wantMsg: "twice"},
		{name: "unknown holidays set", line: lineHolidays, text: "  holidays: be", wantField: "campaign.holidays", wantLine: lineHolidays, wantMsg: `"be"`},
		{name: "bad extra holiday", line: lineExtraHolidays, text: "  extra_holidays: [2027-04-02, 31/04/2027]", wantField: "campaign.extra_holidays[1]", wantLine: lineExtraHolidays, wantMsg: "31/04/2027"},
		{name: "bad défi time", line: lineDefiAt, text: `    defi: "9h"`, wantField: "campaign.schedule.defi", wantLine: lineDefiAt, wantMsg: "9h"},
		{name: "bad recap time", line: lineRecapAt, text: `    recap: "24:00"`, wantField: "campaign.schedule.recap", wantLine: lineRecapAt, wantMsg: "24:00"},
		{name: "recap before défi", line: lineRecapAt, text: `    recap: "08:30"`, wantField: "campaign.schedule.recap", wantLine: lineRecapAt, wantMsg: "after"},
		{name: "recap at défi time", line: lineRecapAt, text: `    recap: "09:00"`, wantField: "campaign.schedule.recap", wantLine: lineRecapAt, wantMsg: "after"},
		{name: "unknown language", line: lineLanguage, text: "  language: de", wantField: "campaign.language", wantLine: lineLanguage, wantMsg: `"de"`},
		{name: "negative goal", line: lineGoal, text: "  goal: -1", wantField: "campaign.goal", wantLine: lineGoal, wantMsg: "negative"},
		{name: "bad team id", line: lineTeam0ID, text: "  - id: Routes", wantField: "teams[0].id", wantLine: lineTeam0ID, wantMsg: "Routes"},
		{name: "duplicate team id", line: lineTeam1ID, text: "  - id: routes", wantField: "teams[1].id", wantLine: lineTeam1ID, wantMsg: "duplicate"},
		{name: "blank team name", line: lineTeam1Name, text: `    name: ""`, wantField: "teams[1].name", wantLine: lineTeam1Name, wantMsg: "required"},
		{name: "channel used twice", line: lineTeam1Channel, text: "    channel: equipe-routes", wantField: "teams[1].channel", wantLine: lineTeam1Channel, wantMsg: "equipe-routes"},
		{name: "member in two teams", line: lineTeam1Members, text: "    members: [carol, alice]", wantField: "teams[1].members[1]", wantLine: lineTeam1Members, wantMsg: `"alice"`},
		{name: "member twice in one team", line: lineTeam1Members, text: "    members: [carol, carol]", wantField: "teams[1].members[1]", wantLine: lineTeam1Members, wantMsg: `"carol"`},
		{name: "member not a user name", line: lineTeam1Members, text: `    members: [carol, "dave smith"]`, wantField: "teams[1].members[1]", wantLine: lineTeam1Members, wantMsg: "dave smith"},
		{name: "empty team", line: lineTeam1Members, text: "    members: []", wantField: "teams[1].members", wantLine: lineTeam1Members, wantMsg: "no members"},
		{name: "dgs names nobody", line: lineDGS, text: "  dgs: []", wantField: "roles.dgs", wantLine: lineDGS, wantMsg: "nobody"},
		{name: "coordinators name nobody", line: lineCoordinators, text: "  coordinators: []", wantField: "roles.coordinators", wantLine: lineCoordinators, wantMsg: "nobody"},
		{name: "blank role member", line: lineDGS, text: `  dgs: [dg, " "]`, wantField: "roles.dgs[1]", wantLine: lineDGS, wantMsg: "empty"},
		{name: "negative scoring weight", line: lineGigabyte, text: "  gigabyte: -1", wantField: "scoring.gigabyte", wantLine: lineGigabyte, wantMsg: "-1"},
		{name: "milestones not ascending", line: lineThresholds, text: "  thresholds: [100 Go, 50 Go, 500 Go, 1 To]", wantField: "milestones.thresholds[1]", wantLine: lineThresholds, wantMsg: "above"},
		{name: "milestone repeated", line: lineThresholds, text: "  thresholds: [100 Go, 100000000000]", wantField: "milestones.thresholds[1]", wantLine: lineThresholds, wantMsg: "above"},
		{name: "bad defi_order id", line: lineDefiOrder, text: "defi_order: [doublons, inconnu]", wantField: "defi_order[1]", wantLine: lineDefiOrder, wantMsg: `"inconnu"`},
		{name: "negative rate limit burst", line: lineBurst, text: "  burst: -2", wantField: "rate_limit.burst", wantLine: lineBurst, wantMsg: "-2"},
		{
			name: "unknown key", line: lineTeams, text: "teems:", wantField: "teems", wantLine: lineTeams, wantMsg: "teems",
		},
		{
			name: "bad size string", line: lineGoal, text: "  goal: 100 Zo", wantField: "campaign.goal", wantLine: lineGoal, wantMsg: "Zo",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := problemsOf(t, replaceLine(t, validYAML, tt.line, tt.text))
			if len(problems) != 1 {
				t.Fatalf("got %d problems, want 1: %+v", len(problems), problems)
			}
			p := problems[0]
			if p.Field != tt.wantField || p.Line != tt.wantLine {
				t.Errorf("problem at %s line %d, want %s line %d (%+v)", p.Field, p.Line, tt.wantField, tt.wantLine, p)
			}
			if !strings.Contains(p.Message, tt.wantMsg) {
				t.Errorf("message %q does not mention %q", p.Message, tt.wantMsg)
			}
		})
	}
}

// TestParseDecodingErrors checks that decoding errors name the field and
// its line, like validation errors.
func TestParseDecodingErrors(t *testing.T) {
	tests := []struct {
		name      string
		line      int
		text      string
		wantField string
		wantLine  int
		wantMsgs  []string
	}{
		{name: "unknown top-level key", line: lineTeams, text: "teems:", wantField: "teems", wantLine: 14, wantMsgs: []string{`unknown key "teems"`}},
		{name: "unknown campaign key", line: lineLanguage, text: "  langage: fr", wantField: "campaign.langage", wantLine: 12, wantMsgs: []string{`unknown key "langage"`}},
		{name: "unknown size unit", line: lineGoal, text: "  goal: 100 Zo", wantField: "campaign.goal", wantLine: 13, wantMsgs: []string{"100 Zo", `unit "Zo"`}},
		{name: "size of the wrong type", line: lineGoal, text: "  goal: true", wantField: "campaign.goal", wantLine: 13, wantMsgs: []string{"not a size"}},
		{name: "days not a number", line: lineDays, text: "  days: quinze", wantField: "campaign.days", wantLine: 4, wantMsgs: []string{"quinze"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := problemsOf(t, replaceLine(t, validYAML, tt.line, tt.text))
			if len(problems) != 1 {
				t.Fatalf("got %d problems, want 1: %+v", len(problems), problems)
			}
			if problems[0].Field != tt.wantField || problems[0].Line != tt.wantLine {
				t.Errorf("problem at %s line %d, want %s line %d", problems[0].Field, problems[0].Line, tt.wantField, tt.wantLine)
			}
			for _, want := range tt.wantMsgs {
				if !strings.Contains(problems[0].Message, want) {
					t.Errorf("message %q does not mention %q", problems[0].Message, want)
				}
			}
		})
	}
}

func TestParseReportsEveryProblemByLine(t *testing.T) {
	// scoring comes first in the file although it is checked after the
	// campaign and the teams: the report follows the file, not the checks.
	const src = `scoring:
  defi: -5
campaign:
  name: Giga Déstockage 2027
  start: 2027-02-30
  timezone: Mars/Olympus
  schedule:
    defi: "18:00"
    recap: "08:00"
teams:
  - id: routes
    name: Direction des routes
    channel: equipe-routes
    members: [alice]
  - id: routes
    name: Direction des routes bis
    channel: equipe-routes
    members: [alice]
roles:
  dgs: []
  coordinators: [coord]
defi_order: [nope]
`
	want := []struct {
		field string
		line  int
	}{
		{"scoring.defi", 2},
		{"campaign.start", 5},
		{"campaign.timezone", 6},
		{"campaign.schedule.recap", 9},
		{"teams[1].id", 15},
		{"teams[1].channel", 17},
		{"teams[1].members[0]", 18},
		{"roles.dgs", 20},
		{"defi_order[0]", 22},
	}
	problems := problemsOf(t, src)
	got := make([]string, len(problems))
	for i, p := range problems {
		got[i] = p.String()
	}
	if len(problems) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(problems), len(want), strings.Join(got, "\n"))
	}
	for i, w := range want {
		if problems[i].Field != w.field || problems[i].Line != w.line {
			t.Errorf("problem %d = %s line %d, want %s line %d", i, problems[i].Field, problems[i].Line, w.field, w.line)
		}
	}
}

func TestValidationErrorMessage(t *testing.T) {
	_, err := challenges.Parse([]byte(replaceLine(t, validYAML, lineTeam1ID, "  - id: routes")))
	if err == nil {
		t.Fatal("Parse accepted a duplicate team id")
	}
	msg := err.Error()
	for _, want := range []string{"invalid configuration:", `teams[1].id (line 19): duplicate team id "routes" (already used by teams[0])`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if p := (challenges.Problem{Field: "campaign.name", Message: "is required"}); p.String() != "campaign.name: is required" {
		t.Errorf("Problem without line = %q", p.String())
	}
}

func TestAsValidationError(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		wantOK bool
	}{
		{"nil", nil, false},
		{"other error", errors.New("boom"), false},
		{"validation error", &challenges.ValidationError{Problems: []challenges.Problem{{Field: "x"}}}, true},
		{"wrapped validation error", errors.Join(errors.New("context"), &challenges.ValidationError{}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ve, ok := challenges.AsValidationError(tt.err)
			if ok != tt.wantOK || (ve != nil) != tt.wantOK {
				t.Errorf("AsValidationError = %v, %v; want ok %v", ve, ok, tt.wantOK)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	valid := write("campaign.yaml", validYAML)
	invalid := write("invalid.yaml", replaceLine(t, validYAML, lineTimezone, "  timezone: Nowhere"))
	missing := filepath.Join(dir, "absent.yaml")

	t.Run("valid file", func(t *testing.T) {
		cfg, err := challenges.Load(valid)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if cfg.Campaign.ID != "giga-destockage-2027" || len(cfg.Teams) != 2 {
			t.Errorf("Load gave %+v", cfg.Campaign)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		cfg, err := challenges.Load(missing)
		if err == nil {
			t.Fatalf("Load of a missing file gave %+v", cfg)
		}
		if !strings.Contains(err.Error(), missing) {
			t.Errorf("error %q does not name the path %s", err, missing)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("error %v does not wrap fs.ErrNotExist", err)
		}
	})
	t.Run("invalid file", func(t *testing.T) {
		_, err := challenges.Load(invalid)
		if err == nil {
			t.Fatal("Load accepted an unknown time zone")
		}
		if !strings.Contains(err.Error(), invalid) {
			t.Errorf("error %q does not name the path %s", err, invalid)
		}
		ve, ok := challenges.AsValidationError(err)
		if !ok || len(ve.Problems) != 1 || ve.Problems[0].Field != "campaign.timezone" || ve.Problems[0].Line != lineTimezone {
			t.Errorf("problems = %+v, want campaign.timezone line %d", ve, lineTimezone)
		}
	})
}

func TestConfigTeamLookup(t *testing.T) {
	cfg := mustParse(t, validYAML)
	tests := []struct {
		name     string
		user, id string
		wantTeam string
		wantOK   bool
	}{
		{name: "member of the first team", user: "bob", id: "routes", wantTeam: "routes", wantOK: true},
		{name: "member of the second team", user: "carol", id: "colleges", wantTeam: "colleges", wantOK: true},
		{name: "unknown", user: "zoe", id: "zoe", wantOK: false},
		{name: "role holders are not members", user: "dg", id: "dg", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			team, ok := cfg.TeamOf(tt.user)
			if ok != tt.wantOK || team.ID != tt.wantTeam {
				t.Errorf("TeamOf(%q) = %q, %v; want %q, %v", tt.user, team.ID, ok, tt.wantTeam, tt.wantOK)
			}
			team, ok = cfg.Team(tt.id)
			if ok != tt.wantOK || team.ID != tt.wantTeam {
				t.Errorf("Team(%q) = %q, %v; want %q, %v", tt.id, team.ID, ok, tt.wantTeam, tt.wantOK)
			}
		})
	}
}

func TestParseClock(t *testing.T) {
	tests := []struct {
		in      string
		want    challenges.ClockTime
		wantErr bool
	}{
		{in: "09:00", want: challenges.ClockTime{Hour: 9}},
		{in: "17:30", want: challenges.ClockTime{Hour: 17, Minute: 30}},
		{in: "00:00", want: challenges.ClockTime{}},
		{in: "23:59", want: challenges.ClockTime{Hour: 23, Minute: 59}},
		{in: " 08:05 ", want: challenges.ClockTime{Hour: 8, Minute: 5}},
		{in: "24:00", wantErr: true},
		{in: "09:60", wantErr: true},
		{in: "9:00", wantErr: true},
		{in: "0900", wantErr: true},
		{in: "09h00", wantErr: true},
		{in: "09:00:00", wantErr: true},
		{in: "-1:00", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := challenges.ParseClock(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseClock(%q) = %v, want an error", tt.in, got)
				}
				if !strings.Contains(err.Error(), "HH:MM") {
					t.Errorf("error %q does not say the expected form", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseClock(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestClockTime(t *testing.T) {
	nine, five := challenges.ClockTime{Hour: 9}, challenges.ClockTime{Hour: 17, Minute: 5}
	tests := []struct {
		name      string
		got, want any
	}{
		{"String pads", nine.String(), "09:00"},
		{"String minutes", five.String(), "17:05"},
		{"earlier is before", nine.Before(five), true},
		{"later is not before", five.Before(nine), false},
		{"equal is not before", nine.Before(nine), false},
		{"minutes count", challenges.ClockTime{Hour: 9, Minute: 1}.Before(challenges.ClockTime{Hour: 9, Minute: 2}), true},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	loc := paris(t)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "2027-03-22", want: time.Date(2027, 3, 22, 0, 0, 0, 0, loc)},
		{in: "22/03/2027", want: time.Date(2027, 3, 22, 0, 0, 0, 0, loc)},
		{in: " 2027-03-22 ", want: time.Date(2027, 3, 22, 0, 0, 0, 0, loc)},
		{in: "29/02/2028", want: time.Date(2028, 2, 29, 0, 0, 0, 0, loc)},
		{in: "2027-02-30", wantErr: true},
		{in: "30/02/2027", wantErr: true},
		{in: "29/02/2027", wantErr: true},
		{in: "03/22/2027", wantErr: true},
		{in: "2027/03/22", wantErr: true},
		{in: "22-03-2027", wantErr: true},
		{in: "2027-03-22T09:00:00Z", wantErr: true},
		{in: "demain", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := challenges.ParseDate(tt.in, loc)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseDate(%q) = %v, want an error", tt.in, got)
				}
				if !strings.Contains(err.Error(), "22/03/2027") {
					t.Errorf("error %q does not show the accepted forms", err)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) || got.Location() != loc {
				t.Fatalf("ParseDate(%q) = %v, %v; want %v in %v", tt.in, got, err, tt.want, loc)
			}
		})
	}
}
