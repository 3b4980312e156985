// Package slack is Gigabot's Slack platform. It turns Slack deliveries
// (mentions, direct messages, the /giga slash command, reactions and the
// défi card's button) into bot.Events, and bot posts into Block Kit
// messages.
//
// Two connection modes: Socket Mode when an app-level token (xapp-…) is
// given — the bot dials out, so no public URL is needed — and HTTP mode
// otherwise, where Mount adds the three signed endpoints Slack calls
// (/slack/events, /slack/commands, /slack/interactions).
//
// The bot core speaks the campaign config's names: at start-up New resolves
// the channels and people of the core's roster (bot.Roster) to Slack IDs,
// joins the team channels it can, and reports every name it could not
// match without refusing to start. Events carry config names (or, for
// people and channels outside the config, their Slack IDs); Post takes
// config names back. A click on the défi card's button goes to the core,
// which decides what it counts; the adapter shows the clicker its answer.
//
// Delivery guarantees. Slack wants every delivery answered within 3
// seconds, and retries an Events API delivery that was not: every
// delivery (event, slash command, click) is acknowledged at once (HTTP 200
// or the Socket Mode ack) and handled in the background. Each event is
// claimed in the store by its event_id before it is handled, so a copy of
// an event handled or in hand is skipped. Since an acknowledged event is
// never delivered again, a handling that fails (the store down, another
// replica holding a copy and dying) is retried in the process, with
// backoff, for Slack's own retry window of about 5 minutes, then logged as
// dropped. Slash commands answer through their response URL.
//
// Posts are paced (one a second per channel, and a small gap between any
// two posts), wait out 429 Retry-After, and are retried with backoff on 5xx
// and network errors until the caller's context ends. Post returns an error
// only when nothing was posted as far as Slack told us; a request that timed
// out after it was sent cannot be checked without reading the channel's
// history (a scope the app does not ask for), so it is retried: the rare
// outcome of an outage is then a duplicate, never a lost post, and it is
// logged as such.
//
// Files attached to a message are shared after it, each through Slack's
// external upload, in the same channel — or, for an answer only its
// caller sees, in a direct message with them, since a file cannot be
// ephemeral. This needs the files:write and im:write scopes; without them
// (or when Slack refuses a file) the file is logged and left out, and the
// message stands complete.
//
// No SDK type leaves this package.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/gigabot/gigabot/bot"
)

var _ bot.Chat = (*Adapter)(nil)

// Reconnects counts the event connections re-established after a loss, by
// platform ("slack"). *metrics.Metrics fits.
type Reconnects interface {
	Reconnect(platform string)
}

// platform names Slack in metrics.
const platform = "slack"

// noReconnects counts nothing, for an adapter without metrics.
type noReconnects struct{}

func (noReconnects) Reconnect(string) {}

// Clock tells the time. Production passes nothing (the real clock), tests a
// fake one.
type Clock interface{ Now() time.Time }

// DefaultAPIURL is the Web API base of slack.com.
const DefaultAPIURL = "https://slack.com/api/"

// Config holds the Slack credentials. The caller reads them from the
// environment (SLACK_BOT_TOKEN, SLACK_APP_TOKEN, SLACK_SIGNING_SECRET,
// SLACK_API_URL); the adapter never logs them.
type Config struct {
	// BotToken is the bot user OAuth token, "xoxb-…". Required.
	BotToken string
	// AppToken is the app-level token with connections:write, "xapp-…".
	// Set: Socket Mode. Empty: HTTP mode.
	AppToken string
	// SigningSecret verifies the HTTP deliveries. Required in HTTP mode.
	SigningSecret string
	// APIURL overrides the Web API base (GovSlack, tests). Default DefaultAPIURL.
	APIURL string
}

// ErrConfig is wrapped by every error of Config.Validate.
var ErrConfig = errors.New("slack: configuration")

// Validate checks the tokens' shapes and the mode's requirements. Errors
// wrap ErrConfig and name the environment variable to fix.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...))
	}
	switch {
	case c.BotToken == "":
		bad("SLACK_BOT_TOKEN is not set: give the bot token (xoxb-…) from the app's \"OAuth & Permissions\" page")
	case !strings.HasPrefix(c.BotToken, "xoxb-"):
		bad("SLACK_BOT_TOKEN must be a bot token starting with xoxb-, not %s", tokenKind(c.BotToken))
	}
	if c.AppToken != "" && !strings.HasPrefix(c.AppToken, "xapp-") {
		bad("SLACK_APP_TOKEN must be an app-level token starting with xapp- (\"Basic Information\" > \"App-Level Tokens\", scope connections:write), not %s", tokenKind(c.AppToken))
	}
	if c.AppToken == "" && c.SigningSecret == "" {
		bad("set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode): without either the bot cannot receive anything")
	}
	if c.APIURL != "" {
		u, err := url.Parse(c.APIURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("SLACK_API_URL %q is not an http(s) URL such as https://slack.com/api/", c.APIURL)
		}
	}
	return errors.Join(errs...)
}

