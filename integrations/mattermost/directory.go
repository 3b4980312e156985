package mattermost

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/gigabot/gigabot/bot"
)

// directory maps Mattermost ids to the names the core speaks and back.
//
// A user is named as the roster spells them (Mattermost user names are
// lower-case, the campaign's configuration may not be), or by their
// Mattermost user name when the roster does not know them.
//
// A channel is named by a key: a campaign channel by its configured name,
// a direct message by "@" and the other user's name, any other channel by
// its Mattermost name. Keys never contain "/" (Mattermost names cannot),
// so "key/ROOTID" addresses a thread.
type directory struct {
	mu        sync.Mutex
	spelling  map[string]string // lower-case name → name as configured
	userNames map[string]string // user id → name
	userIDs   map[string]string // lower-case name → user id
	keys      map[string]string // channel id → key
	channels  map[string]string // key → channel id
	campaign  map[string]bool   // channel ids of the campaign's channels
	chanNames []string
	inactive  map[string]bool // user ids of bots and deactivated accounts
	// memberChannels are the channels whose members are a team's agents.
	memberChannels []string
}

func newDirectory(r bot.Roster) *directory {
	d := &directory{
		spelling: map[string]string{}, userNames: map[string]string{}, userIDs: map[string]string{},
		keys: map[string]string{}, channels: map[string]string{}, campaign: map[string]bool{},
		chanNames: r.Channels(), inactive: map[string]bool{}, memberChannels: r.MemberChannels(),
	}
	for _, n := range r.People() {
		if _, ok := d.spelling[strings.ToLower(n)]; !ok {
			d.spelling[strings.ToLower(n)] = n
		}
	}
	return d
}

// campaignChannels returns the channel names the campaign configures.
func (d *directory) campaignChannels() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.chanNames
}

// memberChans returns the channels whose members are a team's agents.
func (d *directory) memberChans() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.memberChannels
}

// setRoster takes a reloaded config's roster: its channels, and the
// spelling of its people (the accounts already seen keep theirs until
// they are looked up again).
func (d *directory) setRoster(r bot.Roster) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.chanNames, d.memberChannels = r.Channels(), r.MemberChannels()
	for _, n := range r.People() {
		if _, ok := d.spelling[strings.ToLower(n)]; !ok {
			d.spelling[strings.ToLower(n)] = n
		}
	}
}

// campaignUsers returns the user names the campaign configures,
// lower-case, sorted (not the e-mail addresses: campaignEmails).
func (d *directory) campaignUsers() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	names := make([]string, 0, len(d.spelling))
	for lower := range d.spelling {
		if !strings.Contains(lower, "@") {
			names = append(names, lower)
		}
	}
	slices.Sort(names)
	return names
}

func (d *directory) addCampaignChannel(name, id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.keys[id], d.channels[name] = name, id
	d.campaign[id] = true
}

func (d *directory) isCampaignChannel(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.campaign[id]
}

// addUser records an account and returns the name the core knows it by.
func (d *directory) addUser(id, username string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	name := username
	if n, ok := d.spelling[strings.ToLower(username)]; ok {
		name = n
	}
	d.userNames[id], d.userIDs[strings.ToLower(username)] = name, id
	return name
}

func (d *directory) userName(id string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n, ok := d.userNames[id]
	return n, ok
}

func (d *directory) userID(name string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	id, ok := d.userIDs[strings.ToLower(name)]
	return id, ok
}

// remember records that key names a channel, and returns the channel's
// key in events: the first it was given (a campaign channel's name).
func (d *directory) remember(id, key string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.channels[key] = id
	if k, ok := d.keys[id]; ok {
		return k
	}
	d.keys[id] = key
	return key
}

func (d *directory) key(id string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	k, ok := d.keys[id]
	return k, ok
}

func (d *directory) channel(key string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	id, ok := d.channels[key]
	return id, ok
}

// userName returns the name of a user id, asking the server the first time.
func (a *Adapter) userName(ctx context.Context, id string) (string, error) {
	if n, ok := a.dir.userName(id); ok {
		return n, nil
	}
	u, err := retryValue(ctx, a, "find a user", func() (*model.User, *model.Response, error) {
		return a.client.GetUser(ctx, id, "")
	})
	if err != nil {
		return "", err
	}
	return a.dir.addAccount(u), nil
}

// channelKey names the channel of an event. user is the author, who is the
// other end of a direct message.
func (a *Adapter) channelKey(id string, typ model.ChannelType, name, user string) string {
	if k, ok := a.dir.key(id); ok && typ != model.ChannelTypeDirect {
		return k
	}
	if typ == model.ChannelTypeDirect {
		return a.dir.remember(id, "@"+user)
	}
	return a.dir.remember(id, name)
}

