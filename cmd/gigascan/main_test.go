package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/integrations/httpapi"
	"github.com/gigabot/gigabot/scanner"
)

var now = time.Date(2027, 3, 23, 18, 0, 0, 0, time.UTC)

// userCacheDir stands for the user's cache folder in the tests.
var userCacheDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gigascan-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	userCacheDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func newMain() (*Main, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	n := 0
	return &Main{Stdout: &out, Stderr: &errOut, Now: func() time.Time { return now },
		NewID:         func() string { n++; return "id-" + string(rune('0'+n)) },
		UserCacheDir:  func() (string, error) { return userCacheDir, nil },
		LowerPriority: func() error { return nil },
		EnableBackup:  func() error { return errors.New("no backup privilege here") },
	}, &out, &errOut
}

// tree builds a small share: two copies of a file, a unique file, an empty
// file and an empty folder.
func tree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for path, content := range map[string]string{
		"compta/budget.xlsx": "budget 2027", "compta/Copie de budget.xlsx": "budget 2027",
		"rh/notes.txt": "notes", "rh/vide.txt": "",
	} {
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "archives", "2019"), 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestScanPrintsOneReportPerRoot(t *testing.T) {
	a, b := tree(t), tree(t)
	m, out, errOut := newMain()
	if code := m.Run(context.Background(), []string{"scan", "--team", "routes", a, b}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 reports, got %d:\n%s", len(lines), out)
	}
	for i, line := range lines {
		r, err := scanner.DecodeReport([]byte(line), now)
		if err != nil {
			t.Fatalf("report %d does not decode: %v", i, err)
		}
		want := scanner.Report{ScanID: r.ScanID, Team: "routes", Source: "share", Root: []string{a, b}[i], ScannedAt: now,
			Files: 4, Bytes: 27,
			Duplicates: scanner.Duplicates{Groups: 1, Files: 2, ReclaimableBytes: 11},
			Stale:      scanner.Stale{OlderThanDays: 1095}, BadlyNamed: scanner.BadlyNamed{Files: 1},
			Large: scanner.Large{ThresholdBytes: 100 << 20}, Empty: scanner.Empty{Files: 1, Dirs: 2}}
		if r != want {
			t.Errorf("report %d:\n got %+v\nwant %+v", i, r, want)
		}
	}
}

// TestFlagsAfterPaths: "gigascan scan /srv/partages/routes --team routes" is
// how many type it; the flags count wherever they stand, and "--" ends them.
func TestFlagsAfterPaths(t *testing.T) {
	root := tree(t)
	dash := filepath.Join(root, "-notes")
	os.Mkdir(dash, 0o755)
	tests := []struct {
		name string
		args []string
		root string
	}{
		{"flags after the path", []string{"scan", root, "--team", "routes", "--stale-days", "30"}, root},
		{"flags on both sides", []string{"scan", "--team", "routes", root, "--stale-days=30"}, root},
		{"a path that looks like a flag, after --", []string{"scan", "--team", "routes", "--stale-days", "30", "--", dash}, dash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, out, errOut := newMain()
			if code := m.Run(context.Background(), tt.args); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			r, err := scanner.DecodeReport(out.Bytes(), now)
			if err != nil || r.Team != "routes" || r.Stale.OlderThanDays != 30 || r.Root != tt.root {
				t.Errorf("report %+v (%v)", r, err)
			}
		})
	}
}

// botServer serves the intake as gigabot does: at POST /api/v1/scans, beside
// a dashboard that answers GET / (so that a POST to / gets 405), behind a
// reverse proxy that serves the bot at its root and under /gigabot/.
func botServer(t *testing.T, env *bottest.Env) *httptest.Server {
	t.Helper()
	api := httpapi.New(env.Bot, env.Store, nil)
	api.Handle("POST "+scanner.IntakePath, httpapi.NewIntake(env.Bot, []byte("0123456789abcdef0123"), env.Clock.Now, nil))
	api.Handle("GET /", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "dashboard") }))
	proxy := http.NewServeMux()
	proxy.Handle("/gigabot/", http.StripPrefix("/gigabot", api))
	proxy.Handle("/", api)
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv
}

