package challenges

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"

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

var (
	sizePattern = regexp.MustCompile(`^([0-9]+(?:[.,][0-9]+)?)\s*([a-zA-Z]*)$`)
	unitFactor  = map[string]Bytes{
		"": 1, "o": 1, "b": 1, "ko": KB, "kb": KB, "mo": MB, "mb": MB,
		"go": GB, "gb": GB, "to": TB, "tb": TB,
	}
)

// ParseBytes reads a size such as "100 Go" or "0,5 To".
func ParseBytes(s string) (Bytes, error) {
	m := sizePattern.FindStringSubmatch(strings.TrimSpace(strings.ReplaceAll(s, "\u00a0", " ")))
	if m == nil {
		return 0, fmt.Errorf("%q is not a size (use e.g. 100 Go, 0,5 To, 250GB)", s)
	}
	f, ok := unitFactor[strings.ToLower(m[2])]
	if !ok {
		return 0, fmt.Errorf("%q: unknown unit %q (use o, Ko, Mo, Go, To)", s, m[2])
	}
	x, err := strconv.ParseFloat(strings.Replace(m[1], ",", ".", 1), 64)
	if err != nil || x*float64(f) > 9e18 {
		return 0, fmt.Errorf("%q is not a size", s)
	}
	return Bytes(math.Round(x * float64(f))), nil
}

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
		n, err := ParseBytes(v)
		if err != nil {
			return err
		}
		*b = n
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
