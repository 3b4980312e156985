// Package matrix is the Matrix chat platform (Element, Tchap, any
// homeserver speaking the client-server API). It drives a bot account
// through mautrix-go, turns room messages addressed to the bot, reactions
// (m.reaction) and their redactions into bot.Event, and renders bot.Message
// as m.text events with an org.matrix.custom.html body, and files as
// m.image or m.file uploads. No Matrix type leaves the package: the core
// speaks the campaign's names (room names and people as the config spells
// them) and the adapter maps them to room and user ids both ways.
//
// Wiring, in this order:
//
//	a, _ := matrix.New(cfg, opts)   // no network
//	report, err := a.Connect(ctx)   // token (or password), rooms, encryption check
//	b, _ := bot.New(ctx, bot.Options{Chat: a, …})
//	go a.Run(ctx, b)                // /sync until ctx ends
//
// Matrix's own guarantees carry the core's: every send carries a
// transaction id derived from the post's name in the post ledger
// (bot.Message.Key), or from the event a reply answers, so a send retried
// after a crash is the same event, not a second one; the /sync token is
// kept in the store (Memory) after each batch is handled, so what happened
// while the bot was down is handled once when it is back; every event is
// claimed (bot.Once) under its event id, so a batch handled twice (a crash
// before the token was saved, two replicas) counts once. A 429
// (M_LIMIT_EXCEEDED) is waited out for its retry_after_ms, then sent again.
//
// End-to-end encrypted rooms are refused: Connect fails naming the room
// (see docs/matrix.md for why, and what to do).
package matrix

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/gigabot/gigabot/bot"
)

var _ bot.Chat = (*Adapter)(nil)

// Memory keeps the adapter's state across restarts: the /sync token and
// which reaction a redaction undoes. The Redis store fits.
type Memory interface {
	// Remember keeps value under name for keep (0: until replaced).
	Remember(ctx context.Context, name, value string, keep time.Duration) error
	// RememberAbout is Remember for a value that names people: the
	// retention erasure forgets it.
	RememberAbout(ctx context.Context, name, value string, keep time.Duration) error
	// Recall returns what Remember kept; false when nothing is.
	Recall(ctx context.Context, name string) (string, bool, error)
}

// Reconnects counts the event connections re-established after a loss, by
// platform ("matrix"). *metrics.Metrics fits.
type Reconnects interface {
	Reconnect(platform string)
}

// platform names Matrix in metrics.
const platform = "matrix"

type noReconnects struct{}

func (noReconnects) Reconnect(string) {}

// Errors Connect returns (wrapped, with details).
var (
	// ErrInvalidToken: the homeserver refused the access token or the password.
	ErrInvalidToken = errors.New("matrix: the homeserver refused the bot's credentials")
	// ErrEncrypted: a campaign room is end-to-end encrypted.
	ErrEncrypted = errors.New("matrix: end-to-end encrypted room")
	// ErrNotConnected: Run or Post came before a successful Connect.
	ErrNotConnected = errors.New("matrix: not connected (call Connect first)")
)

// Config is what the operator configures, from the environment.
// AccessToken and Password are secrets: the adapter never logs them, and
// LogValue hides them when a Config is logged.
type Config struct {
	// HomeserverURL is the client-server API's base, e.g.
	// https://matrix.example.fr (MATRIX_HOMESERVER_URL).
	HomeserverURL string
	// UserID is the bot's account, e.g. @gigabot:example.fr (MATRIX_USER_ID).
	UserID string
	// AccessToken is the account's access token (MATRIX_ACCESS_TOKEN).
	AccessToken string
	// Password logs in when there is no AccessToken (MATRIX_PASSWORD).
	Password string
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
		slog.String("homeserver_url", c.HomeserverURL), slog.String("user_id", c.UserID),
		slog.String("access_token", secret(c.AccessToken)), slog.String("password", secret(c.Password)),
	)
}

