package matrix

import (
	"context"
	"errors"
	"fmt"
	"html"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/gigabot/gigabot/bot"
)

// The names under which the adapter keeps its state in Memory.
const (
	syncTokenName  = "matrix:sync"
	reactionPrefix = "matrix:reaction:"
)

// The pages of a backfill, when a timeline was cut (limited) after a long
// downtime.
const (
	backfillPage   = 100
	backfillPages  = 50
	deliveryPrefix = "matrix:event:"
)

// Run follows /sync until ctx ends, handing the events addressed to the
// bot to h, each once. It returns ErrInvalidToken (wrapped) when the
// server stops accepting the bot's token; other failures are retried. It starts where the last run stopped (the token in
// Memory); the very first run skips the rooms' history and handles what
// comes after. The token is saved once every event of a batch is handled
// or given up on; a batch the store could not record is synced again
// (the claims skip what was handled).
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	if !a.connected.Load() {
		return ErrNotConnected
	}
	if a.once == nil || a.memory == nil {
		return errors.New("matrix: Run needs Options.Deliveries, Options.Memory and Options.Owner")
	}
	var (
		filterID string
		since    string
		ready    bool
		failures int
	)
	for ctx.Err() == nil {
		if !ready {
			var err error
			if filterID, since, err = a.start(ctx); err != nil {
				failures++
				a.log.Warn("matrix: cannot start syncing; trying again", "err", err, "attempt", failures)
				a.wait(ctx, failures)
				continue
			}
			ready = true
			a.listMembers(ctx, h)
		}
		resp, err := a.client.FullSyncRequest(ctx, mautrix.ReqSync{
			Timeout: int(a.syncTimeout.Milliseconds()), Since: since, FilterID: filterID,
		})
		if err == nil {
			if since == "" {
				err = a.firstSync(ctx, resp)
			} else {
				err = a.handleSync(ctx, h, resp, since)
			}
			if err == nil {
				err = a.saveToken(ctx, resp.NextBatch)
				since = resp.NextBatch
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if errors.Is(err, mautrix.MUnknownToken) {
				// Logged out or revoked: no retry will bring it back.
				return fmt.Errorf("%w: the access token was revoked or its device logged out", ErrInvalidToken)
			}
			failures++
			a.log.Warn("matrix: sync failed; trying again", "err", err, "attempt", failures)
			a.wait(ctx, failures)
			continue
		}
		if failures > 0 {
			a.reconnects.Reconnect(platform)
			a.log.Info("matrix: syncing again", "after_failures", failures)
		}
		failures = 0
	}
	return nil
}

// wait backs off after the nth failure in a row.
func (a *Adapter) wait(ctx context.Context, n int) {
	d := min(syncBackoff<<min(n-1, 6), syncMaxWait)
	_ = a.sleep(ctx, d)
}

// start creates the sync filter and reads the token the last run saved.
func (a *Adapter) start(ctx context.Context) (filterID, since string, err error) {
	f, err := a.client.CreateFilter(ctx, &mautrix.Filter{
		AccountData: &mautrix.FilterPart{NotTypes: []event.Type{{Type: "*"}}},
		Presence:    &mautrix.FilterPart{NotTypes: []event.Type{{Type: "*"}}},
		Room: &mautrix.RoomFilter{
			Ephemeral:   &mautrix.FilterPart{NotTypes: []event.Type{{Type: "*"}}},
			AccountData: &mautrix.FilterPart{NotTypes: []event.Type{{Type: "*"}}},
			State:       &mautrix.FilterPart{LazyLoadMembers: true},
			Timeline: &mautrix.FilterPart{Limit: a.timeline, Types: []event.Type{
				event.EventMessage, event.EventReaction, event.EventRedaction, event.StateMember, event.EventEncrypted,
			}},
		},
	})
	if err != nil {
		return "", "", fmt.Errorf("create the sync filter: %w", err)
	}
	since, _, err = a.memory.Recall(ctx, syncTokenName)
	if err != nil {
		return "", "", err
	}
	return f.FilterID, since, nil
}

