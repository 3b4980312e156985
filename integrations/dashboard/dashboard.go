// Package dashboard serves the campaign's web dashboard: the live page (and
// its hall-TV mode), the board as JSON and as Server-Sent Events, the
// embedded assets and the printable bilan.
//
// One hub computes the board once per tick for every viewer, so that the
// 3 000 pages a campaign may keep open cost one store query every few
// seconds, not one per page. The pages need nothing from another host:
// intranets are closed, so every script, style and pictogram is embedded.
package dashboard

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot"
)

// Source gives what the pages show. *bot.Bot fits.
type Source interface {
	// Board computes the live board.
	Board(ctx context.Context) (bot.Board, error)
	// Bilan computes the campaign report.
	Bilan(ctx context.Context) (bot.Bilan, error)
}

// Clock tells the time. A clock that can also make tickers
// (clockwork.Clock, and so clockwork's fake clock) drives the hub's ticks;
// any other gets real tickers.
type Clock interface{ Now() time.Time }

// tickerClock is the optional ability of a Clock to make tickers.
type tickerClock interface {
	NewTicker(d time.Duration) clockwork.Ticker
}

// Options configure a Dashboard.
type Options struct {
	// Source gives the board and the bilan. Required.
	Source Source
	// Logger gets the errors; nil discards them.
	Logger *slog.Logger
	// Clock tells the time; nil is the real clock.
	Clock Clock
	// Every is the live hub's refresh period; 0 means DefaultEvery.
	Every time.Duration
	// Language of the page shown when the board cannot be computed ("fr",
	// the default, or "en"); the dashboard itself speaks the board's.
	Language string
	// MaxLivePages caps the pages on the live feed at once; 0 means
	// DefaultMaxLivePages. The next page is answered 503 with Retry-After,
	// and polls /api/v1/board until its next attempt.
	MaxLivePages int
}

// DefaultMaxLivePages is the default cap on live pages: the 3 000 agents
// of a large campaign, with room to spare. A page costs about 45 KB
// (README, Operations), so 5 000 cost about 225 MB.
const DefaultMaxLivePages = 5000

// DefaultEvery is the live hub's default refresh period.
const DefaultEvery = 2 * time.Second

// Dashboard serves the dashboard's routes and runs the live hub.
type Dashboard struct {
	src    Source
	log    *slog.Logger
	clock  Clock
	every  time.Duration
	hub    *hub
	assets assets
	pages  *template.Template
	// script is what app.js reads from the page: the words of both
	// languages and the pictograms' addresses.
	script template.JS
	poke   chan struct{}
	// lang is the campaign's language, for the page shown without a board.
	lang string
	// failing remembers the last computation's outcome, so that a store
	// down for an hour logs twice, not 1 800 times. Only Run touches it.
	failing bool
}

// New returns a dashboard. Call Mount to serve it and Run to keep its live
// feed fresh.
func New(o Options) (*Dashboard, error) {
	if o.Source == nil {
		return nil, errors.New("dashboard: New: Source is required")
	}
	if o.Every < 0 {
		return nil, fmt.Errorf("dashboard: New: Every must be positive, got %s", o.Every)
	}
	if o.Every == 0 {
		o.Every = DefaultEvery
	}
	if o.MaxLivePages < 0 {
		return nil, fmt.Errorf("dashboard: New: MaxLivePages must not be negative, got %d", o.MaxLivePages)
	}
	if o.MaxLivePages == 0 {
		o.MaxLivePages = DefaultMaxLivePages
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = clockwork.NewRealClock()
	}
	a, err := loadAssets()
	if err != nil {
		return nil, fmt.Errorf("dashboard: New: %w", err)
	}
	pages, err := parsePages(a)
	if err != nil {
		return nil, fmt.Errorf("dashboard: New: %w", err)
	}
	script, err := pageScript(a)
	if err != nil {
		return nil, fmt.Errorf("dashboard: New: %w", err)
	}
	d := &Dashboard{
		src: o.Source, log: o.Logger, clock: o.Clock, every: o.Every,
		hub: newHub(o.MaxLivePages), assets: a, pages: pages, script: script, poke: make(chan struct{}, 1),
		lang: "fr",
	}
	if o.Language == "en" {
		d.lang = "en"
	}
	return d, nil
}

// Router takes routes (Go 1.22 patterns). *httpapi.Server and
// *http.ServeMux fit.
type Router interface {
	Handle(pattern string, h http.Handler)
}

// Mount adds the dashboard's routes to s: the page at "/", the board at
// /api/v1/board, its live feed at /api/v1/live, the assets under /static/
// and the printable report at /bilan.
func (d *Dashboard) Mount(s Router) {
	s.Handle("GET /{$}", secure(http.HandlerFunc(d.index)))
	s.Handle("GET /bilan", secure(http.HandlerFunc(d.bilan)))
	s.Handle("GET /api/v1/board", secure(http.HandlerFunc(d.board)))
	s.Handle("GET /api/v1/live", secure(http.HandlerFunc(d.live)))
	s.Handle("GET /static/{path...}", secure(http.HandlerFunc(d.assets.serve)))
}

// Poke asks the hub to refresh the board now, for instance after a scan was
// recorded; until it has, the pages and /api/v1/board compute the board
// themselves, so that they never show what came before the Poke. It never
// blocks; pokes made while one is pending merge.
func (d *Dashboard) Poke() {
	d.hub.poked()
	select {
	case d.poke <- struct{}{}:
	default:
	}
}

// Subscribers counts the pages connected to the live feed.
func (d *Dashboard) Subscribers() int { return d.hub.count() }

// contentSecurityPolicy allows nothing but this host, and no inline script
// or style: every script and style is an embedded file.
const contentSecurityPolicy = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"

// secure adds the security headers every answer carries.
func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}
