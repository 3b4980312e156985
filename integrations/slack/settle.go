package slack

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/slack-go/slack"

	"github.com/gigabot/gigabot/bot"
)

// Slack retries an event for about five minutes; a reaction given or
// taken back while no replica runs for longer is never delivered. So the
// adapter remembers each channel's latest défi posts (Memory), and Run
// reads their reactions when it starts (reactions.get) and hands them to
// the core (bot.Handler.SettleReactions), which counts the agents present and takes
// back the marks of those gone.
const (
	// defisPrefix names, in Memory, a channel's latest défi posts.
	defisPrefix = "slack:defis:"
	// defisKept is how many of a channel's défi posts are read at start:
	// today's and yesterday's, where reactions still come.
	defisKept = 2
	// defisKeep is how long they are remembered: the campaign and a margin.
	defisKeep = 120 * 24 * time.Hour
)

// rememberDefi adds a défi post to its channel's latest ones.
func (a *Adapter) rememberDefi(ctx context.Context, channel, ts string) {
	if a.memory == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	latest := a.recallDefis(ctx, channel)
	latest = append(slices.DeleteFunc(latest, func(t string) bool { return t == ts }), ts)
	latest = latest[max(0, len(latest)-defisKept):]
	raw, err := json.Marshal(latest)
	if err == nil {
		err = a.memory.Remember(ctx, defisPrefix+channel, string(raw), defisKeep)
	}
	if err != nil {
		a.log.Warn("slack: cannot remember a défi post: its reactions made while the bot is down will not be read", "channel", channel, "err", err)
	}
}

// recallDefis returns a channel's latest défi posts (timestamps), oldest
// first.
func (a *Adapter) recallDefis(ctx context.Context, channel string) []string {
	raw, ok, err := a.memory.Recall(ctx, defisPrefix+channel)
	if err != nil {
		a.log.Warn("slack: cannot recall a channel's défi posts", "channel", channel, "err", err)
		return nil
	}
	var latest []string
	if !ok || json.Unmarshal([]byte(raw), &latest) != nil {
		return nil
	}
	return latest
}

// settleDefis reads the reactions of every team channel's latest défi
// posts and hands them to the core. A post whose reactions or reactors
// cannot all be read is left as it is: handing on part of them would take
// back the marks of the others.
func (a *Adapter) settleDefis(ctx context.Context, h bot.Handler) {
	if a.memory == nil {
		return
	}
	settled := 0
	for _, name := range a.rosterNow().Channels() {
		channel, ok := a.dir.channelID(name)
		if !ok {
			continue
		}
		for _, ts := range a.recallDefis(ctx, channel) {
			present, err := a.reactionsOf(ctx, channel, ts)
			if err == nil {
				err = h.SettleReactions(ctx, name, postID(channel, ts), present)
			}
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				a.log.Warn("slack: cannot settle the reactions of a défi post", "channel", name, "ts", ts, "err", err)
				continue
			}
			settled++
		}
	}
	a.log.Info("slack: the reactions of the latest défi posts are read", "posts", settled)
}

// awaitSettled holds a reaction event while Run reads the latest défi
// posts' reactions: handled after them, it applies on top of what was
// read. Handled before, a ✅ taken back in that second would be counted
// again by the reactions read just before it.
func (a *Adapter) awaitSettled(event string) {
	a.mu.Lock()
	gate := a.settling
	a.mu.Unlock()
	if gate == nil {
		return
	}
	select {
	case <-gate:
		return
	default:
	}
	a.log.Debug("slack: a reaction waits until the défi posts' reactions are read", "event", event)
	select {
	case <-gate:
	case <-a.bg.Done():
	}
}

// reactionsOf returns a message's reactions as the core names people.
func (a *Adapter) reactionsOf(ctx context.Context, channel, ts string) ([]bot.Reacted, error) {
	var item slack.ReactedItem
	err := a.call(ctx, "reactions.get", "", func(ctx context.Context) (err error) {
		item, err = a.api.GetReactionsContext(ctx, slack.NewRefToMessage(channel, ts), slack.GetReactionsParameters{Full: true})
		return err
	})
	if err != nil {
		return nil, err
	}
	var present []bot.Reacted
	for _, r := range item.Reactions {
		for _, id := range r.Users {
			if id == a.dir.botUser {
				continue
			}
			name, _, err := a.user(ctx, id)
			if err != nil {
				return nil, err
			}
			present = append(present, bot.Reacted{User: name, Reaction: r.Name})
		}
	}
	return present, nil
}