// Options are the adapter's collaborators and tunings.
type Options struct {
	// Roster names the team rooms and the people.
	Roster bot.Roster
	// Deliveries deduplicates events (the store fits). Run requires it.
	Deliveries bot.Deliveries
	// Memory keeps the /sync token and the reactions (the store fits).
	// Run requires it.
	Memory Memory
	// Owner names this process in delivery leases (unique per replica).
	// Run requires it.
	Owner string
	// Logger defaults to discarding.
	Logger *slog.Logger
	// Sleep waits between retries; defaults to a timer. Tests pass one
	// that records the waits.
	Sleep func(ctx context.Context, d time.Duration) error
	// HTTPClient makes the calls; defaults to a client with a 2-minute
	// timeout (a /sync waits SyncTimeout on the server).
	HTTPClient *http.Client
	// SyncTimeout is how long one /sync waits for events. Default 30 s.
	SyncTimeout time.Duration
	// TimelineLimit is how many events of a room one /sync returns;
	// the server says when it left some out, and the adapter fetches them
	// with /messages. Default 100.
	TimelineLimit int
	// RateLimitRetries bounds the sends of one request answered 429.
	// Default 8.
	RateLimitRetries int
	// Reconnects is told each time /sync answers again after failing. Nil:
	// not counted.
	Reconnects Reconnects
}

// Tunings that need no option.
const (
	deliveryLease = 2 * time.Minute
	// deliveryKeep outlasts every window in which /sync can give an event again.
	deliveryKeep = 7 * 24 * time.Hour
	// reactionKeep is how long the adapter remembers a reaction, to undo
	// it when it is redacted: the campaign and a margin.
	reactionKeep = 120 * 24 * time.Hour
	syncBackoff  = time.Second
	syncMaxWait  = time.Minute
	// handleAttempts bounds how often a failing event is handled again
	// before the adapter moves past it.
	handleAttempts = 3
)

// Adapter is the Matrix chat platform.
type Adapter struct {
	cfg         Config
	client      *mautrix.Client
	once        *bot.Once
	memory      Memory
	log         *slog.Logger
	sleep       func(ctx context.Context, d time.Duration) error
	syncTimeout time.Duration
	timeline    int
	reconnects  Reconnects
	dir         *directory

	connected atomic.Bool
	me        id.UserID
	server    string // the bot's server name, for localparts
	botName   string // the bot's display name, for mentions
	pill      *regexp.Regexp

	mu     sync.Mutex
	direct map[id.RoomID]bool // rooms known to be direct messages (two members)
	warned map[id.RoomID]bool // encrypted rooms already logged
}

