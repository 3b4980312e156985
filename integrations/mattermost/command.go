package mattermost

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/gigabot/gigabot/bot"
)

// Trigger is the slash command's trigger word: /giga.
const Trigger = "giga"

// replyPrefix starts the channel key of a slash command's reply route. No
// Mattermost channel name contains ":".
const replyPrefix = "slash:"

// publicWord, first in a slash command's text, asks for an answer the whole
// channel sees: "/giga public classement".
const publicWord = "public"

// commandTimeout bounds the handling of a slash command.
const commandTimeout = 2 * time.Minute

// commandAnswerWithin is how long a slash command's request waits for the
// bot's answers. The server would wait 30 s (its
// OutgoingIntegrationRequestsTimeout), but its user sees nothing
// meanwhile: past 2 s, within the 3 s Slack allows for the same exchange,
// the request is answered that the answer follows, and the answers go
// through the command's response URL once the handling ends.
const commandAnswerWithin = 2 * time.Second

// lateAnswerTimeout bounds the sending of a late answer.
const lateAnswerTimeout = time.Minute

// CommandHandler serves the /giga slash command (POST CommandPath). The
// request's token is compared in constant time with Config.CommandToken: a
// wrong or missing one gets 401 and does nothing. The bot's answers come
// back in the response, ephemeral (only the caller sees them) unless the
// text starts with "public"; those of a command that takes longer than
// commandAnswerWithin (a mobilisation posting in every team channel) come
// later, through the command's response URL (see answerLate).
func (a *Adapter) CommandHandler(h bot.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		if !a.commandTokenOK(r) {
			a.log.Warn("mattermost: slash command refused: wrong or missing token", "remote", r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if !a.connected.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		user := a.formUser(r.Context(), r.PostForm.Get("user_id"), r.PostForm.Get("user_name"))
		text, public := strings.TrimSpace(r.PostForm.Get("text")), false
		if first, rest, _ := strings.Cut(text, " "); strings.EqualFold(first, publicWord) {
			text, public = strings.TrimSpace(rest), true
		}
		to := replyRoute{userID: r.PostForm.Get("user_id"), channelID: r.PostForm.Get("channel_id"), public: public}
		a.runCommand(w, r, h, bot.Event{Kind: bot.MessageReceived, User: user, Text: text}, to)
	})
}

// runCommand hands a slash command to h and answers the request with the
// answers it collects, or, when the handling outlasts
// commandAnswerWithin, with a word that the answer follows, leaving the
// answers to answerLate.
func (a *Adapter) runCommand(w http.ResponseWriter, r *http.Request, h bot.Handler, ev bot.Event, to replyRoute) {
	responseURL := r.PostForm.Get("response_url")
	route := a.openReplies(to.userID, to.channelID, to.public)
	ev.Channel = route
	// The handling outlives the request: a command that posts in every
	// team channel finishes whether or not its answer could wait.
	ctx := context.WithoutCancel(r.Context())
	answers, late := make(chan []bot.Message), make(chan struct{})
	go func() {
		ctx, cancel := context.WithTimeout(ctx, commandTimeout)
		defer cancel()
		err := h.Handle(ctx, ev)
		msgs := a.closeReplies(route)
		if err != nil {
			a.log.Warn("mattermost: slash command failed", "user", ev.User, "err", err)
		}
		select {
		case answers <- msgs:
		case <-late:
			a.answerLate(ctx, responseURL, to, msgs)
		}
	}()
	wait := a.clock.NewTimer(commandAnswerWithin)
	defer wait.Stop()
	select {
	case msgs := <-answers:
		writeJSON(w, http.StatusOK, a.commandResponse(msgs, to.public))
	case <-wait.Chan():
		close(late)
		writeJSON(w, http.StatusOK, &model.CommandResponse{
			ResponseType: model.CommandResponseTypeEphemeral, Text: a.loc.T("chat.command.following"),
		})
	}
}

