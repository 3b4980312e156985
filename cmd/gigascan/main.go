// Command gigascan measures a team's file shares (and mailbox exports) for
// a Giga Déstockage campaign and sends signed totals to the bot.
//
//	gigascan scan --team ID PATH…
//	gigascan send --to URL --secret-file F --team ID PATH…
//	gigascan report [--format csv|md|html] [--top N] PATH…
//	gigascan mailbox --csv FILE --map FILE [--to URL --secret-file F]
//
// URL is the bot's base URL or its intake's full URL (scanner.IntakeURL).
package main

import (
	"bytes"
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
	"github.com/gigabot/gigabot/scanner/process"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if os.Getenv("GOGC") == "" {
		// The walk keeps a small record per file, without pointers, and
		// little else: a collection has little to scan, so collect often to
		// stay close to that floor (25 cost the same time and 1 Mo more on
		// the README's 100 000 files).
		debug.SetGCPercent(10)
	}
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr, Now: time.Now, NewID: uuid.NewString,
		Progress: term.IsTerminal(int(os.Stderr.Fd())), UserCacheDir: os.UserCacheDir,
		LowerPriority: process.LowerPriority, EnableBackup: process.EnableBackup, Release: debug.FreeOSMemory}
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
	// UserCacheDir is the folder the hash cache goes in, under gigascan/,
	// unless --cache or --no-cache says otherwise.
	UserCacheDir func() (string, error)
	// LowerPriority (--nice) and EnableBackup (--backup) change the process.
	LowerPriority, EnableBackup func() error
	// Release gives the memory a walk's phase freed back to the system
	// (debug.FreeOSMemory; nil: left to the runtime).
	Release func()
}

