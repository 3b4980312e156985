package slack

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
)

func TestEventsBecomeBotEvents(t *testing.T) {
	f := newFixture(t)
	rec := &bottest.Handler{}
	f.a.Mount(f.mux, rec)
	tests := []struct {
		name  string
		inner string
		want  *bot.Event // nil: ignored
	}{
		{
			name:  "mention in a team channel",
			inner: mentionJSON("U0ALICE01", "C0ROUTES1", "<@UBOT> classement volume"),
			want:  &bot.Event{Kind: bot.MessageReceived, User: "alice", DisplayName: "Alice Martin", Channel: "equipe-routes", Text: "classement volume"},
		},
		{
			name:  "mention with the bot's name and escaped text",
			inner: mentionJSON("U0BOB0001", "C0COLLEGE", "<@UBOT|gigabot> annonce R&amp;D &lt;3 <@U0ALICE01>"),
			want:  &bot.Event{Kind: bot.MessageReceived, User: "bob@cd14.fr", DisplayName: "Bob", Channel: "#equipe-colleges", Text: "annonce R&D <3 <@U0ALICE01>"},
		},
		{
			name:  "direct message",
			inner: imJSON("U0DG00001", "D0DIRECT1", "mobilisation Tous ensemble !"),
			// The config gives dg a display name: the core signs with it.
			want: &bot.Event{Kind: bot.MessageReceived, User: "dg", Channel: "D0DIRECT1", Text: "mobilisation Tous ensemble !"},
		},
		{
			name:  "someone outside the config",
			inner: mentionJSON("U0MALLORY", "C0GENERAL", "<@UBOT> annonce Je suis coord"),
			want:  &bot.Event{Kind: bot.MessageReceived, User: "U0MALLORY", DisplayName: "coord", Channel: "C0GENERAL", Text: "annonce Je suis coord"},
		},
		{
			name:  "reaction added",
			inner: reactionJSON("reaction_added", "U0EMMA001", "white_check_mark", "C0COLLEGE", "1711098000.000001"),
			want:  &bot.Event{Kind: bot.ReactionAdded, User: "emma", DisplayName: "Emma", Channel: "#equipe-colleges", PostID: "C0COLLEGE/1711098000.000001", Reaction: "white_check_mark"},
		},
		{
			name:  "reaction removed",
			inner: reactionJSON("reaction_removed", "U0EMMA001", "white_check_mark::skin-tone-2", "C0COLLEGE", "1711098000.000001"),
			want:  &bot.Event{Kind: bot.ReactionRemoved, User: "emma", DisplayName: "Emma", Channel: "#equipe-colleges", PostID: "C0COLLEGE/1711098000.000001", Reaction: "white_check_mark::skin-tone-2"},
		},
		{name: "the bot's own reaction", inner: reactionJSON("reaction_added", "UBOT", "tada", "C0ROUTES1", "1.2")},
		{name: "reaction on a file", inner: `{"type":"reaction_added","user":"U0ALICE01","reaction":"tada","item":{"type":"file","file":"F1"}}`},
		{name: "message from a bot", inner: `{"type":"message","channel_type":"im","subtype":"bot_message","bot_id":"B2","text":"hi","channel":"D1","ts":"1.1"}`},
		{name: "edited direct message", inner: `{"type":"message","channel_type":"im","subtype":"message_changed","channel":"D1","ts":"1.1"}`},
		{name: "the bot's own direct message", inner: imJSON("UBOT", "D0DIRECT1", "hello")},
		{name: "event the bot does not subscribe to", inner: `{"type":"channel_created","channel":{"id":"C9","name":"x"}}`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(rec.Events())
			id := "Ev" + string(rune('A'+i))
			resp := f.send(t, "/slack/events", eventJSON(id, tt.inner))
			if resp.Code != http.StatusOK {
				t.Fatalf("status %d (%s), want 200", resp.Code, resp.Body)
			}
			f.a.work.Wait()
			got := rec.Events()[before:]
			if tt.want == nil {
				if len(got) != 0 {
					t.Fatalf("events = %+v, want none", got)
				}
				return
			}
			want := *tt.want
			want.ID = id
			if len(got) != 1 || got[0] != want {
				t.Fatalf("events = %+v, want [%+v]", got, want)
			}
		})
	}
}

