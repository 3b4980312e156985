// Package mattermost is the Mattermost chat platform. It drives a bot
// account through the official model package (Client4 for REST,
// WebSocketClient for events), turns posts, reactions, the /giga slash
// command and the défi button into bot.Event, and renders bot.Message as
// Markdown posts and message attachments. No Mattermost type leaves the
// package: the core speaks the campaign's names (channel names, user names)
// and the adapter maps them to Mattermost ids both ways, starting from the
// core's roster (bot.Roster). A click on the défi button goes to the core,
// which decides what it counts; the adapter shows the clicker its answer.
//
// Wiring, in this order:
//
//	a, _ := mattermost.New(cfg, opts)    // no network
//	report, err := a.Connect(ctx)        // token, team, channels, users
//	b, _ := bot.New(ctx, bot.Options{Chat: a, …})
//	go a.Run(ctx, b)                     // WebSocket events until ctx ends
//	api.Handle("POST "+mattermost.CommandPath, a.CommandHandler(b))
//	api.Handle("POST "+mattermost.ActionPath, a.ActionHandler(b))
//
// Files attached to a message are uploaded to the channel and attached to
// the post; a file the server refuses is logged and left out, and the post
// goes with its complete text. The files of a slash command's answer go in
// a post of their own: in the channel for a public answer, else in the
// caller's direct message with the bot.
//
// Events are handled once across reconnections and replicas: each one is
// claimed in the store (Deliveries) under an id derived from the Mattermost
// post or reaction, and after every reconnection the posts written while the
// socket was down are fetched through REST and go through the same claims.
package mattermost

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jonboulle/clockwork"
	"github.com/mattermost/mattermost/server/public/model"

	"github.com/gigabot/gigabot/bot"
)

// The HTTP routes the adapter serves, relative to Config.PublicURL.
const (
	// CommandPath receives the /giga slash command.
	CommandPath = "/mattermost/command"
	// ActionPath receives the clicks on the défi button.
	ActionPath = "/mattermost/action"
)

var _ bot.Chat = (*Adapter)(nil)

// Reconnects counts the event connections re-established after a loss, by
// platform ("mattermost"). *metrics.Metrics fits.
type Reconnects interface {
	Reconnect(platform string)
}

// platform names Mattermost in metrics.
const platform = "mattermost"

// noReconnects counts nothing, for an adapter without metrics.
type noReconnects struct{}

func (noReconnects) Reconnect(string) {}

// Errors Connect returns (wrapped, with details).
var (
	// ErrInvalidToken: the server refused the token.
	ErrInvalidToken = errors.New("mattermost: invalid token (is it the token's ID rather than the token?)")
	// ErrNotBot: the token belongs to a regular user account.
	ErrNotBot = errors.New("mattermost: the token is not a bot account's")
	// ErrTeam: the team does not exist or the bot is not in it.
	ErrTeam = errors.New("mattermost: team unavailable")
	// ErrNotConnected: Run, Post, SetupCommand or a handler came before a
	// successful Connect.
	ErrNotConnected = errors.New("mattermost: not connected (call Connect first)")
)

// Config is what the operator configures, from the environment. Token and
// CommandToken are secrets: the adapter never logs them, and LogValue
// hides them when a Config is logged.
type Config struct {
	// URL is the server's address, e.g. https://mattermost.example.fr (MATTERMOST_URL).
	URL string
	// Token is the bot account's access token (MATTERMOST_TOKEN) — the token
	// itself, shown once when it is created, not its ID.
	Token string
	// Team is the team's name as it appears in its URL (MATTERMOST_TEAM).
	Team string
	// CommandToken is the token Mattermost sends with the /giga slash command
	// (MATTERMOST_COMMAND_TOKEN). Empty: every slash command gets 401.
	CommandToken string
	// PublicURL is the address at which the Mattermost server reaches the
	// bot's HTTP server (e.g. http://gigabot:8080). The défi button and the
	// slash command point there. Empty: défi posts have no button, and
	// SetupCommand refuses.
	PublicURL string
	// AllowUserAccount accepts the token of a regular user account, with a
	// warning. By default only a bot account is accepted.
	AllowUserAccount bool
}

// LogValue shows the configuration without its secrets.
func (c Config) LogValue() slog.Value {
	secret := func(s string) string {
		if s == "" {
			return "(unset)"
		}
		return "(set)"
	}
	return slog.GroupValue(
		slog.String("url", c.URL), slog.String("team", c.Team),
		slog.String("token", secret(c.Token)), slog.String("command_token", secret(c.CommandToken)),
		slog.String("public_url", c.PublicURL), slog.Bool("allow_user_account", c.AllowUserAccount),
	)
}