const usage = `gigascan measures file shares for a Giga Déstockage campaign.

Usage:
  gigascan scan   --team ID [options] PATH…          print one JSON report per PATH
  gigascan send   --to URL --secret-file F --team ID [options] PATH…
                                                     scan and send the totals (never paths) to the bot
  gigascan report [--format csv|md|html] [--top N] [options] PATH…
                                                     what to clean, with paths: stays on this machine
  gigascan mailbox --csv EXPORT --map USERS [--root NAME] [--to URL --secret-file F]
                                                     one mailbox report per team from a size export

URL is the bot's base URL, e.g. https://gigabot.intra (/api/v1/scans is
added), or its intake's full URL; F holds the bot's GIGABOT_SCANNER_SECRET.

Options of scan, send and report (before or after the PATHs):
  --source share|mailbox   (default share)      --stale-days N   (default 1095)
  --large-bytes SIZE       (default 100 MiB)    --exclude GLOB   (repeatable)
  --workers N              (default: 32 walk, CPUs read)   --cross-devices (enter other file systems)
  --cache DIR | --no-cache (default: the user's cache folder, gigascan/)
  --max-read-rate RATE     (e.g. 50Mo/s)        --nice           (lower CPU and I/O priority)
  --size-only              (read nothing: duplicates are same-size files, an upper bound)
  --backup                 (Windows: read with the backup privilege)
  report only: --format (default md), --top N (default 20)

gigascan COMMAND -h lists a command's options.
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

// size is a --large-bytes flag: bytes, or a size such as "100 Mo". Zero
// leaves the scanner's default.
type size int64

func (s *size) String() string {
	if s == nil || *s == 0 {
		return ""
	}
	return fmt.Sprint(int64(*s))
}

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

// readRate is a --max-read-rate flag: bytes a second, as "50Mo/s",
// "50MB/s" or "50 Mo" (decimal units).
type readRate int64

func (r *readRate) String() string {
	if r == nil || *r == 0 {
		return ""
	}
	return fmt.Sprint(int64(*r))
}

func (r *readRate) Set(v string) error {
	s := strings.TrimSpace(v)
	if len(s) > 2 && strings.EqualFold(s[len(s)-2:], "/s") {
		s = s[:len(s)-2]
	}
	n, err := locale.ParseBytes(s)
	if err != nil {
		return err
	}
	if n < scanner.MinReadRate {
		return fmt.Errorf("%q is below %s a second (units: 50Mo/s, 50MB/s)", v, locale.New("fr").Bytes(scanner.MinReadRate))
	}
	*r = readRate(n)
	return nil
}

// newFlags returns the flag set of a subcommand, whose -h shows how to call
// it (synopsis, after "gigascan ") and what it does.
func newFlags(synopsis, what string) *flag.FlagSet {
	name, _, _ := strings.Cut(synopsis, " ")
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gigascan %s\n\n%s\n\nOptions:\n", synopsis, what)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, whose flags may stand before, between or after
// the operands, and returns the operands ("--" ends the flags). -h prints
// the usage on Stdout; a bad flag is an error that says where the list is.
func (m *Main) parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var help bytes.Buffer
	fs.SetOutput(&help)
	var operands []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			m.Stdout.Write(help.Bytes())
			return nil, err
		}
		if err != nil {
			return nil, fmt.Errorf("%w (gigascan %s -h lists the options)", err, fs.Name())
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return operands, nil
		}
		if parsed := len(args) - len(rest); parsed > 0 && args[parsed-1] == "--" {
			return append(operands, rest...), nil
		}
		operands, args = append(operands, rest[0]), rest[1:]
	}
}

// walkFlags are the options every walking subcommand takes.
type walkFlags struct {
	fs           *flag.FlagSet
	paths        []string
	team, source string
	staleDays    int
	large        size
	excludes     globs
	workers      int
	crossDevices bool
	cacheDir     string
	noCache      bool
	maxReadRate  readRate
	nice         bool
	sizeOnly     bool
	backup       bool
}

func newWalkFlags(synopsis, what string) *walkFlags {
	w := &walkFlags{fs: newFlags(synopsis, what+"\nOptions stand before or after the PATHs; -- ends them.")}
	w.fs.StringVar(&w.team, "team", "", "team `ID`, as in the campaign config (teams[].id)")
	w.fs.StringVar(&w.source, "source", scanner.SourceShare, "what the PATHs hold: `share|mailbox` (file shares or mail stores)")
	w.fs.IntVar(&w.staleDays, "stale-days", scanner.DefaultStaleDays, "files not modified for `N` days are stale")
	w.fs.Var(&w.large, "large-bytes", "files above `SIZE` are large: bytes, or decimal units as in 500Mo or 2Go (default 104857600 = 100 MiB)")
	w.fs.Var(&w.excludes, "exclude", "skip the names or relative paths that match `GLOB`, e.g. '~snapshot' (repeatable)")
	w.fs.IntVar(&w.workers, "workers", 0, "`N` parallel workers that walk and read, 1 to 256 (default: 32 walk, as many as CPUs read; on a share far away, try 64 or 128)")
	w.fs.BoolVar(&w.crossDevices, "cross-devices", false, "enter mount points of other file systems (by default a scan stays on the PATH's)")
	w.fs.StringVar(&w.cacheDir, "cache", "", "keep the hashes of the files compared in `DIR`, to read only the files changed at the next scan (default: the user's cache folder, gigascan/)")
	w.fs.BoolVar(&w.noCache, "no-cache", false, "keep no hashes: every scan reads every candidate again")
	w.fs.Var(&w.maxReadRate, "max-read-rate", "read at most `RATE` a second to compare files, e.g. 50Mo/s or 50MB/s (decimal units; at least 100 ko/s)")
	w.fs.BoolVar(&w.nice, "nice", false, "run at a lower CPU and I/O priority (Linux: nice 10, I/O best-effort 7; Windows: below normal)")
	w.fs.BoolVar(&w.sizeOnly, "size-only", false, "a first estimate that reads no file: files of the same size count as duplicates (an upper bound); not with send")
	w.fs.BoolVar(&w.backup, "backup", false, "Windows: read with the \"back up files\" privilege (SeBackupPrivilege) what the account's rights would refuse")
	return w
}

func (m *Main) parseWalk(w *walkFlags, args []string, needTeam bool) error {
	var err error
	if w.paths, err = m.parseFlags(w.fs, args); err != nil {
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
	case len(w.paths) == 0:
		return errors.New("give at least one PATH to scan")
	case w.noCache && w.cacheDir != "":
		return errors.New("--cache DIR and --no-cache contradict each other: choose one")
	}
	return nil
}

// prepare applies the options that change the process, and chooses the
// hash cache's folder.
func (m *Main) prepare(w *walkFlags) error {
	if w.nice {
		if err := m.LowerPriority(); err != nil {
			return fmt.Errorf("--nice: %w", err)
		}
	}
	if w.backup {
		if err := m.EnableBackup(); err != nil {
			return fmt.Errorf("--backup: %w", err)
		}
	}
	switch {
	case w.noCache || w.sizeOnly:
		w.cacheDir = ""
	case w.cacheDir != "":
		if err := os.MkdirAll(w.cacheDir, 0o700); err != nil {
			return fmt.Errorf("--cache: %w", err)
		}
	default:
		dir, err := m.UserCacheDir()
		if err != nil {
			fmt.Fprintf(m.Stderr, "gigascan: no cache folder (%v): every file is read; give --cache DIR to keep hashes\n", err)
			return nil
		}
		w.cacheDir = filepath.Join(dir, "gigascan")
	}
	return nil
}

func (m *Main) options(w *walkFlags, top int) scanner.WalkOptions {
	o := scanner.WalkOptions{
		StaleDays: w.staleDays, LargeBytes: int64(w.large), Excludes: w.excludes, Workers: w.workers,
		CrossDevices: w.crossDevices, Now: m.Now(), Top: top,
		CacheDir: w.cacheDir, MaxReadRate: int64(w.maxReadRate), SizeOnly: w.sizeOnly, Release: m.Release,
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
	if err := m.prepare(w); err != nil {
		return err
	}
	var failed []string
	for _, path := range w.paths {
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
			m.cacheNotes(root, w, res)
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
		return fmt.Errorf("%d of %d roots failed", len(failed), len(w.paths))
	}
	return nil
}

func (m *Main) scan(ctx context.Context, args []string, send bool) error {
	synopsis, what := "scan --team ID [options] PATH…", "Prints one JSON report per PATH (totals, never a path)."
	if send {
		synopsis, what = "send --to URL --secret-file F --team ID [options] PATH…",
			"Scans each PATH and sends its report (totals, never a path) to the bot, signed."
	}
	w := newWalkFlags(synopsis, what)
	var to, secretFile string
	if send {
		w.fs.StringVar(&to, "to", "", toUsage)
		w.fs.StringVar(&secretFile, "secret-file", "", secretFileUsage)
	}
	if err := m.parseWalk(w, args, true); err != nil {
		return err
	}
	if send && w.sizeOnly {
		return errors.New("--size-only is a first estimate, never sent: use it with scan or report")
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

// cacheNotes tells on Stderr what the user should know of a walk's cache
// and estimate.
func (m *Main) cacheNotes(root string, w *walkFlags, res *scanner.WalkResult) {
	if w.sizeOnly {
		fmt.Fprintf(m.Stderr, "gigascan: %s: --size-only: the duplicates are files of the same size, an upper bound\n", root)
	}
	if c := res.Cache; c.Ignored != "" {
		fmt.Fprintf(m.Stderr, "gigascan: %s: hash cache %s ignored (%s): rebuilt\n", root, c.Path, c.Ignored)
	}
	if err := res.Cache.SaveError; err != nil {
		fmt.Fprintf(m.Stderr, "gigascan: %s: %v (the report does not depend on it)\n", root, err)
	}
}

// Usages of the flags that send.
const (
	toUsage         = "the bot's base `URL`, e.g. https://gigabot.intra or https://intra/gigabot/ behind a proxy (/api/v1/scans is added), or its intake's full URL, ending with /api/v1/scans"
	secretFileUsage = "the file `F` holding the scan reports' HMAC secret: the bot's GIGABOT_SCANNER_SECRET (16 characters at least)"
)

func (m *Main) send(ctx context.Context, c *scanner.Client, r scanner.Report) error {
	status, err := c.Send(ctx, r)
	var refused *scanner.SendError
	if errors.As(err, &refused) && refused.WrongURL() {
		return fmt.Errorf("--to: %w", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s %s %s: %s (%d files, %d bytes)\n", r.ScanID, r.Team, r.Root, status, r.Files, r.Bytes)
	return nil
}

func (m *Main) client(to, secretFile string) (*scanner.Client, error) {
	if to == "" {
		return nil, errors.New("--to URL is required: the bot's base URL, e.g. https://gigabot.intra")
	}
	intake, err := scanner.IntakeURL(to)
	if err != nil {
		return nil, fmt.Errorf("--to: %w", err)
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
	return &scanner.Client{URL: intake, Secret: []byte(secret), Now: m.Now}, nil
}

func (m *Main) report(ctx context.Context, args []string) error {
	w := newWalkFlags("report [--format csv|md|html] [--top N] [options] PATH…",
		"Writes what to clean, with paths, to stdout: the biggest duplicate groups, the largest,\noldest and badly named files. It stays on this machine: nothing is sent.")
	format := w.fs.String("format", "md", "output format: `csv|md|html`")
	top := w.fs.Int("top", scanner.DefaultTop, "`N` entries in each list, 1 to 10000")
	if err := m.parseWalk(w, args, false); err != nil {
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
	fs := newFlags("mailbox --csv EXPORT --map USERS [--root NAME] [--to URL --secret-file F]",
		"Makes one mailbox report per team from a mailbox-size export: prints them, or sends them with --to.")
	csvPath := fs.String("csv", "", "`EXPORT`: the mailbox-size export, a Get-MailboxStatistics CSV or user,bytes lines")
	mapPath := fs.String("map", "", "`USERS`: a CSV of user,team lines, the team each mailbox counts for")
	root := fs.String("root", "exchange", "`NAME` of the mail system: one baseline per team and name")
	to := fs.String("to", "", "send the reports to the bot instead of printing them: "+toUsage)
	secretFile := fs.String("secret-file", "", secretFileUsage+" (with --to)")
	operands, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *csvPath == "" || *mapPath == "":
		return errors.New("--csv EXPORT and --map USERS are required")
	case len(operands) > 0:
		return fmt.Errorf("unexpected argument %q: mailbox reads --csv and --map", operands[0])
	case *to == "" && *secretFile != "":
		return errors.New("--secret-file goes with --to: without --to the reports are printed, not sent")
	}
	var client *scanner.Client
	if *to != "" {
		if client, err = m.client(*to, *secretFile); err != nil {
			return err
		}
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
	if client == nil {
		enc := json.NewEncoder(m.Stdout)
		for _, r := range reports {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
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
