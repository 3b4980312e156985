package slack

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/gigabot/gigabot/bot"
)

// Router takes routes. *httpapi.Server and *http.ServeMux fit.
type Router interface {
	Handle(pattern string, h http.Handler)
}

// maxBody bounds a delivery; Slack's are a few kilobytes.
const maxBody = 1 << 20

// Mount adds Slack's HTTP-mode endpoints, which hand the events to h:
//
//	POST /slack/events        Events API (mentions, direct messages, reactions)
//	POST /slack/commands      the /giga slash command
//	POST /slack/interactions  the défi card's button
//
// Each checks Slack's signature (v0, HMAC-SHA256 with the signing secret,
// timestamp within 5 minutes, compared in constant time) and answers 401,
// doing nothing, when it does not hold. Without a signing secret (Socket
// Mode only) Mount adds nothing.
func (a *Adapter) Mount(r Router, h bot.Handler) {
	if a.cfg.SigningSecret == "" {
		a.log.Info("slack: no signing secret: the HTTP endpoints are not mounted (Socket Mode only)")
		return
	}
	r.Handle("POST /slack/events", a.signed(func(w http.ResponseWriter, r *http.Request, body []byte) {
		a.serveEvents(w, r, body, h)
	}))
	r.Handle("POST /slack/commands", a.signed(func(w http.ResponseWriter, r *http.Request, body []byte) {
		a.serveCommand(w, body, h)
	}))
	r.Handle("POST /slack/interactions", a.signed(func(w http.ResponseWriter, r *http.Request, body []byte) {
		a.serveInteraction(w, body, h)
	}))
}

// signed reads the body and hands it on only when Slack's signature holds.
func (a *Adapter) signed(next func(http.ResponseWriter, *http.Request, []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
				http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read request", http.StatusBadRequest)
			return
		}
		sv, err := slack.NewSecretsVerifier(r.Header, a.cfg.SigningSecret)
		if err == nil {
			_, _ = sv.Write(body)
			err = sv.Ensure()
		}
		if err != nil {
			a.log.Warn("slack: refused a request with a bad signature", "path", r.URL.Path, "remote", r.RemoteAddr, "err", err)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if !a.begin() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		defer a.work.Done()
		next(w, r, body)
	})
}

func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request, body []byte, h bot.Handler) {
	e, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		if !json.Valid(body) {
			http.Error(w, "malformed JSON", http.StatusBadRequest)
			return
		}
		// An event type the bot does not subscribe to: nothing to do.
		a.log.Debug("slack: ignored an event", "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	if e.Type == slackevents.URLVerification {
		if v, ok := e.Data.(*slackevents.EventsAPIURLVerificationEvent); ok {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, v.Challenge)
			return
		}
	}
	retry, _ := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num"))
	if !a.receive(h, e, retry, r.Header.Get("X-Slack-Retry-Reason")) {
		http.Error(w, "shutting down: deliver again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveCommand(w http.ResponseWriter, body []byte, h bot.Handler) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	cmd := slack.SlashCommand{
		TeamID: form.Get("team_id"), ChannelID: form.Get("channel_id"), ChannelName: form.Get("channel_name"),
		UserID: form.Get("user_id"), UserName: form.Get("user_name"), Command: form.Get("command"),
		Text: form.Get("text"), ResponseURL: form.Get("response_url"), TriggerID: form.Get("trigger_id"),
	}
	answer := a.slashCommand(cmd, h)
	if answer == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(answer)
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, body []byte, h bot.Handler) {
	form, err := url.ParseQuery(string(body))
	var cb slack.InteractionCallback
	if err == nil {
		err = json.Unmarshal([]byte(form.Get("payload")), &cb)
	}
	if err != nil {
		http.Error(w, "malformed payload", http.StatusBadRequest)
		return
	}
	a.interaction(cb, h)
	w.WriteHeader(http.StatusOK)
}
