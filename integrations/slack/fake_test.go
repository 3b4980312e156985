package slack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/internal/safebuf"
	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

// fakeSlack is an httptest fake of the Slack Web API endpoints the adapter
// calls, plus the response URLs of slash commands (/hooks/…). It speaks
// Slack's JSON, pages lists by pageSize, and can be told to fail.
type fakeSlack struct {
	t        testing.TB
	srv      *httptest.Server
	now      func() time.Time // the adapter's clock, to timestamp requests
	pageSize int

	mu       sync.Mutex
	channels []fakeChannel
	users    []fakeUser
	posts    []fakePost
	hooks    []fakeHook
	requests []fakeRequest
	failures map[string][]fakeFailure
	ts       int
	files    []*fakeFile
	// reactions are the messages' reactions: channel/ts → emoji → users.
	reactions map[string]map[string][]string
	// holds are the methods whose answers wait (hold).
	holds map[string]chan struct{}
	// ws, when set, serves the Socket Mode WebSocket at /ws.
	ws http.Handler
}

type fakeChannel struct {
	ID, Name        string
	Private, Member bool
	// RefuseJoin makes conversations.join fail with this error code.
	RefuseJoin string
	// Members are the user IDs conversations.members lists.
	Members []string
}

type fakeUser struct {
	ID, Name, Email, Display string
	Bot, Deleted             bool
	// Unlisted users are missing from users.list (joined since), but
	// users.info and users.lookupByEmail find them.
	Unlisted bool
}

// fakePost is a message posted with chat.postMessage or chat.postEphemeral.
type fakePost struct {
	Method, Channel, User, Text, TS string
	Blocks                          []map[string]any
}

// fakeFile is a file uploaded through the external upload flow: announced
// by files.getUploadURLExternal, its bytes sent to the upload URL, shared
// by files.completeUploadExternal.
type fakeFile struct {
	ID, Name, Alt string
	Length        int
	// Data is what reached the upload URL; nil until then.
	Data []byte
	// Channel and Title are set once the upload is completed.
	Channel, Title string
}

// fakeHook is an answer posted to a slash command's response URL.
type fakeHook struct {
	Path         string
	ResponseType string           `json:"response_type"`
	Text         string           `json:"text"`
	Blocks       []map[string]any `json:"blocks"`
}

type fakeRequest struct {
	Method string
	At     time.Time
}

// fakeFailure is a canned answer for the next call of a method.
type fakeFailure struct {
	Status     int
	RetryAfter string
	Error      string // Slack error code, with status 200
}

func newFakeSlack(t testing.TB) *fakeSlack {
	f := &fakeSlack{t: t, pageSize: 2, failures: map[string][]fakeFailure{}, now: time.Now}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// apiURL is what SLACK_API_URL would be.
func (f *fakeSlack) apiURL() string { return f.srv.URL + "/api/" }

func (f *fakeSlack) fail(method string, ff ...fakeFailure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[method] = append(f.failures[method], ff...)
}

func (f *fakeSlack) Posts() []fakePost {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakePost(nil), f.posts...)
}

// Shared returns the files shared in channels, in the order shared.
func (f *fakeSlack) Shared() []fakeFile {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeFile
	for _, file := range f.files {
		if file.Channel != "" {
			out = append(out, *file)
		}
	}
	return out
}

func (f *fakeSlack) Hooks() []fakeHook {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeHook(nil), f.hooks...)
}

// react adds a user's reaction to a message, or takes it off, as the
// Slack client does (the event is the test's to deliver).
func (f *fakeSlack) react(channel, ts, user, emoji string, add bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.reactions == nil {
		f.reactions = map[string]map[string][]string{}
	}
	key := channel + "/" + ts
	if f.reactions[key] == nil {
		f.reactions[key] = map[string][]string{}
	}
	users := slices.DeleteFunc(f.reactions[key][emoji], func(u string) bool { return u == user })
	if add {
		users = append(users, user)
	}
	f.reactions[key][emoji] = users
}

