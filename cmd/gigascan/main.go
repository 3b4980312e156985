// Command gigascan measures a team's file shares (and mailbox exports) for
// a Giga Déstockage campaign and sends signed totals to the bot.
//
//	gigascan scan --team ID PATH…
//	gigascan send --to URL --secret-file F --team ID PATH…
//	gigascan report --format csv|md|html --top N PATH…
//	gigascan mailbox --csv FILE --map FILE [--to URL --secret-file F]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"golang.org/x/term"

	"github.com/gigabot/gigabot/locale"
	"github.com/gigabot/gigabot/scanner"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if os.Getenv("GOGC") == "" {
		// The walk keeps a small record per file and nothing else: collect
		// more often to stay close to that floor (see the README's figures).
		debug.SetGCPercent(25)
	}
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr, Now: time.Now, NewID: uuid.NewString,
		Progress: term.IsTerminal(int(os.Stderr.Fd()))}
	os.Exit(m.Run(ctx, os.Args[1:]))
}

// Main is the program, with its outputs, clock and id source as fields so
// that tests can run it whole.
type Main struct {
	Stdout, Stderr io.Writer
	Now            func() time.Time
	NewID          func() string
	// Progress shows a progress line on Stderr (when it is a terminal).
	Progress bool
}

const usage = `gigascan measures file shares for a Giga Déstockage campaign.

Usage:
  gigascan scan   --team ID [options] PATH…          print one JSON report per PATH
  gigascan send   --to URL --secret-file F --team ID [options] PATH…
                                                     scan and send the totals (never paths) to the bot
  gigascan report --format csv|md|html [--top N] [options] PATH…
                                                     what to clean, with paths: stays on this machine
  gigascan mailbox --csv EXPORT --map USERS [--root NAME] [--to URL --secret-file F]
                                                     one mailbox report per team from a size export

Options:
  --source share|mailbox   (default share)      --stale-days N   (default 1095)
  --large-bytes SIZE       (default 100 MiB)    --exclude GLOB   (repeatable)
  --workers N              (default: CPUs)      --cross-devices  (enter other file systems)
`

// Run runs one subcommand and returns the exit status.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "scan":
		err = m.scan(ctx, args[1:], false)
	case "send":
		err = m.scan(ctx, args[1:], true)
	case "report":
		err = m.report(ctx, args[1:])
	case "mailbox":
		err = m.mailbox(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return 0
	default:
		fmt.Fprint(m.Stderr, usage)
		err = fmt.Errorf("unknown command %q", args[0])
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(m.Stderr, "gigascan: %v\n", err)
		return 1
	}
	return 0
}

// globs is a repeatable --exclude flag.
type globs []string

func (g *globs) String() string { return strings.Join(*g, ",") }

func (g *globs) Set(v string) error {
	if _, err := filepath.Match(v, ""); err != nil {
		return fmt.Errorf("bad glob %q: %w", v, err)
	}
	*g = append(*g, v)
	return nil
}

// size is a --large-bytes flag: bytes, or a size such as "100 Mo".
type size int64

func (s *size) String() string { return fmt.Sprint(int64(*s)) }

func (s *size) Set(v string) error {
	n, err := locale.ParseBytes(v)
	if err != nil {
		return err
	}
	if n <= 0 {
		return errors.New("must be positive")
	}
	*s = size(n)
	return nil
}

// walkFlags are the options every walking subcommand takes.
type walkFlags struct {
	fs           *flag.FlagSet
	team, source string
	staleDays    int
	large        size
	excludes     globs
	workers      int
	crossDevices bool
}

