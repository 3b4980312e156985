package matrix

import (
	"slices"
	"strings"
	"sync"

	"maunium.net/go/mautrix/id"

	"github.com/gigabot/gigabot/bot"
)

// directory maps Matrix ids to the names the core speaks and back.
//
// A person is named as the roster spells them: a full user id
// ("@alice:example.fr") or a localpart on the bot's server ("alice"). A
// user the roster does not name is named by their full user id.
//
// A room is named by a key: a campaign room by its configured name (an
// alias, an alias localpart or a room id), any other room by its room id.
//
// A reloaded config replaces the roster (setRoster); the rooms found stay
// known until the new roster's are resolved.
type directory struct {
	server string

	mu       sync.Mutex
	names    map[id.UserID]string // user id → name as configured
	rooms    map[string]id.RoomID // configured name → room id
	keys     map[id.RoomID]string // room id → configured name
	campaign []string
	fromRoom map[string]bool    // the rooms whose members are a team's agents ("members: channel")
	dgs      map[id.UserID]bool // the DGS and the coordinators: they may invite the bot
	people   map[id.UserID]bool // everyone the roster names
}

func newDirectory(r bot.Roster, server string) *directory {
	d := &directory{server: server, rooms: map[string]id.RoomID{}, keys: map[id.RoomID]string{}}
	d.setRoster(r)
	return d
}

// setRoster takes the names, rooms and roles of a roster.
func (d *directory) setRoster(r bot.Roster) {
	names, people, dgs, fromRoom := map[id.UserID]string{}, map[id.UserID]bool{}, map[id.UserID]bool{}, map[string]bool{}
	for _, c := range r.MemberChannels() {
		fromRoom[c] = true
	}
	for _, n := range r.People() {
		u := d.userID(n)
		if _, ok := names[u]; !ok {
			names[u] = n
		}
		people[u] = true
	}
	for _, n := range append(append([]string(nil), r.DGS...), r.Coordinators...) {
		dgs[d.userID(n)] = true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.names, d.people, d.dgs, d.fromRoom, d.campaign = names, people, dgs, fromRoom, r.Channels()
}

// userID is the Matrix user a configured name stands for.
func (d *directory) userID(name string) id.UserID {
	if strings.HasPrefix(name, "@") {
		return id.UserID(name)
	}
	return id.NewUserID(strings.ToLower(name), d.server)
}

// name is what the core calls a Matrix user.
func (d *directory) name(u id.UserID) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if n, ok := d.names[u]; ok {
		return n
	}
	return u.String()
}

// mayInvite tells whether an invitation from u is accepted: from the DGS
// and the coordinators into any room, from anyone the roster names into a
// direct message.
func (d *directory) mayInvite(u id.UserID, direct bool) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dgs[u] || (direct && d.people[u])
}

func (d *directory) campaignRooms() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.campaign)
}

func (d *directory) addCampaignRoom(name string, room id.RoomID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.rooms[name], d.keys[room] = room, name
}

// key names a room for the core.
func (d *directory) key(room id.RoomID) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if k, ok := d.keys[room]; ok {
		return k
	}
	return room.String()
}

func (d *directory) isCampaignRoom(room id.RoomID) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.keys[room]
	return ok
}

// room finds the room a key names: a campaign room's name or a room id.
func (d *directory) room(key string) (id.RoomID, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if r, ok := d.rooms[key]; ok {
		return r, true
	}
	if strings.HasPrefix(key, "!") {
		return id.RoomID(key), true
	}
	return "", false
}

// memberRooms returns the campaign rooms found whose members are a team's
// agents, by name.
func (d *directory) memberRooms() map[string]id.RoomID {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]id.RoomID{}
	for name, room := range d.rooms {
		if d.fromRoom[name] {
			out[name] = room
		}
	}
	return out
}

// isMemberRoom tells whether a room's members are a team's agents.
func (d *directory) isMemberRoom(room id.RoomID) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	name, ok := d.keys[room]
	return ok && d.fromRoom[name]
}
