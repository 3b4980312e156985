package mattermost

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/gigabot/gigabot/bot"
)

// slash sends a slash command to the bot as the server does.
func (e *env) slash(method string, form url.Values, header http.Header) (int, *model.CommandResponse) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.web.URL+CommandPath, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := e.http.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out model.CommandResponse
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			e.t.Fatalf("decode the answer: %v", err)
		}
	}
	return resp.StatusCode, &out
}

func TestSlashCommand(t *testing.T) {
	e := newEnv(t, newFake(t), nil)
	alice := e.mm.user("alice")
	routes := e.mm.channel("equipe-routes")
	form := func(token, text string) url.Values {
		return url.Values{
			"token": {token}, "team_id": {e.mm.team.Id}, "channel_id": {routes.Id}, "channel_name": {routes.Name},
			"user_id": {alice.Id}, "user_name": {alice.Username}, "command": {"/giga"}, "text": {text},
		}
	}
	tests := []struct {
		name     string
		method   string
		form     url.Values
		header   http.Header
		status   int
		respType string
		says     string
		extra    int
	}{
		{name: "good token: ephemeral answer", method: http.MethodPost, form: form(commandToken, "classement"),
			status: http.StatusOK, respType: model.CommandResponseTypeEphemeral, says: "Classement"},
		{name: "asked in public", method: http.MethodPost, form: form(commandToken, "public classement"),
			status: http.StatusOK, respType: model.CommandResponseTypeInChannel, says: "Classement"},
		{name: "token in the Authorization header", method: http.MethodPost, form: form("", "aide"),
			header: http.Header{"Authorization": {"Token " + commandToken}},
			status: http.StatusOK, respType: model.CommandResponseTypeEphemeral, says: "commandes"},
		{name: "no text: the help", method: http.MethodPost, form: form(commandToken, ""),
			status: http.StatusOK, respType: model.CommandResponseTypeEphemeral, says: "commandes"},
		{name: "wrong token", method: http.MethodPost, form: form("command-token-secreT", "classement"), status: http.StatusUnauthorized},
		{name: "token of another length", method: http.MethodPost, form: form("x", "classement"), status: http.StatusUnauthorized},
		{name: "no token", method: http.MethodPost, form: form("", "classement"), status: http.StatusUnauthorized},
		{name: "GET", method: http.MethodGet, form: form(commandToken, "classement"), status: http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(e.rec.Events())
			status, resp := e.slash(tt.method, tt.form, tt.header)
			if status != tt.status {
				t.Fatalf("status = %d, want %d", status, tt.status)
			}
			events := e.rec.Events()[before:]
			if status != http.StatusOK {
				if len(events) != 0 {
					t.Errorf("a refused command reached the bot: %+v", events)
				}
				return
			}
			if len(events) != 1 || events[0].User != "alice" || events[0].Kind != bot.MessageReceived {
				t.Errorf("events = %+v, want one message from alice", events)
			}
			if resp.ResponseType != tt.respType || !strings.Contains(resp.Text, tt.says) {
				t.Errorf("answer = %s %q, want %s saying %q", resp.ResponseType, resp.Text, tt.respType, tt.says)
			}
		})
	}
	if n := len(e.replies("equipe-routes")); n != 0 {
		t.Errorf("slash commands posted %d messages in the channel, want none (answers go in the response)", n)
	}
}

func TestSlashCommandRendersCards(t *testing.T) {
	e := newEnv(t, newFake(t), nil)
	form := url.Values{"token": {commandToken}, "user_id": {e.mm.user("bob").Id}, "user_name": {"bob"}, "text": {"defi"}}
	status, resp := e.slash(http.MethodPost, form, nil)
	if status != http.StatusOK {
		t.Fatalf("status = %d", status)
	}
	if !strings.Contains(resp.Text, "**Défi du jour 1/15") || len(resp.Attachments) != 1 || len(resp.Attachments[0].Actions) != 0 {
		t.Errorf("answer = %q with %+v, want the défi card as an attachment without button", resp.Text, resp.Attachments)
	}
}

func TestSlashCommandWithoutToken(t *testing.T) {
	e := newEnv(t, newFake(t), func(c *Config, _ *Options) { c.CommandToken = "" })
	for _, token := range []string{"", "anything"} {
		status, _ := e.slash(http.MethodPost, url.Values{"token": {token}, "user_name": {"bob"}, "text": {"aide"}}, nil)
		if status != http.StatusUnauthorized {
			t.Errorf("token %q: status = %d, want 401 when no command token is configured", token, status)
		}
	}
	if n := len(e.rec.Events()); n != 0 {
		t.Errorf("%d events reached the bot", n)
	}
}

