package mattermost

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// The server's rules for a custom slash command, as strict here as there:
// it waits OutgoingIntegrationRequestsTimeout (30 s by default) for the
// command's answer, and the response URL it sends along takes up to 5
// answers (TryUse(hook, 5)) within model.CommandWebhookLifetime (30 min).
const (
	fakeCommandWait = time.Duration(model.OutgoingIntegrationRequestsDefaultTimeout) * time.Second
	fakeHookUses    = 5
	fakeHookLife    = model.CommandWebhookLifetime * time.Millisecond
)

// fakeSlash is the server's side of the slash command: it calls the
// command's URL as the server does (fakeMM.command) and serves the
// response URLs it hands out (POST /hooks/commands/{id}, no token).
type fakeSlash struct {
	client *http.Client

	mu      sync.Mutex
	hooks   map[string]*fakeCommandHook
	answers []fakeHookAnswer
}

type fakeCommandHook struct {
	created time.Time
	uses    int
}

// fakeHookAnswer is an answer posted to a response URL.
type fakeHookAnswer struct {
	Hook     string
	Response *model.CommandResponse
}

func newFakeSlash() *fakeSlash {
	return &fakeSlash{client: &http.Client{Timeout: fakeCommandWait}, hooks: map[string]*fakeCommandHook{}}
}

// command runs a slash command as the server does: it creates the
// command's response URL, posts the form to the command's URL with the
// token in the Authorization header, and reads the answer the way the
// server does. An answer later than the server waits is an error.
func (f *fakeMM) command(target string, form url.Values) (int, *model.CommandResponse, error) {
	hook := model.NewId()
	f.slash.mu.Lock()
	f.slash.hooks[hook] = &fakeCommandHook{created: time.Now()}
	f.slash.mu.Unlock()
	form.Set("response_url", f.srv.URL+"/hooks/commands/"+hook)
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Token "+form.Get("token"))
	resp, err := f.slash.client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("the server gave up on the command: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil, nil
	}
	out, err := model.CommandResponseFromHTTPBody(resp.Header.Get("Content-Type"), resp.Body)
	if err == nil && out == nil {
		err = fmt.Errorf("api.command.execute_command.failed_empty.app_error")
	}
	return resp.StatusCode, out, err
}

// serveCommandHook takes an answer posted to a response URL.
func (f *fakeMM) serveCommandHook(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, err := io.ReadAll(r.Body)
	if err != nil {
		appError(w, http.StatusBadRequest, "bad body")
		return
	}
	resp, err := model.CommandResponseFromHTTPBody(r.Header.Get("Content-Type"), strings.NewReader(string(body)))
	if err != nil || resp == nil {
		appError(w, http.StatusBadRequest, "api.webhook.command.invalid")
		return
	}
	f.slash.mu.Lock()
	defer f.slash.mu.Unlock()
	hook, ok := f.slash.hooks[id]
	if !ok || time.Since(hook.created) > fakeHookLife {
		appError(w, http.StatusNotFound, "app.command_webhook.get.missing")
		return
	}
	if hook.uses >= fakeHookUses {
		appError(w, http.StatusBadRequest, "app.command_webhook.try_use.invalid")
		return
	}
	hook.uses++
	f.slash.answers = append(f.slash.answers, fakeHookAnswer{Hook: id, Response: resp})
	writeJSON(w, http.StatusOK, map[string]string{"status": "OK"})
}

// hookAnswers returns the answers posted to response URLs, in order.
func (f *fakeMM) hookAnswers() []fakeHookAnswer {
	f.slash.mu.Lock()
	defer f.slash.mu.Unlock()
	return append([]fakeHookAnswer(nil), f.slash.answers...)
}