// tokenKind names a token by its prefix only, so that an error message
// never shows a secret.
func tokenKind(token string) string {
	switch {
	case strings.HasPrefix(token, "xoxb-"):
		return "a bot token (xoxb-)"
	case strings.HasPrefix(token, "xapp-"):
		return "an app-level token (xapp-)"
	case strings.HasPrefix(token, "xoxp-"):
		return "a user token (xoxp-)"
	case strings.HasPrefix(token, "xoxe"):
		return "a refresh or config token (xoxe)"
	}
	return "a token of another kind"
}

// SocketMode tells whether the adapter connects over Socket Mode.
func (c Config) SocketMode() bool { return c.AppToken != "" }

func (c Config) apiURL() string {
	if c.APIURL == "" {
		return DefaultAPIURL
	}
	return strings.TrimRight(c.APIURL, "/") + "/"
}

// Options wire the adapter to the campaign and the process.
type Options struct {
	// Roster names the channels and people to resolve, the emoji that
	// counts a défi, and the language of what the adapter says itself.
	Roster bot.Roster
	// Deliveries dedupes Slack's retries (the store fits). Required.
	Deliveries bot.Deliveries
	// Owner names this process in delivery leases (unique per replica). Required.
	Owner string
	// Logger defaults to discarding.
	Logger *slog.Logger
	// HTTPClient calls the Web API and response URLs. Default: a client
	// with a 30-second timeout.
	HTTPClient *http.Client
	// Clock defaults to the real clock.
	Clock Clock
	// Sleep waits d or until ctx ends. Default: a timer. Tests pass one
	// that advances a fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// Slots paces posts and Slack's Retry-After for every replica at once
	// (the store fits). Nil: this process alone.
	Slots Slots
	// ChannelInterval is the least time between two posts in one channel
	// (Slack: about one message a second per channel). Default 1s.
	ChannelInterval time.Duration
	// PostInterval is the least time between any two posts, so that a
	// broadcast to every team channel stays well under the workspace's
	// limits. Default 200ms.
	PostInterval time.Duration
	// HandleTimeout bounds the handling of one event. Default 1 minute.
	HandleTimeout time.Duration
	// ShutdownGrace is how long Run waits for events in flight once its
	// context ends. Default 10s.
	ShutdownGrace time.Duration
	// Reconnects is told each time the Socket Mode connection is
	// re-established (not the first connection). Nil: not counted.
	Reconnects Reconnects
}

// deliveryKeep is how long a handled delivery id is remembered: Slack's
// last retry comes about 5 minutes after the first attempt, and a Socket
// Mode reconnect may replay unacknowledged envelopes.
const deliveryKeep = time.Hour

// Adapter is the Slack chat platform.
type Adapter struct {
	api        *slack.Client
	cfg        Config
	roster     bot.Roster
	once       *bot.Once
	log        *slog.Logger
	http       *http.Client
	clock      Clock
	sleep      func(context.Context, time.Duration) error
	limits     *limiter
	dir        *directory
	replies    *replies
	loc        bot.Locale
	timeout    time.Duration
	grace      time.Duration
	report     Report
	reconnects Reconnects

	// bg bounds the work that outlives a request: handlers of slash
	// commands and clicks, and handlers Slack stopped waiting for.
	bg     context.Context
	stop   context.CancelFunc
	mu     sync.Mutex
	closed bool
	work   sync.WaitGroup
}

