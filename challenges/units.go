package challenges

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/gigabot/gigabot/locale"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Bytes is a size in bytes. In YAML it reads a plain integer or a decimal
// size with a unit: "100 Go", "0,5 To", "1.7TB", "250 GB" (powers of ten,
// as in every message of the bot).
type Bytes int64

// Decimal units.
const (
	KB Bytes = 1_000
	MB Bytes = 1_000_000
	GB Bytes = 1_000_000_000
	TB Bytes = 1_000_000_000_000
)

// UnmarshalYAML reads an integer or a size with a unit.
func (b *Bytes) UnmarshalYAML(unmarshal func(any) error) error {
	var raw any
	if err := unmarshal(&raw); err != nil {
		return err
	}
	switch v := raw.(type) {
	case uint64:
		*b = Bytes(v)
	case int64:
		*b = Bytes(v)
	case int:
		*b = Bytes(v)
	case float64:
		*b = Bytes(v)
	case string:
		n, err := locale.ParseBytes(v)
		if err != nil {
			return err
		}
		*b = Bytes(n)
	default:
		return fmt.Errorf("%v is not a size", raw)
	}
	return nil
}

// FoldAccents lower-cases s and strips its diacritics ("Équipe" → "equipe"),
// so commands and names match however they are typed.
func FoldAccents(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return strings.ToLower(s)
	}
	return strings.ToLower(out)
}