// Requests returns the calls of a method, in order.
func (f *fakeSlack) Requests(method string) []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeRequest
	for _, r := range f.requests {
		if r.Method == method {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/ws" && f.ws != nil {
		f.ws.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	if strings.HasPrefix(r.URL.Path, "/hooks/") {
		f.serveHook(w, r.URL.Path, body)
		return
	}
	if id, ok := strings.CutPrefix(r.URL.Path, "/upload/"); ok {
		f.serveUpload(w, r, id, body)
		return
	}
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	form, _ := url.ParseQuery(string(body))
	for k, v := range r.URL.Query() {
		form[k] = v
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, fakeRequest{Method: method, At: f.now()})
	if q := f.failures[method]; len(q) > 0 {
		ff := q[0]
		f.failures[method] = q[1:]
		if ff.RetryAfter != "" {
			w.Header().Set("Retry-After", ff.RetryAfter)
		}
		if ff.Status != 0 && ff.Status != http.StatusOK {
			w.WriteHeader(ff.Status)
			return
		}
		writeJSON(w, map[string]any{"ok": false, "error": ff.Error})
		return
	}
	token := form.Get("token")
	if token == "" {
		token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	want := "xoxb-test"
	if method == "apps.connections.open" {
		want = "xapp-test"
	}
	if token != want {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	answer := f.answer(method, form)
	if gate := f.holds[method]; gate != nil {
		// Answered as things were when asked, later.
		f.mu.Unlock()
		<-gate
		f.mu.Lock()
	}
	writeJSON(w, answer)
}

// hold has the answers to a method wait until the returned function is
// called; they still tell what was so when they were asked.
func (f *fakeSlack) hold(method string) (release func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.holds == nil {
		f.holds = map[string]chan struct{}{}
	}
	gate := make(chan struct{})
	f.holds[method] = gate
	return sync.OnceFunc(func() {
		f.mu.Lock()
		delete(f.holds, method)
		f.mu.Unlock()
		close(gate)
	})
}

// serveUpload receives a file's bytes at the upload URL
// files.getUploadURLExternal gave, as Slack does: a POST, authenticated by
// the bot token, the bytes in the multipart field "file". Failures queued
// for "upload" answer instead.
func (f *fakeSlack) serveUpload(w http.ResponseWriter, r *http.Request, id string, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, fakeRequest{Method: "upload", At: f.now()})
	if q := f.failures["upload"]; len(q) > 0 {
		f.failures["upload"] = q[1:]
		http.Error(w, "upload failed", q[0].Status)
		return
	}
	if r.Header.Get("Authorization") != "Bearer xoxb-test" {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		http.Error(w, "not multipart", http.StatusBadRequest)
		return
	}
	form, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).ReadForm(10 << 20)
	if err != nil || len(form.File["file"]) != 1 {
		http.Error(w, "no file field", http.StatusBadRequest)
		return
	}
	part, _ := form.File["file"][0].Open()
	data, _ := io.ReadAll(part)
	for _, file := range f.files {
		if file.ID == id && file.Data == nil {
			file.Data = data
			_, _ = io.WriteString(w, "OK - "+strconv.Itoa(len(data)))
			return
		}
	}
	http.Error(w, "unknown or used upload URL", http.StatusNotFound)
}

func (f *fakeSlack) serveHook(w http.ResponseWriter, path string, body []byte) {
	h := fakeHook{Path: path}
	if err := json.Unmarshal(body, &h); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.hooks = append(f.hooks, h)
	f.mu.Unlock()
	_, _ = io.WriteString(w, "ok")
}

// answer serves one Web API method; f.mu is held.
func (f *fakeSlack) answer(method string, form url.Values) map[string]any {
	fail := func(code string) map[string]any { return map[string]any{"ok": false, "error": code} }
	switch method {
	case "auth.test":
		return map[string]any{"ok": true, "user_id": "UBOT", "user": "gigabot", "team": "CD14", "team_id": "T1", "bot_id": "B1"}
	case "apps.connections.open":
		return map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws"}
	case "conversations.list":
		var list []map[string]any
		for _, c := range f.channels {
			list = append(list, map[string]any{"id": c.ID, "name": c.Name, "is_channel": !c.Private, "is_private": c.Private, "is_member": c.Member})
		}
		page, next := f.page(list, form.Get("cursor"))
		return map[string]any{"ok": true, "channels": page, "response_metadata": map[string]any{"next_cursor": next}}
	case "conversations.join":
		for i, c := range f.channels {
			if c.ID != form.Get("channel") {
				continue
			}
			switch {
			case c.RefuseJoin != "":
				return fail(c.RefuseJoin)
			case c.Private:
				return fail("method_not_supported_for_channel_type")
			}
			f.channels[i].Member = true
			return map[string]any{"ok": true, "channel": map[string]any{"id": c.ID, "name": c.Name}}
		}
		return fail("channel_not_found")
	case "conversations.members":
		for _, c := range f.channels {
			if c.ID == form.Get("channel") {
				var list []map[string]any
				for _, m := range c.Members {
					list = append(list, map[string]any{"id": m})
				}
				page, next := f.page(list, form.Get("cursor"))
				ids := []string{}
				for _, p := range page {
					ids = append(ids, p["id"].(string))
				}
				return map[string]any{"ok": true, "members": ids, "response_metadata": map[string]any{"next_cursor": next}}
			}
		}
		return fail("channel_not_found")
	case "users.list":
		var list []map[string]any
		for _, u := range f.users {
			if !u.Unlisted {
				list = append(list, u.json())
			}
		}
		page, next := f.page(list, form.Get("cursor"))
		return map[string]any{"ok": true, "members": page, "response_metadata": map[string]any{"next_cursor": next}}
	case "users.info", "users.lookupByEmail":
		for _, u := range f.users {
			if u.ID == form.Get("user") || (u.Email != "" && strings.EqualFold(u.Email, form.Get("email"))) {
				return map[string]any{"ok": true, "user": u.json()}
			}
		}
		if method == "users.info" {
			return fail("user_not_found")
		}
		return fail("users_not_found")
	case "files.getUploadURLExternal":
		length, err := strconv.Atoi(form.Get("length"))
		if err != nil || length <= 0 || form.Get("filename") == "" {
			return fail("invalid_arguments")
		}
		file := &fakeFile{ID: fmt.Sprintf("F%03d", len(f.files)+1), Name: form.Get("filename"), Alt: form.Get("alt_txt"), Length: length}
		f.files = append(f.files, file)
		return map[string]any{"ok": true, "upload_url": f.srv.URL + "/upload/" + file.ID, "file_id": file.ID}
	case "files.completeUploadExternal":
		var summaries []struct{ ID, Title string }
		if err := json.Unmarshal([]byte(form.Get("files")), &summaries); err != nil || len(summaries) == 0 {
			return fail("invalid_arguments")
		}
		ch := form.Get("channel_id")
		if !f.member(ch) {
			return fail("not_in_channel")
		}
		var done []map[string]any
		for _, sum := range summaries {
			file := f.file(sum.ID)
			if file == nil || len(file.Data) != file.Length {
				return fail("file_not_found")
			}
			file.Channel, file.Title = ch, sum.Title
			done = append(done, map[string]any{"id": file.ID, "title": sum.Title})
		}
		return map[string]any{"ok": true, "files": done}
	case "conversations.open":
		users := form.Get("users")
		if users == "" || strings.Contains(users, ",") {
			return fail("invalid_arguments")
		}
		return map[string]any{"ok": true, "channel": map[string]any{"id": "D" + strings.TrimPrefix(users, "U")}}
	case "reactions.get":
		// A message's reactions; without full=true, Slack may cut a
		// reaction's list of users short (here: at 2).
		ch, ts := form.Get("channel"), form.Get("timestamp")
		i := slices.IndexFunc(f.posts, func(p fakePost) bool { return p.Channel == ch && p.TS == ts })
		if ch == "" || ts == "" || i < 0 {
			return fail("message_not_found")
		}
		reactions := []map[string]any{}
		emojis := slices.Sorted(maps.Keys(f.reactions[ch+"/"+ts]))
		for _, emoji := range emojis {
			users := f.reactions[ch+"/"+ts][emoji]
			if len(users) == 0 {
				continue
			}
			listed := slices.Clone(users)
			if form.Get("full") != "true" {
				listed = listed[:min(len(listed), 2)]
			}
			reactions = append(reactions, map[string]any{"name": emoji, "users": listed, "count": len(users)})
		}
		return map[string]any{"ok": true, "type": "message", "channel": ch,
			"message": map[string]any{"type": "message", "text": f.posts[i].Text, "ts": ts, "reactions": reactions}}
	case "chat.postMessage", "chat.postEphemeral":
		ch := form.Get("channel")
		if !f.member(ch) {
			return fail("not_in_channel")
		}
		var blocks []map[string]any
		if b := form.Get("blocks"); b != "" {
			if err := json.Unmarshal([]byte(b), &blocks); err != nil {
				return fail("invalid_blocks")
			}
		}
		f.ts++
		ts := fmt.Sprintf("1711098000.%06d", f.ts)
		f.posts = append(f.posts, fakePost{Method: method, Channel: ch, User: form.Get("user"), Text: form.Get("text"), TS: ts, Blocks: blocks})
		if method == "chat.postEphemeral" {
			return map[string]any{"ok": true, "message_ts": ts}
		}
		return map[string]any{"ok": true, "channel": ch, "ts": ts, "message": map[string]any{"text": form.Get("text"), "ts": ts}}
	}
	return fail("unknown_method")
}

// file returns an uploaded file by id; f.mu is held.
func (f *fakeSlack) file(id string) *fakeFile {
	for _, file := range f.files {
		if file.ID == id {
			return file
		}
	}
	return nil
}

func (f *fakeSlack) member(channel string) bool {
	if strings.HasPrefix(channel, "D") || strings.HasPrefix(channel, "U") { // a user id: the app's conversation with them
		return true
	}
	for _, c := range f.channels {
		if c.ID == channel {
			return c.Member
		}
	}
	return false
}

// page cuts a list at the cursor (an index) and gives the next cursor.
func (f *fakeSlack) page(list []map[string]any, cursor string) ([]map[string]any, string) {
	start, _ := strconv.Atoi(cursor)
	end := min(start+f.pageSize, len(list))
	if start >= len(list) {
		return []map[string]any{}, ""
	}
	next := ""
	if end < len(list) {
		next = strconv.Itoa(end)
	}
	return list[start:end], next
}

func (u fakeUser) json() map[string]any {
	return map[string]any{
		"id": u.ID, "name": u.Name, "real_name": u.Display, "deleted": u.Deleted, "is_bot": u.Bot,
		"profile": map[string]any{"email": u.Email, "display_name": u.Display, "real_name": u.Display},
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// fakeTime is the adapter's clock and sleeper in tests: sleeping moves
// the clock, at once, so that waits are asserted on the fake clock and
// never on the wall clock.
type fakeTime struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func newFakeTime() *fakeTime {
	return &fakeTime{now: time.Date(2027, 3, 22, 9, 0, 0, 0, time.UTC)}
}

func (f *fakeTime) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeTime) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	f.slept = append(f.slept, d)
	return nil
}

func (f *fakeTime) Slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.slept...)
}

