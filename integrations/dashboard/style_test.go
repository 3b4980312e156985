package dashboard_test

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestPaletteContrast checks the pairs of colours the style sheets put
// together: 4.5:1 for text (WCAG 1.4.3), 3:1 for bars, focus rings and
// other shapes that carry information (WCAG 1.4.11).
func TestPaletteContrast(t *testing.T) {
	palette := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z-]+):\s*(#[0-9a-fA-F]{6})`).FindAllStringSubmatch(readFile(t, "web/static/style.css"), -1) {
		palette[m[1]] = m[2]
	}
	tests := []struct {
		fg, bg string
		min    float64
	}{
		{"ink", "paper", 4.5}, {"ink", "page", 4.5}, {"ink", "tint", 4.5}, {"ink", "accent-tint", 4.5},
		{"ink", "gold", 4.5}, {"ink", "silver", 4.5}, {"ink", "bronze", 4.5}, {"ink", "track", 4.5},
		{"muted", "paper", 4.5}, {"muted", "page", 4.5},
		{"blue", "paper", 4.5}, {"blue", "page", 4.5}, {"blue", "tint", 4.5}, {"on-blue", "blue", 4.5},
		{"ok", "paper", 4.5}, {"on-ok", "ok", 4.5}, {"warn", "paper", 4.5},
		{"accent", "paper", 4.5}, {"accent", "accent-tint", 4.5},
		{"blue", "track", 3}, {"focus", "paper", 3}, {"focus", "page", 3},
	}
	for _, tt := range tests {
		fg, bg := palette[tt.fg], palette[tt.bg]
		if fg == "" || bg == "" {
			t.Errorf("--%s or --%s is not in the palette", tt.fg, tt.bg)
			continue
		}
		if c := contrast(fg, bg); c < tt.min {
			t.Errorf("--%s on --%s: %.2f:1, want at least %.1f:1", tt.fg, tt.bg, c, tt.min)
		}
	}
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}

func TestStyleHonoursUserSettings(t *testing.T) {
	css := readFile(t, "web/static/style.css")
	for _, want := range []string{
		"prefers-reduced-motion: no-preference", // animations only when not asked for less
		":focus-visible",                        // a visible focus
		".sr-only",                              // text for screen readers only
		"forced-colors: active",                 // Windows high contrast
	} {
		if !strings.Contains(css, want) {
			t.Errorf("style.css lacks %q", want)
		}
	}
	// Animations live only in the no-preference block.
	outside := regexp.MustCompile(`(?s)@media \(prefers-reduced-motion: no-preference\) \{.*?\n\}`).ReplaceAllString(css, "")
	if regexp.MustCompile(`\banimation:`).MatchString(outside) {
		t.Error("an animation outside the prefers-reduced-motion: no-preference block")
	}
}
