package bot

import (
	"maps"
	"slices"

	"github.com/gigabot/gigabot/challenges"
)

// Roster is what a chat adapter knows of the campaign: the channels and
// the people to find on its platform, the emoji that counts a défi, and
// the language to speak. The core builds it from the campaign's config
// (NewRoster), so that no adapter reads the config; whether a reaction or
// a click counts is the core's to decide (Handle, Click), not the
// adapter's.
type Roster struct {
	// Teams are the campaign's teams, in config order.
	Teams []RosterTeam
	// DGS and Coordinators name the people with a role, as the config
	// spells them (some of them may be in no team).
	DGS, Coordinators []string
	// DisplayNames are the names the config gives people (the core signs
	// their posts with them), by the person's name.
	DisplayNames map[string]string
	// Reaction is the emoji name that counts a défi done ("white_check_mark").
	Reaction string
	// Language is the campaign's language ("fr" or "en"); NewLocale gives
	// its catalog, where every word an adapter says itself comes from.
	Language string
}

// RosterTeam is one team as a chat platform sees it.
type RosterTeam struct {
	// ID names the team in the scores.
	ID string
	// Channel is the team's channel, as the config names it.
	Channel string
	// Members are the agents of the team, as the config names them: a
	// platform user name, or an e-mail address where the platform can
	// look people up by it ("alice", "alice@calvados.fr").
	Members []string
	// FromChannel says that the team's agents are the members of its
	// channel ("members: channel"): the adapter lists them for the core
	// (a MembersListed event) and tells who joins and leaves.
	FromChannel bool
	// Managers are the team's encadrants, whom the core sends direct
	// messages (the briefing, the weekly digest).
	Managers []string
}

// NewRoster returns the roster of a campaign's config. It copies what it
// takes: changing the roster does not change the config.
func NewRoster(cfg *challenges.Config) Roster {
	r := Roster{
		DGS: slices.Clone(cfg.Roles.DGS), Coordinators: slices.Clone(cfg.Roles.Coordinators),
		DisplayNames: maps.Clone(cfg.DisplayNames),
		Reaction:     cfg.Campaign.Reaction, Language: cfg.Campaign.Language,
	}
	for _, t := range cfg.Teams {
		r.Teams = append(r.Teams, RosterTeam{ID: t.ID, Channel: t.Channel, Members: slices.Clone(t.Members), FromChannel: t.MembersFromChannel,
			Managers: slices.Clone(t.Managers)})
	}
	return r
}

// Channels returns the team channels, once each, in config order.
func (r Roster) Channels() []string {
	var chans []string
	for _, t := range r.Teams {
		if t.Channel != "" && !slices.Contains(chans, t.Channel) {
			chans = append(chans, t.Channel)
		}
	}
	return chans
}

// MemberChannels returns the channels whose members are a team's agents.
func (r Roster) MemberChannels() []string {
	var chans []string
	for _, t := range r.Teams {
		if t.FromChannel {
			chans = append(chans, t.Channel)
		}
	}
	return chans
}

// People returns everyone the campaign names — the teams' members, then
// the DGS, then the coordinators, then the managers — once each, in config
// order.
func (r Roster) People() []string {
	var names []string
	seen := map[string]bool{}
	add := func(list []string) {
		for _, n := range list {
			if n != "" && !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	for _, t := range r.Teams {
		add(t.Members)
	}
	add(r.DGS)
	add(r.Coordinators)
	for _, t := range r.Teams {
		add(t.Managers)
	}
	return names
}
