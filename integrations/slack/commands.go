package slack

import (
	"context"
	"errors"
	"strings"

	"github.com/slack-go/slack"

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
func (a *Adapter) slashCommand(cmd slack.SlashCommand, h bot.Handler) any {
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
		return map[string]string{"response_type": "ephemeral", "text": a.loc.T("chat.restarting")}
	}
	if public {
		return map[string]string{"response_type": "in_channel"}
	}
	return nil
}

// interaction hands a click on the défi card's button to the core, in the
// background (Slack wants its answer within 3 seconds and does not retry
// clicks).
func (a *Adapter) interaction(cb slack.InteractionCallback, h bot.Handler) {
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
		a.spawn(func(ctx context.Context) {
			err := a.click(ctx, h, cb.User.ID, channel, cb.Container.MessageTs)
			if err != nil {
				a.log.Error("slack: défi button", "user", cb.User.ID, "err", err)
			}
		})
	}
}

// click hands a click to the core and shows the clicker its answer,
// privately: a button gives no sign of its own. The answer of a click
// that failed says so too.
func (a *Adapter) click(ctx context.Context, h bot.Handler, userID, channel, ts string) error {
	name, display, err := a.user(ctx, userID)
	if err != nil {
		return err
	}
	out, err := h.Click(ctx, bot.Click{User: name, DisplayName: display, Channel: a.dir.channelName(channel), PostID: postID(channel, ts)})
	answered := a.call(ctx, "chat.postEphemeral", channel, func(ctx context.Context) error {
		_, err := a.api.PostEphemeralContext(ctx, channel, userID, slack.MsgOptionText(out.Text, false))
		return err
	})
	return errors.Join(err, answered)
}
