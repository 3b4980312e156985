package slack

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/gigabot/gigabot/bot"
)

// reactionsAttempts bounds the tries of one reactions.get: the core reads
// the latest défi posts at start-up, and tries again later, less and less
// often, when one could not be read.
const reactionsAttempts = 3

var _ bot.ReactionReader = (*Adapter)(nil)

// Reactions returns a message's reactions (reactions.get, every user of
// each: full), as the core names people. The core reads the latest défi
// posts with it when the bot starts (bot.Bot.SettleDefis): Slack retries
// an event for about five minutes only.
func (a *Adapter) Reactions(ctx context.Context, post string) ([]bot.Reacted, error) {
	channel, ts, ok := strings.Cut(post, "/")
	if !ok {
		return nil, fmt.Errorf("slack: reactions of %q: not a message id (channel/ts)", post)
	}
	var item slack.ReactedItem
	err := a.callAtMost(ctx, reactionsAttempts, "reactions.get", "", func(ctx context.Context) (err error) {
		item, err = a.api.GetReactionsContext(ctx, slack.NewRefToMessage(channel, ts), slack.GetReactionsParameters{Full: true})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("slack: reactions of %s: %s: %w", post, describe(err), err)
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