func (a *Adapter) saveToken(ctx context.Context, token string) error {
	if err := a.memory.Remember(context.WithoutCancel(ctx), syncTokenName, token, 0); err != nil {
		return fmt.Errorf("save the sync token: %w", err)
	}
	return nil
}

// firstSync answers the invitations waiting when the bot starts for the
// first time, and leaves the rooms' history alone: it happened before the
// bot was there.
func (a *Adapter) firstSync(ctx context.Context, resp *mautrix.RespSync) error {
	a.log.Info("matrix: first sync: the rooms' history is skipped", "rooms", len(resp.Rooms.Join))
	a.answerInvites(ctx, resp)
	return nil
}

// handleSync handles one batch: invitations, then each joined room's
// timeline in order (backfilled first when the server cut it).
func (a *Adapter) handleSync(ctx context.Context, h bot.Handler, resp *mautrix.RespSync, since string) error {
	a.answerInvites(ctx, resp)
	rooms := make([]id.RoomID, 0, len(resp.Rooms.Join))
	for r := range resp.Rooms.Join {
		rooms = append(rooms, r)
	}
	slices.Sort(rooms)
	for _, room := range rooms {
		tl := resp.Rooms.Join[room].Timeline
		events := tl.Events
		if tl.Limited && tl.PrevBatch != "" {
			events = append(a.backfill(ctx, room, tl.PrevBatch, since), events...)
		}
		for _, ev := range events {
			ev.RoomID = room
			if err := a.onEvent(ctx, h, ev); err != nil {
				return err
			}
		}
	}
	return nil
}

// backfill fetches the events a cut timeline left out: from its start
// back to the previous sync's token, oldest first.
func (a *Adapter) backfill(ctx context.Context, room id.RoomID, from, to string) []*event.Event {
	var older []*event.Event
	filter := &mautrix.FilterPart{Types: []event.Type{event.EventMessage, event.EventReaction, event.EventRedaction, event.StateMember}}
	for range backfillPages {
		page, err := a.client.Messages(ctx, room, from, to, mautrix.DirectionBackward, filter, backfillPage)
		if err != nil {
			a.log.Warn("matrix: cannot fetch the events a sync left out", "room", a.dir.key(room), "err", err)
			break
		}
		older = append(older, page.Chunk...)
		if page.End == "" || len(page.Chunk) == 0 {
			break
		}
		from = page.End
	}
	slices.Reverse(older)
	a.log.Info("matrix: fetched the events a sync left out", "room", a.dir.key(room), "events", len(older))
	return older
}

// onEvent handles one timeline event. An error means the store could not
// record it: the batch is synced again.
func (a *Adapter) onEvent(ctx context.Context, h bot.Handler, ev *event.Event) error {
	if ev.Sender == a.me || ev.Unsigned.RedactedBecause != nil {
		return nil
	}
	if err := ev.Content.ParseRaw(ev.Type); err != nil && !errors.Is(err, event.ErrContentAlreadyParsed) {
		a.log.Warn("matrix: unreadable event", "event", ev.ID, "type", ev.Type.Type, "err", err)
		return nil
	}
	switch ev.Type {
	case event.EventMessage:
		return a.onMessage(ctx, h, ev)
	case event.EventReaction:
		return a.onReaction(ctx, h, ev)
	case event.EventRedaction:
		return a.onRedaction(ctx, h, ev)
	case event.StateMember:
		a.mu.Lock()
		delete(a.direct, ev.RoomID)
		a.mu.Unlock()
		return a.onMembership(ctx, h, ev)
	case event.EventEncrypted:
		a.mu.Lock()
		first := !a.warned[ev.RoomID]
		a.warned[ev.RoomID] = true
		a.mu.Unlock()
		if first {
			a.log.Warn("matrix: a room sends encrypted messages, which gigabot cannot read: use an unencrypted room",
				"room", a.dir.key(ev.RoomID))
		}
	}
	return nil
}