// errUnknownChannel is returned by Post for a channel that cannot be found.
var errUnknownChannel = errors.New("unknown channel")

// target finds the channel (and thread) a post goes to.
func (a *Adapter) target(ctx context.Context, key string) (channelID, rootID string, err error) {
	key, rootID, _ = strings.Cut(key, "/")
	if id, ok := a.dir.channel(key); ok {
		return id, rootID, nil
	}
	if user, ok := strings.CutPrefix(key, "@"); ok {
		id, err := a.directChannel(ctx, user)
		return id, rootID, err
	}
	// A channel the bot was added to after start-up, or one it was not in.
	ch, err := retryValue(ctx, a, "find channel "+key, func() (*model.Channel, *model.Response, error) {
		return a.client.GetChannelByName(ctx, key, a.teamID, "")
	})
	if err != nil {
		return "", "", fmt.Errorf("%w %q: %w", errUnknownChannel, key, err)
	}
	a.dir.remember(ch.Id, key)
	return ch.Id, rootID, nil
}

// directChannel opens (or finds) the direct message channel with a user.
func (a *Adapter) directChannel(ctx context.Context, user string) (string, error) {
	uid, ok := a.dir.userID(user)
	if !ok {
		u, err := retryValue(ctx, a, "find user "+user, func() (*model.User, *model.Response, error) {
			return a.client.GetUserByUsername(ctx, strings.ToLower(user), "")
		})
		if err != nil {
			return "", fmt.Errorf("%w @%s: %w", errUnknownChannel, user, err)
		}
		a.dir.addUser(u.Id, u.Username)
		uid = u.Id
	}
	id, err := a.openDirect(ctx, uid)
	if err != nil {
		return "", err
	}
	a.dir.remember(id, "@"+user)
	return id, nil
}

// openDirect opens (or finds) the direct message channel with a user id.
func (a *Adapter) openDirect(ctx context.Context, userID string) (string, error) {
	ch, err := retryValue(ctx, a, "open a direct message", func() (*model.Channel, *model.Response, error) {
		return a.client.CreateDirectChannel(ctx, a.botID, userID)
	})
	if err != nil {
		return "", err
	}
	return ch.Id, nil
}

// addAccount records an account and returns the name the core knows it
// by: the roster's spelling of its e-mail address, if the roster names
// the person so, else of its user name.
func (d *directory) addAccount(u *model.User) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if u.DeleteAt != 0 || u.IsBot {
		d.inactive[u.Id] = true
	}
	email := strings.ToLower(u.Email)
	if n, ok := d.spelling[email]; ok && email != "" {
		d.userNames[u.Id], d.userIDs[email], d.userIDs[strings.ToLower(u.Username)] = n, u.Id, u.Id
		return n
	}
	name := u.Username
	if n, ok := d.spelling[strings.ToLower(u.Username)]; ok {
		name = n
	}
	d.userNames[u.Id], d.userIDs[strings.ToLower(u.Username)] = name, u.Id
	return name
}

// active tells whether an account may be an agent: not a bot, not
// deactivated (as far as the directory saw).
func (d *directory) active(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return !d.inactive[id]
}

// campaignEmails returns the e-mail addresses the campaign names people
// by, lower-case, sorted.
func (d *directory) campaignEmails() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var emails []string
	for lower := range d.spelling {
		if strings.Contains(lower, "@") {
			emails = append(emails, lower)
		}
	}
	slices.Sort(emails)
	return emails
}

// resolveEmails finds the accounts of the people the campaign names by
// e-mail address, one by one (Mattermost has no batch look-up by e-mail).
// The server shows the bot e-mail addresses only if its privacy settings
// let it (System Console › Site Configuration › Users and Teams › Show
// Email Address, or a bot with the permission to read them).
func (a *Adapter) resolveEmails(ctx context.Context, rep *Report) error {
	for _, email := range a.dir.campaignEmails() {
		u, err := retryValue(ctx, a, "find a user by e-mail", func() (*model.User, *model.Response, error) {
			return a.client.GetUserByEmail(ctx, email, "")
		})
		switch {
		case ctx.Err() != nil:
			return fmt.Errorf("mattermost: %w", ctx.Err())
		case statusOf(err) == http.StatusNotFound:
			rep.Problems = append(rep.Problems, fmt.Sprintf("user %q: no Mattermost account has this e-mail address", email))
			continue
		case err != nil:
			rep.Problems = append(rep.Problems, fmt.Sprintf("user %q: cannot look up the e-mail address (%v): check that the server shows e-mail addresses to the bot", email, err))
			continue
		}
		a.dir.addAccount(u)
		if u.DeleteAt != 0 {
			rep.Problems = append(rep.Problems, fmt.Sprintf("user %q: the account is deactivated", email))
		}
	}
	return nil
}

