package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/internal/egresstest"
	"github.com/gigabot/gigabot/internal/safebuf"
	"github.com/gigabot/gigabot/scanner"
)

// The reverse-proxy recipes (deploy/Caddyfile, deploy/nginx/gigabot.conf)
// expose some of the bot's routes and keep the others inside. These tests
// read the routes from the bot's source, so that a new route fails them
// until it is put on one side and the recipes follow.

// publicRoutes are the routes the recipes expose, and who needs each.
var publicRoutes = map[string]string{
	"GET /{$}":                 "the agents' browsers: the dashboard",
	"GET /bilan":               "the agents' browsers: the printable report",
	"GET /static/{path...}":    "the agents' browsers: the dashboard's assets",
	"GET /api/v1/board":        "the dashboard's page",
	"GET /api/v1/live":         "the dashboard's page: Server-Sent Events, unbuffered",
	"GET /api/v1/standings":    "the same figures as the dashboard, for the intranet's own pages",
	"GET /api/v1/export.csv":   "the coordinators (the bot answers 401 without GIGABOT_API_TOKEN)",
	"POST /api/v1/scans":       "the file servers' scanners (signed with GIGABOT_SCANNER_SECRET)",
	"POST /slack/events":       "Slack in HTTP mode (signed)",
	"POST /slack/commands":     "Slack in HTTP mode (signed)",
	"POST /slack/interactions": "Slack in HTTP mode (signed)",
	"POST /mattermost/command": "the Mattermost server: /giga (MATTERMOST_COMMAND_TOKEN)",
	"POST /mattermost/action":  "the Mattermost server: the défi button (signed context)",
}

// internalRoutes stay on the bot's own port.
var internalRoutes = map[string]string{
	"GET /metrics": "the monitoring network: figures of every team and of the process",
	"GET /healthz": "the container's health check and the monitoring",
}

