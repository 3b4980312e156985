package bot

import (
	"context"
	"fmt"
	"slices"

	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/scoring"
)

// ChannelMembers keeps the agents of the teams whose members are their
// channel's ("members: channel"), shared by every replica: the platform
// may tell one replica who joined, and another count their reaction. An
// agent is in one team: the first channel that listed them keeps them.
// The Redis store fits.
type ChannelMembers interface {
	// SetChannelMembers makes users the members of team, in place of
	// those it had, and returns how many of them another team keeps.
	SetChannelMembers(ctx context.Context, team string, users []string) (int, error)
	// JoinChannelTeam adds user to team unless another team has them, and
	// tells whether they are in team now.
	JoinChannelTeam(ctx context.Context, team, user string) (bool, error)
	// LeaveChannelTeam takes user out of team, if they are in it.
	LeaveChannelTeam(ctx context.Context, team, user string) error
	// ChannelTeamOf returns the team whose channel user is in.
	ChannelTeamOf(ctx context.Context, user string) (string, bool, error)
	// ChannelTeams returns every channel member's team, by user.
	ChannelTeams(ctx context.Context) (map[string]string, error)
}

// channelTeams tells whether some team takes its members from its channel.
func channelTeams(cfg *challenges.Config) bool {
	return slices.ContainsFunc(cfg.Teams, func(t challenges.Team) bool { return t.MembersFromChannel })
}

// teamOf returns the team of an agent: the config's (its lists and its
// roster file), else the channel team whose channel they are in. The DGS
// and the coordinators, who sit in every channel, are no channel's agents.
func (b *Bot) teamOf(ctx context.Context, user string) (challenges.Team, bool, error) {
	if t, ok := b.cfg.TeamOf(user); ok || b.members == nil || b.may(user, roleCoordinator) {
		return t, ok, nil
	}
	id, ok, err := b.members.ChannelTeamOf(ctx, user)
	if err != nil || !ok {
		return challenges.Team{}, false, err
	}
	t, ok := b.cfg.Team(id)
	return t, ok && t.MembersFromChannel, nil
}

// rankedTeams returns the teams with their number of agents now: a
// channel team's is its channel's members (but the config's agents and
// the role holders).
func (b *Bot) rankedTeams(ctx context.Context) ([]scoring.Team, error) {
	if b.members == nil {
		return b.teams, nil
	}
	byUser, err := b.members.ChannelTeams(ctx)
	if err != nil {
		return nil, err
	}
	count := map[string]int{}
	for user, team := range byUser {
		if _, static := b.cfg.TeamOf(user); !static && !b.may(user, roleCoordinator) {
			count[team]++
		}
	}
	teams := slices.Clone(b.teams)
	for i, t := range teams {
		if ct, ok := b.cfg.Team(t.ID); ok && ct.MembersFromChannel {
			teams[i].Members = count[t.ID]
		}
	}
	return teams, nil
}

// channelTeam returns the team whose members are those of channel.
func (b *Bot) channelTeam(channel string) (challenges.Team, bool) {
	for _, t := range b.cfg.Teams {
		if t.MembersFromChannel && t.Channel == channel {
			return t, true
		}
	}
	return challenges.Team{}, false
}

// ListMembers records the members of a channel, as the platform lists
// them (at start-up, after a reconnection): if a team's agents are that
// channel's members, they are now these, on every replica. Any other
// channel changes nothing.
func (b *Bot) ListMembers(ctx context.Context, channel string, members []string) error {
	t, ok := b.channelTeam(channel)
	if !ok || b.members == nil {
		return nil
	}
	taken, err := b.members.SetChannelMembers(ctx, t.ID, members)
	if err != nil {
		return fmt.Errorf("members of %s: %w", channel, err)
	}
	b.log.Info("channel members", "team", t.ID, "channel", t.Channel, "members", len(members)-taken)
	if taken > 0 {
		b.log.Warn("some members of the channel are in another team's channel: an agent counts for the first team only", "team", t.ID, "in_another_team", taken)
	}
	return nil
}

// handleMembers records that someone joined or left a channel team's
// channel. A channel no team takes its members from changes nothing.
func (b *Bot) handleMembers(ctx context.Context, ev Event) error {
	t, ok := b.channelTeam(ev.Channel)
	if !ok || b.members == nil {
		return nil
	}
	switch ev.Kind {
	case MemberJoined:
		in, err := b.members.JoinChannelTeam(ctx, t.ID, ev.User)
		if err != nil {
			return err
		}
		if !in {
			b.log.Warn("joined a channel but counts for another team's", "user", ev.User, "team", t.ID)
		}
	case MemberLeft:
		return b.members.LeaveChannelTeam(ctx, t.ID, ev.User)
	default:
		return fmt.Errorf("not a membership event: kind %d", ev.Kind)
	}
	return nil
}