// New checks the credentials, resolves the campaign's channels and members
// to Slack IDs, joins the team channels it can, and logs what it could not
// match (see Report). It fails on bad credentials or when Slack refuses to
// list channels or users (a missing scope); Slack being unreachable only
// delays it (retried with backoff until ctx ends).
func New(ctx context.Context, cfg Config, o Options) (*Adapter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if o.Deliveries == nil || o.Owner == "" {
		return nil, errors.New("slack: New: deliveries and owner are required")
	}
	a := newAdapter(cfg, o)
	auth, err := a.authTest(ctx)
	if err != nil {
		return nil, err
	}
	a.dir.botUser = auth.UserID
	a.log.Info("slack: connected", "team", auth.Team, "bot_user", auth.UserID, "socket_mode", cfg.SocketMode(), "api", cfg.apiURL())
	if a.report, err = a.resolve(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

func newAdapter(cfg Config, o Options) *Adapter {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Clock == nil {
		o.Clock = realClock{}
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.ChannelInterval <= 0 {
		o.ChannelInterval = time.Second
	}
	if o.PostInterval <= 0 {
		o.PostInterval = 200 * time.Millisecond
	}
	if o.HandleTimeout <= 0 {
		o.HandleTimeout = time.Minute
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = 10 * time.Second
	}
	if o.Reconnects == nil {
		o.Reconnects = noReconnects{}
	}
	opts := []slack.Option{slack.OptionAPIURL(cfg.apiURL()), slack.OptionHTTPClient(o.HTTPClient)}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	bg, stop := context.WithCancel(context.Background())
	return &Adapter{
		api: slack.New(cfg.BotToken, opts...), cfg: cfg, roster: o.Roster, once: bot.NewOnce(o.Deliveries, o.Owner, deliveryKeep),
		log: o.Logger, http: o.HTTPClient, clock: o.Clock, sleep: o.Sleep,
		limits:  newLimiter(o.Clock.Now, o.Sleep, o.ChannelInterval, o.PostInterval, o.Slots, o.Logger),
		dir:     newDirectory(),
		replies: newReplies(),
		loc:     bot.NewLocale(o.Roster.Language),
		timeout: o.HandleTimeout, grace: o.ShutdownGrace, reconnects: o.Reconnects,
		bg: bg, stop: stop,
	}
}

// ErrAuth is returned by New when Slack refuses the bot token.
var ErrAuth = errors.New("slack: the bot token was refused")

func (a *Adapter) authTest(ctx context.Context) (*slack.AuthTestResponse, error) {
	var auth *slack.AuthTestResponse
	err := a.call(ctx, "auth.test", "", func(ctx context.Context) (err error) {
		auth, err = a.api.AuthTestContext(ctx)
		return err
	})
	if code := slackErrorCode(err); code != "" {
		return nil, fmt.Errorf("%w (%s): check SLACK_BOT_TOKEN and that the app is installed in the workspace", ErrAuth, code)
	}
	if untrusted(err) {
		return nil, fmt.Errorf("slack: %s: the certificate is not trusted (%w): if an internal authority signs it (GovSlack, a TLS-inspecting proxy), set SSL_CERT_FILE to a bundle of the public authorities and that one", a.cfg.apiURL(), withoutURL(err))
	}
	if err != nil {
		return nil, fmt.Errorf("slack: auth.test: %w", err)
	}
	return auth, nil
}

// Report returns what start-up could not match or join.
func (a *Adapter) Report() Report { return a.report }

// Run receives events until ctx ends and hands them to h. In Socket Mode
// it holds the connection (the SDK reconnects with backoff); it returns
// an error only when Slack refuses the app token. In HTTP mode the routes
// Mount added receive the events and Run only waits. Either way, once ctx
// ends Run waits up to ShutdownGrace for the events in flight, then
// cancels them.
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	a.announceMembers(ctx, h)
	var err error
	if a.cfg.SocketMode() {
		err = a.runSocket(ctx, h)
	} else {
		<-ctx.Done()
	}
	a.shutdown()
	return err
}

// shutdown refuses new work, waits for the work in flight up to the grace
// period, then cancels what is left.
func (a *Adapter) shutdown() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	done := make(chan struct{})
	go func() {
		a.work.Wait()
		close(done)
	}()
	timer := time.NewTimer(a.grace)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		a.log.Warn("slack: events still in flight at shutdown: cancelling them (Slack retries the unacknowledged ones)")
	}
	a.stop()
	<-done
}

// begin registers one piece of work; it returns false once the adapter
// shuts down. Every begin that returns true is followed by a.work.Done().
func (a *Adapter) begin() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return false
	}
	a.work.Add(1)
	return true
}

// handleContext bounds the handling of one event: HandleTimeout and the
// adapter's lifetime, not the request's (answered before the handling).
func (a *Adapter) handleContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), a.timeout)
	unhook := context.AfterFunc(a.bg, cancel)
	return ctx, func() {
		unhook()
		cancel()
	}
}

// spawn runs fn in the background, bounded by handleContext, for
// deliveries Slack wants acknowledged before they are handled. It returns
// false once the adapter shuts down.
func (a *Adapter) spawn(fn func(ctx context.Context)) bool {
	return a.background(func() {
		ctx, cancel := a.handleContext(a.bg)
		defer cancel()
		fn(ctx)
	})
}

// background runs fn as work the shutdown waits for. It returns false,
// running nothing, once the adapter shuts down.
func (a *Adapter) background(fn func()) bool {
	if !a.begin() {
		return false
	}
	go func() {
		defer a.work.Done()
		fn()
	}()
	return true
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