func TestSetupCommand(t *testing.T) {
	tests := []struct {
		name        string
		existing    *model.Command
		forbidden   bool
		noPublicURL bool
		wantErr     error
		errSays     string
		created     bool
		keepsToken  bool
	}{
		{name: "creates the command", created: true},
		{name: "already there", existing: &model.Command{Trigger: "giga", Method: "P", URL: "SAME"}, keepsToken: true},
		{name: "there, pointing elsewhere: updated", existing: &model.Command{Trigger: "giga", Method: "G", URL: "http://old:8080/x"}, keepsToken: true},
		{name: "the bot may not", forbidden: true, wantErr: ErrCommandForbidden, errSays: "Slash Commands"},
		{name: "no public URL", noPublicURL: true, errSays: "public URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mm := newFake(t)
			e := newEnv(t, mm, func(c *Config, _ *Options) {
				if tt.noPublicURL {
					c.PublicURL = ""
				}
			})
			want := e.web.URL + CommandPath
			mm.mu.Lock()
			mm.forbidCommands = tt.forbidden
			if tt.existing != nil {
				tt.existing.Id, tt.existing.Token, tt.existing.TeamId = model.NewId(), model.NewId(), mm.team.Id
				if tt.existing.URL == "SAME" {
					tt.existing.URL = want
				}
				mm.commands[tt.existing.Id] = tt.existing
			}
			mm.mu.Unlock()
			token, created, err := e.a.SetupCommand(t.Context())
			if tt.errSays != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSays) || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
					t.Fatalf("SetupCommand() error = %v, want one saying %q", err, tt.errSays)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			mm.mu.Lock()
			defer mm.mu.Unlock()
			if len(mm.commands) != 1 || created != tt.created {
				t.Fatalf("%d commands, created = %v; want 1, %v", len(mm.commands), created, tt.created)
			}
			for _, c := range mm.commands {
				if c.Trigger != Trigger || c.URL != want || c.Method != model.CommandMethodPost || c.Token != token {
					t.Errorf("command = %+v, want /giga POST %s with token %s", c, want, token)
				}
				if tt.keepsToken && c.Token != tt.existing.Token {
					t.Errorf("token changed")
				}
			}
		})
	}
}

// holdCommands makes the bot's handling of the next events wait until the
// returned release is called (the test's end calls it too), and returns a
// channel that receives a value when a handling starts.
func (e *env) holdCommands(t *testing.T) (started <-chan struct{}, release func()) {
	gate := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release)
	starts := make(chan struct{}, 16)
	e.rec.SetFail(func(bot.Event) error {
		starts <- struct{}{}
		<-gate
		return nil
	})
	return starts, release
}

// outlast lets the bot's clock run past the time a command's request waits
// for its handling.
func (e *env) outlast(t *testing.T, started <-chan struct{}) {
	t.Helper()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the command never reached the bot")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.clock.BlockUntilContext(ctx, 1); err != nil {
		t.Fatalf("the request waits for the handling without a time limit: %v", err)
	}
	e.clock.Advance(commandAnswerWithin)
}

func TestSlashCommandOutlastingTheWaitIsAnsweredThroughTheResponseURL(t *testing.T) {
	e := newEnv(t, newFake(t), nil)
	started, release := e.holdCommands(t)
	alice, routes := e.mm.user("alice"), e.mm.channel("equipe-routes")
	form := url.Values{
		"token": {commandToken}, "team_id": {e.mm.team.Id}, "channel_id": {routes.Id}, "channel_name": {routes.Name},
		"user_id": {alice.Id}, "user_name": {alice.Username}, "command": {"/giga"}, "text": {"classement"},
	}
	type answer struct {
		status int
		resp   *model.CommandResponse
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		status, resp, err := e.mm.command(e.web.URL+CommandPath, form)
		answered <- answer{status, resp, err}
	}()
	e.outlast(t, started)
	var got answer
	select {
	case got = <-answered:
	case <-time.After(10 * time.Second):
		t.Fatal("the command got no answer while its handling went on")
	}
	if got.err != nil || got.status != http.StatusOK || got.resp.ResponseType != model.CommandResponseTypeEphemeral || got.resp.Text == "" {
		t.Fatalf("first answer: %d %+v (%v), want 200 with an ephemeral word that the answer follows", got.status, got.resp, got.err)
	}
	if n := len(e.mm.hookAnswers()); n != 0 {
		t.Fatalf("%d answers through the response URL before the handling ended", n)
	}
	release()
	eventually(t, "the answer through the response URL", func() bool { return len(e.mm.hookAnswers()) == 1 })
	final := e.mm.hookAnswers()[0].Response
	if final.ResponseType != model.CommandResponseTypeEphemeral || !strings.Contains(final.Text, "Classement") {
		t.Errorf("final answer %s %q, want alice's ranking, ephemeral", final.ResponseType, final.Text)
	}
	if n := len(e.replies("equipe-routes")); n != 0 {
		t.Errorf("the answer went to the channel too (%d posts)", n)
	}
}

func TestSlashCommandOutlastingTheWaitWithoutResponseURL(t *testing.T) {
	tests := []struct {
		name, text string
		// where is the channel the answer is posted in instead.
		where func(e *env) string
	}{
		{"private: a direct message", "classement", func(e *env) string {
			alice := e.mm.user("alice").Id
			e.mm.mu.Lock()
			defer e.mm.mu.Unlock()
			return e.mm.directLocked(alice, e.mm.bot.Id).Id
		}},
		{"public: the channel", "public classement", func(e *env) string { return e.mm.channel("equipe-routes").Id }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, newFake(t), nil)
			started, release := e.holdCommands(t)
			alice, routes := e.mm.user("alice"), e.mm.channel("equipe-routes")
			form := url.Values{"token": {commandToken}, "channel_id": {routes.Id}, "user_id": {alice.Id}, "user_name": {alice.Username}, "text": {tt.text}}
			// A server too old to send a response URL.
			answered := make(chan int, 1)
			go func() {
				resp, err := e.http.PostForm(e.web.URL+CommandPath, form)
				if err != nil {
					answered <- 0
					return
				}
				resp.Body.Close()
				answered <- resp.StatusCode
			}()
			e.outlast(t, started)
			select {
			case status := <-answered:
				if status != http.StatusOK {
					t.Fatalf("status %d, want 200", status)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the command got no answer while its handling went on")
			}
			release()
			where := tt.where(e)
			eventually(t, "the answer as a post", func() bool { return len(e.mm.botPosts(where)) == 1 })
			if p := e.mm.botPosts(where)[0]; !strings.Contains(p.Message, "Classement") {
				t.Errorf("post %q, want the ranking", p.Message)
			}
		})
	}
}
