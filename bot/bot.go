// Package bot is Gigabot's platform-neutral core: chat events in, posts out.
// It parses commands, checks roles, counts reactions on défi posts, and
// publishes the scheduled posts (défi, recap, podium, milestones) exactly
// once per channel. Chat platforms plug in through the Chat interface; the
// scores live behind the Store interface.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/scoring"
)

// Chat is what the bot needs from a chat platform.
type Chat interface {
	// Post sends a message to a channel (a configured channel name, or the
	// channel an event came from) and returns the platform's id of the post.
	Post(ctx context.Context, channel string, msg Message) (string, error)
}

// Store is what the bot needs from the score store. The Redis store fits.
type Store interface {
	SaveTeams(ctx context.Context, name string, teams []scoring.Team) error
	Figures(ctx context.Context) (map[string]scoring.Figures, error)
	TotalFreed(ctx context.Context) (int64, error)
	React(ctx context.Context, r scoring.Reaction, add bool) (int, error)
	AgentDays(ctx context.Context, agent string) ([]int, error)
	RecordScan(ctx context.Context, sc scoring.Scan, rules scoring.ScanRules) (scoring.ScanResult, error)
	// HeldScans lists the reports waiting for a coordinator.
	HeldScans(ctx context.Context) ([]scoring.HeldScan, error)
	// DecideScan counts (accept) or drops a held report. Returns
	// scoring.ErrNotHeld (wrapped) when id is not held.
	DecideScan(ctx context.Context, id, by string, accept bool, rules scoring.ScanRules) (scoring.HeldScan, scoring.ScanResult, error)
	LatestScans(ctx context.Context, team string) ([]scoring.Scan, error)
	Correct(ctx context.Context, c scoring.Correction) error
	Corrections(ctx context.Context, day int) ([]scoring.Correction, error)
	Snapshot(ctx context.Context, day int, at time.Time) (map[string]scoring.Figures, error)
	DaySnapshot(ctx context.Context, day int) (map[string]scoring.Figures, bool, error)
	ClaimPost(ctx context.Context, key, owner string, lease time.Duration) (scoring.ClaimStatus, error)
	ConfirmPost(ctx context.Context, key, postID, ref string, at time.Time) error
	ReleasePost(ctx context.Context, key, owner string) error
	PostRef(ctx context.Context, postID string) (string, bool, error)
	// Marked lists, for each post, the agents whose mark on it counts (a
	// scan of every mark: SettleDefis's, at start-up, not a reaction's).
	Marked(ctx context.Context, postIDs ...string) (map[string][]string, error)
	// PostSent tells whether the post named key was sent, and as which id.
	PostSent(ctx context.Context, key string) (string, bool, error)
	ReferTo(ctx context.Context, postID, ref string) error
	AuditAfter(ctx context.Context, after string, count int64) ([]scoring.Record, error)
	// RaiseMilestone records the highest milestone announced, across
	// replicas, and tells whether threshold is it.
	RaiseMilestone(ctx context.Context, threshold int64) (bool, error)
	// LogLength names the state of the figures (the log is append-only).
	LogLength(ctx context.Context) (int64, error)
	// LastAuditID and WaitAudit follow the log (Follow).
	LastAuditID(ctx context.Context) (string, error)
	WaitAudit(ctx context.Context, after string, block time.Duration) ([]scoring.Record, error)
}

// Clock tells the time. Production passes a real clock, tests a fake one.
type Clock interface{ Now() time.Time }

// EventKind tells what happened on the platform.
type EventKind int

// The kinds of events.
const (
	// MessageReceived is a message addressed to the bot (a mention, a direct
	// message, a slash command, a console line).
	MessageReceived EventKind = iota
	// ReactionAdded is a reaction added to a post.
	ReactionAdded
	// ReactionRemoved is a reaction taken off a post.
	ReactionRemoved
	// MemberJoined and MemberLeft say that User joined or left Channel
	// (the whole list comes through Handler.ListMembers).
	MemberJoined
	MemberLeft
)

// Event is a platform event translated by an adapter.
type Event struct {
	Kind EventKind
	// User is the platform user name, as the config's members and roles name it.
	User string
	// DisplayName is how the user appears (the DGS signs with it); defaults to User.
	DisplayName string
	// Channel is where the event happened; replies go there.
	Channel string
	// Text is the message without the bot's mention.
	Text string
	// PostID is the post reacted to.
	PostID string
	// Reaction is the emoji name ("white_check_mark").
	Reaction string
	// ID identifies the delivery, when the platform gives one.
	ID string
}