func TestSendReachesTheBot(t *testing.T) {
	env := bottest.New(t, now)
	srv := botServer(t, env)
	secretFile := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secretFile, []byte("0123456789abcdef0123\n"), 0o600)
	// Each form of --to an admin may type, each sending another root.
	tos := []string{
		srv.URL,                            // the bot's base URL, as typed in a browser
		srv.URL + "/",                      // the same, with a slash
		srv.URL + "/api/v1/scans",          // the intake's full URL
		srv.URL + "/gigabot/",              // the bot under a reverse proxy's prefix
		srv.URL + "/gigabot/api/v1/scans/", // its full URL, with a slash
	}
	for i, to := range tos {
		m, out, errOut := newMain()
		m.NewID = func() string { return fmt.Sprintf("scan-%d", i) }
		args := []string{"send", "--to", to, "--secret-file", secretFile, "--team", "culture", tree(t)}
		if code := m.Run(context.Background(), args); code != 0 {
			t.Fatalf("--to %s: exit %d: %s", to, code, errOut)
		}
		if !strings.Contains(out.String(), "culture") || !strings.Contains(out.String(), ": accepted") {
			t.Errorf("--to %s: output %q", to, out)
		}
	}
	scans, err := env.Store.LatestScans(context.Background(), "culture")
	if err != nil || len(scans) != len(tos) || scans[0].Bytes != 27 || scans[0].DuplicateBytes != 11 {
		t.Errorf("the bot holds %+v (%v)", scans, err)
	}
	m2, _, errOut2 := newMain()
	bad := []string{"send", "--to", srv.URL, "--secret-file", secretFile, "--team", "cuisine", tree(t)}
	if code := m2.Run(context.Background(), bad); code != 1 || !strings.Contains(errOut2.String(), "unknown team cuisine") {
		t.Errorf("unknown team: exit %d, %s", code, errOut2)
	}
}

// TestSendToTheWrongPlace: where no intake answers, the error names the URL
// tried and the form expected, and the flag.
func TestSendToTheWrongPlace(t *testing.T) {
	srv := botServer(t, bottest.New(t, now))
	secretFile := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secretFile, []byte("0123456789abcdef0123\n"), 0o600)
	m, _, errOut := newMain()
	args := []string{"send", "--to", srv.URL + "/ailleurs/", "--secret-file", secretFile, "--team", "culture", tree(t)}
	if code := m.Run(context.Background(), args); code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"--to", srv.URL + "/ailleurs/api/v1/scans", "HTTP 405", "base URL", "/api/v1/scans"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestReportFormats(t *testing.T) {
	root := tree(t)
	for _, tt := range []struct{ format, want string }{
		{"csv", "duplicate," + root + ",1," + filepath.Join(root, "compta")},
		{"md", "## Doublons à supprimer"},
		{"html", "<code>" + filepath.Join(root, "compta")},
	} {
		t.Run(tt.format, func(t *testing.T) {
			m, out, errOut := newMain()
			if code := m.Run(context.Background(), []string{"report", "--format", tt.format, "--top", "5", root}); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.Contains(out.String(), tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, out)
			}
		})
	}
}

