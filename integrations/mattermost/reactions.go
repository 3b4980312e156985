package mattermost

import (
	"context"
	"fmt"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/gigabot/gigabot/bot"
)

var _ bot.ReactionReader = (*Adapter)(nil)

// Reactions returns a post's reactions as the server has them now, as
// the core names people. The core reads the latest défi posts with it
// when the bot starts (bot.Bot.SettleDefis): a ✅ taken back while no
// replica ran is then taken off, which the catch-up, comparing with what
// this process saw, cannot tell.
func (a *Adapter) Reactions(ctx context.Context, post string) ([]bot.Reacted, error) {
	rs, err := retryValue(ctx, a, "read a post's reactions", func() ([]*model.Reaction, *model.Response, error) {
		return a.client.GetReactions(ctx, post)
	})
	if err != nil {
		return nil, fmt.Errorf("mattermost: reactions of %s: %w", post, err)
	}
	present := make([]bot.Reacted, 0, len(rs))
	for _, r := range rs {
		if r.UserId == a.botID {
			continue
		}
		name, err := a.userName(ctx, r.UserId)
		if err != nil {
			return nil, err
		}
		present = append(present, bot.Reacted{User: name, Reaction: r.EmojiName})
	}
	return present, nil
}
