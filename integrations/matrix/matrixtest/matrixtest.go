// Package matrixtest drives a real Matrix homeserver for end-to-end tests:
// it registers accounts with the server's shared secret and acts as the
// people of a campaign (rooms, messages, mentions, reactions, redactions),
// speaking plain strings so that tests outside integrations/matrix never
// see a mautrix type. scripts/dendrite/start.sh starts a Dendrite for it
// and prints the two variables it reads.
package matrixtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"
	"maunium.net/go/mautrix/synapseadmin"
)

// The variables that name the test homeserver.
const (
	URLVar    = "GIGABOT_MATRIX_TEST_URL"
	SecretVar = "GIGABOT_MATRIX_TEST_SECRET"
)

// Server is the test homeserver.
type Server struct {
	// URL is the client-server API's base.
	URL    string
	secret string
	// Suffix makes this test's accounts and aliases its own, so that runs
	// share one server.
	Suffix string
}

// Start returns the homeserver named by GIGABOT_MATRIX_TEST_URL and
// GIGABOT_MATRIX_TEST_SECRET, or skips the test when they are not set.
func Start(tb testing.TB) *Server {
	tb.Helper()
	url, secret := os.Getenv(URLVar), os.Getenv(SecretVar)
	if url == "" || secret == "" {
		tb.Skipf("%s and %s are not set: run scripts/dendrite/start.sh for a homeserver", URLVar, SecretVar)
	}
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return &Server{URL: url, secret: secret, Suffix: hex.EncodeToString(b)}
}

// User is an account on the test server.
type User struct {
	// ID is the full user id, Localpart its first part.
	ID, Localpart string
	// Token is the account's access token, Password its password.
	Token, Password string
	client          *mautrix.Client
	tb              testing.TB
}

// Register creates the account localpart+"-"+Suffix. An admin is exempt
// from the server's rate limiter (the people of a test are; the bot is
// not).
func (s *Server) Register(tb testing.TB, localpart string, admin bool) *User {
	tb.Helper()
	name := localpart + "-" + s.Suffix
	c := s.client(tb, "", "")
	sa := &synapseadmin.Client{Client: c}
	resp, err := sa.SharedSecretRegister(tb.Context(), s.secret, synapseadmin.ReqSharedSecretRegister{
		Username: name, Password: "password-" + name, Admin: admin,
	})
	if err != nil {
		tb.Fatalf("register %s: %v", name, err)
	}
	c = s.client(tb, resp.UserID, resp.AccessToken)
	return &User{ID: resp.UserID.String(), Localpart: name, Token: resp.AccessToken, Password: "password-" + name, client: c, tb: tb}
}

func (s *Server) client(tb testing.TB, user id.UserID, token string) *mautrix.Client {
	c, err := mautrix.NewClient(s.URL, user, token)
	if err != nil {
		tb.Fatal(err)
	}
	// Dendrite's 429 has no Retry-After: mautrix then backs off on its own.
	c.DefaultHTTPBackoff = 200 * time.Millisecond
	c.DefaultHTTPRetries = 10
	return c
}

// ctx is the context of a call: not the test's, so that a cleanup may still
// read the rooms.
func (u *User) ctx() context.Context { return context.Background() }

func (u *User) check(what string, err error) {
	u.tb.Helper()
	if err != nil {
		u.tb.Fatalf("%s: %s: %v", u.Localpart, what, err)
	}
}

// CreateRoom creates a public room with the alias #alias:server and
// returns its id.
func (u *User) CreateRoom(alias string) string {
	u.tb.Helper()
	resp, err := u.client.CreateRoom(u.ctx(), &mautrix.ReqCreateRoom{
		Visibility: "public", Preset: "public_chat", RoomAliasName: alias, Name: alias,
	})
	u.check("create room "+alias, err)
	return resp.RoomID.String()
}

// CreateEncryptedRoom creates a public room with encryption on.
func (u *User) CreateEncryptedRoom(alias string) string {
	u.tb.Helper()
	resp, err := u.client.CreateRoom(u.ctx(), &mautrix.ReqCreateRoom{
		Visibility: "public", Preset: "public_chat", RoomAliasName: alias,
		InitialState: []*event.Event{{
			Type: event.StateEncryption, StateKey: new(string),
			Content: event.Content{Parsed: &event.EncryptionEventContent{Algorithm: id.AlgorithmMegolmV1}},
		}},
	})
	u.check("create encrypted room "+alias, err)
	return resp.RoomID.String()
}

// DirectMessage opens a direct room with another user (invited as a
// direct message, as Element does, without encryption) and returns its id.
func (u *User) DirectMessage(with string) string {
	u.tb.Helper()
	resp, err := u.client.CreateRoom(u.ctx(), &mautrix.ReqCreateRoom{
		Preset: "trusted_private_chat", IsDirect: true, Invite: []id.UserID{id.UserID(with)},
	})
	u.check("open a direct message with "+with, err)
	return resp.RoomID.String()
}

// Join joins a room by id or alias.
func (u *User) Join(room string) {
	u.tb.Helper()
	_, err := u.client.JoinRoom(u.ctx(), room, nil)
	u.check("join "+room, err)
}

// Say sends a plain text message and returns its event id.
func (u *User) Say(room, text string) string {
	u.tb.Helper()
	resp, err := u.client.SendText(u.ctx(), id.RoomID(room), text)
	u.check("say "+text, err)
	return resp.EventID.String()
}