// Options are the adapter's collaborators and tunings.
type Options struct {
	// Roster names the team channels and the people to resolve, and the
	// language of what the adapter says itself. Zero: none, in French
	// (enough for SetupCommand).
	Roster bot.Roster
	// Deliveries deduplicates events (the store fits). Run requires it.
	Deliveries bot.Deliveries
	// Owner names this process in delivery leases (unique per replica).
	// Run requires it.
	Owner string
	// Logger defaults to discarding.
	Logger *slog.Logger
	// Clock ticks the socket's pings; defaults to the real clock.
	Clock clockwork.Clock
	// Sleep waits between retries and reconnections; defaults to a timer of
	// Clock. Tests pass one that returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
	// Random returns a number in [0, 1) to jitter the waits; defaults to math/rand/v2.
	Random func() float64
	// HTTPClient makes the REST calls and lends its TLS settings to the
	// socket; defaults to a client with a 30 s timeout.
	HTTPClient *http.Client
	// PingInterval is how often the socket is pinged; a socket that has not
	// answered by the next ping is closed and reopened. Default 30 s.
	PingInterval time.Duration
	// Backfill is how far back, at start-up, the commands and reactions
	// written while the bot was down are fetched; the delivery claims skip
	// those handled before the restart. Default 30 min; negative: only the
	// last minute (use it with a store that does not outlive the process).
	Backfill time.Duration
	// Retries bounds the attempts of a REST call answered 429 or 5xx, or
	// that could not reach the server. Default 6.
	Retries int
	// Reconnects is told each time Run's WebSocket is open again after a
	// loss (not the first time). Nil: not counted.
	Reconnects Reconnects
}

// Tunings that need no option.
const (
	deliveryLease = 2 * time.Minute
	// deliveryKeep outlasts every window in which an event can be fetched again.
	deliveryKeep = 48 * time.Hour
	// catchUpMargin widens each catch-up, for events stamped by another
	// server node whose clock is a little behind.
	catchUpMargin = time.Minute
	restBackoff   = 500 * time.Millisecond
	restMaxWait   = 30 * time.Second
	socketBackoff = time.Second
	socketMaxWait = time.Minute
	// handleAttempts bounds how often a failing event is handled again.
	handleAttempts = 3
)

// Adapter is the Mattermost chat platform.
type Adapter struct {
	cfg        Config
	once       *bot.Once
	log        *slog.Logger
	clock      clockwork.Clock
	sleep      func(ctx context.Context, d time.Duration) error
	random     func() float64
	pingEvery  time.Duration
	backfill   time.Duration
	retries    int
	client     *model.Client4
	dialer     *websocket.Dialer
	socketURL  string
	actionKey  []byte
	loc        bot.Locale
	dir        *directory
	reconnects Reconnects
	running    atomic.Bool

	// Set by Connect.
	connected atomic.Bool
	botID     string
	botName   string
	teamID    string
	mention   *regexp.Regexp

	// Owned by Run's goroutine.
	cursor   int64 // server time (ms) of the latest event seen
	floor    int64 // server time (ms) of the oldest event to handle again; 0: none
	failures map[string]int
	seeded   bool
	welcomed bool // a socket of this Run was welcomed before

	mu    sync.Mutex
	known map[string]map[string]int64 // bot post id → user id + "\x00" + emoji → create_at
	// undelivered are the additions in known not handed on yet (a claim
	// failed): the next catch-up hands them on again. Keys: post id +
	// "\x00" + the key in known.
	undelivered map[string]bool
	unsettled   map[string]unsettledPost
	replies     map[string]*replyRoute
	replySeq    int
}

