package mattermost

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/gigabot/gigabot/bot"
)

// The delivery ids of events: one per post, one per reaction added (its
// create_at tells two additions of the same emoji apart) and one per
// reaction removed (named after the addition it undoes).
func postDelivery(postID string) string { return "mattermost:post:" + postID }

func reactionDelivery(added bool, postID, userID, emoji string, stamp int64) string {
	sign := "-"
	if added {
		sign = "+"
	}
	return fmt.Sprintf("mattermost:reaction:%s:%s:%s:%s:%d", sign, postID, userID, emoji, stamp)
}

// onSocketEvent translates one WebSocket event and hands it on.
func (a *Adapter) onSocketEvent(ctx context.Context, h bot.Handler, ev *model.WebSocketEvent) {
	data := ev.GetData()
	switch ev.EventType() {
	case model.WebsocketEventPosted:
		var p model.Post
		if err := unmarshalField(data, "post", &p); err != nil {
			a.log.Warn("mattermost: unreadable posted event", "err", err)
			return
		}
		a.see(p.CreateAt)
		typ, _ := data["channel_type"].(string)
		name, _ := data["channel_name"].(string)
		a.onPost(ctx, h, &p, model.ChannelType(typ), name, 0)
	case model.WebsocketEventReactionAdded, model.WebsocketEventReactionRemoved:
		var r model.Reaction
		if err := unmarshalField(data, "reaction", &r); err != nil {
			a.log.Warn("mattermost: unreadable reaction event", "err", err)
			return
		}
		if r.ChannelId == "" && ev.GetBroadcast() != nil {
			r.ChannelId = ev.GetBroadcast().ChannelId
		}
		at := max(r.CreateAt, r.UpdateAt, r.DeleteAt)
		a.see(at)
		if r.UserId == a.botID {
			return
		}
		added := ev.EventType() == model.WebsocketEventReactionAdded
		a.emitReaction(ctx, h, &r, added, a.trackReaction(&r, added), at)
	case model.WebsocketEventUserAdded, model.WebsocketEventUserRemoved:
		a.onMembership(ctx, h, ev)
	}
}

// unmarshalField decodes an event's field, which Mattermost sends as a
// string of JSON.
func unmarshalField(data map[string]any, field string, v any) error {
	raw, ok := data[field].(string)
	if !ok {
		return fmt.Errorf("no %q field", field)
	}
	return json.Unmarshal([]byte(raw), v)
}

// onPost turns a post into a command when it is addressed to the bot: a
// direct message, or a message that mentions it. Posts created before
// since are left out (catch-ups also return old posts that were edited).
func (a *Adapter) onPost(ctx context.Context, h bot.Handler, p *model.Post, typ model.ChannelType, channelName string, since int64) {
	if p.UserId == a.botID {
		a.trackBotPost(p.Id)
		return
	}
	// System messages, deleted posts, and other bots and webhooks, which
	// could otherwise talk with this one forever.
	if p.Type != "" || p.DeleteAt != 0 || p.CreateAt < since ||
		p.GetProp("from_bot") == "true" || p.GetProp("from_webhook") == "true" {
		return
	}
	text, mentioned := a.withoutMention(p.Message)
	if typ != model.ChannelTypeDirect && !mentioned {
		return
	}
	user, err := a.userName(ctx, p.UserId)
	if err != nil {
		a.log.Warn("mattermost: cannot name the author of a post; it will be fetched again", "post", p.Id, "err", err)
		a.again(p.CreateAt)
		return
	}
	channel := a.channelKey(p.ChannelId, typ, channelName, user)
	if p.RootId != "" {
		channel += "/" + p.RootId
	}
	a.deliver(ctx, h, bot.Event{Kind: bot.MessageReceived, User: user, Channel: channel, Text: text, ID: postDelivery(p.Id)}, p.CreateAt)
}

