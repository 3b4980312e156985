package slack

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack/slackevents"

	"github.com/gigabot/gigabot/bot"
)

// postID names a message the same way for Post and for the reactions and
// clicks on it: channel ID and timestamp ("C0123ABCD/1711098000.000100"),
// since a timestamp alone is only unique within a channel.
func postID(channel, ts string) string { return channel + "/" + ts }

// callback handles one Events API payload, over HTTP or Socket Mode, and
// tells whether Slack may consider it delivered.
func (a *Adapter) callback(ctx context.Context, h Handler, e slackevents.EventsAPIEvent) bool {
	switch e.Type {
	case slackevents.CallbackEvent:
		cb, ok := e.Data.(*slackevents.EventsAPICallbackEvent)
		if !ok || !wanted(e.InnerEvent) {
			return true
		}
		return a.deliver(ctx, cb.EventID, func(ctx context.Context) error {
			ev, ok, err := a.translate(ctx, e.InnerEvent)
			if err != nil || !ok {
				return err
			}
			ev.ID = cb.EventID
			return h.Handle(ctx, ev)
		})
	case slackevents.AppRateLimited:
		a.log.Error("slack: Slack dropped events: the app went over the Events API limit")
	}
	return true
}

// wanted tells whether an inner event may mean something to the bot, so
// that the others cost no store round trip.
func wanted(inner slackevents.EventsAPIInnerEvent) bool {
	switch inner.Data.(type) {
	case *slackevents.AppMentionEvent, *slackevents.MessageEvent,
		*slackevents.ReactionAddedEvent, *slackevents.ReactionRemovedEvent:
		return true
	}
	return false
}

// deliver runs handle once per Slack event id, across retries, replicas
// and restarts, and tells whether Slack may consider the delivery done.
// A copy of a delivery being handled elsewhere, or one whose handling
// failed, is not acknowledged, so that Slack delivers it again.
func (a *Adapter) deliver(ctx context.Context, id string, handle func(context.Context) error) bool {
	key := ""
	if id != "" {
		key = "slack:" + id
	}
	st, err := a.once.Do(ctx, key, a.lease(), handle)
	switch st {
	case bot.DeliveryHandled:
		if err != nil {
			// Handled but not recorded: a copy arriving after the lease
			// would be handled again; better than telling Slack to retry now.
			a.log.Error("slack: delivery handled but not recorded", "event", id, "err", err)
		}
		return true
	case bot.DeliveryDuplicate:
		a.log.Debug("slack: delivery already handled", "event", id)
		return true
	case bot.DeliveryLater:
		if err != nil {
			a.log.Error("slack: cannot claim a delivery: Slack will deliver it again", "event", id, "err", err)
		} else {
			a.log.Debug("slack: delivery being handled elsewhere: Slack will deliver it again", "event", id)
		}
		return false
	default:
		a.log.Error("slack: delivery failed: Slack will deliver it again", "event", id, "err", err)
		return false
	}
}

// lease outlasts the handling of one delivery, and is short enough that
// Slack's last retry (about 5 minutes after the first attempt) finds the
// lease of a crashed handler expired.
func (a *Adapter) lease() time.Duration { return a.timeout + 30*time.Second }

// translate turns an Events API event into a bot event; ok is false for
// the events the bot ignores (its own messages, edits, other subtypes).
func (a *Adapter) translate(ctx context.Context, inner slackevents.EventsAPIInnerEvent) (ev bot.Event, ok bool, err error) {
	switch e := inner.Data.(type) {
	case *slackevents.AppMentionEvent:
		if e.BotID != "" || e.User == "" || e.User == a.dir.botUser || e.Edited != nil {
			return bot.Event{}, false, nil
		}
		ev, err = a.message(ctx, e.User, e.Channel, e.Text)
		return ev, err == nil, err
	case *slackevents.MessageEvent:
		if e.ChannelType != "im" || e.SubType != "" || e.BotID != "" || e.User == "" || e.User == a.dir.botUser {
			return bot.Event{}, false, nil
		}
		ev, err = a.message(ctx, e.User, e.Channel, e.Text)
		return ev, err == nil, err
	case *slackevents.ReactionAddedEvent:
		return a.reaction(ctx, bot.ReactionAdded, e.User, e.Reaction, e.Item)
	case *slackevents.ReactionRemovedEvent:
		return a.reaction(ctx, bot.ReactionRemoved, e.User, e.Reaction, e.Item)
	}
	return bot.Event{}, false, nil
}

func (a *Adapter) message(ctx context.Context, userID, channelID, text string) (bot.Event, error) {
	name, display, err := a.user(ctx, userID)
	if err != nil {
		return bot.Event{}, err
	}
	return bot.Event{
		Kind: bot.MessageReceived, User: name, DisplayName: display,
		Channel: a.dir.channelName(channelID), Text: a.plainText(text),
	}, nil
}

func (a *Adapter) reaction(ctx context.Context, kind bot.EventKind, userID, emoji string, item slackevents.Item) (bot.Event, bool, error) {
	if item.Type != "message" || userID == a.dir.botUser {
		return bot.Event{}, false, nil
	}
	name, display, err := a.user(ctx, userID)
	if err != nil {
		return bot.Event{}, false, err
	}
	return bot.Event{
		Kind: kind, User: name, DisplayName: display, Channel: a.dir.channelName(item.Channel),
		PostID: postID(item.Channel, item.Timestamp), Reaction: emoji,
	}, true, nil
}

// unescape undoes Slack's escaping of message text.
var unescape = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// mention matches a mention of a user, "<@U0123>" or "<@U0123|alice>".
var mention = regexp.MustCompile(`<@([A-Z0-9]+)(?:\|[^>]*)?>`)

// plainText turns what a user typed into what the core reads: without the
// bot's mention, unescaped.
func (a *Adapter) plainText(text string) string {
	text = mention.ReplaceAllStringFunc(text, func(m string) string {
		if mention.FindStringSubmatch(m)[1] == a.dir.botUser {
			return ""
		}
		return m
	})
	return strings.TrimSpace(unescape.Replace(text))
}