// MessageKind tells adapters what a post is, so that they can render it
// richly (a card, blocks, an attachment).
type MessageKind string

// The kinds of posts.
const (
	KindReply        MessageKind = "reply"
	KindDefi         MessageKind = "defi"
	KindRecap        MessageKind = "recap"
	KindPodium       MessageKind = "podium"
	KindMilestone    MessageKind = "milestone"
	KindMobilisation MessageKind = "mobilisation"
	KindAnnouncement MessageKind = "announcement"
)

// Message is a post. Text is always complete (light Markdown: *bold*,
// _italic_, `code`, one item a line); the other fields let an adapter render
// more.
type Message struct {
	Kind MessageKind
	Text string
	// Day and Days place a défi or a recap in the campaign (day 3 of 15).
	Day, Days int
	// Defi is the défi of a KindDefi post.
	Defi *challenges.Defi
	// Reaction is the emoji that counts a défi done.
	Reaction string
	// Key names a scheduled or broadcast post in the post ledger
	// ("defi:3:routes"): one key is one post however often it is sent, so
	// a platform with idempotent sends (Matrix's transaction ids) sends it
	// under that name. Empty for a reply.
	Key string
	// Files are attachments (a chart, an export). Text never depends on
	// them: a platform that cannot upload, or whose upload fails, still
	// posts the complete text.
	Files []File
}

// File is an attachment of a post.
type File struct {
	// Name is the file name shown to users ("classement-jour-3.png").
	Name string
	// MIME is the content type ("image/png", "text/csv").
	MIME string
	// Alt describes the file for whoever cannot see it (screen readers,
	// the console).
	Alt  string
	Data []byte
}

// Metrics counts what the bot does. The Prometheus metrics of
// integrations/metrics fit.
type Metrics interface {
	// PostSent counts a post the platform accepted, by kind.
	PostSent(kind string)
	// Command counts a command run, by its French name ("unknown" when
	// nothing matched).
	Command(name string)
}

// noMetrics counts nothing.
type noMetrics struct{}

func (noMetrics) PostSent(string) {}
func (noMetrics) Command(string)  {}

// countingChat counts the posts the platform accepted.
type countingChat struct {
	Chat
	metrics Metrics
}

func (c countingChat) Post(ctx context.Context, channel string, msg Message) (string, error) {
	id, err := c.Chat.Post(ctx, channel, msg)
	if err == nil {
		c.metrics.PostSent(string(msg.Kind))
	}
	return id, err
}

// Options configure a Bot.
type Options struct {
	Config   *challenges.Config
	Calendar *challenges.Calendar
	Store    Store
	Chat     Chat
	Clock    Clock
	Logger   *slog.Logger
	// Owner names this process in post leases (unique per replica).
	Owner string
	// Lease bounds how long a post may take before another process may retry it.
	Lease time.Duration
	// Metrics counts posts and commands (nil: nothing is counted).
	Metrics Metrics
	// NoCharts leaves the chart out of the recap and the podium, for a
	// platform where nobody would see it (the console demo).
	NoCharts bool
	// FollowBlock is how long Follow waits on the log at a time (default
	// 10 s); Follow returns at most that long after its context ends.
	FollowBlock time.Duration
	// RateLimits keeps each user's budget of commands (nil: the Store,
	// which must then fit).
	RateLimits RateLimits
	// Sleep waits d or until ctx ends, between two tries of a reaction
	// that met a store outage (default: a timer).
	Sleep func(ctx context.Context, d time.Duration) error
	// RetryQueue bounds how many reactions may wait for the store (default
	// 10 000), RetryFor how long each may wait (default an hour); the
	// store tells what an outage is if it fits Outages.
	RetryQueue int
	RetryFor   time.Duration
	// Members keeps the agents of the teams whose members are their
	// channel's (nil: the Store, which must then fit if a team does).
	Members ChannelMembers
	// Postponements keeps the postponed days (nil: the Store if it fits;
	// without, the reporter command fails).
	Postponements Postponements
	// OnCalendar is called once a postponement changed the calendar, so
	// that the owner builds the bot again on it (Live.Refresh).
	OnCalendar func(ctx context.Context)
	// Previous is the campaign's previous edition (campaign.previous),
	// which the standings, the board, the recap and the podium compare
	// with (nil: none).
	Previous *scoring.Edition
}

