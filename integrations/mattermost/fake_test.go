package mattermost

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mattermost/mattermost/server/public/model"
)

// fakeMM is an httptest fake of the Mattermost endpoints the adapter uses,
// answering with the model package's JSON shapes, and its WebSocket,
// sending model.WebSocketEvent JSON. Users act through say, dm, react and
// click; faults are switched on through its fields.
type fakeMM struct {
	t        testing.TB
	srv      *httptest.Server
	outbound *http.Client
	slash    *fakeSlash

	mu        sync.Mutex
	now       int64 // the server's clock, ms; each write moves it on
	token     string
	bot       *model.User
	users     map[string]*model.User // by id
	team      *model.Team
	channels  map[string]*model.Channel
	members   map[string]map[string]bool // channel id → user ids
	posts     map[string]*model.Post
	reactions map[string][]*model.Reaction // post id → reactions
	pending   map[string]string            // pending_post_id → post id
	commands  map[string]*model.Command
	files     map[string]*fakeFile
	sockets   map[*fakeSocket]bool
	opened    int // sockets opened so far
	pings     int // pings received

	// postScript decides the fate of the next posts, in order: 0 as usual,
	// lost (created, but answered 504, as when the answer is lost on the
	// way), or an HTTP status answered without creating the post.
	postScript []int
	// forgetPending: the server no longer remembers pending_post_ids (it
	// keeps them 30 s).
	forgetPending bool
	// readFaults: the next reads of a channel's posts are answered 503.
	readFaults int
	// forbidCommands answers 403 to the slash command endpoints.
	forbidCommands bool
	// uploadFaults: the next uploads are answered with these statuses.
	uploadFaults []int
}

// fakeFile is a file uploaded with POST /api/v4/files.
type fakeFile struct {
	info *model.FileInfo
	data []byte
	// post is the post the file is attached to; "" until then.
	post string
}

type fakeSocket struct {
	conn   *websocket.Conn
	wmu    sync.Mutex
	silent bool // guarded by fakeMM.mu: delivers nothing, answers no ping
}

const fakeTeam = "conseil"

// lost is the fate of a post created but whose answer is lost.
const lost = -1

func newFakeMM(t testing.TB, botIsBot bool) *fakeMM {
	t.Helper()
	f := &fakeMM{
		t: t, now: time.Date(2027, 3, 22, 8, 0, 0, 0, time.UTC).UnixMilli(), token: "bot-token-secret",
		users: map[string]*model.User{}, channels: map[string]*model.Channel{}, members: map[string]map[string]bool{},
		posts: map[string]*model.Post{}, reactions: map[string][]*model.Reaction{}, pending: map[string]string{},
		commands: map[string]*model.Command{}, files: map[string]*fakeFile{}, sockets: map[*fakeSocket]bool{},
		outbound: &http.Client{Timeout: 10 * time.Second}, slash: newFakeSlash(),
	}
	f.bot = f.addUser("gigabot")
	f.bot.IsBot = botIsBot
	f.team = &model.Team{Id: model.NewId(), Name: fakeTeam, DisplayName: "Conseil départemental"}
	mux := http.NewServeMux()
	for pattern, h := range map[string]http.HandlerFunc{
		"GET /api/v4/users/me":                         f.getMe,
		"GET /api/v4/users/{id}":                       f.getUser,
		"GET /api/v4/users/username/{name}":            f.getUserByName,
		"POST /api/v4/users/usernames":                 f.getUsersByNames,
		"POST /api/v4/users/ids":                       f.getUsersByIDs,
		"GET /api/v4/users/email/{email}":              f.getUserByEmail,
		"GET /api/v4/channels/{cid}/members":           f.getMembers,
		"GET /api/v4/teams/{path...}":                  f.teams,
		"GET /api/v4/users/{uid}/teams/{tid}/channels": f.getMyChannels,
		"POST /api/v4/channels/{cid}/members":          f.addMember,
		"POST /api/v4/channels/direct":                 f.createDirect,
		"POST /api/v4/posts":                           f.createPost,
		"POST /api/v4/files":                           f.uploadFiles,
		"GET /api/v4/channels/{cid}/posts":             f.getPosts,
		"GET /api/v4/posts/{pid}/reactions":            f.getReactions,
		"GET /api/v4/commands":                         f.listCommands,
		"POST /api/v4/commands":                        f.createCommand,
		"PUT /api/v4/commands/{id}":                    f.updateCommand,
		"GET /api/v4/websocket":                        f.serveSocket,
		"POST /hooks/commands/{id}":                    f.serveCommandHook,
	} {
		mux.HandleFunc(pattern, h)
	}
	f.srv = httptest.NewServer(f.authenticated(mux))
	t.Cleanup(f.close)
	return f
}