// answerLate sends the answers of a command whose request was answered
// before they were ready: through the command's response URL, or, when
// the server sent none or refuses it (it takes 5 answers within 30
// minutes), as posts: in the command's channel for a public answer, else
// in the caller's direct message with the bot.
func (a *Adapter) answerLate(ctx context.Context, responseURL string, to replyRoute, msgs []bot.Message) {
	if len(msgs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lateAnswerTimeout)
	defer cancel()
	err := errNoResponseURL
	if responseURL != "" {
		err = a.respond(ctx, responseURL, a.commandResponse(msgs, to.public))
	}
	if err == nil {
		return
	}
	a.log.Warn("mattermost: a slash command's answer could not go through its response URL: posted instead", "public", to.public, "err", err)
	channelID := to.channelID
	if !to.public {
		if channelID, err = a.openDirect(ctx, to.userID); err != nil {
			a.log.Error("mattermost: a slash command's answer was lost", "err", err)
			return
		}
	}
	for _, m := range msgs {
		p := a.render(m, "")
		p.ChannelId = channelID
		if _, err := a.create(ctx, p); err != nil {
			a.log.Error("mattermost: a slash command's answer was lost", "err", err)
			return
		}
	}
}

// errNoResponseURL: the server sent the command without a response URL.
var errNoResponseURL = errors.New("the command came without a response URL")

// respond posts a command's answer to its response URL. Only the hook's
// id is read from the URL, which names the server by its public site
// address: the answer goes to Config.URL, where the bot reaches the
// server, and nowhere else whatever the form said.
func (a *Adapter) respond(ctx context.Context, responseURL string, resp *model.CommandResponse) error {
	id, ok := "", false
	if u, err := url.Parse(responseURL); err == nil {
		_, id, ok = strings.Cut(u.EscapedPath(), "/hooks/commands/")
	}
	if !ok || !model.IsValidId(id) {
		return errors.New("the response URL is not a command's (…/hooks/commands/ID)")
	}
	body, err := json.Marshal(resp)
	if err != nil {
		return fmt.Errorf("encode the answer: %w", err)
	}
	target := strings.TrimRight(a.cfg.URL, "/") + "/hooks/commands/" + id
	_, err = a.retry(ctx, "answer a slash command", func() (*model.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := a.client.HTTPClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		out := &model.Response{StatusCode: res.StatusCode, Header: res.Header}
		if res.StatusCode != http.StatusOK {
			return out, fmt.Errorf("the server answered %s", res.Status)
		}
		return out, nil
	})
	return err
}

// commandTokenOK compares the request's token with the configured one in
// constant time (comparing their digests hides the length too).
// Mattermost sends it as a form field and in "Authorization: Token …".
func (a *Adapter) commandTokenOK(r *http.Request) bool {
	if a.cfg.CommandToken == "" {
		return false
	}
	got := r.PostForm.Get("token")
	if got == "" {
		got, _ = strings.CutPrefix(r.Header.Get("Authorization"), "Token ")
	}
	want := sha256.Sum256([]byte(a.cfg.CommandToken))
	have := sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(want[:], have[:]) == 1
}

// formUser names the caller: by id when known, else by the user name the
// (authenticated) server sent.
func (a *Adapter) formUser(ctx context.Context, id, username string) string {
	if id != "" {
		if username != "" {
			return a.dir.addUser(id, username)
		}
		if n, err := a.userName(ctx, id); err == nil {
			return n
		}
	}
	return username
}

// replyRoute collects the answers to one slash command, and knows where
// their files go: a file cannot be ephemeral, nor ride in a command's
// response.
type replyRoute struct {
	msgs []bot.Message
	// userID is the caller, in whose direct message with the bot the
	// files of an ephemeral answer go.
	userID string
	// channelID is where the command was typed, where the files of a
	// public answer go.
	channelID string
	public    bool
}

// openReplies opens a route that collects the bot's answers instead of
// posting them, and returns its channel key.
func (a *Adapter) openReplies(userID, channelID string, public bool) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.replySeq++
	key := replyPrefix + strconv.Itoa(a.replySeq)
	a.replies[key] = &replyRoute{userID: userID, channelID: channelID, public: public}
	return key
}

// closeReplies closes a route and returns what it collected.
func (a *Adapter) closeReplies(key string) []bot.Message {
	a.mu.Lock()
	defer a.mu.Unlock()
	route := a.replies[key]
	delete(a.replies, key)
	return route.msgs
}

