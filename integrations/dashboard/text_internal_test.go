package dashboard

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestFrenchTypography(t *testing.T) {
	// Before ":" and "%", a no-break space; before "!", "?" and ";", a
	// narrow one. A "%" that starts a verb ("%s") is not a percent sign.
	rules := []struct {
		mark  *regexp.Regexp
		space string
	}{
		{regexp.MustCompile(`(.?)(:)`), "\u00a0"},
		{regexp.MustCompile(`(.?)(%[^sd]|%$)`), "\u00a0"},
		{regexp.MustCompile(`(.?)([!?;])`), "\u202f"},
	}
	for key, s := range scriptTexts()["fr"] {
		for _, r := range rules {
			for _, m := range r.mark.FindAllStringSubmatch(s, -1) {
				if m[1] != r.space {
					t.Errorf("fr %s: %q before %q in %q", key, m[1], m[2], s)
				}
			}
		}
		if strings.Contains(s, "'") {
			t.Errorf("fr %s: a typewriter apostrophe in %q", key, s)
		}
	}
}

func TestTextsAreCompleteAndUsed(t *testing.T) {
	keys := func(lang string) []string {
		var out []string
		for k := range scriptTexts()[lang] {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	if fr, en := keys("fr"), keys("en"); !slices.Equal(fr, en) {
		t.Errorf("French and English differ:\nfr %v\nen %v", fr, en)
	}
	var code strings.Builder
	for _, pattern := range []string{"web/*.html", "web/static/*.js", "*.go"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") || f == "text.go" {
				continue
			}
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			code.Write(raw)
		}
	}
	used := code.String()
	for _, k := range keys("fr") {
		// The tabs' words are looked up by ranking: "tab_" + its criterion.
		dynamic := strings.HasPrefix(k, "tab_") && strings.Contains(used, `"tab_"`)
		if !dynamic && !regexp.MustCompile(`[."'_]`+k+`\b`).MatchString(used) {
			t.Errorf("text %q is never used", k)
		}
	}
	// And every key the page asks for exists.
	for _, m := range regexp.MustCompile(`(?:data-t="|\bt\(')([a-z_]+)`).FindAllStringSubmatch(used, -1) {
		if _, ok := scriptTexts()["fr"][m[1]]; !ok && !strings.HasPrefix(m[1], "tab_") {
			t.Errorf("text %q is asked for but missing", m[1])
		}
	}
}
