package slack

import (
	"context"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/gigabot/gigabot/bot"
)

// defiDoneAction is the action_id of the défi card's button.
const defiDoneAction = "gigabot_defi_done"

// publicWord, first in a slash command, asks for an answer the whole
// channel sees ("/giga public classement").
const publicWord = "public"

// slashCommand starts handling a /giga command in the background and
// returns the immediate answer: nothing (the answers come ephemeral,
// through the command's response URL) or, for "/giga public …", an
// in_channel response type so that Slack shows the command to everyone too.
func (a *Adapter) slashCommand(cmd slack.SlashCommand, h Handler) any {
	text := a.plainText(cmd.Text)
	first, rest, _ := strings.Cut(text, " ")
	public := strings.EqualFold(first, publicWord)
	if public {
		text = strings.TrimSpace(rest)
	}
	token := a.replies.add(reply{url: cmd.ResponseURL, channel: cmd.ChannelID, user: cmd.UserID, public: public}, a.clock.Now())
	started := a.spawn(func(ctx context.Context) {
		ev, err := a.message(ctx, cmd.UserID, cmd.ChannelID, text)
		if err == nil {
			ev.Channel = token
			err = h.Handle(ctx, ev)
		}
		if err != nil {
			a.log.Error("slack: slash command", "user", cmd.UserID, "err", err)
		}
	})
	if !started {
		return map[string]string{"response_type": "ephemeral", "text": a.labels.unavailable}
	}
	if public {
		return map[string]string{"response_type": "in_channel"}
	}
	return nil
}

// interaction handles a click on the défi card's button like the campaign
// reaction on the card, in the background (Slack wants its answer within 3
// seconds and does not retry clicks).
func (a *Adapter) interaction(cb slack.InteractionCallback, h Handler) {
	if cb.Type != slack.InteractionTypeBlockActions || cb.Container.IsEphemeral || cb.Container.MessageTs == "" {
		return
	}
	for _, action := range cb.ActionCallback.BlockActions {
		if action.ActionID != defiDoneAction {
			continue
		}
		channel := cb.Container.ChannelID
		if channel == "" {
			channel = cb.Channel.ID
		}
		emoji := action.Value
		a.spawn(func(ctx context.Context) {
			err := a.click(ctx, h, cb.User.ID, channel, cb.Container.MessageTs, emoji)
			if err != nil {
				a.log.Error("slack: défi button", "user", cb.User.ID, "err", err)
			}
		})
	}
}

func (a *Adapter) click(ctx context.Context, h Handler, userID, channel, ts, emoji string) error {
	if emoji == "" {
		emoji = a.campaign.Campaign.Reaction
	}
	ev, ok, err := a.reaction(ctx, bot.ReactionAdded, userID, emoji, slackevents.Item{Type: "message", Channel: channel, Timestamp: ts})
	if err != nil || !ok {
		return err
	}
	if err := h.Handle(ctx, ev); err != nil {
		return err
	}
	// A button gives no sign of its own: tell the clicker, privately.
	answer := a.labels.done
	if _, member := a.campaign.TeamOf(ev.User); !member {
		answer = a.labels.outside
	}
	return a.call(ctx, "chat.postEphemeral", channel, func(ctx context.Context) error {
		_, err := a.api.PostEphemeralContext(ctx, channel, userID, slack.MsgOptionText(answer, false))
		return err
	})
}
