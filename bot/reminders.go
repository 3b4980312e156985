package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gigabot/gigabot/challenges"
)

// KindReminder is an afternoon reminder, in a team channel or to an agent.
const KindReminder MessageKind = "reminder"

// Reminders is what the afternoon reminders need of the store. The Redis
// store fits.
type Reminders interface {
	// AgentsDone tells which of agents did the défi of day.
	AgentsDone(ctx context.Context, day int, agents []string) (map[string]bool, error)
	// SetNudges turns a user's direct reminders on or off.
	SetNudges(ctx context.Context, user string, on bool) error
	// NudgesOff returns the users who turned their direct reminders off.
	NudgesOff(ctx context.Context) (map[string]bool, error)
}

// postReminders sends the reminders due at now on campaign day: for each
// reminder whose time has come (until the recap), a post in the channel
// of each team whose share of agents who did the day's défi is below the
// reminder's, and, if the reminder says so, a direct message to each of
// their agents who has not done it and did not turn them off. Never to a
// team at or above the share. Each post goes out once per day and
// channel (or agent), whichever replica sends it (the post ledger).
func (b *Bot) postReminders(ctx context.Context, day challenges.Day) error {
	now := b.clock.Now()
	if !now.Before(b.cal.At(day.N, b.cal.RecapAt)) {
		return nil
	}
	var due []challenges.Reminder
	for _, r := range b.cfg.Reminders {
		if !now.Before(b.cal.At(day.N, r.Clock())) {
			due = append(due, r)
		}
	}
	if len(due) == 0 {
		return nil
	}
	shares, err := b.dayShares(ctx, day)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range due {
		for _, t := range b.cfg.Teams {
			s, ok := shares[t.ID]
			if !ok || s >= r.Share() {
				continue
			}
			key := dayKey("reminder", day) + ":" + r.Clock().String()
			text := b.loc.T("reminder.post", b.loc.Percent(100*s), day.Defi.Title, b.cal.RecapAt, b.cfg.Campaign.Reaction)
			errs = append(errs, b.postOnce(ctx, key+":"+t.ID, t.Channel, "", func() (Message, error) {
				return Message{Kind: KindReminder, Text: text}, nil
			}))
			if r.Direct {
				errs = append(errs, b.nudge(ctx, day, t, key))
			}
		}
	}
	return errors.Join(errs...)
}

// dayShares returns, for each team with agents, the share of them who
// did the défi of day.
func (b *Bot) dayShares(ctx context.Context, day challenges.Day) (map[string]float64, error) {
	if _, err := b.history(ctx, b.clock.Now()); err != nil {
		return nil, err
	}
	teams, err := b.rankedTeams(ctx)
	if err != nil {
		return nil, err
	}
	b.histMu.Lock()
	defer b.histMu.Unlock()
	shares := map[string]float64{}
	for _, t := range teams {
		if t.Members > 0 {
			shares[t.ID] = float64(b.hist.Done(t.ID, day.N)) / float64(t.Members)
		}
	}
	return shares, nil
}

// nudge sends a direct reminder to each agent of team who has not done
// the défi of day and did not turn them off.
func (b *Bot) nudge(ctx context.Context, day challenges.Day, t challenges.Team, key string) error {
	store := b.reminders
	if store == nil {
		return errors.New("direct reminders: the store cannot tell who did the défi")
	}
	agents, err := b.agentsOf(ctx, t)
	if err != nil {
		return err
	}
	done, err := store.AgentsDone(ctx, day.N, agents)
	if err != nil {
		return err
	}
	off, err := store.NudgesOff(ctx)
	if err != nil {
		return err
	}
	text := b.loc.T("reminder.direct", day.Defi.Title, t.Channel, b.cfg.Campaign.Reaction)
	var errs []error
	for _, a := range agents {
		if done[a] || off[a] {
			continue
		}
		errs = append(errs, b.postOnce(ctx, key+":@"+a, "@"+a, "", func() (Message, error) {
			return Message{Kind: KindReminder, Text: text}, nil
		}))
	}
	return errors.Join(errs...)
}

// agentsOf returns a team's agents: its list, or its channel's members.
func (b *Bot) agentsOf(ctx context.Context, t challenges.Team) ([]string, error) {
	if !t.MembersFromChannel || b.members == nil {
		return t.Members, nil
	}
	byUser, err := b.members.ChannelTeams(ctx)
	if err != nil {
		return nil, err
	}
	var agents []string
	for user, team := range byUser {
		if _, static := b.cfg.TeamOf(user); team == t.ID && !static && !b.may(user, roleCoordinator) {
			agents = append(agents, user)
		}
	}
	slices.Sort(agents)
	return agents, nil
}

// cmdNudges turns the user's direct reminders off or on ("rappels off").
func (b *Bot) cmdNudges(ctx context.Context, ev Event, args string) error {
	store := b.reminders
	if store == nil {
		return errors.New("direct reminders: the store cannot keep the choice")
	}
	var on bool
	switch challenges.FoldAccents(strings.TrimSpace(args)) {
	case "off", "non", "stop", "desactiver":
		on = false
	case "on", "oui", "activer":
		on = true
	default:
		return b.reply(ctx, ev, b.loc.T("nudges.usage"))
	}
	if err := store.SetNudges(ctx, ev.User, on); err != nil {
		return fmt.Errorf("nudges: %w", err)
	}
	return b.reply(ctx, ev, b.loc.T("nudges."+strconv.FormatBool(on)))
}
