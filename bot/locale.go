package bot

import (
	"github.com/gigabot/gigabot/catalog"
	"github.com/gigabot/gigabot/locale"
)

// Locale formats figures (numbers, sizes, dates, through its embedded
// locale.Format) and holds the message catalog of one language.
type Locale struct {
	locale.Format
	words catalog.Catalog
}

// NewLocale returns the locale of a language ("fr" or "en"); anything else
// gets French, the default.
func NewLocale(lang string) Locale {
	if lang == "en" {
		return Locale{Format: locale.New("en"), words: catalog.New("en")}
	}
	return Locale{Format: locale.New("fr"), words: catalog.New("fr")}
}

// T renders the catalog's sentence key with args.
func (l Locale) T(key string, args ...any) string { return l.words.T(key, args...) }

// Points formats a score.
func (l Locale) Points(x float64) string {
	return l.T("points", l.Decimal(x, 1))
}
