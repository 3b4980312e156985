// Package demo plays a whole Giga Déstockage campaign in a few seconds: five
// teams of simulated agents, the défis posted on the console platform by the
// real scheduler on a fake clock, reactions, scan results, milestones,
// recaps and the final podium, all scored in an embedded Redis.
package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/catalog"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/integrations/console"
	"github.com/gigabot/gigabot/integrations/dashboard"
	"github.com/gigabot/gigabot/integrations/httpapi"
	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/scoring"
)

// Options configure a demo run.
type Options struct {
	// Seed makes the run reproducible: the same seed prints the same transcript.
	Seed uint64
	// DayDuration is the real time each campaign day takes (0: as fast as possible).
	DayDuration time.Duration
	// Language of the bot's posts ("fr" or "en").
	Language string
	// Out receives the transcript.
	Out io.Writer
	// Logger receives the bot's logs.
	Logger *slog.Logger
	// Attachments, when set, is a directory where the posts' files (the
	// recaps' charts) are saved, since the console cannot show them.
	Attachments string
	// Listener, when set, serves the dashboard and the HTTP API while the
	// campaign plays, and after it until ctx ends.
	Listener net.Listener
}

// Config is the demo's campaign: five teams of different sizes, from a
// small department to a large one.
const Config = `
campaign:
  name: Giga Déstockage (démo)
  id: demo
  start: 2027-03-22
  days: 15
  goal: 2 To
schedule: {}
teams:
  - {id: routes, name: Direction des routes, channel: equipe-routes,
     members: [alice, bruno, chloe, david, emma, farid, gaelle, hugo, ines, jules, karim, lea]}
  - {id: colleges, name: Direction des collèges, channel: equipe-colleges,
     members: [manon, nathan, oceane, paul, quentin, rose, samir, theo]}
  - {id: social, name: Action sociale, channel: equipe-social,
     members: [ugo, valerie, william, xavier, yasmine, zoe, adele, basile, camille, denis, elsa, fabien,
               gilles, helene, irene, jerome, kevin, laure, mathis, nadia]}
  - {id: culture, name: Culture et patrimoine, channel: equipe-culture,
     members: [olivier, pauline, quitterie, romain, sarah]}
  - {id: rh, name: Ressources humaines, channel: equipe-rh,
     members: [thomas, ursule, victor, wendy, yann, zelie, agathe, benoit, clara, dylan]}
roles:
  dgs: [dgs]
  coordinators: [coord]
display_names:
  dgs: Claire Martin, directrice générale des services
  coord: Sébastien, référent sobriété numérique
`

// Run plays the campaign and writes its transcript to o.Out.
func Run(ctx context.Context, o Options) error {
	text := strings.Replace(Config, "schedule: {}", "", 1)
	if o.Language == "en" {
		text = strings.Replace(text, "  days: 15", "  days: 15\n  language: en", 1)
	}
	cfg, err := challenges.Parse([]byte(text))
	if err != nil {
		return fmt.Errorf("demo config: %w", err)
	}
	cal, err := challenges.NewCalendar(cfg)
	if err != nil {
		return fmt.Errorf("demo calendar: %w", err)
	}
	rdb, stop, err := redis.Embedded()
	if err != nil {
		return err
	}
	defer stop()
	store := redis.NewStore(rdb, cfg.Campaign.ID)
	// The clock starts the evening before the campaign.
	clock := clockwork.NewFakeClockAt(cal.At(1, challenges.ClockTime{Hour: 9}).Add(-16 * time.Hour))
	rec := &recorder{next: console.New(o.Out, console.Options{DefaultChannel: "general"}), defis: map[string]string{}, dir: o.Attachments}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	b, err := bot.New(ctx, bot.Options{
		Config: cfg, Calendar: cal, Store: store, Chat: rec, Clock: clock, Logger: logger, Owner: "demo",
		NoCharts: o.Attachments == "", // the console cannot show them
	})
	if err != nil {
		return err
	}
	s := &sim{
		o: o, cfg: cfg, cal: cal, bot: b, clock: clock, rec: rec,
		rng:  rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)),
		done: make(chan time.Time, 16),
	}
	if o.Listener == nil {
		return s.run(ctx)
	}
	stopServing, err := serve(ctx, o.Listener, b, store, logger)
	if err != nil {
		return err
	}
	defer stopServing()
	fmt.Fprint(o.Out, s.narrate("dashboard", o.Listener.Addr()))
	if err := s.run(ctx); err != nil {
		return err
	}
	fmt.Fprint(o.Out, s.narrate("played", o.Listener.Addr()))
	<-ctx.Done()
	return nil
}