func TestMailbox(t *testing.T) {
	dir := t.TempDir()
	export := filepath.Join(dir, "export.csv")
	users := filepath.Join(dir, "users.csv")
	os.WriteFile(export, []byte("user,bytes\nalice,1000\nbob,500\nzoe,7\n"), 0o644)
	os.WriteFile(users, []byte("user,team\nalice,routes\nbob,routes\n"), 0o644)
	m, out, errOut := newMain()
	if code := m.Run(context.Background(), []string{"mailbox", "--csv", export, "--map", users}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r scanner.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil || r.Team != "routes" || r.Bytes != 1500 || r.Source != "mailbox" {
		t.Errorf("report %+v (%v)", r, err)
	}
	if !strings.Contains(errOut.String(), "1 mailboxes match no user") {
		t.Errorf("stderr %q", errOut)
	}
}

// TestHelp: each subcommand's -h says which command it is, how to call it
// and every option with its default, on stdout.
func TestHelp(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"--to URL --secret-file F", "https://gigabot.intra", "gigascan COMMAND -h"}},
		{[]string{"scan", "-h"}, []string{"gigascan scan --team ID [options] PATH…", "-stale-days", "(default 1095)", "(default 104857600 = 100 MiB)"}},
		{[]string{"send", "-h"}, []string{"gigascan send --to URL", "-to URL", "base URL", "/api/v1/scans", "-secret-file"}},
		{[]string{"report", "--help"}, []string{"gigascan report [--format csv|md|html]", `(default "md")`, "(default 20)"}},
		{[]string{"mailbox", "-h"}, []string{"gigascan mailbox --csv EXPORT --map USERS", `(default "exchange")`, "base URL"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			m, out, errOut := newMain()
			if code := m.Run(context.Background(), tt.args); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out.String(), "Usage of") {
				t.Errorf("the flag package's bare header:\n%s", out)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	root := tree(t)
	short := filepath.Join(t.TempDir(), "short")
	os.WriteFile(short, []byte("tooshort"), 0o600)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "Usage"},
		{"unknown command", []string{"clean"}, `unknown command "clean"`},
		{"no team", []string{"scan", root}, "--team ID is required"},
		{"no path", []string{"scan", "--team", "routes"}, "at least one PATH"},
		{"bad source", []string{"scan", "--team", "routes", "--source", "cloud", root}, "--source"},
		{"bad stale days", []string{"scan", "--team", "routes", "--stale-days", "0", root}, "--stale-days"},
		{"bad size", []string{"scan", "--team", "routes", "--large-bytes", "huge", root}, "large-bytes"},
		{"bad glob", []string{"scan", "--team", "routes", "--exclude", "[", root}, "bad glob"},
		{"missing root", []string{"scan", "--team", "routes", filepath.Join(root, "nope")}, "1 of 1 roots failed"},
		{"send without URL", []string{"send", "--team", "routes", root}, "--to URL is required"},
		{"send to a bad URL", []string{"send", "--to", "ftp://x", "--secret-file", short, "--team", "routes", root}, `--to: "ftp://x" is not an http or https URL`},
		{"send to a URL without scheme", []string{"send", "--to", "gigabot.intra", "--secret-file", short, "--team", "routes", root}, "--to: \"gigabot.intra\" has no scheme: https://gigabot.intra?"},
		{"send to a URL without host", []string{"send", "--to", "https:///api/v1/scans", "--secret-file", short, "--team", "routes", root}, "--to: \"https:///api/v1/scans\" has no host"},
		{"send to another API route", []string{"send", "--to", "https://gigabot.intra/api/v1/standings", "--secret-file", short, "--team", "routes", root}, "--to: https://gigabot.intra/api/v1/standings is not the intake"},
		{"mailbox to a bad URL", []string{"mailbox", "--csv", short, "--map", short, "--to", "gigabot.intra", "--secret-file", short}, "--to: \"gigabot.intra\" has no scheme"},
		{"mailbox with a secret but no URL", []string{"mailbox", "--csv", short, "--map", short, "--secret-file", short}, "--secret-file goes with --to"},
		{"bad flag", []string{"send", "--too", "x"}, "gigascan send -h lists the options"},
		{"flag after the paths", []string{"scan", root, "--team"}, "flag needs an argument: -team"},
		{"short secret", []string{"send", "--to", "http://127.0.0.1:1", "--secret-file", short, "--team", "routes", root}, "shorter than 16"},
		{"bad format", []string{"report", "--format", "pdf", root}, "--format"},
		{"bad top", []string{"report", "--top", "0", root}, "--top"},
		{"mailbox without files", []string{"mailbox"}, "--csv EXPORT and --map USERS are required"},
		{"cache and no cache", []string{"scan", "--team", "routes", "--cache", root, "--no-cache", root}, "--cache DIR and --no-cache contradict"},
		{"cache in a file", []string{"scan", "--team", "routes", "--cache", filepath.Join(short, "cache"), root}, "--cache: mkdir"},
		{"rate without unit", []string{"scan", "--team", "routes", "--max-read-rate", "50", root}, `"50" is below 100`},
		{"rate in a bad unit", []string{"scan", "--team", "routes", "--max-read-rate", "50MiB/s", root}, `unknown unit "MiB"`},
		{"rate not a number", []string{"scan", "--team", "routes", "--max-read-rate", "fast", root}, `"fast" is not a size`},
		{"size-only sent", []string{"send", "--to", "http://127.0.0.1:1", "--secret-file", short, "--size-only", "--team", "routes", root}, "--size-only is a first estimate, never sent"},
		{"backup without the privilege", []string{"scan", "--team", "routes", "--backup", root}, "--backup: no backup privilege here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, errOut := newMain()
			if code := m.Run(context.Background(), tt.args); code == 0 || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit %d, stderr %q, want %q", code, errOut, tt.want)
			}
		})
	}
}