// listMembers hands the core the members of the team channels whose
// members are a team's agents ("members: channel"), as the server lists
// them now. Each socket session does, so that the comings and goings
// missed while it was down count too. A channel it cannot list keeps the
// members the core had.
func (a *Adapter) listMembers(ctx context.Context, h bot.Handler) {
	for _, name := range a.dir.memberChans() {
		id, ok := a.dir.channel(name)
		if !ok {
			continue // reported at Connect: the channel is not found
		}
		names, err := a.channelMembers(ctx, id)
		if err != nil {
			a.log.Error("mattermost: cannot list the members of a team channel", "channel", name, "err", err)
			continue
		}
		if err := h.ListMembers(ctx, name, names); err != nil {
			a.log.Error("mattermost: the core could not record a channel's members", "channel", name, "err", err)
		}
	}
}

// channelMembers lists the people of a channel who may be agents, by the
// name the core knows them by.
func (a *Adapter) channelMembers(ctx context.Context, channelID string) ([]string, error) {
	const perPage = 200
	var ids []string
	for page := 0; ; page++ {
		members, err := retryValue(ctx, a, "list a channel's members", func() (model.ChannelMembers, *model.Response, error) {
			return a.client.GetChannelMembers(ctx, channelID, page, perPage, "")
		})
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			if m.UserId != a.botID {
				ids = append(ids, m.UserId)
			}
		}
		if len(members) < perPage {
			break
		}
	}
	var unknown []string
	for _, id := range ids {
		if _, ok := a.dir.userName(id); !ok {
			unknown = append(unknown, id)
		}
	}
	const batch = 100
	for i := 0; i < len(unknown); i += batch {
		part := unknown[i:min(i+batch, len(unknown))]
		users, err := retryValue(ctx, a, "find a channel's members", func() ([]*model.User, *model.Response, error) {
			return a.client.GetUsersByIds(ctx, part)
		})
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			a.dir.addAccount(u)
		}
	}
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		if n, ok := a.dir.userName(id); ok && a.dir.active(id) {
			names = append(names, n)
		}
	}
	return names, nil
}

// onMembership tells the core that someone joined or left a team channel
// whose members are a team's agents.
func (a *Adapter) onMembership(ctx context.Context, h bot.Handler, ev *model.WebSocketEvent) {
	channelID := ""
	if b := ev.GetBroadcast(); b != nil {
		channelID = b.ChannelId
	}
	if id, ok := ev.GetData()["channel_id"].(string); ok && channelID == "" {
		channelID = id
	}
	userID, _ := ev.GetData()["user_id"].(string)
	key, ok := a.dir.key(channelID)
	if !ok || userID == "" || userID == a.botID || !slices.Contains(a.dir.memberChans(), key) {
		return
	}
	name, err := a.userName(ctx, userID)
	if err != nil {
		a.log.Warn("mattermost: cannot name a channel's new or departed member", "channel", key, "err", err)
		return
	}
	if !a.dir.active(userID) {
		return
	}
	kind := bot.MemberJoined
	if ev.EventType() == model.WebsocketEventUserRemoved {
		kind = bot.MemberLeft
	}
	if err := h.Handle(ctx, bot.Event{Kind: kind, User: name, Channel: key}); err != nil {
		a.log.Error("mattermost: the core could not record a channel's member", "channel", key, "user", name, "err", err)
	}
}

// Reload takes the roster of a reloaded config (SIGHUP): it finds (and
// joins) its channels and its people as Connect does, then lists the
// members of the channel teams' channels for h. What matches nothing is
// reported and logged. Connect must have succeeded.
func (a *Adapter) Reload(ctx context.Context, r bot.Roster, h bot.Handler) (Report, error) {
	if !a.connected.Load() {
		return Report{}, ErrNotConnected
	}
	a.dir.setRoster(r)
	rep := Report{Bot: a.botName}
	if err := a.resolveChannels(ctx, a.botID, &model.Team{Id: a.teamID, Name: a.cfg.Team}, &rep); err != nil {
		return Report{}, fmt.Errorf("mattermost: %w", err)
	}
	if err := a.resolveUsers(ctx, &rep); err != nil {
		return Report{}, err
	}
	for _, p := range rep.Problems {
		a.log.Warn("mattermost: a configured name matches nothing usable", "problem", p)
	}
	a.listMembers(ctx, h)
	return rep, nil
}