// Bot is the campaign's core.
type Bot struct {
	previous *scoring.Edition
	cfg      *challenges.Config
	cal      *challenges.Calendar
	store    Store
	chat     Chat
	reader   ReactionReader // the chat, when it lists reactions; nil otherwise
	clock    Clock
	log      *slog.Logger
	owner    string
	lease    time.Duration
	loc      Locale
	teams    []scoring.Team
	weights  scoring.Weights
	miles    scoring.Milestones
	equiv    scoring.Equivalences
	limiter  limiter
	outages  Outages
	members  ChannelMembers // nil unless a team's members are its channel's
	retries  *retryQueue
	commands []command
	metrics  Metrics
	noCharts bool
	follow   time.Duration
	// standings are cached by the state of the figures (standings.go).
	standings atomic.Pointer[cachedStandings]
	changes   atomic.Int64
	following atomic.Bool
	// announced is the highest milestone this process saw posted in every
	// channel, so that following the log costs no claim per event.
	announced atomic.Int64

	// histMu guards hist, the audit replay behind the curves and exports,
	// and its last computation.
	histMu   sync.Mutex
	hist     *scoring.History
	histKey  histKey
	histDays []dayFigures

	// postponed and onCalendar: Options.Postponements and OnCalendar.
	postponed  Postponements
	onCalendar func(ctx context.Context)
	// reminders is the Store, if it fits (direct reminders).
	reminders Reminders
	// testimonies is the Store, if it fits.
	testimonies Testimonies
}

