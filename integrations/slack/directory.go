package slack

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/slack-go/slack"

	"github.com/gigabot/gigabot/bot"
)

// Report is what start-up could not match or join, each entry as the
// campaign config spells it. The bot runs anyway: an unmatched member's
// reactions count for nobody, an unmatched channel's posts fail (and are
// retried) until the channel exists and the bot is restarted.
type Report struct {
	// Channels are team channels that match no channel the bot can see: a
	// typo, an archived channel, or a private channel the bot was not
	// invited to.
	Channels []string
	// Members are member and role names that match no active Slack user's
	// user name, e-mail or ID.
	Members []string
	// NotJoined are team channels the bot is not in and could not join.
	NotJoined []string
}

// OK tells whether every name matched and every team channel is joined.
func (r Report) OK() bool {
	return len(r.Channels) == 0 && len(r.Members) == 0 && len(r.NotJoined) == 0
}

// person is what the adapter knows of a Slack user.
type person struct {
	id, handle, email, display string
	// active is false for deleted users and bots, whom no config name designates.
	active bool
}

func personOf(u slack.User) person {
	display := u.Profile.DisplayName
	if display == "" {
		display = u.RealName
	}
	if display == "" {
		display = u.Name
	}
	return person{
		id: u.ID, handle: strings.ToLower(u.Name), email: strings.ToLower(u.Profile.Email), display: display,
		active: !u.Deleted && !u.IsBot && u.ID != "USLACKBOT",
	}
}

// keys are the config spellings that designate p. Only what the user
// cannot change counts — the user name, the e-mail, the ID — never the
// display name, so nobody becomes a coordinator by renaming themselves.
// Deleted users and bots have none.
func (p person) keys() []string {
	if !p.active {
		return nil
	}
	keys := []string{p.id, p.handle}
	if p.email != "" {
		keys = append(keys, p.email)
	}
	return keys
}

// normalize folds a name as people write it in the config ("@Alice",
// "#Equipe-Routes") to the way Slack spells it.
func normalize(name string) string {
	return strings.ToLower(strings.TrimLeft(strings.TrimSpace(name), "@#"))
}

// slackID matches channel ids ("C0123ABCD", "G…" private, "D…" direct).
var slackID = regexp.MustCompile(`^[CGD][A-Z0-9]{6,}$`)

