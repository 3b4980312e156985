// Package catalog holds what users read, in French (the default) and
// English, in one place: the chat's posts, answers and buttons, the
// dashboard and the printable bilan, the scanner's reports, the demo's
// narration. The communications team rewords
// a sentence here, once, and a test checks that both languages have every
// key with the same arguments. It imports nothing of the bot, so gigascan
// links it too.
package catalog

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gigabot/gigabot/locale"
)

// Catalog is the sentences of one language.
type Catalog struct {
	lang  string
	texts map[string]string
}

// New returns the catalog of a language ("fr" or "en"); anything else gets
// French, the default.
func New(lang string) Catalog {
	if lang == "en" {
		return Catalog{lang: "en", texts: english}
	}
	return Catalog{lang: "fr", texts: french}
}

// Lang is the catalog's language.
func (c Catalog) Lang() string { return c.lang }

// T renders the sentence key with args (fmt verbs). A key the language
// lacks falls back to English, then to the key itself, so that a missing
// sentence shows rather than breaks a page (the catalog's test finds them).
func (c Catalog) T(key string, args ...any) string {
	format, ok := c.texts[key]
	if !ok {
		if format, ok = english[key]; !ok {
			return key
		}
	}
	return fmt.Sprintf(format, args...)
}

// Section returns the sentences whose keys start with prefix (and a dot),
// keyed without it: a page's script gets the words it needs at once.
func (c Catalog) Section(prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range c.texts {
		if rest, ok := strings.CutPrefix(k, prefix+"."); ok {
			out[rest] = v
		}
	}
	return out
}

// Text returns the template of a key, before any argument is put in.
func (c Catalog) Text(key string) (string, bool) {
	s, ok := c.texts[key]
	return s, ok
}

// Keys lists every key of the language, sorted.
func (c Catalog) Keys() []string {
	keys := make([]string, 0, len(c.texts))
	for k := range c.texts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// typeset applies French typography to every template of a catalog.
func typeset(m map[string]string) map[string]string {
	for k, v := range m {
		m[k] = locale.Typography(v)
	}
	return m
}