// New builds a bot and records the campaign's teams in the store.
func New(ctx context.Context, o Options) (*Bot, error) {
	if o.Config == nil || o.Calendar == nil || o.Store == nil || o.Chat == nil || o.Clock == nil {
		return nil, errors.New("bot: New: config, calendar, store, chat and clock are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	if o.Metrics == nil {
		o.Metrics = noMetrics{}
	}
	if o.FollowBlock <= 0 {
		o.FollowBlock = 10 * time.Second
	}
	if o.Owner == "" {
		return nil, errors.New("bot: New: owner is required")
	}
	lim, err := newLimiter(o)
	if err != nil {
		return nil, err
	}
	cfg := o.Config
	reader, _ := o.Chat.(ReactionReader)
	b := &Bot{
		cfg: cfg, cal: o.Calendar, chat: countingChat{o.Chat, o.Metrics}, reader: reader, clock: o.Clock, log: o.Logger,
		metrics: o.Metrics, noCharts: o.NoCharts, follow: o.FollowBlock,
		owner: o.Owner, lease: o.Lease, loc: NewLocale(cfg.Campaign.Language), previous: o.Previous,
		weights: scoring.Weights{Defi: cfg.Scoring.Defi, Gigabyte: cfg.Scoring.Gigabyte, Percent: cfg.Scoring.Percent},
		equiv: scoring.Equivalences{
			PDFPagesPerTB: cfg.Equivalences.PDFPagesPerTB, CabinetsPerTB: cfg.Equivalences.CabinetsPerTB,
			CO2eTonnesPerTBYear: cfg.Equivalences.CO2eTonnesPerTBYear, StorageDoublingYears: cfg.Equivalences.StorageDoublingYears,
		},
		limiter: lim,
		hist:    scoring.NewHistory(o.Calendar.Start()),
	}
	b.outages, _ = o.Store.(Outages)
	if b.postponed, b.onCalendar = o.Postponements, o.OnCalendar; b.postponed == nil {
		b.postponed, _ = o.Store.(Postponements)
	}
	b.reminders, _ = o.Store.(Reminders)
	b.testimonies, _ = o.Store.(Testimonies)
	if channelTeams(cfg) {
		if b.members = o.Members; b.members == nil {
			if b.members, _ = o.Store.(ChannelMembers); b.members == nil {
				return nil, errors.New("bot: New: a team takes its members from its channel, and the store cannot keep them")
			}
		}
	}
	b.retries = newRetryQueue(o, b.unavailable)
	for _, t := range cfg.Milestones.Thresholds {
		b.miles.Thresholds = append(b.miles.Thresholds, int64(t))
	}
	b.miles.Every = int64(cfg.Milestones.Every)
	for _, t := range cfg.Teams {
		b.teams = append(b.teams, scoring.Team{ID: t.ID, Name: t.Name, Members: len(t.Members)})
	}
	b.store = changeCounter{Store: o.Store, changes: &b.changes}
	b.commands = b.commandTable()
	if err := b.store.SaveTeams(ctx, cfg.Campaign.Name, b.teams); err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	return b, nil
}

// Locale returns the language the bot speaks.
func (b *Bot) Locale() Locale { return b.loc }

// Equivalences returns the rates that turn bytes into pages, cabinets and CO2e.
func (b *Bot) Equivalences() scoring.Equivalences { return b.equiv }

// Handle processes one platform event. Errors are logged and, for a
// command, answered with an apology; the returned error is for the adapter's
// logs and tests.
func (b *Bot) Handle(ctx context.Context, ev Event) error {
	if ev.DisplayName == "" {
		ev.DisplayName = b.displayName(ev.User)
	}
	var err error
	switch ev.Kind {
	case MessageReceived:
		err = b.handleMessage(ctx, ev)
	case ReactionAdded, ReactionRemoved:
		err = b.handleReaction(ctx, ev)
	case MemberJoined, MemberLeft:
		err = b.handleMembers(ctx, ev)
	default:
		err = fmt.Errorf("unknown event kind %d", ev.Kind)
	}
	if err != nil {
		b.log.Error("handle event", "user", ev.User, "channel", ev.Channel, "kind", ev.Kind, "err", err)
	}
	return err
}

func (b *Bot) displayName(user string) string {
	if n, ok := b.cfg.DisplayNames[user]; ok && n != "" {
		return n
	}
	return user
}

// handleReaction counts a défi done (or undone) when a campaign member
// reacts with the campaign's emoji on a défi post. Anything else counts nothing.
func (b *Bot) handleReaction(ctx context.Context, ev Event) error {
	if !sameEmoji(ev.Reaction, b.cfg.Campaign.Reaction) {
		return nil
	}
	team, ok := b.cfg.TeamOf(ev.User)
	if !ok && b.members == nil {
		return nil
	}
	// A reaction that meets a store outage waits for the store, in order
	// with the others (see retryQueue), and keeps the time it arrived.
	at := b.clock.Now()
	return b.retries.do(ctx, ev, at, func(ctx context.Context, late bool) error {
		if !ok { // a channel team's agent, perhaps
			t, found, err := b.teamOf(ctx, ev.User)
			if err != nil || !found {
				return err
			}
			team = t
		}
		return b.countReaction(ctx, ev, team.ID, at, late)
	})
}

// countReaction records a reaction that arrived at, if it is on a défi
// post; late, when it waited for the store.
func (b *Bot) countReaction(ctx context.Context, ev Event, team string, at time.Time, late bool) error {
	ref, ok, err := b.store.PostRef(ctx, ev.PostID)
	if err != nil {
		return err
	}
	day, isDefi := parseDefiRef(ref)
	if !ok || !isDefi {
		return nil
	}
	_, err = b.store.React(ctx, scoring.Reaction{
		Agent: ev.User, Team: team, Day: day, Post: ev.PostID, At: at, Late: late,
	}, ev.Kind == ReactionAdded)
	return err
}

// ErrUnknownTeam is returned for a scan of a team the campaign does not have.
var ErrUnknownTeam = errors.New("unknown team")

// RecordScan counts a scan report, or holds it for a coordinator when it
// is implausible. Milestones it crosses are announced by Follow, out of the
// caller's way. Returns ErrUnknownTeam (wrapped) for a team the campaign
// does not have.
func (b *Bot) RecordScan(ctx context.Context, sc scoring.Scan) (scoring.ScanResult, error) {
	if _, ok := b.cfg.Team(sc.Team); !ok {
		return scoring.ScanResult{}, fmt.Errorf("%w %q", ErrUnknownTeam, sc.Team)
	}
	res, err := b.store.RecordScan(ctx, sc, b.scanRules())
	if err == nil && res.Status == scoring.ScanHeld {
		b.log.Warn("scan report held for a coordinator", "scan_id", sc.ID, "team", sc.Team, "root", sc.Root,
			"bytes", sc.Bytes, "files", sc.Files, "reason", res.Reason)
	}
	return res, err
}

// scanRules are the campaign's rules for recording a scan now.
func (b *Bot) scanRules() scoring.ScanRules {
	return scoring.ScanRules{Start: b.cal.Start(), HoldDrop: b.cfg.Scoring.HoldDrop, Now: b.clock.Now()}
}

// sameEmoji compares a reaction with the campaign's emoji, whatever the
// platform's spelling (":white_check_mark:", a skin tone suffix, "✅").
func sameEmoji(got, want string) bool {
	norm := func(s string) string {
		s, _, _ = strings.Cut(strings.Trim(s, ":"), "::")
		if s == "✅" {
			return "white_check_mark"
		}
		return s
	}
	return norm(got) == norm(want)
}
