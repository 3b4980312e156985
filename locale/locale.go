// Package locale formats numbers, sizes, percentages and dates the way
// French (the default) or English readers expect them: "1,7 To",
// "6 500 000", "lundi 22 mars 2027", with the right no-break spaces. The
// bot and the scanner share it, so a figure reads the same in the chat, on
// the dashboard and in a scanner's report.
package locale

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// French typography: a no-break space before ":" and "%", a narrow no-break
// space before "!", "?", ";" and as the thousands separator.
const (
	NBSP  = "\u00a0"
	NNBSP = "\u202f"
)

// Format formats figures in one language.
type Format struct {
	// Lang is "fr" or "en".
	Lang string
}

// New returns the format of a language ("fr" or "en"); anything else gets
// French, the default.
func New(lang string) Format {
	if lang == "en" {
		return Format{Lang: "en"}
	}
	return Format{Lang: "fr"}
}

// Int formats an integer with thousands separators: "6 500 000" (narrow
// no-break spaces) in French, "6,500,000" in English.
func (f Format) Int(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	digits := strconv.FormatInt(n, 10)
	sep := NNBSP
	if f.Lang == "en" {
		sep = ","
	}
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return sign + b.String()
}

// Decimal formats x with at most prec decimals, trailing zeros dropped, and
// the language's decimal mark: "1,7" / "1.7".
func (f Format) Decimal(x float64, prec int) string {
	if prec == 0 || math.Abs(x) >= 1e15 {
		return f.Int(int64(math.Round(x)))
	}
	s := strconv.FormatFloat(x, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	whole, frac, _ := strings.Cut(s, ".")
	n, _ := strconv.ParseInt(whole, 10, 64)
	out := f.Int(n)
	if n == 0 && strings.HasPrefix(whole, "-") {
		out = "-0"
	}
	if frac == "" {
		return out
	}
	if f.Lang == "en" {
		return out + "." + frac
	}
	return out + "," + frac
}

// Bytes formats a size with decimal units: "1,7 To", "450 Go" / "1.7 TB".
func (f Format) Bytes(n int64) string {
	units := []string{"o", "Ko", "Mo", "Go", "To", "Po"}
	if f.Lang == "en" {
		units = []string{"B", "kB", "MB", "GB", "TB", "PB"}
	}
	x, u := float64(n), 0
	for math.Abs(x) >= 1000 && u < len(units)-1 {
		x /= 1000
		u++
	}
	prec := 1
	if math.Abs(x) >= 100 || u == 0 {
		prec = 0
	} else if r := math.Round(x); math.Abs(x) < 10 && r == math.Round(x*10)/10 && math.Abs(x) < math.Abs(r) && math.Abs(r-x) >= 0.005 {
		// 1.994 TB would read "2 TB", as if a 2 TB goal were reached: a
		// second decimal keeps the figure honest ("1.99 TB"). Rounding
		// down claims nothing, and past 10 a unit the gap is too small
		// to matter: those stay short.
		prec = 2
	}
	return f.Decimal(x, prec) + NBSP + units[u]
}

// BytesTick formats a size on a chart's axis: like Bytes, but the origin
// reads "0", not "0 o".
func (f Format) BytesTick(v float64) string {
	if v == 0 {
		return "0"
	}
	return f.Bytes(int64(v))
}

// Percent formats a percentage: "12,5 %" / "12.5%".
func (f Format) Percent(x float64) string {
	if f.Lang == "en" {
		return f.Decimal(x, 1) + "%"
	}
	return f.Decimal(x, 1) + NBSP + "%"
}

var (
	frenchDays   = []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	frenchMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	// The abbreviations of the Imprimerie nationale's Lexique.
	frenchShortDays   = []string{"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."}
	frenchShortMonths = []string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}
)

// Date formats a day: "lundi 22 mars 2027" / "Monday 22 March 2027".
func (f Format) Date(t time.Time) string {
	if f.Lang == "en" {
		return t.Format("Monday 2 January 2006")
	}
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %s %d", frenchDays[t.Weekday()], day, frenchMonths[t.Month()-1], t.Year())
}

// ShortDate formats a day briefly, for chart axes: "lun. 2 mars" / "Mon 2 Mar".
func (f Format) ShortDate(t time.Time) string {
	if f.Lang == "en" {
		return t.Format("Mon 2 Jan")
	}
	return fmt.Sprintf("%s %d %s", frenchShortDays[t.Weekday()], t.Day(), frenchShortMonths[t.Month()-1])
}

// Ordinal formats a rank: "1er", "2e" / "1st", "2nd".
func (f Format) Ordinal(n int) string {
	if f.Lang == "en" {
		suffix := "th"
		switch {
		case n%100 >= 11 && n%100 <= 13:
		case n%10 == 1:
			suffix = "st"
		case n%10 == 2:
			suffix = "nd"
		case n%10 == 3:
			suffix = "rd"
		}
		return strconv.Itoa(n) + suffix
	}
	if n == 1 {
		return "1er"
	}
	return strconv.Itoa(n) + "e"
}

// Typography puts the right no-break spaces before French punctuation
// in a message template written with plain spaces.
func Typography(s string) string {
	s = colonBeforeSpace.ReplaceAllString(s, NBSP+":$1")
	return strings.NewReplacer(
		" !", NNBSP+"!", " ?", NNBSP+"?", " ;", NNBSP+";", "« ", "«"+NBSP, " »", NBSP+"»",
	).Replace(s)
}

// colonBeforeSpace matches a spaced colon but not an emoji code (":tada:").
var colonBeforeSpace = regexp.MustCompile(` :([\s*_]|$)`)