// onMessage turns a message addressed to the bot into a command: one that
// mentions it, or any message in a direct room.
func (a *Adapter) onMessage(ctx context.Context, h bot.Handler, ev *event.Event) error {
	msg := ev.Content.AsMessage()
	// Notices are what bots send; edits repeat a command already handled.
	if msg.MsgType == event.MsgNotice || msg.RelatesTo.GetReplaceID() != "" {
		return nil
	}
	msg.RemoveReplyFallback()
	text, mentioned := a.addressed(msg)
	if !mentioned {
		direct, err := a.isDirect(ctx, ev.RoomID)
		if err != nil {
			return err
		}
		if !direct {
			return nil
		}
	}
	return a.deliver(withReplyTo(ctx, ev.ID), h, bot.Event{
		Kind: bot.MessageReceived, User: a.dir.name(ev.Sender), Channel: a.dir.key(ev.RoomID),
		Text: text, ID: deliveryPrefix + ev.ID.String(),
	})
}

// addressed returns a message's text without the bot's mention, and
// whether it mentions the bot: "gigabot: classement" (its localpart or
// display name first, as Element writes a pill), "@gigabot classement",
// its full user id, or m.mentions naming it.
func (a *Adapter) addressed(msg *event.MessageEventContent) (string, bool) {
	text := strings.TrimSpace(msg.Body)
	mentioned := msg.Mentions.Has(a.me) || strings.Contains(msg.FormattedBody, "matrix.to/#/"+a.me.String())
	localpart, _, _ := a.me.Parse()
	names := []string{a.me.String(), "@" + localpart, localpart, a.botName}
	if m := a.pill.FindStringSubmatch(msg.FormattedBody); m != nil {
		names = append([]string{html.UnescapeString(m[1])}, names...) // the pill's text, as the body spells it
	}
	// The longest first: "Gigabot Calvados: …" is the display name, not
	// the localpart "gigabot" followed by a word.
	slices.SortStableFunc(names, func(x, y string) int { return len(y) - len(x) })
	for _, name := range names {
		if rest, ok := cutName(text, name); ok {
			text, mentioned = rest, true
			break
		}
	}
	if strings.Contains(text, a.me.String()) {
		text, mentioned = strings.ReplaceAll(text, a.me.String(), ""), true
	}
	return strings.TrimSpace(text), mentioned
}

// pillPattern matches a formatted body that starts with a pill to user,
// capturing the pill's text.
func pillPattern(user id.UserID) *regexp.Regexp {
	return regexp.MustCompile(`^\s*<a href="https://matrix\.to/#/` + regexp.QuoteMeta(user.String()) + `"[^>]*>([^<]*)</a>`)
}

// cutName removes name from the start of text when it stands alone there
// (followed by the end, a space or punctuation), ignoring case.
func cutName(text, name string) (string, bool) {
	if name == "" || len(text) < len(name) || !strings.EqualFold(text[:len(name)], name) {
		return "", false
	}
	rest := text[len(name):]
	if r := []rune(rest); len(r) > 0 && !unicode.IsSpace(r[0]) && !strings.ContainsRune(":,;", r[0]) {
		return "", false
	}
	return strings.TrimLeft(rest, " \t\u00a0:,;"), true
}

// isDirect tells whether a room is a direct message: not a campaign
// room, and the bot and one other member in it.
func (a *Adapter) isDirect(ctx context.Context, room id.RoomID) (bool, error) {
	if a.dir.isCampaignRoom(room) {
		return false, nil
	}
	a.mu.Lock()
	direct, known := a.direct[room]
	a.mu.Unlock()
	if known {
		return direct, nil
	}
	members, err := a.client.JoinedMembers(ctx, room)
	if err != nil {
		return false, fmt.Errorf("list the members of %s: %w", room, err)
	}
	direct = len(members.Joined) == 2
	a.mu.Lock()
	a.direct[room] = direct
	a.mu.Unlock()
	return direct, nil
}