// collectReply keeps a post sent to an open reply route, and returns the
// post's id and where its files go.
func (a *Adapter) collectReply(channel string, msg bot.Message) (string, replyRoute, bool) {
	if !strings.HasPrefix(channel, replyPrefix) {
		return "", replyRoute{}, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	route, ok := a.replies[channel]
	if !ok {
		return "", replyRoute{}, false
	}
	route.msgs = append(route.msgs, msg)
	where := *route
	where.msgs = nil
	return channel + ":" + strconv.Itoa(len(route.msgs)), where, true
}

// commandResponse renders the answers: the first in the response, the
// others as extra responses. They carry no button: an ephemeral post has
// no id a click could name.
func (a *Adapter) commandResponse(msgs []bot.Message, public bool) *model.CommandResponse {
	kind := model.CommandResponseTypeEphemeral
	if public {
		kind = model.CommandResponseTypeInChannel
	}
	out := &model.CommandResponse{ResponseType: kind}
	for i, m := range msgs {
		p := a.render(m, "")
		resp := out
		if i > 0 {
			resp = &model.CommandResponse{ResponseType: kind}
			out.ExtraResponses = append(out.ExtraResponses, resp)
		}
		resp.Text, resp.Attachments = p.Message, p.Attachments()
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ErrCommandForbidden is returned by SetupCommand when the bot may not
// manage the team's slash commands.
var ErrCommandForbidden = errors.New("mattermost: the bot may not manage slash commands")

// SetupCommand creates the team's /giga slash command, pointing at
// Config.PublicURL + CommandPath (or points an existing one there), and
// returns its token — the value of MATTERMOST_COMMAND_TOKEN — and whether
// it was created. The bot needs the permission to manage slash commands
// (e.g. the team admin role); without it, ErrCommandForbidden (wrapped)
// says how to create the command by hand.
func (a *Adapter) SetupCommand(ctx context.Context) (token string, created bool, err error) {
	if !a.connected.Load() {
		return "", false, ErrNotConnected
	}
	if a.cfg.PublicURL == "" {
		return "", false, errors.New("mattermost: the public URL is required: the slash command calls the bot there")
	}
	target := a.cfg.PublicURL + CommandPath
	forbidden := func(err error) error {
		if s := statusOf(err); s == http.StatusForbidden || s == http.StatusUnauthorized {
			return fmt.Errorf("%w (%v): give the bot account the team admin role, or create the command by hand: "+
				"Integrations › Slash Commands › Add, trigger %q, request URL %s, method POST; then set MATTERMOST_COMMAND_TOKEN to its token",
				ErrCommandForbidden, err, Trigger, target)
		}
		return fmt.Errorf("mattermost: %w", err)
	}
	cmds, err := retryValue(ctx, a, "list slash commands", func() ([]*model.Command, *model.Response, error) {
		return a.client.ListCommands(ctx, a.teamID, true)
	})
	if err != nil {
		return "", false, forbidden(err)
	}
	for _, c := range cmds {
		if c.Trigger != Trigger || c.DeleteAt != 0 {
			continue
		}
		if c.URL == target && c.Method == model.CommandMethodPost {
			return c.Token, false, nil
		}
		c.URL, c.Method = target, model.CommandMethodPost
		updated, err := retryValue(ctx, a, "update the slash command", func() (*model.Command, *model.Response, error) {
			return a.client.UpdateCommand(ctx, c)
		})
		if err != nil {
			return "", false, forbidden(err)
		}
		return updated.Token, false, nil
	}
	cmd := &model.Command{
		TeamId: a.teamID, Trigger: Trigger, Method: model.CommandMethodPost, URL: target,
		DisplayName: "Gigabot", Description: a.loc.T("chat.command.desc"),
		AutoComplete: true, AutoCompleteDesc: a.loc.T("chat.command.desc"), AutoCompleteHint: a.loc.T("chat.command.hint"),
	}
	made, err := retryValue(ctx, a, "create the slash command", func() (*model.Command, *model.Response, error) {
		return a.client.CreateCommand(ctx, cmd)
	})
	if err != nil {
		return "", false, forbidden(err)
	}
	return made.Token, true, nil
}