// mentionPattern matches "@name" as Mattermost does: not inside a word or
// an address, and not followed by more of a user name.
func mentionPattern(name string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)(^|[^\w.@-])@` + regexp.QuoteMeta(name) + `($|[^\w-])`)
}

// withoutMention removes the bot's mentions from a message and tells
// whether there was one.
func (a *Adapter) withoutMention(msg string) (string, bool) {
	if !a.mention.MatchString(msg) {
		return strings.TrimSpace(msg), false
	}
	text := a.mention.ReplaceAllString(msg, "$1$2")
	return strings.TrimLeft(strings.TrimSpace(text), " ,:;\u00a0"), true
}

// trackReaction updates what the adapter knows of a bot post's reactions
// and returns the stamp that names the event: the addition's create_at.
func (a *Adapter) trackReaction(r *model.Reaction, added bool) int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	k := r.UserId + "\x00" + r.EmojiName
	set, tracked := a.known[r.PostId]
	if added {
		if tracked {
			set[k] = r.CreateAt
		}
		return r.CreateAt
	}
	stamp := set[k]
	if tracked {
		delete(set, k)
		delete(a.undelivered, r.PostId+"\x00"+k)
	}
	if stamp == 0 {
		stamp = max(r.DeleteAt, r.UpdateAt)
	}
	return stamp
}

// emitReaction hands a reaction on. Without a stamp it cannot be named
// across processes, so it is handled unclaimed: counting a reaction is
// idempotent, only a command run twice would show.
func (a *Adapter) emitReaction(ctx context.Context, h bot.Handler, r *model.Reaction, added bool, stamp, at int64) {
	user, err := a.userName(ctx, r.UserId)
	if err != nil {
		a.log.Warn("mattermost: cannot name the author of a reaction; it will be fetched again", "post", r.PostId, "err", err)
		a.again(at)
		a.untrack(r, added, stamp)
		return
	}
	kind := bot.ReactionRemoved
	if added {
		kind = bot.ReactionAdded
	}
	ev := bot.Event{Kind: kind, User: user, PostID: r.PostId, Reaction: r.EmojiName}
	if k, ok := a.dir.key(r.ChannelId); ok {
		ev.Channel = k
	}
	if stamp != 0 {
		ev.ID = reactionDelivery(added, r.PostId, r.UserId, r.EmojiName, stamp)
	}
	switch {
	case a.deliver(ctx, h, ev, at):
		a.untrack(r, added, stamp)
	case added:
		a.delivered(r)
	}
}

// untrack undoes what the adapter noted of a reaction it could not hand
// on, so that the catch-up it asked for hands it on again: a removal puts
// the reaction back among those known; an addition stays known (a later
// removal keeps its name, the addition's stamp) but undelivered.
func (a *Adapter) untrack(r *model.Reaction, added bool, stamp int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	set, tracked := a.known[r.PostId]
	if !tracked {
		return
	}
	k := r.UserId + "\x00" + r.EmojiName
	if added {
		a.undelivered[r.PostId+"\x00"+k] = true
		return
	}
	set[k] = stamp
}

// delivered notes that an addition was handed on.
func (a *Adapter) delivered(r *model.Reaction) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.undelivered, r.PostId+"\x00"+r.UserId+"\x00"+r.EmojiName)
}

// deliver hands an event to h once: claimed first, recorded when handled,
// released (to be fetched and handled again) when it failed, a few times.
// It tells whether it asked for the event to be fetched again.
func (a *Adapter) deliver(ctx context.Context, h bot.Handler, ev bot.Event, at int64) (again bool) {
	st, err := a.once.Do(ctx, ev.ID, deliveryLease, func(ctx context.Context) error { return h.Handle(ctx, ev) })
	switch {
	case st == bot.DeliveryHandled && err != nil:
		a.log.Error("mattermost: an event was handled but not recorded: it may be handled again", "event", ev.ID, "err", err)
	case st == bot.DeliveryLater:
		if err != nil {
			a.log.Error("mattermost: cannot claim an event; it will be fetched again", "event", ev.ID, "err", err)
			a.again(at)
		}
		return err != nil
	case st != bot.DeliveryFailed:
	case ev.ID == "":
		a.log.Warn("mattermost: event failed", "user", ev.User, "kind", ev.Kind, "err", err)
	default:
		a.failures[ev.ID]++
		if a.failures[ev.ID] < handleAttempts {
			a.log.Warn("mattermost: event failed; it will be handled again", "event", ev.ID, "err", err)
			a.again(at)
			return true
		}
		a.log.Error("mattermost: event failed again; giving up", "event", ev.ID, "attempts", a.failures[ev.ID], "err", err)
		if err := a.once.GiveUp(context.WithoutCancel(ctx), ev.ID); err != nil {
			a.log.Error("mattermost: an event was given up but not recorded: it may be handled again", "event", ev.ID, "err", err)
		}
	}
	delete(a.failures, ev.ID)
	return false
}

// see moves the cursor to the latest server time seen.
func (a *Adapter) see(at int64) { a.cursor = max(a.cursor, at) }

// again asks the next catch-up to go back to at (server ms) at least.
func (a *Adapter) again(at int64) {
	if at <= 0 {
		at = a.cursor
	}
	if a.floor == 0 || at < a.floor {
		a.floor = at
	}
}

// catchUp fetches through REST what the socket may have missed: the posts
// created or changed since the cursor (less a margin) in the campaign
// channels and in every other channel of the bot's with newer posts. Commands are handled
// (their claims skip those already handled) and the reactions of the bot's
// posts are compared with what the adapter knew. The first catch-up also
// learns the reactions of the campaign channels' recent posts.
func (a *Adapter) catchUp(ctx context.Context, h bot.Handler) (err error) {
	since := a.cursor - catchUpMargin.Milliseconds()
	if a.floor != 0 {
		since = min(since, a.floor-1)
	}
	a.floor = 0
	defer func() {
		if err != nil {
			a.again(since + 1)
		}
	}()
	chans, err := retryValue(ctx, a, "list the bot's channels", func() ([]*model.Channel, *model.Response, error) {
		return a.client.GetChannelsForTeamForUser(ctx, a.teamID, a.botID, false, "")
	})
	if err != nil {
		return err
	}
	for _, ch := range chans {
		campaign := a.dir.isCampaignChannel(ch.Id)
		if !campaign && ch.LastPostAt < since {
			continue
		}
		list, err := retryValue(ctx, a, "fetch missed posts", func() (*model.PostList, *model.Response, error) {
			return a.client.GetPostsSince(ctx, ch.Id, since, false)
		})
		if err != nil {
			return err
		}
		for _, p := range byCreation(list) {
			a.see(p.UpdateAt)
			if p.UserId == a.botID {
				a.reconcile(ctx, h, p)
				continue
			}
			a.onPost(ctx, h, p, ch.Type, ch.Name, since)
		}
		if campaign && !a.seeded {
			a.seed(ctx, ch.Id)
		}
	}
	a.seeded = true
	return nil
}

func byCreation(list *model.PostList) []*model.Post {
	if list == nil {
		return nil
	}
	posts := make([]*model.Post, 0, len(list.Posts))
	for _, p := range list.Posts {
		posts = append(posts, p)
	}
	slices.SortFunc(posts, func(x, y *model.Post) int {
		if x.CreateAt != y.CreateAt {
			return int(x.CreateAt - y.CreateAt)
		}
		return strings.Compare(x.Id, y.Id)
	})
	return posts
}

// reactionsOf returns a post's reactions by user and emoji, and false when
// the server did not say (a post with reactions but no metadata).
func reactionsOf(p *model.Post) (map[string]*model.Reaction, bool) {
	out := map[string]*model.Reaction{}
	if p.Metadata == nil {
		return out, !p.HasReactions
	}
	for _, r := range p.Metadata.Reactions {
		out[r.UserId+"\x00"+r.EmojiName] = r
	}
	return out, true
}

// reconcile compares a bot post's reactions, as the server has them now,
// with what the adapter knew, and hands on the differences: reactions
// added or removed while the socket was down. A post the adapter knew
// nothing of has all its reactions handed on (counting is idempotent, and
// the claims skip the ones already handled).
func (a *Adapter) reconcile(ctx context.Context, h bot.Handler, p *model.Post) {
	now, ok := reactionsOf(p)
	if !ok {
		return
	}
	a.mu.Lock()
	before := a.known[p.Id]
	a.known[p.Id] = stampsOf(now)
	undelivered := map[string]bool{}
	for k := range before {
		if a.undelivered[p.Id+"\x00"+k] {
			undelivered[k] = true
			delete(a.undelivered, p.Id+"\x00"+k) // handed on again below, or gone
		}
	}
	a.mu.Unlock()
	for _, k := range sortedKeys(now) {
		if _, had := before[k]; (!had || undelivered[k]) && now[k].UserId != a.botID {
			r := now[k]
			r.ChannelId = p.ChannelId
			a.emitReaction(ctx, h, r, true, r.CreateAt, r.CreateAt)
		}
	}
	for _, k := range sortedKeys(before) {
		if _, has := now[k]; !has {
			user, emoji, _ := strings.Cut(k, "\x00")
			if user == a.botID {
				continue
			}
			r := &model.Reaction{UserId: user, PostId: p.Id, EmojiName: emoji, ChannelId: p.ChannelId}
			a.emitReaction(ctx, h, r, false, before[k], p.UpdateAt)
		}
	}
}

// stampsOf keeps what the adapter remembers of reactions: their create_at.
func stampsOf(rs map[string]*model.Reaction) map[string]int64 {
	out := make(map[string]int64, len(rs))
	for k, r := range rs {
		out[k] = r.CreateAt
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// seed learns the reactions of a campaign channel's recent bot posts, so
// that a reaction removed from one of them while the socket is down is
// noticed at the next catch-up.
func (a *Adapter) seed(ctx context.Context, channelID string) {
	list, err := retryValue(ctx, a, "read recent posts", func() (*model.PostList, *model.Response, error) {
		return a.client.GetPostsForChannel(ctx, channelID, 0, 100, "", false, false)
	})
	if err != nil {
		a.log.Warn("mattermost: cannot read a channel's recent posts", "channel", channelID, "err", err)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, p := range byCreation(list) {
		if _, known := a.known[p.Id]; known || p.UserId != a.botID {
			continue
		}
		if now, ok := reactionsOf(p); ok {
			a.known[p.Id] = stampsOf(now)
		}
	}
}
