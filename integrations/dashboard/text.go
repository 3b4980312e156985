package dashboard

import "github.com/gigabot/gigabot/catalog"

// The pages' own words (the figures and their labels come formatted from
// the board) are the catalog's "page." sentences. The page's script gets
// both languages, to follow the board's.

// textsFor returns the words of a language ("fr" or "en"); anything else
// gets French, the default.
func textsFor(lang string) map[string]string { return catalog.New(lang).Section("page") }

// scriptTexts are the words of both languages, for the page's script.
func scriptTexts() map[string]map[string]string {
	return map[string]map[string]string{"fr": textsFor("fr"), "en": textsFor("en")}
}
