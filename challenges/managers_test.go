package challenges_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/challenges"
)

// teams[].managers are user names, once each; campaign.briefing_days (0 to
// 20, default 3) counts working days back from day 1.
func TestManagersAndBriefingDay(t *testing.T) {
	withManagers := strings.Replace(validYAML, "    members: [alice, bob]", "    members: [alice, bob]\n    managers: [marie]", 1)
	if withManagers == validYAML {
		t.Fatal("the test's config has no members line to add managers after")
	}
	cfg, err := challenges.Parse([]byte(withManagers))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Teams[0].Managers; len(got) != 1 || got[0] != "marie" {
		t.Errorf("managers = %q", got)
	}
	for _, tt := range []struct {
		name, extra string
		want        string // the briefing's date; "": none
	}{
		{"three working days before Monday 22 March: Wednesday", "", "2027-03-17"},
		{"one: the Friday before", "  briefing_days: 1\n", "2027-03-19"},
		{"one, the Friday off: Thursday", "  briefing_days: 1\n", "2027-03-18"},
		{"none", "  briefing_days: 0\n", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(withManagers, "campaign:\n", "campaign:\n"+tt.extra, 1)
			if strings.Contains(tt.name, "Friday off") {
				text = strings.Replace(text, "extra_holidays: [2027-04-02]", "extra_holidays: [2027-03-19, 2027-04-02]", 1)
			}
			cfg, err := challenges.Parse([]byte(text))
			if err != nil {
				t.Fatal(err)
			}
			cal, err := challenges.NewCalendar(cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if !cal.Briefing.IsZero() {
				got = cal.Briefing.Format(time.DateOnly)
			}
			if got != tt.want {
				t.Errorf("briefing on %q, want %q", got, tt.want)
			}
		})
	}
	for _, bad := range []struct{ text, field string }{
		{"    managers: [marie, marie]", "teams[0].managers[1]"},
		{`    managers: ["marie curie"]`, "teams[0].managers[0]"},
		{`    managers: [""]`, "teams[0].managers[0]"},
	} {
		problems := problemsOf(t, strings.Replace(validYAML, "    members: [alice, bob]", "    members: [alice, bob]\n"+bad.text, 1))
		if len(problems) != 1 || problems[0].Field != bad.field {
			t.Errorf("%s: %+v, want one problem at %s", bad.text, problems, bad.field)
		}
	}
	for _, days := range []string{"-1", "21"} {
		problems := problemsOf(t, strings.Replace(validYAML, "campaign:\n", "campaign:\n  briefing_days: "+days+"\n", 1))
		if len(problems) != 1 || problems[0].Field != "campaign.briefing_days" || !strings.Contains(problems[0].Message, days) {
			t.Errorf("briefing_days: %s: %+v", days, problems)
		}
	}
}
