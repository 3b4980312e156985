package bot

import (
	"github.com/gigabot/gigabot/catalog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestLocalePoints(t *testing.T) {
	if got, want := NewLocale("fr").Points(12.5), "12,5 pts"; got != want {
		t.Errorf("fr Points(12.5) = %q, want %q", got, want)
	}
	if got, want := NewLocale("en").Points(12.5), "12.5 pts"; got != want {
		t.Errorf("en Points(12.5) = %q, want %q", got, want)
	}
}

// Every French message template follows French typography: no plain space
// before ":" "!" "?" ";" or "%", and every key exists in both languages.
func TestCatalogs(t *testing.T) {
	for key, fr := range french {
		for _, bad := range []string{" : ", " !", " ?", " ;", " %%"} {
			if strings.Contains(fr, bad) {
				t.Errorf("french[%q] has a plain space in %q: %q", key, bad, fr)
			}
		}
		if _, ok := english[key]; !ok {
			t.Errorf("english lacks %q", key)
		}
	}
	for key := range english {
		if _, ok := french[key]; !ok {
			t.Errorf("french lacks %q", key)
		}
	}
}

// Every message key the code asks for with a literal exists, and the French
// and English templates take the same verbs in the same order.
func TestCatalogKeysUsed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`\.T\("([a-z_.]+)"`)
	used := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			used++
			if strings.HasSuffix(m[1], ".") { // a prefix completed at run time
				if !hasPrefix(french, m[1]) {
					t.Errorf("%s asks for messages %q…, which the catalogs lack", f, m[1])
				}
				continue
			}
			if _, ok := french[m[1]]; !ok {
				t.Errorf("%s asks for message %q, which the catalogs lack", f, m[1])
			}
		}
	}
	if used < 50 {
		t.Fatalf("found only %d message lookups: the pattern no longer matches the code", used)
	}
	verbs := regexp.MustCompile(`%[a-z]`)
	for key, fr := range french {
		if got, want := verbs.FindAllString(english[key], -1), verbs.FindAllString(fr, -1); strings.Join(got, "") != strings.Join(want, "") {
			t.Errorf("%q: English verbs %v, French %v", key, got, want)
		}
	}
}

func hasPrefix(m map[string]string, prefix string) bool {
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// french and english are the chat's sentences of the catalog (the
// dashboard's, the scanner's and the demo's have their own prefixes).
var french, english = chatTexts("fr"), chatTexts("en")

func chatTexts(lang string) map[string]string {
	c := catalog.New(lang)
	out := map[string]string{}
	for _, k := range c.Keys() {
		if strings.HasPrefix(k, "page.") || strings.HasPrefix(k, "report.") || strings.HasPrefix(k, "demo.") {
			continue
		}
		out[k], _ = c.Text(k)
	}
	return out
}