// New returns an adapter. It does not touch the network: Connect does.
func New(cfg Config, o Options) (*Adapter, error) {
	u, err := url.Parse(strings.TrimRight(cfg.URL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("mattermost: URL %q: want http(s)://host", cfg.URL)
	}
	switch {
	case cfg.Token == "":
		return nil, errors.New("mattermost: the bot token is required (MATTERMOST_TOKEN)")
	case cfg.Team == "":
		return nil, errors.New("mattermost: the team name is required (MATTERMOST_TEAM)")
	}
	if cfg.PublicURL != "" {
		p, err := url.Parse(cfg.PublicURL)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, fmt.Errorf("mattermost: public URL %q: want http(s)://host[:port]", cfg.PublicURL)
		}
		cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = clockwork.NewRealClock()
	}
	if o.Sleep == nil {
		clock := o.Clock
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-clock.After(d):
				return nil
			}
		}
	}
	if o.Random == nil {
		o.Random = rand.Float64
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 30 * time.Second
	}
	if o.Backfill == 0 {
		o.Backfill = 30 * time.Minute
	}
	if o.Retries <= 0 {
		o.Retries = 6
	}
	if o.Reconnects == nil {
		o.Reconnects = noReconnects{}
	}
	client := model.NewAPIv4Client(u.String())
	client.SetToken(cfg.Token)
	client.HTTPClient = o.HTTPClient
	dialer := &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 15 * time.Second}
	if t, ok := o.HTTPClient.Transport.(*http.Transport); ok && t.TLSClientConfig != nil {
		dialer.TLSClientConfig = t.TLSClientConfig.Clone()
	} else {
		dialer.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	socket := *u
	socket.Scheme = map[string]string{"http": "ws", "https": "wss"}[u.Scheme]
	// The button's context is signed with a key only the bot holds; it is
	// derived from the token so that every replica shares it.
	mac := hmac.New(sha256.New, []byte(cfg.Token))
	mac.Write([]byte("gigabot mattermost actions v1"))
	var once *bot.Once
	if o.Deliveries != nil && o.Owner != "" {
		once = bot.NewOnce(o.Deliveries, o.Owner, deliveryKeep)
	}
	return &Adapter{
		cfg: cfg, once: once, log: o.Logger,
		clock: o.Clock, sleep: o.Sleep, random: o.Random, pingEvery: o.PingInterval,
		backfill: max(o.Backfill, 0), retries: o.Retries, client: client, dialer: dialer,
		socketURL: socket.String(), actionKey: mac.Sum(nil), loc: bot.NewLocale(o.Roster.Language),
		dir: newDirectory(o.Roster), reconnects: o.Reconnects, failures: map[string]int{},
		known: map[string]map[string]int64{}, undelivered: map[string]bool{}, unsettled: map[string]unsettledPost{}, replies: map[string]*replyRoute{},
	}, nil
}

// Report says what Connect found.
type Report struct {
	// Bot is the bot account's user name.
	Bot string
	// Channels lists the campaign channels found (and joined where needed).
	Channels []string
	// Joined lists the public channels the bot joined.
	Joined []string
	// Problems has one sentence per name that matched nothing or channel
	// the bot could not join. The bot runs without them.
	Problems []string
}

// Connect checks the token, resolves the team, the campaign's channels and
// users, and joins the public channels the bot is not in yet. Names that
// match nothing are reported (and logged), not fatal. Returns
// ErrInvalidToken, ErrNotBot or ErrTeam (wrapped) for what the bot cannot
// run without.
func (a *Adapter) Connect(ctx context.Context) (Report, error) {
	var me *model.User
	resp, err := a.retry(ctx, "check the token", func() (*model.Response, error) {
		var (
			resp *model.Response
			err  error
		)
		me, resp, err = a.client.GetMe(ctx, "")
		return resp, err
	})
	if err != nil {
		if statusOf(err) == http.StatusUnauthorized {
			return Report{}, ErrInvalidToken
		}
		return Report{}, fmt.Errorf("mattermost: reach %s: %w", a.cfg.URL, err)
	}
	if !me.IsBot {
		if !a.cfg.AllowUserAccount {
			return Report{}, fmt.Errorf("%w: it belongs to the user account %q; create a bot account "+
				"(System Console › Integrations › Bot Accounts), add it to the team and use its access token", ErrNotBot, me.Username)
		}
		a.log.Warn("mattermost: running as a regular user account, not a bot account", "user", me.Username)
	}
	now := serverTime(resp, a.clock.Now())
	var team *model.Team
	if _, err := a.retry(ctx, "find the team", func() (*model.Response, error) {
		var (
			resp *model.Response
			err  error
		)
		team, resp, err = a.client.GetTeamByName(ctx, a.cfg.Team, "")
		return resp, err
	}); err != nil {
		return Report{}, teamError(a.cfg.Team, me.Username, err)
	}
	rep := Report{Bot: me.Username}
	if err := a.resolveChannels(ctx, me.Id, team, &rep); err != nil {
		return Report{}, teamError(a.cfg.Team, me.Username, err)
	}
	if err := a.resolveUsers(ctx, &rep); err != nil {
		return Report{}, err
	}
	a.botID, a.botName, a.teamID, a.mention = me.Id, me.Username, team.Id, mentionPattern(me.Username)
	a.cursor = now.UnixMilli() - a.backfill.Milliseconds()
	a.connected.Store(true)
	for _, p := range rep.Problems {
		a.log.Warn("mattermost: a configured name matches nothing usable", "problem", p)
	}
	a.log.Info("mattermost: connected", "bot", me.Username, "team", team.Name,
		"channels", len(rep.Channels), "joined", len(rep.Joined), "problems", len(rep.Problems))
	return rep, nil
}