func (m *Main) walkFlags(name string) *walkFlags {
	w := &walkFlags{fs: flag.NewFlagSet(name, flag.ContinueOnError), large: scanner.DefaultLargeBytes}
	w.fs.SetOutput(m.Stderr)
	w.fs.StringVar(&w.team, "team", "", "team id, as in the campaign config")
	w.fs.StringVar(&w.source, "source", scanner.SourceShare, "share or mailbox")
	w.fs.IntVar(&w.staleDays, "stale-days", scanner.DefaultStaleDays, "files not modified for this many days are stale")
	w.fs.Var(&w.large, "large-bytes", "files above this size are large (bytes, or e.g. 100Mo)")
	w.fs.Var(&w.excludes, "exclude", "glob of names or relative paths to skip (repeatable)")
	w.fs.IntVar(&w.workers, "workers", 0, "parallel workers (default: the number of CPUs)")
	w.fs.BoolVar(&w.crossDevices, "cross-devices", false, "enter mount points of other file systems")
	return w
}

func (w *walkFlags) parse(args []string, needTeam bool) error {
	if err := w.fs.Parse(args); err != nil {
		return err
	}
	switch {
	case needTeam && w.team == "":
		return errors.New("--team ID is required")
	case w.source != scanner.SourceShare && w.source != scanner.SourceMailbox:
		return fmt.Errorf("--source: %q is not share or mailbox", w.source)
	case w.staleDays < 1:
		return fmt.Errorf("--stale-days: %d must be at least 1", w.staleDays)
	case w.workers < 0 || w.workers > 256:
		return fmt.Errorf("--workers: %d is out of range (1 to 256)", w.workers)
	case w.fs.NArg() == 0:
		return errors.New("give at least one PATH to scan")
	}
	return nil
}

func (m *Main) options(w *walkFlags, top int) scanner.WalkOptions {
	o := scanner.WalkOptions{
		StaleDays: w.staleDays, LargeBytes: int64(w.large), Excludes: w.excludes, Workers: w.workers,
		CrossDevices: w.crossDevices, Now: m.Now(), Top: top,
	}
	if m.Progress {
		l := locale.New("fr")
		o.Progress = func(p scanner.Progress) {
			rate := float64(p.Files) / max(p.Elapsed.Seconds(), 0.001)
			fmt.Fprintf(m.Stderr, "\r%s fichiers, %s (%s fichiers/s), %s lus pour les doublons   ",
				l.Int(p.Files), l.Bytes(p.Bytes), l.Int(int64(rate)), l.Bytes(p.HashedBytes))
		}
	}
	return o
}