// New returns an adapter. It does not touch the network: Connect does.
func New(cfg Config, o Options) (*Adapter, error) {
	u, err := url.Parse(strings.TrimRight(cfg.HomeserverURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("matrix: homeserver URL %q: want http(s)://host (MATRIX_HOMESERVER_URL)", cfg.HomeserverURL)
	}
	user := id.UserID(cfg.UserID)
	_, server, err := user.ParseAndValidateRelaxed()
	if err != nil {
		return nil, fmt.Errorf("matrix: user id %q: want @name:server (MATRIX_USER_ID): %w", cfg.UserID, err)
	}
	if cfg.AccessToken == "" && cfg.Password == "" {
		return nil, errors.New("matrix: MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD is required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 2 * time.Minute}
	}
	if o.SyncTimeout <= 0 {
		o.SyncTimeout = 30 * time.Second
	}
	if o.TimelineLimit <= 0 {
		o.TimelineLimit = 100
	}
	if o.RateLimitRetries <= 0 {
		o.RateLimitRetries = 8
	}
	if o.Reconnects == nil {
		o.Reconnects = noReconnects{}
	}
	client, err := mautrix.NewClient(u.String(), user, cfg.AccessToken)
	if err != nil {
		return nil, fmt.Errorf("matrix: %w", err)
	}
	hc := *o.HTTPClient
	hc.Transport = &rateLimited{next: transportOf(o.HTTPClient), sleep: o.Sleep, retries: o.RateLimitRetries, log: o.Logger}
	client.Client = &hc
	// 429s are the transport's to wait out, with the server's
	// retry_after_ms; mautrix still retries gateway errors.
	client.IgnoreRateLimit = true
	client.DefaultHTTPRetries = 2
	var once *bot.Once
	if o.Deliveries != nil && o.Owner != "" {
		once = bot.NewOnce(o.Deliveries, o.Owner, deliveryKeep)
	}
	return &Adapter{
		cfg: cfg, client: client, once: once, memory: o.Memory, log: o.Logger, sleep: o.Sleep,
		syncTimeout: o.SyncTimeout, timeline: o.TimelineLimit, reconnects: o.Reconnects,
		dir: newDirectory(o.Roster, server), me: user, server: server, pill: pillPattern(user),
		direct: map[id.RoomID]bool{}, warned: map[id.RoomID]bool{},
	}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Report says what Connect found.
type Report struct {
	// Bot is the bot's user id.
	Bot string
	// Rooms lists the campaign rooms found, as the config names them.
	Rooms []string
	// Joined lists the rooms the bot joined.
	Joined []string
	// Problems has one sentence per room the bot could not find or join.
	// The bot runs without them.
	Problems []string
}

// Connect checks the credentials (logging in with the password when there
// is no token), finds the campaign's rooms and joins those it is not in.
// A room that cannot be found or joined is reported and logged, not
// fatal. Returns ErrInvalidToken for credentials the server refuses, and
// ErrEncrypted naming the first end-to-end encrypted campaign room.
func (a *Adapter) Connect(ctx context.Context) (Report, error) {
	if a.cfg.AccessToken == "" {
		if err := a.login(ctx); err != nil {
			return Report{}, err
		}
	}
	who, err := a.client.Whoami(ctx)
	if err != nil {
		if errors.Is(err, mautrix.MUnknownToken) || errors.Is(err, mautrix.MMissingToken) {
			return Report{}, fmt.Errorf("%w: check MATRIX_ACCESS_TOKEN", ErrInvalidToken)
		}
		return Report{}, fmt.Errorf("matrix: reach %s: %w", a.cfg.HomeserverURL, err)
	}
	if who.UserID != a.me {
		return Report{}, fmt.Errorf("%w: the token belongs to %s, not to MATRIX_USER_ID %s", ErrInvalidToken, who.UserID, a.me)
	}
	a.client.DeviceID = who.DeviceID
	if p, err := a.client.GetDisplayName(ctx, a.me); err == nil && p.DisplayName != "" {
		a.botName = p.DisplayName
	}
	rep, err := a.joinRooms(ctx)
	if err != nil {
		return Report{}, err
	}
	a.connected.Store(true)
	a.log.Info("matrix: connected", "bot", a.me.String(), "device", string(who.DeviceID),
		"rooms", len(rep.Rooms), "joined", len(rep.Joined), "problems", len(rep.Problems))
	return rep, nil
}

// Reload takes the roster of a reloaded config: its rooms found and
// joined as at start-up, its people named, and the members of its
// "members: channel" rooms listed to h. An encrypted room is reported
// among the problems here, not fatal: the bot runs on.
func (a *Adapter) Reload(ctx context.Context, r bot.Roster, h bot.Handler) (Report, error) {
	if !a.connected.Load() {
		return Report{}, ErrNotConnected
	}
	a.dir.setRoster(r)
	rep, err := a.joinRooms(ctx)
	switch {
	case errors.Is(err, ErrEncrypted):
		rep.Problems = append(rep.Problems, err.Error())
		a.log.Error("matrix: the reloaded config names an encrypted room, left out", "err", err)
	case err != nil:
		return rep, err
	}
	a.listMembers(ctx, h)
	a.log.Info("matrix: config reloaded", "rooms", len(rep.Rooms), "joined", len(rep.Joined), "problems", len(rep.Problems))
	return rep, nil
}

// joinRooms resolves the roster's rooms and joins those the bot is not in.
// A room that cannot be found or joined is a problem of the report (and
// logged); an encrypted one is left out, and the error (ErrEncrypted)
// names each.
func (a *Adapter) joinRooms(ctx context.Context) (Report, error) {
	joined, err := a.client.JoinedRooms(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("matrix: list the bot's rooms: %w", err)
	}
	in := map[id.RoomID]bool{}
	for _, r := range joined.JoinedRooms {
		in[r] = true
	}
	rep := Report{Bot: a.me.String()}
	var refused []error // the encrypted rooms
	defer func() {
		for _, p := range rep.Problems {
			a.log.Warn("matrix: a configured room is not usable", "problem", p)
		}
	}()
	for _, name := range a.dir.campaignRooms() {
		room, err := a.resolveRoom(ctx, name)
		if err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("room %q: %v", name, err))
			continue
		}
		if !in[room] {
			if _, err := a.client.JoinRoomByID(ctx, room); err != nil {
				rep.Problems = append(rep.Problems, fmt.Sprintf("room %q: the bot could not join it (%v): make it public, or have a coordinator invite the bot", name, err))
				continue
			}
			rep.Joined = append(rep.Joined, name)
		}
		if encrypted, err := a.encrypted(ctx, room); err != nil {
			return rep, fmt.Errorf("matrix: room %q: %w", name, err)
		} else if encrypted {
			refused = append(refused, fmt.Errorf("%w: room %q (%s) encrypts its messages, which gigabot cannot read or send: "+
				"give the team an unencrypted room (encryption cannot be turned off in a room: create a new one) "+
				"and name it in the team's channel (see docs/matrix.md)", ErrEncrypted, name, room))
			continue
		}
		a.dir.addCampaignRoom(name, room)
		rep.Rooms = append(rep.Rooms, name)
	}
	return rep, errors.Join(refused...)
}

// login exchanges the password for an access token, kept in memory only.
func (a *Adapter) login(ctx context.Context) error {
	localpart, _, _ := a.me.Parse()
	_, err := a.client.Login(ctx, &mautrix.ReqLogin{
		Type:                     mautrix.AuthTypePassword,
		Identifier:               mautrix.UserIdentifier{Type: mautrix.IdentifierTypeUser, User: localpart},
		Password:                 a.cfg.Password,
		InitialDeviceDisplayName: "gigabot",
		StoreCredentials:         true,
	})
	if err != nil {
		if errors.Is(err, mautrix.MForbidden) {
			return fmt.Errorf("%w: check MATRIX_USER_ID and MATRIX_PASSWORD", ErrInvalidToken)
		}
		return fmt.Errorf("matrix: log in to %s: %w", a.cfg.HomeserverURL, err)
	}
	return nil
}

// resolveRoom finds a room by id, full alias or alias localpart on the
// bot's server.
func (a *Adapter) resolveRoom(ctx context.Context, name string) (id.RoomID, error) {
	if strings.HasPrefix(name, "!") {
		return id.RoomID(name), nil
	}
	alias := id.RoomAlias(name)
	if !strings.HasPrefix(name, "#") {
		alias = id.NewRoomAlias(name, a.server)
	}
	res, err := a.client.ResolveAlias(ctx, alias)
	if err != nil {
		if errors.Is(err, mautrix.MNotFound) {
			return "", fmt.Errorf("no room has the alias %s", alias)
		}
		return "", fmt.Errorf("resolve %s: %w", alias, err)
	}
	return res.RoomID, nil
}

// encrypted tells whether a room has end-to-end encryption on.
func (a *Adapter) encrypted(ctx context.Context, room id.RoomID) (bool, error) {
	var content event.EncryptionEventContent
	err := a.client.StateEvent(ctx, room, event.StateEncryption, "", &content)
	switch {
	case err == nil:
		return content.Algorithm != "", nil
	case errors.Is(err, mautrix.MNotFound):
		return false, nil
	}
	return false, fmt.Errorf("read its encryption state: %w", err)
}
