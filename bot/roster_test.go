package bot_test

import (
	"slices"
	"testing"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/challenges"
)

func TestNewRoster(t *testing.T) {
	cfg, err := challenges.Parse([]byte(`
campaign: {name: Test, start: 2027-03-22, days: 15, language: en, reaction: tada}
teams:
  - {id: routes, name: Routes, channel: equipe-routes, members: [alice, bob@cd14.fr]}
  - {id: culture, name: Culture, channel: equipe-culture, members: [gaby]}
roles: {dgs: [dg], coordinators: [alice, coord]}
display_names: {dg: Claire Martin}
`))
	if err != nil {
		t.Fatal(err)
	}
	r := bot.NewRoster(cfg)
	if got, want := r.Channels(), []string{"equipe-routes", "equipe-culture"}; !slices.Equal(got, want) {
		t.Errorf("Channels = %q, want %q", got, want)
	}
	// alice, a member and a coordinator, comes once.
	if got, want := r.People(), []string{"alice", "bob@cd14.fr", "gaby", "dg", "coord"}; !slices.Equal(got, want) {
		t.Errorf("People = %q, want %q", got, want)
	}
	if r.Reaction != "tada" || r.Language != "en" || r.DisplayNames["dg"] != "Claire Martin" || r.Teams[1].ID != "culture" {
		t.Errorf("roster = %+v", r)
	}
	// The roster is a copy: an adapter cannot change the campaign.
	r.Teams[0].Members[0] = "mallory"
	r.DisplayNames["dg"] = "Mallory"
	r.Coordinators[0] = "mallory"
	if cfg.Teams[0].Members[0] != "alice" || cfg.DisplayNames["dg"] != "Claire Martin" || cfg.Roles.Coordinators[0] != "alice" {
		t.Errorf("changing the roster changed the config: %+v", cfg)
	}
}

func TestEmptyRoster(t *testing.T) {
	var r bot.Roster
	if len(r.Channels()) != 0 || len(r.People()) != 0 {
		t.Errorf("an empty roster names %q and %q", r.Channels(), r.People())
	}
}