// serve runs the dashboard and the HTTP API on ln. The dashboard ticks on
// the real clock (the campaign's fake clock only moves when the demo says),
// quickly, so that a page follows the compressed days.
func serve(ctx context.Context, ln net.Listener, b *bot.Bot, store *redis.Store, log *slog.Logger) (func(), error) {
	dash, err := dashboard.New(dashboard.Options{Source: b, Logger: log, Every: 250 * time.Millisecond, Language: b.Locale().Lang})
	if err != nil {
		return nil, err
	}
	api := httpapi.New(b, store, log)
	dash.Mount(api)
	srv, err := httpapi.NewHTTPServer(api, httpapi.Limits{}, log)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	go func() { _ = dash.Run(ctx) }()
	go func() { _ = srv.Serve(ln) }()
	return func() {
		cancel()
		shutdownCtx, done := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer done()
		_ = srv.Shutdown(shutdownCtx)
	}, nil
}

// narrate returns the demo's own narration line key ("demo." in the
// catalog) in the demo's language.
func (s *sim) narrate(key string, args ...any) string {
	return catalog.New(s.bot.Locale().Lang).T("demo."+key, args...)
}

// recorder passes posts to the console and remembers the défi post of each
// channel, so that simulated agents know what to react to.
type recorder struct {
	next  bot.Chat
	mu    sync.Mutex
	defis map[string]string // channel → post id of today's défi
	dir   string            // where files are saved ("": nowhere)
}

func (r *recorder) Post(ctx context.Context, channel string, msg bot.Message) (string, error) {
	for _, f := range msg.Files {
		if r.dir == "" {
			break
		}
		// The same chart goes to every channel: one copy is enough.
		if err := os.WriteFile(filepath.Join(r.dir, filepath.Base(f.Name)), f.Data, 0o644); err != nil {
			return "", fmt.Errorf("save attachment: %w", err)
		}
	}
	id, err := r.next.Post(ctx, channel, msg)
	if err == nil && msg.Kind == bot.KindDefi {
		r.mu.Lock()
		r.defis[channel] = id
		r.mu.Unlock()
	}
	return id, err
}

func (r *recorder) defiPost(channel string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.defis[channel]
}

type sim struct {
	o     Options
	cfg   *challenges.Config
	cal   *challenges.Calendar
	bot   *bot.Bot
	clock *clockwork.FakeClock
	rec   *recorder
	rng   *rand.Rand
	// done receives the clock time of each scheduled run once it is over.
	done chan time.Time
	// baseline and current bytes of each team's share.
	baseline, current map[string]int64
	scans             int
}

