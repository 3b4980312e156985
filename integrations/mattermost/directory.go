package mattermost

import (
	"context"
	"errors"
	"fmt"
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
}

func newDirectory(r bot.Roster) *directory {
	d := &directory{
		spelling: map[string]string{}, userNames: map[string]string{}, userIDs: map[string]string{},
		keys: map[string]string{}, channels: map[string]string{}, campaign: map[string]bool{},
		chanNames: r.Channels(),
	}
	for _, n := range r.People() {
		if _, ok := d.spelling[strings.ToLower(n)]; !ok {
			d.spelling[strings.ToLower(n)] = n
		}
	}
	return d
}

// campaignChannels returns the channel names the campaign configures.
func (d *directory) campaignChannels() []string { return d.chanNames }

// campaignUsers returns the user names the campaign configures, lower-case, sorted.
func (d *directory) campaignUsers() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	names := make([]string, 0, len(d.spelling))
	for lower := range d.spelling {
		names = append(names, lower)
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
	return a.dir.addUser(u.Id, u.Username), nil
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