const (
	testSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	// testConfig names members by user name and by e-mail, and a channel
	// and people that do not exist.
	testConfig = `
campaign:
  name: Giga Déstockage test
  start: 2027-03-22
  days: 15
teams:
  - {id: routes, name: Direction des routes, channel: equipe-routes, members: [alice, bob@cd14.fr, carol@cd14.fr, dan]}
  - {id: colleges, name: Direction des collèges, channel: "#equipe-colleges", members: [emma, farid]}
  - {id: culture, name: Culture et patrimoine, channel: equipe-culture, members: [gaby]}
roles:
  dgs: [dg]
  coordinators: [coord]
display_names:
  dg: Claire Martin
`
)

// workspace fills the fake with the test campaign's workspace: equipe-routes
// (the bot is in it), equipe-colleges (public, the bot joins it),
// equipe-culture (missing), and users, some missing from the list or from
// the config.
func (f *fakeSlack) workspace() *fakeSlack {
	f.channels = []fakeChannel{
		{ID: "C0ROUTES1", Name: "equipe-routes", Member: true},
		{ID: "C0GENERAL", Name: "general", Member: true},
		{ID: "C0COLLEGE", Name: "equipe-colleges", Members: []string{"U0EMMA001", "U0NEWBIE1", "UBOT", "U0OLD0001", "U0FARID01"}},
		{ID: "C0RANDOM1", Name: "random"},
	}
	f.users = []fakeUser{
		{ID: "U0ALICE01", Name: "alice", Email: "alice.martin@cd14.fr", Display: "Alice Martin"},
		{ID: "U0BOB0001", Name: "bob.durand", Email: "bob@cd14.fr", Display: "Bob"},
		{ID: "U0CAROL01", Name: "carol", Email: "carol@cd14.fr", Display: "Carol", Unlisted: true},
		{ID: "U0EMMA001", Name: "emma", Display: "Emma"},
		{ID: "U0FARID01", Name: "farid", Display: "Farid"},
		{ID: "U0GABY001", Name: "gaby", Display: "Gaby"},
		{ID: "U0DG00001", Name: "dg", Display: "La DGS"},
		{ID: "U0MALLORY", Name: "mallory", Display: "coord"},
		{ID: "U0OLD0001", Name: "dan", Deleted: true},
		{ID: "UBOT", Name: "gigabot", Bot: true},
	}
	return f
}

