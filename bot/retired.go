package bot

import (
	"slices"

	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/scoring"
)

// LeftTeams returns the teams that hold figures in the store (in any of
// figs) but are not among the config's teams, sorted: retired ones, which
// the config lists in retired_teams, and orphans, which it does not (a
// team removed or renamed by mistake). Neither is ranked. What a team
// freed stays in the campaign's total after it leaves: the bytes were
// freed, and the milestones already announced must not be taken back.
// gigabot audit fails on an orphan until the config says which it is.
func LeftTeams(cfg *challenges.Config, figs ...map[string]scoring.Figures) (orphans, retired []string) {
	seen := map[string]bool{}
	for _, m := range figs {
		for id, f := range m {
			if seen[id] || f == (scoring.Figures{}) {
				continue
			}
			if _, running := cfg.Team(id); running {
				continue
			}
			seen[id] = true
			if cfg.Retired(id) {
				retired = append(retired, id)
			} else {
				orphans = append(orphans, id)
			}
		}
	}
	slices.Sort(orphans)
	slices.Sort(retired)
	return orphans, retired
}