func TestURLVerification(t *testing.T) {
	f := newFixture(t)
	f.a.Mount(f.mux, &bottest.Handler{})
	resp := f.send(t, "/slack/events", `{"token":"legacy","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	if resp.Code != http.StatusOK || resp.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("answer %d %q, want the challenge", resp.Code, resp.Body)
	}
}

func TestBadSignatureIsRefusedAndDoesNothing(t *testing.T) {
	f := newFixture(t)
	rec := &bottest.Handler{}
	f.a.Mount(f.mux, rec)
	bodies := map[string]string{
		"/slack/events":       eventJSON("EvSIG", reactionJSON("reaction_added", "U0ALICE01", "white_check_mark", "C0ROUTES1", "1.1")),
		"/slack/commands":     slashForm("U0ALICE01", "C0ROUTES1", "classement", f.slack.srv.URL+"/hooks/sig"),
		"/slack/interactions": clickPayload("U0ALICE01", "C0ROUTES1", "1.1", "white_check_mark"),
	}
	tests := []struct {
		name   string
		secret string
		at     time.Time
		header []string
		tamper bool
	}{
		{name: "wrong secret", secret: "another secret", at: time.Now()},
		{name: "timestamp 6 minutes old", secret: testSecret, at: time.Now().Add(-6 * time.Minute)},
		{name: "timestamp 6 minutes ahead", secret: testSecret, at: time.Now().Add(6 * time.Minute)},
		{name: "body changed after signing", secret: testSecret, at: time.Now(), tamper: true},
		{name: "no signature", secret: testSecret, at: time.Now(), header: []string{"X-Slack-Signature", ""}},
		{name: "signature of another version", secret: testSecret, at: time.Now(), header: []string{"X-Slack-Signature", "v1=00"}},
	}
	for _, tt := range tests {
		for path, body := range bodies {
			t.Run(tt.name+path, func(t *testing.T) {
				var resp *httptest.ResponseRecorder
				if tt.tamper {
					resp = f.sendTampered(t, path, body, strings.Replace(body, "U0ALICE01", "U0DG00001", 1))
				} else {
					resp = f.sendSigned(t, path, body, tt.secret, tt.at, tt.header...)
				}
				if resp.Code != http.StatusUnauthorized {
					t.Fatalf("status %d, want 401", resp.Code)
				}
			})
		}
	}
	f.a.work.Wait()
	if got := rec.Events(); len(got) != 0 {
		t.Fatalf("events handled after bad signatures: %+v", got)
	}
	if len(f.slack.Hooks()) != 0 || len(f.slack.Posts()) != 0 {
		t.Fatalf("the bot answered a request with a bad signature")
	}
}

func TestSlashCommandAnswersEphemeralUnlessPublic(t *testing.T) {
	f := newFixture(t)
	f.a.Mount(f.mux, &bottest.Handler{Next: &replier{a: f.a}})
	tests := []struct {
		name, text, wantText, wantType, wantAck string
	}{
		{"ephemeral by default", "classement", "classement", "ephemeral", ""},
		{"public when asked", "public classement", "classement", "in_channel", `{"response_type":"in_channel"}`},
		{"no command", "", "", "ephemeral", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hook := "/hooks/cmd" + string(rune('0'+i))
			resp := f.send(t, "/slack/commands", slashForm("U0ALICE01", "C0ROUTES1", tt.text, f.slack.srv.URL+hook))
			if resp.Code != http.StatusOK || strings.TrimSpace(resp.Body.String()) != tt.wantAck {
				t.Fatalf("immediate answer %d %q, want 200 %q", resp.Code, resp.Body, tt.wantAck)
			}
			f.a.work.Wait()
			var got *fakeHook
			for _, h := range f.slack.Hooks() {
				if h.Path == hook {
					got = &h
				}
			}
			if got == nil {
				t.Fatalf("no answer through the response URL; hooks: %+v", f.slack.Hooks())
			}
			if want := "alice said: " + tt.wantText; got.Text != want || got.ResponseType != tt.wantType {
				t.Fatalf("answer %q (%s), want %q (%s)", got.Text, got.ResponseType, want, tt.wantType)
			}
		})
	}
	if len(f.slack.Posts()) != 0 {
		t.Fatalf("slash answers went to the channel: %+v", f.slack.Posts())
	}
}

func TestSlashCommandFallsBackWhenTheResponseURLIsUsedUp(t *testing.T) {
	f := newFixture(t)
	f.a.Mount(f.mux, &bottest.Handler{Next: &replier{a: f.a, times: replyUses + 1}})
	resp := f.send(t, "/slack/commands", slashForm("U0ALICE01", "C0ROUTES1", "programme", f.slack.srv.URL+"/hooks/many"))
	if resp.Code != http.StatusOK {
		t.Fatalf("status %d", resp.Code)
	}
	f.a.work.Wait()
	if n := len(f.slack.Hooks()); n != replyUses {
		t.Errorf("%d answers through the response URL, want %d", n, replyUses)
	}
	posts := f.slack.Posts()
	if len(posts) != 1 || posts[0].Method != "chat.postEphemeral" || posts[0].User != "U0ALICE01" || posts[0].Channel != "C0ROUTES1" {
		t.Errorf("posts = %+v, want one chat.postEphemeral to alice", posts)
	}
}

// A click goes to the core, which decides what it counts; the clicker
// alone reads its answer.
func TestButtonClickGoesToTheCore(t *testing.T) {
	f := newFixture(t)
	rec := &bottest.Handler{}
	f.a.Mount(f.mux, rec)
	resp := f.send(t, "/slack/interactions", clickPayload("U0FARID01", "C0COLLEGE", "1711098000.000004", "white_check_mark"))
	if resp.Code != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.Code)
	}
	f.a.work.Wait()
	want := bot.Click{User: "farid", DisplayName: "Farid", Channel: "#equipe-colleges", PostID: "C0COLLEGE/1711098000.000004"}
	if got := rec.Clicks(); len(got) != 1 || got[0] != want {
		t.Fatalf("clicks = %+v, want [%+v]", got, want)
	}
	if got := rec.Events(); len(got) != 0 {
		t.Errorf("events = %+v, want the click alone", got)
	}
	posts := f.slack.Posts()
	if len(posts) != 1 || posts[0].Method != "chat.postEphemeral" || posts[0].User != "U0FARID01" || posts[0].Channel != "C0COLLEGE" ||
		posts[0].Text != "C’est noté\u00a0: défi relevé ✅" {
		t.Errorf("the clicker was told %+v, want a private confirmation", posts)
	}
}

// failedClicks is a core whose clicks fail.
type failedClicks struct{}

func (failedClicks) Handle(context.Context, bot.Event) error { return nil }

func (failedClicks) Click(context.Context, bot.Click) (bot.ClickOutcome, error) {
	return bot.ClickOutcome{Result: bot.ClickFailed, Text: "Désolé, réessayez."}, errors.New("store unreachable")
}

func TestButtonClickThatFailsIsAnsweredAndLogged(t *testing.T) {
	f := newFixture(t)
	f.a.Mount(f.mux, &bottest.Handler{Next: failedClicks{}})
	f.send(t, "/slack/interactions", clickPayload("U0FARID01", "C0COLLEGE", "1711098000.000004", "white_check_mark"))
	f.a.work.Wait()
	if posts := f.slack.Posts(); len(posts) != 1 || posts[0].Method != "chat.postEphemeral" || posts[0].Text != "Désolé, réessayez." {
		t.Errorf("the clicker was told %+v, want the core's answer, privately", posts)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "défi button") || !strings.Contains(logs, "store unreachable") {
		t.Errorf("the failure was not logged:\n%s", logs)
	}
}

func TestMemberWhoJoinedSlackAfterStartUp(t *testing.T) {
	f := newFixture(t)
	rec := &bottest.Handler{}
	f.a.Mount(f.mux, rec)
	// dan was deleted at start-up; a new account with his user name arrives.
	f.slack.mu.Lock()
	f.slack.users = append(f.slack.users, fakeUser{ID: "U0DAN0002", Name: "dan", Display: "Dan", Unlisted: true})
	f.slack.mu.Unlock()
	f.send(t, "/slack/events", eventJSON("EvDAN", mentionJSON("U0DAN0002", "C0ROUTES1", "<@UBOT> moi")))
	f.a.work.Wait()
	if got := rec.Events(); len(got) != 1 || got[0].User != "dan" {
		t.Fatalf("events = %+v, want one from dan", got)
	}
}

func TestMalformedDeliveries(t *testing.T) {
	f := newFixture(t)
	f.a.Mount(f.mux, &bottest.Handler{})
	tests := []struct{ path, body string }{
		{"/slack/events", `{"type":`},
		{"/slack/interactions", "payload=%7Bnot+json"},
		{"/slack/commands", "%zz"},
	}
	for _, tt := range tests {
		if resp := f.send(t, tt.path, tt.body); resp.Code != http.StatusBadRequest {
			t.Errorf("%s %q: status %d, want 400", tt.path, tt.body, resp.Code)
		}
	}
	big := strings.Repeat("x", maxBody+1)
	if resp := f.send(t, "/slack/events", big); resp.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: status %d, want 413", resp.Code)
	}
}

// replier answers every message with the text it read, times times, the
// way the core replies to a command (the Next of a bottest.Handler).
type replier struct {
	a     *Adapter
	times int
}

func (r *replier) Handle(ctx context.Context, ev bot.Event) error {
	if ev.Kind != bot.MessageReceived {
		return nil
	}
	for range max(r.times, 1) {
		if _, err := r.a.Post(ctx, ev.Channel, bot.Message{Kind: bot.KindReply, Text: ev.User + " said: " + ev.Text}); err != nil {
			return err
		}
	}
	return nil
}

func TestRunInHTTPModeStopsWithItsContext(t *testing.T) {
	f := newFixture(t)
	rec := &bottest.Handler{}
	f.a.Mount(f.mux, rec)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.a.Run(ctx, rec) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Stopped: Slack is told to deliver again later, to a running replica.
	resp := f.send(t, "/slack/events", eventJSON("EvLATE", mentionJSON("U0ALICE01", "C0ROUTES1", "<@UBOT> aide")))
	if resp.Code != http.StatusServiceUnavailable || len(rec.Events()) != 0 {
		t.Fatalf("after Run returned: status %d, %d events; want 503 and none", resp.Code, len(rec.Events()))
	}
}