// slackUserID matches user ids ("U0123ABCD", "W…" on Enterprise Grid).
var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{6,}$`)

// directory maps the config's names to Slack IDs and back.
type directory struct {
	mu       sync.RWMutex
	botUser  string
	channels map[string]string   // normalized name of every channel the bot can see → ID
	config   map[string]string   // channel ID → config channel name
	members  map[string]string   // user ID → config member name
	people   map[string]person   // user ID → the user
	byKey    map[string]string   // normalized user name, e-mail or ID → user ID
	pending  []string            // config member names not matched yet
	listed   map[string][]string // config channel name → its members, for "members: channel" teams
	reloaded *bot.Roster         // the roster of a reloaded config (Reload), if any
}

func newDirectory() *directory {
	return &directory{
		channels: map[string]string{}, config: map[string]string{},
		members: map[string]string{}, people: map[string]person{}, byKey: map[string]string{},
		listed: map[string][]string{},
	}
}

// channelID returns the Slack ID of a channel named in the config (or
// seen in an event, which gives its ID). "@name" is a direct message to a
// person (the core's name for them): their user ID, which
// chat.postMessage takes for the conversation with the app.
func (d *directory) channelID(name string) (string, bool) {
	if slackID.MatchString(name) {
		return name, true
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if user, ok := strings.CutPrefix(name, "@"); ok {
		if slackUserID.MatchString(user) {
			return user, true
		}
		id, ok := d.byKey[normalize(user)]
		return id, ok
	}
	id, ok := d.channels[normalize(name)]
	return id, ok
}

// channelName returns the config name of a channel, or its ID when the
// config does not name it.
func (d *directory) channelName(id string) string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if name, ok := d.config[id]; ok {
		return name
	}
	return id
}

// member returns the config name of a user, if the config names them.
func (d *directory) member(id string) (string, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	name, ok := d.members[id]
	return name, ok
}

func (d *directory) person(id string) (person, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	p, ok := d.people[id]
	return p, ok
}

// add records a user and, when they are a config member not matched yet
// (who joined Slack after start-up), binds them. It returns their config
// name, if any.
func (d *directory) add(p person) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.record(p)
	if name, ok := d.members[p.id]; ok {
		return name, true
	}
	for i, name := range d.pending {
		if d.byKey[normalize(name)] == p.id {
			d.members[p.id] = name
			d.pending = slices.Delete(d.pending, i, i+1)
			return name, true
		}
	}
	return "", false
}

// record indexes a user; d.mu is held.
func (d *directory) record(p person) {
	d.people[p.id] = p
	for _, k := range p.keys() {
		d.byKey[normalize(k)] = p.id
	}
}

// bind matches a config member name with a known user. When that user
// already has another config name, it returns that name and false: the
// config names one person twice, and only the first name counts.
func (d *directory) bind(name string) (other string, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	id, found := d.byKey[normalize(name)]
	if !found {
		if !slices.Contains(d.pending, name) {
			d.pending = append(d.pending, name)
		}
		return "", false
	}
	if prev, taken := d.members[id]; taken && prev != name {
		return prev, false
	}
	d.members[id] = name
	return "", true
}

func (d *directory) addAll(users []slack.User) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, u := range users {
		d.record(personOf(u))
	}
}

func (d *directory) setChannels(chans []slack.Channel) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range chans {
		d.channels[normalize(c.Name)] = c.ID
	}
}

// bindChannel records the config name of a channel.
func (d *directory) bindChannel(name, id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.config[id] = name
	d.channels[normalize(name)] = id
}

// resolve matches the roster's channels and people with Slack's, joins
// the team channels, and reports (and logs) what it could not do.
func (a *Adapter) resolve(ctx context.Context) (Report, error) {
	chans, err := a.listChannels(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("slack: list channels (conversations.list): %s: %w", describe(err), err)
	}
	a.dir.setChannels(chans)
	users, err := a.listUsers(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("slack: list users (users.list): %s: %w", describe(err), err)
	}
	a.dir.addAll(users)
	var rep Report
	lookups := true // until users.lookupByEmail fails for another reason than an unknown address
	roster := a.rosterNow()
	for _, name := range roster.People() {
		other, ok := a.dir.bind(name)
		switch {
		case ok:
			continue
		case other != "":
			a.log.Warn("slack: two config names designate one Slack user: only the first counts", "member", name, "first", other)
		case lookups && strings.Contains(name, "@"):
			found, err := a.lookupByEmail(ctx, name)
			if found {
				continue
			}
			if err != nil {
				a.log.Warn("slack: cannot look up members by e-mail: the others given by e-mail are not looked up", "member", name, "err", describe(err))
				lookups = false
			}
		}
		rep.Members = append(rep.Members, name)
	}
	byID := map[string]slack.Channel{}
	for _, c := range chans {
		byID[c.ID] = c
	}
	for _, name := range roster.Channels() {
		id, ok := a.dir.channelID(name)
		c, found := byID[id]
		if !ok || !found {
			rep.Channels = append(rep.Channels, name)
			continue
		}
		a.dir.bindChannel(name, id)
		if !c.IsMember {
			if err := a.join(ctx, id); err != nil {
				a.log.Warn("slack: cannot join team channel", "channel", name, "err", describe(err))
				rep.NotJoined = append(rep.NotJoined, name)
			}
		}
	}
	a.listMembers(ctx)
	if err := ctx.Err(); err != nil {
		return Report{}, fmt.Errorf("slack: resolve names: %w", err)
	}
	a.logReport(rep)
	return rep, nil
}

func (a *Adapter) logReport(rep Report) {
	for _, c := range rep.Channels {
		a.log.Warn("slack: team channel not found: check its name; a private channel must invite the bot first (/invite @gigabot)", "channel", c)
	}
	for _, m := range rep.Members {
		a.log.Warn("slack: member matches no Slack user: use their Slack user name or e-mail; their reactions count for nobody until then", "member", m)
	}
	for _, c := range rep.NotJoined {
		a.log.Warn("slack: the bot is not in this team channel: invite it (/invite @gigabot)", "channel", c)
	}
	if rep.OK() {
		a.log.Info("slack: every team channel and member matched")
	}
}

// lookupByEmail asks Slack for a config member given by e-mail whom
// users.list did not show (Slack hides e-mails from a list without
// users:read.email, and a list is a snapshot). The error is for a failure
// other than an unknown address.
func (a *Adapter) lookupByEmail(ctx context.Context, name string) (bool, error) {
	var u *slack.User
	err := a.call(ctx, "users.lookupByEmail", "", func(ctx context.Context) (err error) {
		u, err = a.api.GetUserByEmailContext(ctx, strings.TrimSpace(name))
		return err
	})
	switch {
	case slackErrorCode(err) == "users_not_found":
		return false, nil
	case err != nil:
		return false, err
	}
	// Not found for a deleted account, a bot, or someone the config
	// already names otherwise.
	got, ok := a.dir.add(personOf(*u))
	return ok && got == name, nil
}

// listChannels lists the public channels and the private channels the bot
// is in, page by page.
func (a *Adapter) listChannels(ctx context.Context) ([]slack.Channel, error) {
	params := &slack.GetConversationsParameters{
		ExcludeArchived: true, Limit: 500, Types: []string{"public_channel", "private_channel"},
	}
	var all []slack.Channel
	for {
		var page []slack.Channel
		var cursor string
		err := a.call(ctx, "conversations.list", "", func(ctx context.Context) (err error) {
			page, cursor, err = a.api.GetConversationsContext(ctx, params)
			return err
		})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if cursor == "" {
			return all, nil
		}
		params.Cursor = cursor
	}
}

// listUsers lists the workspace's users, page by page.
func (a *Adapter) listUsers(ctx context.Context) ([]slack.User, error) {
	p := a.api.GetUsersPaginated(slack.GetUsersOptionLimit(200))
	var all []slack.User
	for {
		var next slack.UserPagination
		err := a.call(ctx, "users.list", "", func(ctx context.Context) (err error) {
			next, err = p.Next(ctx)
			return err
		})
		if p.Done(err) {
			return all, nil
		}
		if err != nil {
			return nil, err
		}
		all = append(all, next.Users...)
		p = next
	}
}

// join makes the bot a member of a public channel, so that it can post
// there and receive its reactions.
func (a *Adapter) join(ctx context.Context, id string) error {
	return a.call(ctx, "conversations.join", "", func(ctx context.Context) error {
		_, _, _, err := a.api.JoinConversationContext(ctx, id)
		return err
	})
}

// user returns the config name of a Slack user (their ID when the config
// does not name them, so that nobody outside it can pass for a member)
// and how to call them. A user not seen yet is asked for once; the error
// is Slack's, when it could not answer.
func (a *Adapter) user(ctx context.Context, id string) (name, display string, err error) {
	p, known := a.dir.person(id)
	if !known {
		var u *slack.User
		err := a.call(ctx, "users.info", "", func(ctx context.Context) (err error) {
			u, err = a.api.GetUserInfoContext(ctx, id)
			return err
		})
		switch {
		case slackErrorCode(err) == "user_not_found":
			return id, "", nil
		case err != nil:
			return "", "", fmt.Errorf("look up user %s: %w", id, err)
		}
		p = personOf(*u)
		if name, ok := a.dir.add(p); ok {
			a.log.Info("slack: member matched after start-up", "member", name, "user", id)
		}
	}
	name, ok := a.dir.member(id)
	switch {
	case !ok:
		return id, p.display, nil
	case a.rosterNow().DisplayNames[name] != "":
		return name, "", nil // the core signs with the configured name
	}
	return name, p.display, nil
}

// listMembers lists the members of the team channels whose members are a
// team's agents ("members: channel"), once their IDs are known, and keeps
// them for Run to hand to the core (announceMembers). A channel it cannot
// list is logged: its team has no agents until the next start.
func (a *Adapter) listMembers(ctx context.Context) {
	for _, name := range a.rosterNow().MemberChannels() {
		id, ok := a.dir.channelID(name)
		if !ok {
			continue // already reported: the channel is not found
		}
		var ids []string
		params := &slack.GetUsersInConversationParameters{ChannelID: id, Limit: 500}
		for {
			var page []string
			var cursor string
			err := a.call(ctx, "conversations.members", "", func(ctx context.Context) (err error) {
				page, cursor, err = a.api.GetUsersInConversationContext(ctx, params)
				return err
			})
			if err != nil {
				a.log.Error("slack: cannot list the members of a team channel: its team has no agents until the bot restarts", "channel", name, "err", describe(err))
				ids = nil
				break
			}
			ids = append(ids, page...)
			if cursor == "" {
				break
			}
			params.Cursor = cursor
		}
		if ids == nil {
			continue
		}
		names := make([]string, 0, len(ids))
		for _, uid := range ids {
			if n, ok := a.memberName(uid); ok {
				names = append(names, n)
			}
		}
		a.dir.mu.Lock()
		a.dir.listed[name] = names
		a.dir.mu.Unlock()
		a.log.Info("slack: team channel members listed", "channel", name, "members", len(names))
	}
}

// memberName is the name the core knows a channel member by: their config
// name, else their Slack ID. The bot, other bots and deleted accounts are
// nobody's agents.
func (a *Adapter) memberName(id string) (string, bool) {
	if id == a.dir.botUser {
		return "", false
	}
	if p, known := a.dir.person(id); known && !p.active {
		return "", false
	}
	if name, ok := a.dir.member(id); ok {
		return name, true
	}
	return id, true
}

// announceMembers hands the core the channel members listed at start-up.
func (a *Adapter) announceMembers(ctx context.Context, h bot.Handler) {
	a.dir.mu.Lock()
	listed := maps.Clone(a.dir.listed)
	a.dir.mu.Unlock()
	for _, name := range slices.Sorted(maps.Keys(listed)) {
		if err := h.ListMembers(ctx, name, listed[name]); err != nil {
			a.log.Error("slack: the core could not record a channel's members", "channel", name, "err", err)
		}
	}
}

// membership translates a member joining or leaving a channel. Only the
// team channels whose members are agents matter; the person is named as
// for their reactions.
func (a *Adapter) membership(ctx context.Context, kind bot.EventKind, userID, channelID string) (bot.Event, bool, error) {
	channel := a.dir.channelName(channelID)
	if !slices.Contains(a.rosterNow().MemberChannels(), channel) || userID == a.dir.botUser {
		return bot.Event{}, false, nil
	}
	name, _, err := a.user(ctx, userID)
	if err != nil {
		return bot.Event{}, false, err
	}
	if p, known := a.dir.person(userID); known && !p.active {
		return bot.Event{}, false, nil
	}
	return bot.Event{Kind: kind, User: name, Channel: channel}, true, nil
}

// rosterNow is the roster of the running config: New's, or the last
// Reload's.
func (a *Adapter) rosterNow() bot.Roster {
	a.dir.mu.RLock()
	defer a.dir.mu.RUnlock()
	if a.dir.reloaded != nil {
		return *a.dir.reloaded
	}
	return a.roster
}

// Reload takes the roster of a reloaded config (SIGHUP): it matches its
// channels and people with Slack's as at start-up, joins the new team
// channels, lists the members of the channel teams' channels and hands
// them to h. What it could not match is reported and logged. (The emoji
// and the language stay New's.)
func (a *Adapter) Reload(ctx context.Context, r bot.Roster, h bot.Handler) (Report, error) {
	a.dir.mu.Lock()
	a.dir.reloaded = &r
	a.dir.listed = map[string][]string{}
	a.dir.mu.Unlock()
	rep, err := a.resolve(ctx)
	if err != nil {
		return Report{}, err
	}
	a.announceMembers(ctx, h)
	return rep, nil
}
