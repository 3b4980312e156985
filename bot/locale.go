package bot

import (
	"fmt"

	"github.com/gigabot/gigabot/locale"
)

// Locale formats figures (numbers, sizes, dates, through its embedded
// locale.Format) and holds the message catalog of one language.
type Locale struct {
	locale.Format
	messages map[string]string
}

// NewLocale returns the locale of a language ("fr" or "en"); anything else
// gets French, the default.
func NewLocale(lang string) Locale {
	if lang == "en" {
		return Locale{Format: locale.New("en"), messages: english}
	}
	return Locale{Format: locale.New("fr"), messages: french}
}

// T renders the message key with args.
func (l Locale) T(key string, args ...any) string {
	format, ok := l.messages[key]
	if !ok {
		format = english[key]
	}
	return fmt.Sprintf(format, args...)
}

// Points formats a score.
func (l Locale) Points(x float64) string {
	return l.T("points", l.Decimal(x, 1))
}