// onReaction remembers a reaction (its redaction will name only its event
// id) and hands it on.
func (a *Adapter) onReaction(ctx context.Context, h bot.Handler, ev *event.Event) error {
	rel := ev.Content.AsReaction().RelatesTo
	if rel.Type != event.RelAnnotation || rel.EventID == "" || rel.Key == "" {
		return nil
	}
	r := reaction{user: ev.Sender, post: rel.EventID, key: rel.Key}
	if err := a.memory.RememberAbout(ctx, reactionPrefix+ev.ID.String(), r.String(), reactionKeep); err != nil {
		return err
	}
	return a.deliver(ctx, h, r.event(bot.ReactionAdded, a, ev))
}

// onRedaction takes back the reaction a redaction removes; a redaction of
// anything else means nothing here.
func (a *Adapter) onRedaction(ctx context.Context, h bot.Handler, ev *event.Event) error {
	target := ev.Redacts
	if target == "" {
		target = ev.Content.AsRedaction().Redacts
	}
	if target == "" {
		return nil
	}
	raw, ok, err := a.memory.Recall(ctx, reactionPrefix+target.String())
	if err != nil || !ok {
		return err
	}
	r, ok := parseReaction(raw)
	if !ok {
		a.log.Warn("matrix: a remembered reaction is unreadable", "reaction", target)
		return nil
	}
	return a.deliver(ctx, h, r.event(bot.ReactionRemoved, a, ev))
}

// reaction is what the adapter remembers of an m.reaction.
type reaction struct {
	user id.UserID
	post id.EventID
	key  string
}

func (r reaction) String() string { return string(r.user) + "\x00" + string(r.post) + "\x00" + r.key }

func parseReaction(s string) (reaction, bool) {
	parts := strings.SplitN(s, "\x00", 3)
	if len(parts) != 3 {
		return reaction{}, false
	}
	return reaction{user: id.UserID(parts[0]), post: id.EventID(parts[1]), key: parts[2]}, true
}

// event is the reaction's bot.Event, delivered under the id of ev (the
// reaction, or the redaction that undoes it).
func (r reaction) event(kind bot.EventKind, a *Adapter, ev *event.Event) bot.Event {
	return bot.Event{
		Kind: kind, User: a.dir.name(r.user), Channel: a.dir.key(ev.RoomID), PostID: r.post.String(),
		Reaction: emojiName(r.key), ID: deliveryPrefix + ev.ID.String(),
	}
}

// emojiName names a reaction's key as the config does: ✅ (with or
// without its emoji presentation selector) is white_check_mark; any other
// key is passed as it is.
func emojiName(key string) string {
	if strings.TrimRight(key, "\ufe0f") == "✅" {
		return "white_check_mark"
	}
	return key
}

// deliver hands an event to h once (bot.Once). A handling that fails is
// tried again a few times, then given up; an error is returned only when
// the store cannot be asked, so that the batch is synced again.
func (a *Adapter) deliver(ctx context.Context, h bot.Handler, ev bot.Event) error {
	for attempt := 1; ; attempt++ {
		st, err := a.once.Do(ctx, ev.ID, deliveryLease, func(ctx context.Context) error { return h.Handle(ctx, ev) })
		switch {
		case st == bot.DeliveryHandled:
			if err != nil {
				a.log.Error("matrix: an event was handled but not recorded: it may be handled again", "event", ev.ID, "err", err)
			}
			return nil
		case st == bot.DeliveryDuplicate, st == bot.DeliveryLater && err == nil:
			return nil
		case attempt >= handleAttempts && st == bot.DeliveryFailed:
			a.log.Error("matrix: an event failed again; giving up", "event", ev.ID, "attempts", attempt, "err", err)
			if err := a.once.GiveUp(context.WithoutCancel(ctx), ev.ID); err != nil {
				a.log.Error("matrix: an event was given up but not recorded: it may be handled again", "event", ev.ID, "err", err)
			}
			return nil
		case attempt >= handleAttempts:
			return err
		}
		a.log.Warn("matrix: an event failed; handling it again", "event", ev.ID, "attempt", attempt, "err", err)
		if err := a.sleep(ctx, syncBackoff*time.Duration(attempt)); err != nil {
			return err
		}
	}
}