func (s *sim) run(ctx context.Context) error {
	sched, err := challenges.NewScheduler(s.cal, s.clock, 0, func(ctx context.Context) {
		if err := s.bot.Catchup(ctx); err != nil {
			fmt.Fprintf(s.o.Out, "! %v\n", err)
		}
		select { // never block the scheduler, even on a run nobody waits for
		case s.done <- s.clock.Now():
		default:
		}
	})
	if err != nil {
		return err
	}
	sched.Start()
	defer sched.Stop()

	s.scanBaselines(ctx)
	s.say(ctx, "dgs", "", "mobilisation Chères et chers collègues, le Giga Déstockage commence demain ! Pendant 15 jours, chaque équipe fait le ménage dans ses partages et ses boîtes mail. Chaque geste compte : à vous de jouer !")
	for _, day := range s.cal.Days {
		if err := s.playDay(ctx, day); err != nil {
			return err
		}
		if s.o.DayDuration > 0 {
			select {
			case <-time.After(s.o.DayDuration):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	s.say(ctx, "coord", "", "classement agent")
	return nil
}

// advanceTo moves the fake clock to t and, when the scheduler has a post
// due by then, waits until it is published.
func (s *sim) advanceTo(ctx context.Context, t time.Time, scheduled bool) error {
	if scheduled {
		// Wait for the scheduler to arm its timer before moving time.
		if err := s.clock.BlockUntilContext(ctx, 1); err != nil {
			return err
		}
	}
	s.clock.Advance(t.Sub(s.clock.Now()))
	if !scheduled {
		return nil
	}
	// Wait for the run of this post time; a late, repeated run of an
	// earlier one (the scheduler may fire twice when time jumps) is skipped.
	for {
		select {
		case ran := <-s.done:
			if !ran.Before(t) {
				return nil
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (s *sim) playDay(ctx context.Context, day challenges.Day) error {
	fmt.Fprint(s.o.Out, s.narrate("day", s.bot.Locale().Date(day.Date), day.N, len(s.cal.Days)))
	if err := s.advanceTo(ctx, s.cal.At(day.N, s.cal.DefiAt), true); err != nil {
		return err
	}
	s.scripted(ctx, day.N)
	s.react(ctx, day)
	if err := s.advanceTo(ctx, s.cal.At(day.N, challenges.ClockTime{Hour: 16}), false); err != nil {
		return err
	}
	s.scanDay(ctx, day)
	return s.advanceTo(ctx, s.cal.At(day.N, s.cal.RecapAt), true)
}

// say feeds a console line from user, as a person would type it.
func (s *sim) say(ctx context.Context, user, channel, text string) {
	line := user + ": " + text
	if channel != "" {
		line = user + "@" + channel + ": " + text
	}
	fmt.Fprintf(s.o.Out, "> %s\n", line)
	ev, err := console.Parse(line, "general")
	if err == nil {
		err = s.bot.Handle(ctx, ev)
	}
	if err != nil {
		fmt.Fprintf(s.o.Out, "! %v\n", err)
	}
}

// scripted plays the conversations that show the commands and the roles.
func (s *sim) scripted(ctx context.Context, day int) {
	switch day {
	case 2:
		s.say(ctx, "alice", "equipe-routes", "où en est mon équipe ?")
		s.say(ctx, "alice", "equipe-routes", "equipe")
	case 3:
		s.say(ctx, "bruno", "equipe-routes", "clasement")
		s.say(ctx, "bruno", "equipe-routes", "classement")
	case 4:
		s.say(ctx, "sarah", "equipe-culture", "temoignage Un créneau de tri de 30 minutes le jeudi, à plusieurs : on n’hésite plus à supprimer.")
	case 5:
		s.say(ctx, "karim", "equipe-routes", "mobilisation Tout le monde en pause café !")
		s.say(ctx, "coord", "", "correction culture 15 atelier de tri animé pour tout le service")
	case 6:
		s.say(ctx, "alice", "equipe-routes", "temoignage Les photos de chantier vont dans un seul dossier partagé : plus une copie dans les boîtes.")
	case 8:
		s.say(ctx, "coord", "", "annonce Mi-parcours : bravo à toutes les équipes, la moitié du chemin est faite !")
		s.say(ctx, "manon", "equipe-colleges", "moi")
		s.say(ctx, "manon", "equipe-colleges", "temoignage Nous archivons les marchés clos chaque vendredi : la boîte partagée a fondu de moitié.")
	case 12:
		s.say(ctx, "sarah", "equipe-culture", "classement taux")
	}
}

// react has each agent take up the day's défi with a probability that
// differs by team, and a few change their mind.
func (s *sim) react(ctx context.Context, day challenges.Day) {
	keen := map[string]float64{"routes": 0.55, "colleges": 0.7, "social": 0.4, "culture": 0.85, "rh": 0.6}
	count := 0
	for _, t := range s.cfg.Teams {
		post := s.rec.defiPost(t.Channel)
		for _, m := range t.Members {
			if s.rng.Float64() >= keen[t.ID] {
				continue
			}
			s.handle(ctx, bot.Event{Kind: bot.ReactionAdded, User: m, Channel: t.Channel, Reaction: "white_check_mark", PostID: post})
			count++
			if s.rng.Float64() < 0.03 { // clicked by mistake
				s.handle(ctx, bot.Event{Kind: bot.ReactionRemoved, User: m, Channel: t.Channel, Reaction: "white_check_mark", PostID: post})
				count--
			}
		}
	}
	fmt.Fprint(s.o.Out, s.narrate("reacted", count))
}

func (s *sim) handle(ctx context.Context, ev bot.Event) {
	if err := s.bot.Handle(ctx, ev); err != nil {
		fmt.Fprintf(s.o.Out, "! %v\n", err)
	}
}

// scanBaselines sends each team's pre-campaign scan: its baseline.
func (s *sim) scanBaselines(ctx context.Context) {
	s.baseline, s.current = map[string]int64{}, map[string]int64{}
	sizes := map[string]int64{"routes": 2_400, "colleges": 1_500, "social": 5_200, "culture": 900, "rh": 1_800} // Go
	for _, t := range s.cfg.Teams {
		b := sizes[t.ID]*int64(challenges.GB) + s.rng.Int64N(int64(50*challenges.GB))
		s.baseline[t.ID], s.current[t.ID] = b, b
		s.scan(ctx, t.ID, b)
	}
}

// scanDay sends each team's scan of the day: what the team freed since.
func (s *sim) scanDay(ctx context.Context, day challenges.Day) {
	effort := map[string]float64{"routes": 0.012, "colleges": 0.02, "social": 0.006, "culture": 0.03, "rh": 0.01}
	for _, t := range s.cfg.Teams {
		share := effort[t.ID] * (0.5 + s.rng.Float64())
		s.current[t.ID] -= int64(float64(s.baseline[t.ID]) * share)
		s.scan(ctx, t.ID, s.current[t.ID])
	}
	fmt.Fprint(s.o.Out, s.narrate("scanned", len(s.cfg.Teams)))
}

func (s *sim) scan(ctx context.Context, team string, bytes int64) {
	s.scans++
	sc := scoring.Scan{
		ID: fmt.Sprintf("demo-%04d", s.scans), Team: team, Source: "share", Root: "/srv/partages/" + team,
		ScannedAt: s.clock.Now(), Bytes: bytes, Files: bytes / 2_000_000,
		DuplicateBytes: bytes / 40, StaleBytes: bytes / 6, LargeBytes: bytes / 12,
	}
	if _, err := s.bot.RecordScan(ctx, sc); err != nil {
		fmt.Fprintf(s.o.Out, "! %v\n", err)
	}
	// What the log's follower does in gigabot run, done here in line so
	// that the demo's transcript keeps its order.
	if err := s.bot.AnnounceMilestone(ctx); err != nil {
		fmt.Fprintf(s.o.Out, "! %v\n", err)
	}
}