// walk scans each root in turn and hands its result to each.
func (m *Main) walk(ctx context.Context, w *walkFlags, top int, each func(root string, o scanner.WalkOptions, res *scanner.WalkResult) error) error {
	var failed []string
	for _, path := range w.fs.Args() {
		root, err := filepath.Abs(path)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		o := m.options(w, top)
		res, err := scanner.Walk(ctx, root, o)
		if m.Progress {
			fmt.Fprint(m.Stderr, "\r\033[K")
		}
		if err == nil {
			if res.Errors > 0 {
				fmt.Fprintf(m.Stderr, "gigascan: %s: %d entries could not be read (first: %s)\n", root, res.Errors, strings.Join(res.ErrorSamples, "; "))
			}
			err = each(root, o, res)
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			fmt.Fprintf(m.Stderr, "gigascan: %s: %v\n", root, err)
			failed = append(failed, root)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d roots failed", len(failed), len(w.fs.Args()))
	}
	return nil
}

func (m *Main) scan(ctx context.Context, args []string, send bool) error {
	w := m.walkFlags("scan")
	var to, secretFile string
	if send {
		w.fs.StringVar(&to, "to", "", "URL of the bot's intake (…/api/v1/scans)")
		w.fs.StringVar(&secretFile, "secret-file", "", "file holding the shared HMAC secret")
	}
	if err := w.parse(args, true); err != nil {
		return err
	}
	var client *scanner.Client
	if send {
		var err error
		if client, err = m.client(to, secretFile); err != nil {
			return err
		}
	}
	enc := json.NewEncoder(m.Stdout)
	return m.walk(ctx, w, 0, func(root string, o scanner.WalkOptions, res *scanner.WalkResult) error {
		r := scanner.NewReport(m.NewID(), w.team, w.source, root, m.Now().Truncate(time.Second), res.Totals, o)
		if !send {
			return enc.Encode(r)
		}
		return m.send(ctx, client, r)
	})
}

func (m *Main) send(ctx context.Context, c *scanner.Client, r scanner.Report) error {
	status, err := c.Send(ctx, r)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s %s %s: %s (%d files, %d bytes)\n", r.ScanID, r.Team, r.Root, status, r.Files, r.Bytes)
	return nil
}

func (m *Main) client(to, secretFile string) (*scanner.Client, error) {
	if to == "" {
		return nil, errors.New("--to URL is required")
	}
	if !strings.HasPrefix(to, "http://") && !strings.HasPrefix(to, "https://") {
		return nil, fmt.Errorf("--to: %q is not an http(s) URL", to)
	}
	if secretFile == "" {
		return nil, errors.New("--secret-file F is required")
	}
	raw, err := os.ReadFile(secretFile)
	if err != nil {
		return nil, fmt.Errorf("--secret-file: %w", err)
	}
	secret := strings.TrimSpace(string(raw))
	if len(secret) < 16 {
		return nil, fmt.Errorf("--secret-file: the secret in %s is shorter than 16 characters", secretFile)
	}
	return &scanner.Client{URL: to, Secret: []byte(secret), Now: m.Now}, nil
}

func (m *Main) report(ctx context.Context, args []string) error {
	w := m.walkFlags("report")
	format := w.fs.String("format", "md", "csv, md or html")
	top := w.fs.Int("top", scanner.DefaultTop, "entries in each list")
	if err := w.parse(args, false); err != nil {
		return err
	}
	if !slices.Contains(scanner.Formats, *format) {
		return fmt.Errorf("--format: %q is not csv, md or html", *format)
	}
	if *top < 1 || *top > 10_000 {
		return fmt.Errorf("--top: %d is out of range (1 to 10000)", *top)
	}
	var details []scanner.Detail
	err := m.walk(ctx, w, *top, func(root string, o scanner.WalkOptions, res *scanner.WalkResult) error {
		details = append(details, scanner.Detail{Root: root, Report: scanner.NewReport("", w.team, w.source, root, m.Now(), res.Totals, o), Result: res})
		return nil
	})
	if len(details) > 0 {
		if werr := scanner.WriteDetails(m.Stdout, *format, details); werr != nil {
			return werr
		}
	}
	return err
}

func (m *Main) mailbox(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("mailbox", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	csvPath := fs.String("csv", "", "mailbox-size export (Get-MailboxStatistics CSV, or user,bytes)")
	mapPath := fs.String("map", "", "user,team CSV")
	root := fs.String("root", "exchange", "name of the mail system: one baseline per team and name")
	to := fs.String("to", "", "send the reports to this intake URL instead of printing them")
	secretFile := fs.String("secret-file", "", "file holding the shared HMAC secret (with --to)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *csvPath == "" || *mapPath == "" {
		return errors.New("--csv EXPORT and --map USERS are required")
	}
	boxes, err := readWith(*csvPath, scanner.ReadMailboxes)
	if err != nil {
		return err
	}
	teams, err := readWith(*mapPath, scanner.ReadTeamMap)
	if err != nil {
		return err
	}
	reports, unmapped := scanner.MailboxReports(boxes, teams, *root, m.Now().Truncate(time.Second), m.NewID)
	if len(unmapped) > 0 {
		fmt.Fprintf(m.Stderr, "gigascan: %d mailboxes match no user of the map and count for nobody: %s\n", len(unmapped), strings.Join(unmapped, ", "))
	}
	if *to == "" {
		enc := json.NewEncoder(m.Stdout)
		for _, r := range reports {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	client, err := m.client(*to, *secretFile)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range reports {
		errs = append(errs, m.send(ctx, client, r))
	}
	return errors.Join(errs...)
}

func readWith[T any](path string, read func(io.Reader) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	return read(f)
}