// answerInvites joins the rooms the bot is invited to by someone allowed
// (see directory.mayInvite), unless they are encrypted, and declines the
// others.
func (a *Adapter) answerInvites(ctx context.Context, resp *mautrix.RespSync) {
	for room, inv := range resp.Rooms.Invite {
		var (
			from      id.UserID
			direct    bool
			encrypted bool
		)
		for _, ev := range inv.State.Events {
			_ = ev.Content.ParseRaw(ev.Type)
			switch {
			case ev.Type == event.StateMember && ev.GetStateKey() == a.me.String():
				from, direct = ev.Sender, ev.Content.AsMember().IsDirect
			case ev.Type == event.StateEncryption:
				encrypted = true
			}
		}
		accept := a.dir.mayInvite(from, direct) && !encrypted
		log := a.log.With("room", room.String(), "from", from.String(), "direct", direct)
		if accept {
			if _, err := a.client.JoinRoomByID(ctx, room); err != nil {
				log.Warn("matrix: cannot accept an invitation", "err", err)
				continue
			}
			log.Info("matrix: invitation accepted")
			continue
		}
		if _, err := a.client.LeaveRoom(ctx, room); err != nil {
			log.Warn("matrix: cannot decline an invitation", "err", err)
			continue
		}
		if encrypted {
			log.Warn("matrix: invitation to an encrypted room declined: gigabot cannot read encrypted messages")
		} else {
			log.Warn("matrix: invitation declined: only the DGS and the coordinators may invite the bot (anyone in the campaign, to a direct message)")
		}
	}
}

// listMembers hands the core the members of the rooms whose members are a
// team's agents ("members: channel"), as they are when Run starts; the
// joins and departures after come as m.room.member events.
func (a *Adapter) listMembers(ctx context.Context, h bot.Handler) {
	rooms := a.dir.memberRooms()
	for _, name := range slices.Sorted(maps.Keys(rooms)) {
		resp, err := a.client.JoinedMembers(ctx, rooms[name])
		if err != nil {
			a.log.Error("matrix: cannot list a team room's members", "room", name, "err", err)
			continue
		}
		var members []string
		for u := range resp.Joined {
			if u != a.me {
				members = append(members, a.dir.name(u))
			}
		}
		slices.Sort(members)
		if err := h.ListMembers(ctx, name, members); err != nil {
			a.log.Error("matrix: the core could not record a room's members", "room", name, "err", err)
			continue
		}
		a.log.Info("matrix: team room members listed", "room", name, "members", len(members))
	}
}

// onMembership tells the core that someone joined or left a room whose
// members are a team's agents. A join that follows a join is a change of
// name or avatar, and a leave that follows a leave or an invitation was
// never a membership: neither is handed on.
func (a *Adapter) onMembership(ctx context.Context, h bot.Handler, ev *event.Event) error {
	user := id.UserID(ev.GetStateKey())
	if user == a.me || user == "" || !a.dir.isMemberRoom(ev.RoomID) {
		return nil
	}
	was := event.MembershipLeave
	if prev := ev.Unsigned.PrevContent; prev != nil {
		if prev.Parsed == nil {
			_ = prev.ParseRaw(event.StateMember)
		}
		if c, ok := prev.Parsed.(*event.MemberEventContent); ok {
			was = c.Membership
		}
	}
	kind := bot.MemberJoined
	switch now := ev.Content.AsMember().Membership; {
	case now == event.MembershipJoin && was != event.MembershipJoin:
	case (now == event.MembershipLeave || now == event.MembershipBan) && was == event.MembershipJoin:
		kind = bot.MemberLeft
	default:
		return nil
	}
	return a.deliver(ctx, h, bot.Event{
		Kind: kind, User: a.dir.name(user), Channel: a.dir.key(ev.RoomID), ID: deliveryPrefix + ev.ID.String(),
	})
}