func (f *fakeMM) close() {
	f.mu.Lock()
	for s := range f.sockets {
		s.conn.Close()
	}
	f.mu.Unlock()
	f.srv.Close()
	f.outbound.CloseIdleConnections()
}

// authenticated checks the bearer token (the socket authenticates in its
// first message, a response URL needs none) and stamps answers with the
// server's Date.
func (f *fakeMM) authenticated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		w.Header().Set("Date", time.UnixMilli(f.now).UTC().Format(http.TimeFormat))
		f.mu.Unlock()
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		public := r.URL.Path == "/api/v4/websocket" || strings.HasPrefix(r.URL.Path, "/hooks/")
		if !public && (!strings.EqualFold(scheme, "bearer") || token != f.token) {
			appError(w, http.StatusUnauthorized, "api.context.session_expired.app_error")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func appError(w http.ResponseWriter, status int, id string) {
	writeJSON(w, status, &model.AppError{Id: id, Message: id, StatusCode: status})
}

func (f *fakeMM) tick() int64 {
	f.now++
	return f.now
}

// addUser creates an account.
func (f *fakeMM) addUser(name string) *model.User {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := &model.User{Id: model.NewId(), Username: name}
	f.users[u.Id] = u
	return u
}

// addChannel creates a team channel; botMember puts the bot in it.
func (f *fakeMM) addChannel(name string, typ model.ChannelType, botMember bool) *model.Channel {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := &model.Channel{Id: model.NewId(), TeamId: f.team.Id, Type: typ, Name: name, DisplayName: strings.ToUpper(name), CreateAt: f.tick()}
	f.channels[ch.Id] = ch
	f.members[ch.Id] = map[string]bool{}
	if botMember {
		f.members[ch.Id][f.bot.Id] = true
	}
	return ch
}

func (f *fakeMM) user(name string) *model.User {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u.Username == name {
			return u
		}
	}
	f.t.Fatalf("fake: no user %q", name)
	return nil
}

func (f *fakeMM) channel(name string) *model.Channel {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.channels {
		if c.Name == name {
			return c
		}
	}
	f.t.Fatalf("fake: no channel %q", name)
	return nil
}

func (f *fakeMM) getMe(w http.ResponseWriter, _ *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	writeJSON(w, http.StatusOK, f.bot)
}

