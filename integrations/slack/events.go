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

// receive takes one Events API payload, over HTTP or Socket Mode, and
// starts its handling in the background, so that the caller acknowledges
// it at once: Slack waits 3 seconds, and a mobilisation to 28 channels
// takes longer. retry and reason are Slack's count of earlier attempts
// (X-Slack-Retry-Num, or the envelope's retry_attempt) and its reason,
// logged so that a Slack retrying for want of an answer shows. receive
// returns false, starting nothing, once the adapter shuts down: the caller
// then leaves the payload unacknowledged, and Slack delivers it again to a
// replica that runs.
func (a *Adapter) receive(h bot.Handler, e slackevents.EventsAPIEvent, retry int, reason string) bool {
	switch e.Type {
	case slackevents.CallbackEvent:
		cb, ok := e.Data.(*slackevents.EventsAPICallbackEvent)
		if !ok {
			return true
		}
		if retry > 0 {
			a.log.Info("slack: Slack delivered an event again", "event", cb.EventID, "retry", retry, "reason", reason)
		}
		if !wanted(e.InnerEvent) {
			return true
		}
		_, reaction := e.InnerEvent.Data.(*slackevents.ReactionAddedEvent)
		if _, removed := e.InnerEvent.Data.(*slackevents.ReactionRemovedEvent); removed {
			reaction = true
		}
		return a.background(func() {
			a.deliver(cb.EventID, reaction, func(ctx context.Context) error {
				ev, ok, err := a.translate(ctx, e.InnerEvent)
				if err != nil || !ok {
					return err
				}
				ev.ID = cb.EventID
				return h.Handle(ctx, ev)
			})
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
		*slackevents.ReactionAddedEvent, *slackevents.ReactionRemovedEvent,
		*slackevents.MemberJoinedChannelEvent, *slackevents.MemberLeftChannelEvent:
		return true
	}
	return false
}

// The in-process retries of an acknowledged event: every retryFor after
// the first attempt, waiting retryFirst then twice as long each time, up to
// retryMax. retryFor is Slack's own window (it retries after about 1 and 5
// minutes), and it outlasts a delivery lease, so that the copy held by a
// replica that died is handled here.
const (
	retryFirst = time.Second
	retryMax   = time.Minute
	retryFor   = 5 * time.Minute
)

// deliver runs handle once per Slack event id, across Slack's copies,
// replicas and restarts (bot.Once claims the id in the store first).
//
// The event is already acknowledged: Slack will not deliver it again, so
// what would have made Slack retry is retried here instead, with backoff,
// for retryFor: a handling that failed, a store that could not be asked
// (Redis down), a copy held by another replica (its holder finishes it, or
// dies and its lease expires). Keeping the event in the store instead
// would not survive the commonest of these, the store being down; what
// this gives up is an event whose process dies between the ack and the end
// of its handling, a window of milliseconds unless the store is down.
//
// A reaction is handed to the core even when the store cannot be asked to
// claim it: counting one twice changes nothing (the store keeps one mark
// per agent and post), and the core keeps it in its outage queue until the
// store is back, far longer than Slack's window.
func (a *Adapter) deliver(id string, idempotent bool, handle func(context.Context) error) {
	key := ""
	if id != "" {
		key = "slack:" + id
	}
	deadline := a.clock.Now().Add(retryFor)
	wait := retryFirst
	for attempt := 1; ; attempt++ {
		ctx, cancel := a.handleContext(a.bg)
		st, err := a.once.Do(ctx, key, a.lease(), handle)
		cancel()
		switch st {
		case bot.DeliveryHandled:
			if err != nil {
				// Handled but not recorded: a copy arriving after the
				// lease would be handled again. The handling stands.
				a.log.Error("slack: event handled but not recorded", "event", id, "err", err)
			}
			return
		case bot.DeliveryDuplicate:
			a.log.Debug("slack: event already handled", "event", id)
			return
		}
		why := "the handling failed"
		switch {
		case st == bot.DeliveryLater && err != nil && idempotent:
			a.log.Warn("slack: the store cannot claim a reaction: the bot takes it unclaimed", "event", id, "err", err)
			ctx, cancel := a.handleContext(a.bg)
			err = handle(ctx)
			cancel()
			if err != nil {
				a.log.Error("slack: event dropped: a reaction the bot could not take", "event", id, "err", err)
			}
			return
		case st == bot.DeliveryLater && err != nil:
			why = "the store could not be asked"
		case st == bot.DeliveryLater:
			why = "another replica holds it"
		}
		if a.clock.Now().Add(wait).After(deadline) {
			a.log.Error("slack: event dropped: "+why+" at every attempt", "event", id, "attempts", attempt, "err", err)
			return
		}
		a.log.Warn("slack: event not handled yet: "+why+": trying again", "event", id, "attempt", attempt, "retry_in", wait, "err", err)
		if a.sleep(a.bg, wait) != nil {
			a.log.Error("slack: event dropped: the bot stopped before it could be handled", "event", id, "attempts", attempt)
			return
		}
		wait = min(2*wait, retryMax)
	}
}

// lease outlasts the handling of one delivery, and is short enough that
// the copy held by a crashed handler is taken over within retryFor.
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
	case *slackevents.MemberJoinedChannelEvent:
		return a.membership(ctx, bot.MemberJoined, e.User, e.Channel)
	case *slackevents.MemberLeftChannelEvent:
		return a.membership(ctx, bot.MemberLeft, e.User, e.Channel)
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