// botRoutes returns the route patterns registered in the module's non-test
// Go files (scripts/, other programs, left out): every Handle or HandleFunc
// call whose first argument is a constant string, literal or made of
// constants of the module, such as "POST "+mattermost.CommandPath.
func botRoutes(t *testing.T) []string {
	t.Helper()
	type file struct {
		pkg string
		ast *ast.File
	}
	var files []file
	consts := map[string]map[string]string{} // package name → constant → value
	fset := token.NewFileSet()
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "../.." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "scripts") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files = append(files, file{f.Name.Name, f})
		for _, decl := range f.Decls {
			if gd, ok := decl.(*ast.GenDecl); ok && gd.Tok == token.CONST {
				for _, spec := range gd.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, v := range vs.Values {
						if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING && i < len(vs.Names) {
							s, _ := strconv.Unquote(lit.Value)
							if consts[f.Name.Name] == nil {
								consts[f.Name.Name] = map[string]string{}
							}
							consts[f.Name.Name][vs.Names[i].Name] = s
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var value func(pkg string, e ast.Expr) (string, bool)
	value = func(pkg string, e ast.Expr) (string, bool) {
		switch e := e.(type) {
		case *ast.BasicLit:
			s, err := strconv.Unquote(e.Value)
			return s, e.Kind == token.STRING && err == nil
		case *ast.ParenExpr:
			return value(pkg, e.X)
		case *ast.BinaryExpr:
			l, lok := value(pkg, e.X)
			r, rok := value(pkg, e.Y)
			return l + r, lok && rok && e.Op == token.ADD
		case *ast.Ident:
			s, ok := consts[pkg][e.Name]
			return s, ok
		case *ast.SelectorExpr:
			if x, ok := e.X.(*ast.Ident); ok {
				s, ok := consts[x.Name][e.Sel.Name]
				return s, ok
			}
		}
		return "", false
	}
	pattern := regexp.MustCompile(`^[A-Z]+ /`)
	var routes []string
	for _, f := range files {
		ast.Inspect(f.ast, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
				return true
			}
			if p, ok := value(f.pkg, call.Args[0]); ok && pattern.MatchString(p) && !slices.Contains(routes, p) {
				routes = append(routes, p)
			}
			return true
		})
	}
	slices.Sort(routes)
	return routes
}

// TestRoutesAreSorted: every route of the bot is either public or
// internal, and the two lists name no route the bot does not have.
func TestRoutesAreSorted(t *testing.T) {
	routes := botRoutes(t)
	for _, r := range routes {
		_, pub := publicRoutes[r]
		_, in := internalRoutes[r]
		if pub == in {
			t.Errorf("route %q: add it to publicRoutes or internalRoutes, then to deploy/Caddyfile and deploy/nginx/gigabot.conf if public", r)
		}
	}
	for _, list := range []map[string]string{publicRoutes, internalRoutes} {
		for r := range list {
			if !slices.Contains(routes, r) {
				t.Errorf("route %q is listed but the bot does not serve it (it serves %q)", r, routes)
			}
		}
	}
}

// samplePath is a path the route pattern serves ("/static/{path...}":
// "/static/sample/file.css").
func samplePath(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.ReplaceAll(path, "{$}", "")
	path = regexp.MustCompile(`\{[^}]*\.\.\.\}`).ReplaceAllString(path, "sample/file.css")
	path = regexp.MustCompile(`\{[^}]*\}`).ReplaceAllString(path, "sample")
	return method, path
}

// nginxLocation is one location block of the nginx recipe.
type nginxLocation struct {
	exact   bool
	path    string
	proxied bool // proxy_pass, not return 404
}

// nginxLocations reads the location blocks of an nginx server: exact (=)
// and prefix (^~ or none) ones; any other kind fails the test, since
// forwards would not know it.
func nginxLocations(t *testing.T, conf string) []nginxLocation {
	t.Helper()
	re := regexp.MustCompile(`(?m)^\s*location\s+(?:(=|\^~)\s+)?(/\S*)\s*\{([^{}]*)\}`)
	matches := re.FindAllStringSubmatch(conf, -1)
	if n := len(regexp.MustCompile(`(?m)^\s*location\s`).FindAllString(conf, -1)); n != len(matches) || n == 0 {
		t.Fatalf("%d location blocks, %d of them of a kind this test reads (=, ^~ or a plain prefix, no nested block)", n, len(matches))
	}
	var locs []nginxLocation
	for _, m := range matches {
		proxied, refused := strings.Contains(m[3], "proxy_pass http://gigabot;"), strings.Contains(m[3], "return 404;")
		if proxied == refused {
			t.Fatalf("location %s %s: neither proxy_pass http://gigabot nor return 404", m[1], m[2])
		}
		locs = append(locs, nginxLocation{exact: m[1] == "=", path: m[2], proxied: proxied})
	}
	return locs
}

// nginxForwards tells whether nginx passes path to the bot: an exact
// location first, else the longest prefix (nginx's own order without
// regular expressions).
func nginxForwards(locs []nginxLocation, path string) bool {
	best := -1
	for i, l := range locs {
		if l.exact && l.path == path {
			return l.proxied
		}
		if !l.exact && strings.HasPrefix(path, l.path) && (best < 0 || len(l.path) > len(locs[best].path)) {
			best = i
		}
	}
	return best >= 0 && locs[best].proxied
}

// caddyForwards returns whether Caddy passes a path to the bot, as the
// Caddyfile's named path matchers and their handle blocks say.
func caddyForwards(t *testing.T, caddyfile string) func(path string) bool {
	t.Helper()
	matchers := map[string][]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s*(@\w+)\s+path\s+(.+)$`).FindAllStringSubmatch(caddyfile, -1) {
		matchers[m[1]] = append(matchers[m[1]], strings.Fields(m[2])...)
	}
	var proxied []string // matcher names
	fallback := false
	for _, loc := range regexp.MustCompile(`(?m)^\s*handle(?:\s+(@\w+))?\s*\{`).FindAllStringSubmatchIndex(caddyfile, -1) {
		depth, end := 1, loc[1]
		for ; depth > 0 && end < len(caddyfile); end++ {
			switch caddyfile[end] {
			case '{':
				depth++
			case '}':
				depth--
			}
		}
		body := caddyfile[loc[1]:end]
		name := ""
		if loc[2] >= 0 {
			name = caddyfile[loc[2]:loc[3]]
		}
		switch {
		case name == "" && strings.Contains(body, "respond 404"):
			fallback = true
		case name != "" && strings.Contains(body, "reverse_proxy {$GIGABOT_UPSTREAM:gigabot:8080}"):
			if matchers[name] == nil {
				t.Fatalf("handle %s: no path matcher of that name", name)
			}
			proxied = append(proxied, name)
		default:
			t.Fatalf("a handle block this test does not read:%s", body)
		}
	}
	if !fallback || len(proxied) == 0 {
		t.Fatalf("the Caddyfile needs handle blocks with reverse_proxy and a last `handle { respond 404 }`")
	}
	return func(path string) bool {
		for _, name := range proxied {
			for _, p := range matchers[name] {
				if p == path || (strings.HasSuffix(p, "*") && strings.HasPrefix(path, strings.TrimSuffix(p, "*"))) {
					return true
				}
			}
		}
		return false
	}
}

// TestProxyRecipesExposeThePublicRoutes: both recipes pass on exactly the
// public routes, and nothing else reaches the bot through them.
func TestProxyRecipesExposeThePublicRoutes(t *testing.T) {
	locs := nginxLocations(t, readFile(t, "../../deploy/nginx/gigabot.conf"))
	caddy := caddyForwards(t, readFile(t, "../../deploy/Caddyfile"))
	recipes := map[string]func(string) bool{
		"deploy/nginx/gigabot.conf": func(p string) bool { return nginxForwards(locs, p) },
		"deploy/Caddyfile":          caddy,
	}
	for name, forwards := range recipes {
		t.Run(name, func(t *testing.T) {
			for _, r := range botRoutes(t) {
				_, path := samplePath(r)
				_, public := publicRoutes[r]
				if got := forwards(path); got != public {
					t.Errorf("%s (%s): passed on %v, want %v", r, path, got, public)
				}
			}
			for _, path := range []string{"/metrics", "/healthz", "/debug/pprof/", "/api/v1/", "/bilanx", "/api/v1/live/x", "/slack/other"} {
				if forwards(path) {
					t.Errorf("%s is passed on to the bot", path)
				}
			}
		})
	}
}

// tool returns the path of a proxy's binary, or skips the test without it
// (fails, when GIGABOT_E2E_PROXIES=required, as in CI).
func tool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("GIGABOT_E2E_PROXIES") == "required" {
			t.Fatalf("%s is not installed and GIGABOT_E2E_PROXIES=required", name)
		}
		t.Skipf("%s is not installed (Debian: apt-get install %s)", name, name)
	}
	return path
}

// writeFiles writes name → content into dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// replaceOnce replaces old, which must occur n times in s, with new.
func replaceOnce(t *testing.T, s, old, new string, n int) string {
	t.Helper()
	if got := strings.Count(s, old); got != n {
		t.Fatalf("%q occurs %d times in the recipe, want %d", old, got, n)
	}
	return strings.ReplaceAll(s, old, new)
}

// TestCaddyfileValidates runs `caddy validate` on deploy/Caddyfile, with a
// certificate from the intranet's CA (its paths moved into a temporary
// directory) and with ACME; an unknown GIGABOT_TLS is refused.
func TestCaddyfileValidates(t *testing.T) {
	caddy := tool(t, "caddy")
	dir := t.TempDir()
	_, chain, key := egresstest.NewCA(t).Leaf(t, "gigabot.intranet.example")
	conf := replaceOnce(t, readFile(t, "../../deploy/Caddyfile"), "/etc/caddy/tls/", dir+"/", 2)
	writeFiles(t, dir, map[string]string{"Caddyfile": conf, "gigabot.crt": string(chain), "gigabot.key": string(key)})
	for _, tt := range []struct{ tls, want string }{
		{"files", "Valid configuration"},
		{"acme", "Valid configuration"},
		{"bogus", "tls-bogus"},
	} {
		cmd := exec.Command(caddy, "validate", "--adapter", "caddyfile", "--config", filepath.Join(dir, "Caddyfile"))
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir,
			"GIGABOT_PUBLIC_URL=https://gigabot.intranet.example", "GIGABOT_TLS="+tt.tls)
		out, err := cmd.CombinedOutput()
		if (err == nil) != (tt.tls != "bogus") || !strings.Contains(string(out), tt.want) {
			t.Errorf("GIGABOT_TLS=%s: caddy validate: %v, want %q:\n%s", tt.tls, err, tt.want, out)
		}
	}
}

// freePort returns a loopback port nobody listens on (now).
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// nginxSetup writes deploy/nginx/gigabot.conf into dir as the recipe says
// to install it, with its listening ports on loopback, its certificate one
// the test CA signed for 127.0.0.1 and its upstream at upstream, inside a
// minimal nginx.conf; it returns that file and the HTTPS address.
func nginxSetup(t *testing.T, dir, upstream string) (mainConf, httpsAddr string, ca *egresstest.CA) {
	t.Helper()
	ca = egresstest.NewCA(t)
	_, chain, key := ca.Leaf(t, "127.0.0.1")
	httpsAddr = "127.0.0.1:" + freePort(t)
	conf := readFile(t, "../../deploy/nginx/gigabot.conf")
	conf = replaceOnce(t, conf, "server 127.0.0.1:8080;", "server "+upstream+";", 1)
	conf = replaceOnce(t, conf, "listen 80;", "listen 127.0.0.1:"+freePort(t)+";", 1)
	conf = replaceOnce(t, conf, "listen 443 ssl http2;", "listen "+httpsAddr+" ssl http2;", 1)
	conf = replaceOnce(t, conf, "/etc/nginx/tls/", dir+"/", 2)
	mainConf = filepath.Join(dir, "nginx.conf")
	writeFiles(t, dir, map[string]string{
		"gigabot.conf": conf, "gigabot.crt": string(chain), "gigabot.key": string(key),
		"nginx.conf": strings.ReplaceAll(`daemon off;
master_process off;
pid DIR/nginx.pid;
error_log DIR/error.log;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path DIR/client_body;
    proxy_temp_path DIR/proxy;
    fastcgi_temp_path DIR/fastcgi;
    uwsgi_temp_path DIR/uwsgi;
    scgi_temp_path DIR/scgi;
    include DIR/gigabot.conf;
}
`, "DIR", dir),
	})
	return mainConf, httpsAddr, ca
}

// TestNginxConfigTests runs `nginx -t` on the recipe.
func TestNginxConfigTests(t *testing.T) {
	nginx := tool(t, "nginx")
	dir := t.TempDir()
	conf, _, _ := nginxSetup(t, dir, "127.0.0.1:8080")
	out, err := exec.Command(nginx, "-t", "-c", conf, "-p", dir, "-e", filepath.Join(dir, "error.log")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "test is successful") {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
}

// startBotForProxy runs "gigabot run" on the console with a scanner secret
// and an export token, for a proxy to stand in front of.
func startBotForProxy(t *testing.T) (*process, *clockwork.FakeClock) {
	t.Helper()
	loc, _ := time.LoadLocation("Europe/Paris")
	clock := clockwork.NewFakeClockAt(time.Date(2027, 3, 22, 8, 30, 0, 0, loc))
	p := startWith(t, writeConfig(t, bottest.ConfigYAML), clock, map[string]string{"GIGABOT_SCANNER_SECRET": proxySecret, "GIGABOT_API_TOKEN": proxyToken})
	t.Cleanup(func() { p.stop(t) })
	return p, clock
}

// The bot's secrets in the tests of a proxy in front of it.
const proxySecret, proxyToken = "a-scanner-secret-of-the-test", "an-export-token-of-the-test"

// startProxy starts a proxy's command, stopped when the test ends, and
// waits until addr accepts connections; logs gives its log on failure.
func startProxy(t *testing.T, cmd *exec.Cmd, addr string, logs func() string) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not listen on %s:\n%s", cmd.Path, addr, logs())
		}
	}
}

// checkInFront checks a proxy at base (https, its certificate from ca) in
// front of the bot p: the public routes reach the bot and the internal
// ones get the proxy's own 404 (own tells it from the bot's), while the
// bot serves them on its port; the live feed's first event comes through
// while the stream is open; a signed scan is accepted; the export answers
// with the token.
func checkInFront(t *testing.T, p *process, clock clockwork.Clock, base string, ca *egresstest.CA, own func(status int, body string) bool) {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
	defer client.CloseIdleConnections()
	do := func(t *testing.T, method, url string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}

	t.Run("routes", func(t *testing.T) {
		for _, r := range botRoutes(t) {
			method, path := samplePath(r)
			if r == "GET /api/v1/live" {
				continue // a stream: below
			}
			status, body := do(t, method, base+path)
			if _, public := publicRoutes[r]; public == own(status, body) {
				t.Errorf("%s through the proxy: %d %q (public: %v)", r, status, body, public)
			}
			if _, internal := internalRoutes[r]; internal {
				if status, body := do(t, method, "http://"+p.addr+path); status != http.StatusOK {
					t.Errorf("%s on the bot's own port: %d %q", r, status, body)
				}
			}
		}
	})

	t.Run("live feed", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/live", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/event-stream") {
			t.Fatalf("GET /api/v1/live: %d %s", resp.StatusCode, ct)
		}
		// The bot keeps the stream open: the first event can only arrive
		// here if the proxy passes it on as it comes.
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() && sc.Text() != "event: board" {
		}
		if !sc.Scan() || !strings.HasPrefix(sc.Text(), "data: {") {
			t.Fatalf("no board event through the proxy: %v", sc.Err())
		}
	})

	t.Run("scan intake", func(t *testing.T) {
		sc := &scanner.Client{URL: base + scanner.IntakePath, Secret: []byte(proxySecret), HTTP: client, Now: clock.Now, Attempts: 1}
		id := "proxy-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		r := scanner.Report{ScanID: id, Team: "routes", Source: "share", Root: `\\srv\routes`, ScannedAt: clock.Now().Add(-time.Hour), Files: 10, Bytes: 1e9}
		if status, err := sc.Send(context.Background(), r); err != nil || status != "accepted" {
			t.Errorf("a scan through the proxy: %q, %v", status, err)
		}
	})

	t.Run("export", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/export.csv", nil)
		req.Header.Set("Authorization", "Bearer "+proxyToken)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Errorf("the export through the proxy with the token: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	})
}

// TestNginxInFrontOfTheBot runs the nginx recipe in front of a real
// "gigabot run" (checkInFront).
func TestNginxInFrontOfTheBot(t *testing.T) {
	nginx := tool(t, "nginx")
	p, clock := startBotForProxy(t)
	dir := t.TempDir()
	conf, addr, ca := nginxSetup(t, dir, p.addr)
	cmd := exec.Command(nginx, "-c", conf, "-p", dir, "-e", filepath.Join(dir, "error.log"))
	startProxy(t, cmd, addr, func() string { return readFile(t, filepath.Join(dir, "error.log")) })
	checkInFront(t, p, clock, "https://"+addr, ca, func(status int, body string) bool {
		return status == http.StatusNotFound && strings.Contains(body, "<center>nginx")
	})
}

// TestCaddyInFrontOfTheBot runs deploy/Caddyfile in front of a real
// "gigabot run" (checkInFront), with the intranet CA's certificate (its
// paths moved into a temporary directory) and the settings compose gives
// it, plus global options for a test: loopback only, no admin endpoint,
// no redirect listener on port 80.
func TestCaddyInFrontOfTheBot(t *testing.T) {
	caddy := tool(t, "caddy")
	p, clock := startBotForProxy(t)
	dir := t.TempDir()
	ca := egresstest.NewCA(t)
	_, chain, key := ca.Leaf(t, "127.0.0.1")
	addr := "127.0.0.1:" + freePort(t)
	conf := replaceOnce(t, readFile(t, "../../deploy/Caddyfile"), "/etc/caddy/tls/", dir+"/", 2)
	global := "{\n\tadmin off\n\tdefault_bind 127.0.0.1\n\tdefault_sni 127.0.0.1\n\tauto_https disable_redirects\n\thttps_port " + strings.TrimPrefix(addr, "127.0.0.1:") + "\n}\n"
	writeFiles(t, dir, map[string]string{"Caddyfile": global + conf, "gigabot.crt": string(chain), "gigabot.key": string(key)})
	logs := &safebuf.Buffer{}
	cmd := exec.Command(caddy, "run", "--adapter", "caddyfile", "--config", filepath.Join(dir, "Caddyfile"))
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir,
		"GIGABOT_PUBLIC_URL=https://"+addr, "GIGABOT_TLS=files", "GIGABOT_UPSTREAM="+p.addr)
	cmd.Stdout, cmd.Stderr = logs, logs
	startProxy(t, cmd, addr, logs.String)
	checkInFront(t, p, clock, "https://"+addr, ca, func(status int, body string) bool {
		return status == http.StatusNotFound && body == ""
	})
}