// Mention sends "name: text" with name as a pill to user, the way Element
// writes a mention, and m.mentions naming user.
func (u *User) Mention(room, user, name, text string) string {
	u.tb.Helper()
	resp, err := u.client.SendMessageEvent(u.ctx(), id.RoomID(room), event.EventMessage, &event.MessageEventContent{
		MsgType: event.MsgText, Body: name + ": " + text, Format: event.FormatHTML,
		FormattedBody: fmt.Sprintf(`<a href="https://matrix.to/#/%s">%s</a>: %s`, user, name, text),
		Mentions:      &event.Mentions{UserIDs: []id.UserID{id.UserID(user)}},
	})
	u.check("mention "+user, err)
	return resp.EventID.String()
}

// React reacts to an event with key and returns the reaction's event id.
func (u *User) React(room, eventID, key string) string {
	u.tb.Helper()
	resp, err := u.client.SendReaction(u.ctx(), id.RoomID(room), id.EventID(eventID), key)
	u.check("react "+key, err)
	return resp.EventID.String()
}

// Redact redacts an event (a reaction: takes it back).
func (u *User) Redact(room, eventID string) {
	u.tb.Helper()
	_, err := u.client.RedactEvent(u.ctx(), id.RoomID(room), id.EventID(eventID))
	u.check("redact "+eventID, err)
}

// Message is an m.room.message as a test reads it.
type Message struct {
	ID, Sender, MsgType, Body, HTML string
	// MentionsSet tells that m.mentions was there; Room that it names the room.
	MentionsSet, Room bool
	// FileName and URL are a file's.
	FileName, URL string
}

// Messages returns the room's messages, oldest first (the last 200).
func (u *User) Messages(room string) []Message {
	u.tb.Helper()
	resp, err := u.client.Messages(u.ctx(), id.RoomID(room), "", "", mautrix.DirectionBackward, &mautrix.FilterPart{Types: []event.Type{event.EventMessage}}, 200)
	u.check("read the messages of "+room, err)
	var out []Message
	for i := len(resp.Chunk) - 1; i >= 0; i-- {
		ev := resp.Chunk[i]
		if ev.Type != event.EventMessage {
			continue
		}
		_ = ev.Content.ParseRaw(ev.Type)
		m := ev.Content.AsMessage()
		out = append(out, Message{
			ID: ev.ID.String(), Sender: ev.Sender.String(), MsgType: string(m.MsgType), Body: m.Body, HTML: m.FormattedBody,
			MentionsSet: m.Mentions != nil, Room: m.Mentions != nil && m.Mentions.Room, FileName: m.FileName, URL: string(m.URL),
		})
	}
	return out
}

// From returns the messages of one sender in a room, oldest first.
func (u *User) From(room, sender string) []Message {
	var out []Message
	for _, m := range u.Messages(room) {
		if m.Sender == sender {
			out = append(out, m)
		}
	}
	return out
}

// Eventually polls cond until it holds, or fails the test after 20 s.
func Eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Containing returns the messages whose body contains s.
func Containing(ms []Message, s string) []Message {
	var out []Message
	for _, m := range ms {
		if strings.Contains(m.Body, s) {
			out = append(out, m)
		}
	}
	return out
}

// Members returns the user ids of a room's joined members.
func (u *User) Members(room string) []string {
	u.tb.Helper()
	resp, err := u.client.JoinedMembers(u.ctx(), id.RoomID(room))
	u.check("list the members of "+room, err)
	var out []string
	for m := range resp.Joined {
		out = append(out, m.String())
	}
	return out
}

// CreatePrivateRoom creates a private room (not a direct message) and
// invites user to it.
func (u *User) CreatePrivateRoom(invite string) string {
	u.tb.Helper()
	resp, err := u.client.CreateRoom(u.ctx(), &mautrix.ReqCreateRoom{Preset: "private_chat", Invite: []id.UserID{id.UserID(invite)}})
	u.check("create a private room", err)
	return resp.RoomID.String()
}

// Membership returns user's membership of a room ("invite", "join",
// "leave"…), as the room's state has it.
func (u *User) Membership(room, user string) string {
	u.tb.Helper()
	var m event.MemberEventContent
	err := u.client.StateEvent(u.ctx(), id.RoomID(room), event.StateMember, user, &m)
	u.check("read the membership of "+user, err)
	return string(m.Membership)
}

// Leave leaves a room.
func (u *User) Leave(room string) {
	u.tb.Helper()
	_, err := u.client.LeaveRoom(u.ctx(), id.RoomID(room))
	u.check("leave "+room, err)
}

// Rename changes the user's display name (a membership event in each of
// their rooms).
func (u *User) Rename(name string) {
	u.tb.Helper()
	u.check("rename", u.client.SetDisplayName(u.ctx(), name))
}

// SpendRateLimit sends n rate-limited requests (whoami) at once under the
// user's token, without retrying, so that the server's rate limiter has
// no room left for that device for a moment; it returns how many the
// server answered 429.
func (u *User) SpendRateLimit(n int) int {
	u.tb.Helper()
	var wg sync.WaitGroup
	var limited atomic.Int32
	for range n {
		wg.Go(func() {
			req, err := http.NewRequest(http.MethodGet, u.client.HomeserverURL.String()+"/_matrix/client/v3/account/whoami", nil)
			if err != nil {
				return
			}
			req.Header.Set("Authorization", "Bearer "+u.Token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusTooManyRequests {
				limited.Add(1)
			}
		})
	}
	wg.Wait()
	return int(limited.Load())
}

// Logout ends the user's session: its token stops working.
func (u *User) Logout() {
	u.tb.Helper()
	_, err := u.client.Logout(u.ctx())
	u.check("log out", err)
}