// fixture is an adapter on the fake workspace, in HTTP mode.
type fixture struct {
	a     *Adapter
	slack *fakeSlack
	time  *fakeTime
	store *redis.Store
	cfg   *challenges.Config
	logs  *safebuf.Buffer
	mux   *http.ServeMux
}

func newFixture(t *testing.T, edit ...func(*Config, *Options)) *fixture {
	t.Helper()
	f := &fixture{slack: newFakeSlack(t).workspace(), time: newFakeTime(), logs: &safebuf.Buffer{}, mux: http.NewServeMux()}
	f.slack.now = f.time.Now
	cfg := mustConfig(t)
	f.cfg = cfg
	f.store, _, _ = redistest.NewStore(t)
	c := Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: f.slack.apiURL()}
	o := Options{
		Roster: bot.NewRoster(cfg), Deliveries: f.store, Owner: "replica-1",
		Logger:     slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		HTTPClient: f.slack.srv.Client(), Clock: f.time, Sleep: f.time.Sleep,
	}
	for _, e := range edit {
		e(&c, &o)
	}
	var err error
	f.a, err = New(context.Background(), c, o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(f.a.work.Wait)
	return f
}

// send delivers a signed request to the adapter's HTTP endpoints.
func (f *fixture) send(t *testing.T, path, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return f.sendSigned(t, path, body, testSecret, time.Now(), header...)
}