func teamError(team, bot string, err error) error {
	switch statusOf(err) {
	case http.StatusNotFound:
		return fmt.Errorf("%w: no team named %q (MATTERMOST_TEAM is the name in the team's URL)", ErrTeam, team)
	case http.StatusForbidden:
		return fmt.Errorf("%w: the bot %q is not a member of team %q: add it to the team", ErrTeam, bot, team)
	}
	return fmt.Errorf("mattermost: team %q: %w", team, err)
}

// resolveChannels finds the campaign's channels among the bot's channels
// and the team's public ones, joining the public ones it is not in.
func (a *Adapter) resolveChannels(ctx context.Context, botID string, team *model.Team, rep *Report) error {
	mine, err := retryValue(ctx, a, "list the bot's channels", func() ([]*model.Channel, *model.Response, error) {
		return a.client.GetChannelsForTeamForUser(ctx, team.Id, botID, false, "")
	})
	if err != nil {
		return err
	}
	var public []*model.Channel
	listed := false
	for _, name := range a.dir.campaignChannels() {
		if ch := findChannel(mine, team.Id, name); ch != nil {
			a.dir.addCampaignChannel(name, ch.Id)
			rep.Channels = append(rep.Channels, name)
			continue
		}
		if !listed {
			if public, err = a.publicChannels(ctx, team.Id); err != nil {
				return err
			}
			listed = true
		}
		ch := findChannel(public, team.Id, name)
		if ch == nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("channel %q: not found in team %q (if it is private, add the bot to it)", name, team.Name))
			continue
		}
		if _, err := a.retry(ctx, "join "+name, func() (*model.Response, error) {
			_, resp, err := a.client.AddChannelMember(ctx, ch.Id, botID)
			return resp, err
		}); err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("channel %q: the bot could not join it (%v): add it to the channel", name, err))
			continue
		}
		a.dir.addCampaignChannel(name, ch.Id)
		rep.Channels = append(rep.Channels, name)
		rep.Joined = append(rep.Joined, name)
	}
	return nil
}

func (a *Adapter) publicChannels(ctx context.Context, teamID string) ([]*model.Channel, error) {
	const perPage = 200
	var all []*model.Channel
	for page := 0; ; page++ {
		chans, err := retryValue(ctx, a, "list the public channels", func() ([]*model.Channel, *model.Response, error) {
			return a.client.GetPublicChannelsForTeam(ctx, teamID, page, perPage, "")
		})
		if err != nil {
			return nil, err
		}
		all = append(all, chans...)
		if len(chans) < perPage {
			return all, nil
		}
	}
}

// findChannel matches a configured name with a channel's name (as in its
// URL) or, failing that, its display name, ignoring case.
func findChannel(chans []*model.Channel, teamID, name string) *model.Channel {
	var byDisplay *model.Channel
	for _, ch := range chans {
		if ch.TeamId != teamID || ch.DeleteAt != 0 || (ch.Type != model.ChannelTypeOpen && ch.Type != model.ChannelTypePrivate) {
			continue
		}
		if strings.EqualFold(ch.Name, name) {
			return ch
		}
		if byDisplay == nil && strings.EqualFold(ch.DisplayName, name) {
			byDisplay = ch
		}
	}
	return byDisplay
}

// resolveUsers maps the campaign's user names to Mattermost accounts.
func (a *Adapter) resolveUsers(ctx context.Context, rep *Report) error {
	if err := a.resolveEmails(ctx, rep); err != nil {
		return err
	}
	names := a.dir.campaignUsers()
	const batch = 100
	for i := 0; i < len(names); i += batch {
		part := names[i:min(i+batch, len(names))]
		users, err := retryValue(ctx, a, "find the campaign's users", func() ([]*model.User, *model.Response, error) {
			return a.client.GetUsersByUsernames(ctx, part)
		})
		if err != nil {
			return fmt.Errorf("mattermost: %w", err)
		}
		for _, u := range users {
			a.dir.addAccount(u)
			if u.DeleteAt != 0 {
				rep.Problems = append(rep.Problems, fmt.Sprintf("user %q: the account is deactivated", u.Username))
			}
		}
	}
	for _, name := range names {
		if _, ok := a.dir.userID(name); !ok {
			rep.Problems = append(rep.Problems, fmt.Sprintf("user %q: no Mattermost account has this user name", name))
		}
	}
	return nil
}
