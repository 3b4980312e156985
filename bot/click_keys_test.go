package bot

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every answer to a click has its text in both catalogs.
func TestClickTexts(t *testing.T) {
	for r, key := range clickTexts {
		if french[key] == "" || english[key] == "" {
			t.Errorf("click result %d: message %q missing", r, key)
		}
	}
}

// The chat adapters take the words they say themselves from the catalogs
// (the "chat." messages): every one they name exists.
func TestAdapterCatalogKeys(t *testing.T) {
	sources, _ := filepath.Glob("../integrations/*/*.go")
	named := regexp.MustCompile(`"(chat\.[a-z_.]+)"`)
	found := 0
	for _, path := range sources {
		src, err := os.ReadFile(path)
		if err != nil || strings.HasSuffix(path, "_test.go") {
			continue
		}
		for _, key := range named.FindAllStringSubmatch(string(src), -1) {
			if found++; french[key[1]] == "" {
				t.Errorf("%s names message %q, which the catalogs lack", path, key[1])
			}
		}
	}
	if found < 8 {
		t.Fatalf("found %d message names in the adapters: the pattern no longer matches the code", found)
	}
}