func (f *fakeMM) getUser(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[r.PathValue("id")]
	if !ok {
		appError(w, http.StatusNotFound, "app.user.missing_account.const")
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (f *fakeMM) getUserByName(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u.Username == r.PathValue("name") {
			writeJSON(w, http.StatusOK, u)
			return
		}
	}
	appError(w, http.StatusNotFound, "app.user.missing_account.const")
}

func (f *fakeMM) getUsersByNames(w http.ResponseWriter, r *http.Request) {
	var names []string
	if err := json.NewDecoder(r.Body).Decode(&names); err != nil {
		appError(w, http.StatusBadRequest, "bad body")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []*model.User{}
	for _, u := range f.users {
		if slices.Contains(names, u.Username) {
			out = append(out, u)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (f *fakeMM) getUsersByIDs(w http.ResponseWriter, r *http.Request) {
	var ids []string
	if err := json.NewDecoder(r.Body).Decode(&ids); err != nil {
		appError(w, http.StatusBadRequest, "bad body")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []*model.User{}
	for _, id := range ids {
		if u, ok := f.users[id]; ok {
			out = append(out, u)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (f *fakeMM) getUserByEmail(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u.Email != "" && strings.EqualFold(u.Email, r.PathValue("email")) {
			writeJSON(w, http.StatusOK, u)
			return
		}
	}
	appError(w, http.StatusNotFound, "app.user.missing_account.const")
}

// getMembers lists a channel's members, a page of per_page (sorted by id).
func (f *fakeMM) getMembers(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for id := range f.members[r.PathValue("cid")] {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	out := model.ChannelMembers{}
	for i := page * per; i < min((page+1)*per, len(ids)); i++ {
		out = append(out, model.ChannelMember{ChannelId: r.PathValue("cid"), UserId: ids[i]})
	}
	writeJSON(w, http.StatusOK, out)
}

// join puts user in a channel, or takes them out, and broadcasts it as
// the server does (user_added, user_removed).
func (f *fakeMM) join(user, channelID string, in bool) {
	u := f.user(user)
	f.mu.Lock()
	defer f.mu.Unlock()
	typ := model.WebsocketEventUserAdded
	if in {
		f.members[channelID][u.Id] = true
	} else {
		typ = model.WebsocketEventUserRemoved
	}
	ev := model.NewWebSocketEvent(typ, "", channelID, "", nil, "").SetData(map[string]any{"user_id": u.Id, "team_id": f.team.Id})
	f.broadcastLocked(ev, channelID)
	if !in {
		delete(f.members[channelID], u.Id)
	}
}

// teams routes /teams/name/{name}, /teams/{tid}/channels and
// /teams/{tid}/channels/name/{name}, which ServeMux patterns cannot tell apart.
func (f *fakeMM) teams(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(r.PathValue("path"), "/")
	switch {
	case len(parts) == 2 && parts[0] == "name":
		r.SetPathValue("name", parts[1])
		f.getTeam(w, r)
	case len(parts) == 2 && parts[1] == "channels":
		r.SetPathValue("tid", parts[0])
		f.getPublicChannels(w, r)
	case len(parts) == 4 && parts[1] == "channels" && parts[2] == "name":
		r.SetPathValue("name", parts[3])
		f.getChannelByName(w, r)
	default:
		appError(w, http.StatusNotFound, "api.context.404.app_error")
	}
}

func (f *fakeMM) getTeam(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("name") != f.team.Name {
		appError(w, http.StatusNotFound, "app.team.get_by_name.missing.app_error")
		return
	}
	writeJSON(w, http.StatusOK, f.team)
}

func (f *fakeMM) getMyChannels(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []*model.Channel{}
	for _, c := range f.sortedChannels() {
		if f.members[c.Id][r.PathValue("uid")] && (c.TeamId == r.PathValue("tid") || c.TeamId == "") {
			out = append(out, c)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (f *fakeMM) sortedChannels() []*model.Channel {
	out := make([]*model.Channel, 0, len(f.channels))
	for _, c := range f.channels {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *model.Channel) int { return int(a.CreateAt - b.CreateAt) })
	return out
}

func (f *fakeMM) getPublicChannels(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	perPage, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	f.mu.Lock()
	defer f.mu.Unlock()
	var all []*model.Channel
	for _, c := range f.sortedChannels() {
		if c.Type == model.ChannelTypeOpen && c.TeamId == r.PathValue("tid") {
			all = append(all, c)
		}
	}
	from, to := min(page*perPage, len(all)), min((page+1)*perPage, len(all))
	writeJSON(w, http.StatusOK, append([]*model.Channel{}, all[from:to]...))
}

func (f *fakeMM) getChannelByName(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.channels {
		if c.Name == r.PathValue("name") && (c.Type == model.ChannelTypeOpen || f.members[c.Id][f.bot.Id]) {
			writeJSON(w, http.StatusOK, c)
			return
		}
	}
	appError(w, http.StatusNotFound, "app.channel.get_by_name.missing.app_error")
}

func (f *fakeMM) addMember(w http.ResponseWriter, r *http.Request) {
	var body map[string]string
	_ = json.NewDecoder(r.Body).Decode(&body)
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.channels[r.PathValue("cid")]
	if !ok || c.Type != model.ChannelTypeOpen {
		appError(w, http.StatusForbidden, "api.context.permissions.app_error")
		return
	}
	f.members[c.Id][body["user_id"]] = true
	writeJSON(w, http.StatusCreated, &model.ChannelMember{ChannelId: c.Id, UserId: body["user_id"]})
}

func (f *fakeMM) createDirect(w http.ResponseWriter, r *http.Request) {
	var ids []string
	if err := json.NewDecoder(r.Body).Decode(&ids); err != nil || len(ids) != 2 {
		appError(w, http.StatusBadRequest, "bad body")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	writeJSON(w, http.StatusCreated, f.directLocked(ids[0], ids[1]))
}

func (f *fakeMM) directLocked(a, b string) *model.Channel {
	ids := []string{a, b}
	slices.Sort(ids)
	name := ids[0] + "__" + ids[1]
	for _, c := range f.channels {
		if c.Name == name {
			return c
		}
	}
	c := &model.Channel{Id: model.NewId(), Type: model.ChannelTypeDirect, Name: name, CreateAt: f.tick()}
	f.channels[c.Id] = c
	f.members[c.Id] = map[string]bool{a: true, b: true}
	return c
}

func (f *fakeMM) createPost(w http.ResponseWriter, r *http.Request) {
	var p model.Post
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		appError(w, http.StatusBadRequest, "bad body")
		return
	}
	f.mu.Lock()
	fate := 0
	if len(f.postScript) > 0 {
		fate, f.postScript = f.postScript[0], f.postScript[1:]
	}
	if fate > 0 {
		f.mu.Unlock()
		if fate == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "3")
		}
		appError(w, fate, "fake.fault")
		return
	}
	if !f.members[p.ChannelId][f.bot.Id] {
		f.mu.Unlock()
		appError(w, http.StatusForbidden, "api.context.permissions.app_error")
		return
	}
	for _, id := range p.FileIds {
		if file, ok := f.files[id]; !ok || file.info.ChannelId != p.ChannelId || (file.post != "" && !f.isPendingLocked(p.PendingPostId, file.post)) {
			f.mu.Unlock()
			appError(w, http.StatusBadRequest, "api.post.create_post.file_ids.app_error")
			return
		}
	}
	// The server deduplicates posts by pending_post_id.
	if id, ok := f.pending[p.PendingPostId]; ok && p.PendingPostId != "" && !f.forgetPending {
		out := f.posts[id].Clone()
		f.mu.Unlock()
		writeJSON(w, http.StatusCreated, out)
		return
	}
	p.Id, p.UserId = model.NewId(), f.bot.Id
	for _, id := range p.FileIds {
		f.files[id].post = p.Id
	}
	p.CreateAt = f.tick()
	p.UpdateAt = p.CreateAt
	p.AddProp(model.PostPropsFromBot, "true")
	stored := p.Clone()
	stored.PendingPostId = ""
	f.posts[p.Id] = stored
	f.pending[p.PendingPostId] = p.Id
	f.channels[p.ChannelId].LastPostAt = p.CreateAt
	f.broadcastPostLocked(&p)
	f.mu.Unlock()
	if fate == lost {
		appError(w, http.StatusGatewayTimeout, "fake.lost")
		return
	}
	writeJSON(w, http.StatusCreated, &p)
}

// isPendingLocked tells whether postID is the post created for pendingID
// (a retry, which the server answers with the post it made).
func (f *fakeMM) isPendingLocked(pendingID, postID string) bool {
	return pendingID != "" && f.pending[pendingID] == postID && !f.forgetPending
}

// uploadFiles receives files as Client4.UploadFile sends them: a multipart
// form with channel_id and one or more "files" parts. It answers 201 with
// their FileInfos.
func (f *fakeMM) uploadFiles(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if len(f.uploadFaults) > 0 {
		status := f.uploadFaults[0]
		f.uploadFaults = f.uploadFaults[1:]
		f.mu.Unlock()
		appError(w, status, "fake.fault")
		return
	}
	f.mu.Unlock()
	if err := r.ParseMultipartForm(10 << 20); err != nil {
		appError(w, http.StatusBadRequest, "api.file.upload_file.parse.app_error")
		return
	}
	channelID := r.MultipartForm.Value["channel_id"]
	parts := r.MultipartForm.File["files"]
	if len(channelID) != 1 || len(parts) == 0 {
		appError(w, http.StatusBadRequest, "api.file.upload_file.incorrect_number_of_files.app_error")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.members[channelID[0]][f.bot.Id] {
		appError(w, http.StatusForbidden, "api.context.permissions.app_error")
		return
	}
	out := &model.FileUploadResponse{FileInfos: []*model.FileInfo{}, ClientIds: []string{}}
	for _, part := range parts {
		rd, _ := part.Open()
		data, _ := io.ReadAll(rd)
		rd.Close()
		info := &model.FileInfo{Id: model.NewId(), CreatorId: f.bot.Id, ChannelId: channelID[0], Name: part.Filename,
			Size: int64(len(data)), MimeType: part.Header.Get("Content-Type"), CreateAt: f.tick()}
		f.files[info.Id] = &fakeFile{info: info, data: data}
		out.FileInfos = append(out.FileInfos, info)
	}
	writeJSON(w, http.StatusCreated, out)
}

// attached returns the files of a post, in its order.
func (f *fakeMM) attached(p *model.Post) []*fakeFile {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*fakeFile
	for _, id := range p.FileIds {
		if file, ok := f.files[id]; ok && file.post == p.Id {
			out = append(out, file)
		}
	}
	return out
}

// withMetadata returns a copy of a post as the API returns it, with its reactions.
func (f *fakeMM) withMetadata(p *model.Post) *model.Post {
	out := p.Clone()
	if rs := f.reactions[p.Id]; len(rs) > 0 {
		out.HasReactions = true
		out.Metadata = &model.PostMetadata{}
		for _, r := range rs {
			c := *r
			out.Metadata.Reactions = append(out.Metadata.Reactions, &c)
		}
	}
	return out
}

func (f *fakeMM) getPosts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.readFaults > 0 {
		f.readFaults--
		appError(w, http.StatusServiceUnavailable, "fake.fault")
		return
	}
	var in []*model.Post
	for _, p := range f.posts {
		if p.ChannelId == r.PathValue("cid") {
			in = append(in, p)
		}
	}
	slices.SortFunc(in, func(a, b *model.Post) int { return int(b.CreateAt - a.CreateAt) })
	list := model.NewPostList()
	if s := q.Get("since"); s != "" {
		since, _ := strconv.ParseInt(s, 10, 64)
		for _, p := range in {
			if p.UpdateAt > since {
				list.AddPost(f.withMetadata(p))
				list.AddOrder(p.Id)
			}
		}
	} else {
		page, _ := strconv.Atoi(q.Get("page"))
		perPage, _ := strconv.Atoi(q.Get("per_page"))
		for i, p := range in {
			if i >= page*perPage && i < (page+1)*perPage && p.DeleteAt == 0 {
				list.AddPost(f.withMetadata(p))
				list.AddOrder(p.Id)
			}
		}
	}
	writeJSON(w, http.StatusOK, list)
}

// getReactions lists a post's reactions, oldest first ([] for none, as
// the server answers; 404 for a post it does not know).
func (f *fakeMM) getReactions(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := r.PathValue("pid")
	if _, ok := f.posts[id]; !ok {
		appError(w, http.StatusNotFound, "app.post.get.app_error")
		return
	}
	writeJSON(w, http.StatusOK, append([]*model.Reaction{}, f.reactions[id]...))
}

func (f *fakeMM) listCommands(w http.ResponseWriter, _ *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.forbidCommands {
		appError(w, http.StatusForbidden, "api.context.permissions.app_error")
		return
	}
	out := []*model.Command{}
	for _, c := range f.commands {
		out = append(out, c)
	}
	writeJSON(w, http.StatusOK, out)
}

func (f *fakeMM) createCommand(w http.ResponseWriter, r *http.Request) {
	var c model.Command
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
		appError(w, http.StatusBadRequest, "bad body")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.forbidCommands {
		appError(w, http.StatusForbidden, "api.context.permissions.app_error")
		return
	}
	c.Id, c.Token, c.CreatorId = model.NewId(), model.NewId(), f.bot.Id
	f.commands[c.Id] = &c
	writeJSON(w, http.StatusCreated, &c)
}

func (f *fakeMM) updateCommand(w http.ResponseWriter, r *http.Request) {
	var c model.Command
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
		appError(w, http.StatusBadRequest, "bad body")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	old, ok := f.commands[r.PathValue("id")]
	if !ok {
		appError(w, http.StatusNotFound, "missing")
		return
	}
	old.URL, old.Method = c.URL, c.Method
	writeJSON(w, http.StatusOK, old)
}

// serveSocket speaks the WebSocket: the authentication challenge, then
// "hello", then the events broadcast to the bot.
func (f *fakeMM) serveSocket(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	var req model.WebSocketRequest
	if err := conn.ReadJSON(&req); err != nil || req.Action != string(model.WebsocketAuthenticationChallenge) || req.Data["token"] != f.token {
		conn.Close()
		return
	}
	s := &fakeSocket{conn: conn}
	conn.SetPingHandler(func(data string) error {
		f.mu.Lock()
		f.pings++
		silent := s.silent
		f.mu.Unlock()
		if silent {
			return nil
		}
		s.wmu.Lock()
		defer s.wmu.Unlock()
		return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	// As the server does: subscribed first, then welcomed.
	f.mu.Lock()
	f.sockets[s] = true
	f.opened++
	s.write(model.NewWebSocketResponse(model.StatusOk, req.Seq, nil))
	s.write(model.NewWebSocketEvent(model.WebsocketEventHello, "", "", f.bot.Id, nil, ""))
	f.mu.Unlock()
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			break
		}
	}
	f.mu.Lock()
	delete(f.sockets, s)
	f.mu.Unlock()
	conn.Close()
}

func (s *fakeSocket) write(v any) {
	var data []byte
	switch ev := v.(type) {
	case *model.WebSocketEvent:
		data, _ = ev.ToJSON()
	default:
		data, _ = json.Marshal(v)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_ = s.conn.WriteMessage(websocket.TextMessage, data)
}

// broadcastLocked sends an event to the bot's live sockets if the bot is
// in the channel.
func (f *fakeMM) broadcastLocked(ev *model.WebSocketEvent, channelID string) {
	if !f.members[channelID][f.bot.Id] {
		return
	}
	for s := range f.sockets {
		if !s.silent {
			s.write(ev)
		}
	}
}

func (f *fakeMM) broadcastPostLocked(p *model.Post) {
	ch := f.channels[p.ChannelId]
	raw, _ := json.Marshal(p)
	ev := model.NewWebSocketEvent(model.WebsocketEventPosted, ch.TeamId, ch.Id, "", nil, "")
	ev = ev.SetData(map[string]any{
		"post": string(raw), "channel_type": string(ch.Type), "channel_name": ch.Name,
		"channel_display_name": ch.DisplayName, "sender_name": "@" + f.users[p.UserId].Username, "team_id": ch.TeamId,
	})
	f.broadcastLocked(ev, ch.Id)
}

// say posts a message of user in a channel (rootID answers in a thread).
func (f *fakeMM) say(user, channelID, text, rootID string) *model.Post {
	u := f.user(user)
	f.mu.Lock()
	defer f.mu.Unlock()
	p := &model.Post{Id: model.NewId(), UserId: u.Id, ChannelId: channelID, RootId: rootID, Message: text}
	p.CreateAt = f.tick()
	p.UpdateAt = p.CreateAt
	f.posts[p.Id] = p
	f.channels[channelID].LastPostAt = p.CreateAt
	f.broadcastPostLocked(p)
	return p
}

// dm sends the bot a direct message.
func (f *fakeMM) dm(user, text string) *model.Post {
	u := f.user(user)
	f.mu.Lock()
	ch := f.directLocked(u.Id, f.bot.Id)
	f.mu.Unlock()
	return f.say(user, ch.Id, text, "")
}

// react adds (or removes) user's reaction on a post and returns the event
// it broadcast.
func (f *fakeMM) react(user, postID, emoji string, add bool) *model.WebSocketEvent {
	u := f.user(user)
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.posts[postID]
	now := f.tick()
	r := &model.Reaction{UserId: u.Id, PostId: postID, EmojiName: emoji, ChannelId: p.ChannelId}
	event := model.WebsocketEventReactionAdded
	if add {
		r.CreateAt, r.UpdateAt = now, now
		f.reactions[postID] = append(f.reactions[postID], r)
	} else {
		event = model.WebsocketEventReactionRemoved
		f.reactions[postID] = slices.DeleteFunc(f.reactions[postID], func(x *model.Reaction) bool {
			return x.UserId == u.Id && x.EmojiName == emoji
		})
		r.UpdateAt, r.DeleteAt = now, now
	}
	p.UpdateAt = now
	raw, _ := json.Marshal(r)
	ev := model.NewWebSocketEvent(event, "", p.ChannelId, "", nil, "").SetData(map[string]any{"reaction": string(raw)})
	f.broadcastLocked(ev, p.ChannelId)
	return ev
}

// resend sends an event again to every live socket, as a replaying
// server would.
func (f *fakeMM) resend(ev *model.WebSocketEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.sockets {
		s.write(ev)
	}
}

// click presses a post's button as user: the server sends the action's
// integration request, with its context, to the action's URL.
func (f *fakeMM) click(user, postID string) (int, *model.PostActionIntegrationResponse) {
	u := f.user(user)
	f.mu.Lock()
	p := f.posts[postID]
	var action *model.PostAction
	for _, att := range p.Attachments() {
		if len(att.Actions) > 0 {
			action = att.Actions[0]
		}
	}
	f.mu.Unlock()
	if action == nil || action.Integration == nil {
		f.t.Fatalf("fake: post %s has no button", postID)
	}
	body, _ := json.Marshal(&model.PostActionIntegrationRequest{
		UserId: u.Id, UserName: u.Username, ChannelId: p.ChannelId, PostId: postID, TeamId: f.team.Id,
		Type: model.PostActionTypeButton, Context: action.Integration.Context,
	})
	return f.post(action.Integration.URL, body)
}

// post sends a JSON request as the server does to an integration.
func (f *fakeMM) post(url string, body []byte) (int, *model.PostActionIntegrationResponse) {
	resp, err := f.outbound.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		f.t.Fatalf("fake: call %s: %v", url, err)
	}
	defer resp.Body.Close()
	var out model.PostActionIntegrationResponse
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, &out
}

// drop closes the bot's sockets abruptly.
func (f *fakeMM) drop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.sockets {
		s.conn.UnderlyingConn().Close()
	}
}

// silence makes the live sockets half-open: nothing goes through any more,
// pings included, and nothing says so.
func (f *fakeMM) silence() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.sockets {
		s.silent = true
	}
}

// botPosts returns the bot's posts in a channel, oldest first.
func (f *fakeMM) botPosts(channelID string) []*model.Post {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*model.Post
	for _, p := range f.posts {
		if p.UserId == f.bot.Id && p.ChannelId == channelID {
			out = append(out, p.Clone())
		}
	}
	slices.SortFunc(out, func(a, b *model.Post) int { return int(a.CreateAt - b.CreateAt) })
	return out
}

func (f *fakeMM) counts() (opened, pings int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.opened, f.pings
}

func (f *fakeMM) liveSockets() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sockets)
}