func TestMaxReadRateUnits(t *testing.T) {
	for in, want := range map[string]readRate{
		"50MB/s": 50_000_000, "50Mo/s": 50_000_000, "50 Mo/s": 50_000_000, "50mo/S": 50_000_000,
		"0,5 Go/s": 500_000_000, "2.5MB": 2_500_000, "100 ko/s": 100_000,
	} {
		var r readRate
		if err := r.Set(in); err != nil || r != want {
			t.Errorf("%q: %d, %v; want %d", in, r, err, want)
		}
	}
}

// scanJSON runs gigascan scan with args and returns its report, less its id.
func scanJSON(t *testing.T, args ...string) (map[string]any, string) {
	t.Helper()
	m, out, errOut := newMain()
	if code := m.Run(t.Context(), append([]string{"scan", "--team", "routes"}, args...)); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r map[string]any
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	delete(r, "scan_id")
	return r, errOut.String()
}

func TestScanCache(t *testing.T) {
	root, dir := tree(t), filepath.Join(t.TempDir(), "cache")
	plain, _ := scanJSON(t, "--no-cache", root)
	for i := range 2 {
		r, stderr := scanJSON(t, "--cache", dir, root)
		if fmt.Sprint(r) != fmt.Sprint(plain) || stderr != "" {
			t.Errorf("scan %d with the cache: %v (stderr %q), want %v", i, r, stderr, plain)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.hashes")); len(files) != 1 {
		t.Fatalf("cache folder holds %q, want one cache", files)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.hashes"))
	if err := os.WriteFile(files[0], []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r, stderr := scanJSON(t, "--cache", dir, root); fmt.Sprint(r) != fmt.Sprint(plain) || !strings.Contains(stderr, "ignored (not a gigascan hash cache): rebuilt") {
		t.Errorf("corrupt cache: %v, stderr %q", r, stderr)
	}
	// By default, in the user's cache folder.
	scanJSON(t, root)
	if files, _ := filepath.Glob(filepath.Join(userCacheDir, "gigascan", "*.hashes")); len(files) == 0 {
		t.Error("no cache in the user's cache folder")
	}
}

func TestScanSizeOnlyAndNice(t *testing.T) {
	root := tree(t)
	m, out, errOut := newMain()
	niced := false
	m.LowerPriority = func() error { niced = true; return nil }
	if code := m.Run(t.Context(), []string{"scan", "--team", "routes", "--size-only", "--nice", "--max-read-rate", "50Mo/s", root}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r scanner.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Duplicates.Groups != 1 || !niced || !strings.Contains(errOut.String(), "--size-only: the duplicates are files of the same size, an upper bound") {
		t.Errorf("duplicates %+v, niced %v, stderr %q", r.Duplicates, niced, errOut)
	}
	m, _, errOut = newMain()
	m.LowerPriority = func() error { return errors.New("not allowed") }
	if code := m.Run(t.Context(), []string{"scan", "--team", "routes", "--nice", root}); code == 0 || !strings.Contains(errOut.String(), "--nice: not allowed") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