func (f *fixture) sendSigned(t *testing.T, path, body, secret string, at time.Time, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return sendTo(f.mux, path, body, secret, at, header...)
}

// sendTo delivers a request signed with secret at a given time, as Slack
// does, to h.
func sendTo(h http.Handler, path, body, secret string, at time.Time, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	ts := strconv.FormatInt(at.Unix(), 10)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sign(secret, ts, body))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// sendTampered signs one body and sends another.
func (f *fixture) sendTampered(t *testing.T, path, signed, sent string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(sent))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sign(testSecret, ts, signed))
	rec := httptest.NewRecorder()
	f.mux.ServeHTTP(rec, req)
	return rec
}

// sign is Slack's v0 request signature.
func sign(secret, ts, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":" + body))
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// The JSON and forms Slack sends.

func eventJSON(id, inner string) string {
	return fmt.Sprintf(`{"token":"legacy","team_id":"T1","api_app_id":"A1","type":"event_callback","event_id":%q,"event_time":1711098000,"event":%s}`, id, inner)
}

func mentionJSON(user, channel, text string) string {
	return fmt.Sprintf(`{"type":"app_mention","user":%q,"text":%q,"ts":"1711098100.000100","channel":%q,"event_ts":"1711098100.000100"}`, user, text, channel)
}

func imJSON(user, channel, text string) string {
	return fmt.Sprintf(`{"type":"message","channel_type":"im","user":%q,"text":%q,"ts":"1711098100.000200","channel":%q,"event_ts":"1711098100.000200"}`, user, text, channel)
}

func reactionJSON(kind, user, emoji, channel, ts string) string {
	return fmt.Sprintf(`{"type":%q,"user":%q,"reaction":%q,"item_user":"UBOT","item":{"type":"message","channel":%q,"ts":%q},"event_ts":"1711098200.000100"}`, kind, user, emoji, channel, ts)
}

func slashForm(user, channel, text, responseURL string) string {
	return url.Values{
		"command": {"/giga"}, "text": {text}, "user_id": {user}, "user_name": {"someone"}, "channel_id": {channel},
		"team_id": {"T1"}, "response_url": {responseURL}, "trigger_id": {"13345224609.738474920.8088930838d88f008e0"},
	}.Encode()
}

// clickPayload is the form Slack posts for a click on the défi button.
func clickPayload(user, channel, ts, emoji string) string {
	return url.Values{"payload": {clickJSON(user, channel, ts, emoji)}}.Encode()
}

func clickJSON(user, channel, ts, emoji string) string {
	return fmt.Sprintf(`{"type":"block_actions","user":{"id":%q,"name":"x"},"team":{"id":"T1"},"channel":{"id":%q},"container":{"type":"message","message_ts":%q,"channel_id":%q,"is_ephemeral":false},"response_url":"https://hooks.invalid/x","trigger_id":"t1","actions":[{"action_id":%q,"block_id":"defi","type":"button","value":%q,"action_ts":"1711098300.000100"}]}`,
		user, channel, ts, channel, defiDoneAction, emoji)
}

func mustConfig(t *testing.T) *challenges.Config {
	t.Helper()
	cfg, err := challenges.Parse([]byte(testConfig))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

// mustRoster is the core's roster of testConfig.
func mustRoster(t *testing.T) bot.Roster { return bot.NewRoster(mustConfig(t)) }

// nopDeliveries claims every delivery, for tests that do not deliver twice.
type nopDeliveries struct{}

func (nopDeliveries) ClaimDelivery(context.Context, string, string, time.Duration) (scoring.ClaimStatus, error) {
	return scoring.Claimed, nil
}
func (nopDeliveries) FinishDelivery(context.Context, string, time.Duration) error { return nil }
func (nopDeliveries) ReleaseDelivery(context.Context, string, string) error       { return nil }
