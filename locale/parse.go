package locale

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

var (
	sizePattern = regexp.MustCompile(`^([0-9]+(?:[.,][0-9]+)?)\s*([a-zA-Z]*)$`)
	unitFactor  = map[string]int64{
		"": 1, "o": 1, "b": 1, "ko": 1_000, "kb": 1_000, "mo": 1_000_000, "mb": 1_000_000,
		"go": 1_000_000_000, "gb": 1_000_000_000, "to": 1_000_000_000_000, "tb": 1_000_000_000_000,
	}
)

// ParseBytes reads a size in decimal units, French or English: "100 Go",
// "0,5 To", "1.7TB", "250 GB", or a plain number of bytes.
func ParseBytes(s string) (int64, error) {
	m := sizePattern.FindStringSubmatch(strings.TrimSpace(strings.ReplaceAll(s, "\u00a0", " ")))
	if m == nil {
		return 0, fmt.Errorf("%q is not a size (use e.g. 100 Go, 0,5 To, 2501_000_000_000)", s)
	}
	f, ok := unitFactor[strings.ToLower(m[2])]
	if !ok {
		return 0, fmt.Errorf("%q: unknown unit %q (use o, Ko, Mo, Go, To)", s, m[2])
	}
	x, err := strconv.ParseFloat(strings.Replace(m[1], ",", ".", 1), 64)
	if err != nil || x*float64(f) > 9e18 {
		return 0, fmt.Errorf("%q is not a size", s)
	}
	return int64(math.Round(x * float64(f))), nil
}
