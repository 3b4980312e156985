package dashboard_test

import (
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
)

// The pages run on closed intranets: they must ask nothing of another host.
var (
	// absoluteURL is any scheme-relative or http(s) address.
	absoluteURL = regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+`)
	// requests are the places where a page fetches something.
	requests = regexp.MustCompile(`(?i)(\b(src|href|action|poster|srcset|xlink:href)\s*=\s*["']?|url\(\s*["']?|@import\s+["']?|\bfetch\(\s*["'` + "`" + `]|\bEventSource\(\s*["'` + "`" + `]|\bimportScripts\(\s*["'` + "`" + `])\s*(https?:)?//`)
	// namespaces name XML vocabularies; nothing is fetched from them.
	namespaces = regexp.MustCompile(`http://www\.w3\.org/(2000/svg|1999/xlink|1999/xhtml)`)
)

func TestNoRequestToAnotherHost(t *testing.T) {
	sources := map[string]string{}
	// Every embedded file: any absolute address is suspect, wherever it is.
	err := fs.WalkDir(os.DirFS("web"), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		sources["web/"+path] = readFile(t, "web/"+path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) < 10 {
		t.Fatalf("only %d embedded files found", len(sources))
	}
	for path, body := range sources {
		for _, u := range absoluteURL.FindAllString(namespaces.ReplaceAllString(stripJSComments(path, body), ""), -1) {
			t.Errorf("%s: absolute address %q", path, u)
		}
	}
	// The rendered pages: data may mention an address as text, but no
	// element or style may fetch one.
	e := newEnv(t)
	pages := []string{"/", "/?tv=1", "/bilan"}
	for _, path := range pages {
		_, body := e.get(t, path)
		sources[path] = body
	}
	e.src.fail(errStore)
	_, sources["503"] = e.get(t, "/")
	for name, body := range sources {
		for _, m := range requests.FindAllString(body, -1) {
			t.Errorf("%s requests another host: %q", name, m)
		}
	}
}

func TestHostCheckCatchesAddresses(t *testing.T) {
	// The checks above would see these.
	for _, bad := range []string{
		`<script src="https://cdn.example.org/x.js">`, `<link href='//fonts.example.com/css'>`,
		`background: url( "https://example.org/a.png")`, `@import "//example.org/a.css";`,
		"fetch(`https://api.example.org`)", `new EventSource("http://example.org/live")`,
	} {
		if !requests.MatchString(bad) {
			t.Errorf("not caught: %s", bad)
		}
	}
	if requests.MatchString(`<svg xmlns="http://www.w3.org/2000/svg">`) || requests.MatchString(`<a href="/bilan">`) {
		t.Error("a namespace or a local link was taken for a request")
	}
}

// stripJSComments drops a script's "//" line comments, which are not addresses.
func stripJSComments(path, body string) string {
	if !strings.HasSuffix(path, ".js") {
		return body
	}
	return regexp.MustCompile(`(?m)^\s*//.*$`).ReplaceAllString(body, "")
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
