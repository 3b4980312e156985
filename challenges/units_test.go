package challenges_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/gigabot/gigabot/challenges"
)

func TestUnitConstants(t *testing.T) {
	// Decimal, as in every message of the bot: 1 To = 10^12 octets.
	tests := []struct {
		name string
		got  challenges.Bytes
		want int64
	}{
		{"KB", challenges.KB, 1e3},
		{"MB", challenges.MB, 1e6},
		{"GB", challenges.GB, 1e9},
		{"TB", challenges.TB, 1e12},
	}
	for _, tt := range tests {
		if int64(tt.got) != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}

// TestBytesFromYAML decodes sizes through the keys that hold them.
func TestBytesFromYAML(t *testing.T) {
	tests := []struct {
		name           string
		goal           string
		thresholds     string
		wantGoal       challenges.Bytes
		wantThresholds []challenges.Bytes
	}{
		{
			name: "integers", goal: "2000000000000", thresholds: "[100000000000, 250000000000]",
			wantGoal: 2 * challenges.TB, wantThresholds: []challenges.Bytes{100 * challenges.GB, 250 * challenges.GB},
		},
		{
			name: "plain strings", goal: "2 To", thresholds: "[100 Go, 1.5 To]",
			wantGoal: 2 * challenges.TB, wantThresholds: []challenges.Bytes{100 * challenges.GB, 1_500 * challenges.GB},
		},
		{
			name: "quoted strings with a comma", goal: `"0,5 To"`, thresholds: `["0,5 Go", "1,7 To"]`,
			wantGoal: challenges.TB / 2, wantThresholds: []challenges.Bytes{challenges.GB / 2, 1_700 * challenges.GB},
		},
		{
			name: "mixed integer and string", goal: "1.5e12", thresholds: "[42, 250 GB, 1TB]",
			wantGoal: 1_500 * challenges.GB, wantThresholds: []challenges.Bytes{42, 250 * challenges.GB, challenges.TB},
		},
		{
			name: "block sequence", goal: "1 To", thresholds: "\n    - 100 Go\n    - 200000000000",
			wantGoal: challenges.TB, wantThresholds: []challenges.Bytes{100 * challenges.GB, 200 * challenges.GB},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(minimalYAML, "  start: 2027-03-22\n", "  start: 2027-03-22\n  goal: "+tt.goal+"\n", 1) +
				"milestones:\n  thresholds: " + tt.thresholds + "\n"
			cfg := mustParse(t, src)
			if cfg.Campaign.Goal != tt.wantGoal {
				t.Errorf("goal = %d, want %d", cfg.Campaign.Goal, tt.wantGoal)
			}
			if !reflect.DeepEqual(cfg.Milestones.Thresholds, tt.wantThresholds) {
				t.Errorf("thresholds = %v, want %v", cfg.Milestones.Thresholds, tt.wantThresholds)
			}
		})
	}
}

func TestBytesFromYAMLRejects(t *testing.T) {
	tests := []struct {
		name string
		goal string
		want string
	}{
		{name: "unknown unit", goal: "100 Zo", want: "Zo"},
		{name: "boolean", goal: "true", want: "not a size"},
		{name: "list", goal: "[1, 2]", want: "not a size"},
		{name: "words", goal: "beaucoup", want: "beaucoup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(minimalYAML, "  start: 2027-03-22\n", "  start: 2027-03-22\n  goal: "+tt.goal+"\n", 1)
			problems := problemsOf(t, src)
			if len(problems) != 1 || !strings.Contains(problems[0].Message, tt.want) {
				t.Errorf("problems = %+v, want one mentioning %q", problems, tt.want)
			}
		})
	}
}

func TestFoldAccents(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Équipe Déchets", "equipe dechets"},
		{"ÉLÉMENTS SUPPRIMÉS", "elements supprimes"},
		{"Noël à Caen", "noel a caen"},
		{"Ça, c’est l’été", "ca, c’est l’ete"},
		{"decomposed e\u0301quipe", "decomposed equipe"},
		{"où en est mon équipe ?", "ou en est mon equipe ?"},
		{"Collèges", "colleges"},
		{"déjà", "deja"},
		{"already plain", "already plain"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := challenges.FoldAccents(tt.in); got != tt.want {
				t.Errorf("FoldAccents(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
