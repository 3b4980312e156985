// Package charts renders the campaign's charts as images for the chat and
// the printable report: a ranking as horizontal bars, the cumulative
// progress as a curve with its goal, and both side by side for the daily
// recap.
//
// Charts are drawn with gonum.org/v1/plot in the Liberation Sans font, which
// has the glyphs of French typography (é, œ, «…», the narrow no-break space
// U+202F and the no-break space U+00A0). Sizes, colours and fonts are chosen
// to stay readable in a chat thumbnail. The same input always gives the same
// bytes, so a chart can be cached or compared.
//
// Bad input returns an error naming the culprit, never a panic; such an
// error is for the log, not for a user.
package charts

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Bar is one bar of a ranking chart.
type Bar struct {
	// Label names the bar, usually a team; cut to 28 runes with "…".
	Label string
	// Value sets the bar's length; it must be finite and not negative.
	Value float64
	// ValueLabel is written at the end of the bar; empty: Options.Format(Value).
	ValueLabel string
}

// Point is one point of a curve: Label names the x position ("lun. 2 mars"),
// Value is y.
type Point struct {
	// Label names the x position, usually a working day.
	Label string
	// Value is the cumulative figure at that position; finite, not negative.
	Value float64
}

// Options configure a chart.
type Options struct {
	// Title is written above the chart.
	Title string
	// Width and Height are the size in pixels of a PNG, in points of an SVG.
	// Zero picks the default: 1000×560, or 800×700 for each half of a recap.
	// Below 480×360 twelve bars do not fit: an error.
	Width, Height int
	// Format formats y values, axis ticks and bar value labels ("1,7 To");
	// nil writes a plain number.
	Format func(float64) string
	// Goal draws a horizontal goal line on curves; 0 draws none.
	Goal float64
	// GoalLabel is written above the goal line; empty: "Objectif : " and
	// the formatted goal.
	GoalLabel string
}

const (
	// defaultWidth and defaultHeight size a chart posted on its own.
	defaultWidth, defaultHeight = 1000, 560
	// recapWidth and recapHeight size each half of a recap: 1600×700 in all.
	recapWidth, recapHeight = 800, 700
	// minWidth and minHeight are the smallest size where 12 bars of
	// 18-point labels still fit.
	minWidth, minHeight = 480, 360

	// maxBars is how many bars a ranking shows; the rest is cut.
	maxBars = 12
	// maxLabelRunes keeps long team names from eating the bars' room.
	maxLabelRunes = 28

	// Font sizes in points, which are pixels in a PNG: large enough for
	// a chat thumbnail.
	titleSize = 26
	labelSize = 18
	tickSize  = 16

	// margin is the white border around a chart.
	margin = vg.Length(16)
)

// The palette: every colour that carries information has a contrast of at
// least 4.5:1 against white (WCAG AA); the fill and the grid only decorate.
var (
	inkColor  = color.RGBA{R: 0x1a, G: 0x1a, B: 0x1a, A: 0xff} // 17:1
	tickColor = color.RGBA{R: 0x40, G: 0x40, B: 0x40, A: 0xff} // 10:1
	barColor  = color.RGBA{R: 0x1f, G: 0x4e, B: 0x8c, A: 0xff} // 8.3:1
	goalColor = color.RGBA{R: 0xb3, G: 0x26, B: 0x1e, A: 0xff} // 6.6:1
	fillColor = color.RGBA{R: 0xd6, G: 0xe4, B: 0xf5, A: 0xff}
	gridColor = color.RGBA{R: 0xdd, G: 0xdd, B: 0xdd, A: 0xff}
)

// sans is the font of every text: plot's default is the serif variant.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// size returns the chart's size, or the default for a zero field.
func (o Options) size(defWidth, defHeight int) (width, height int, err error) {
	width, height = o.Width, o.Height
	if width == 0 {
		width = defWidth
	}
	if height == 0 {
		height = defHeight
	}
	if width < minWidth || height < minHeight {
		return 0, 0, fmt.Errorf("size %d×%d is too small (at least %d×%d)", width, height, minWidth, minHeight)
	}
	return width, height, nil
}

// format formats v with o.Format, or as a plain number.
func (o Options) format(v float64) string {
	if o.Format == nil {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return o.Format(v)
}

// checkValue says what is wrong with a bar's or a point's value, if anything.
func checkValue(v float64) error {
	switch {
	case math.IsNaN(v):
		return errors.New("value is NaN")
	case math.IsInf(v, 0):
		return errors.New("value is infinite")
	case v < 0:
		return fmt.Errorf("value is negative (%g)", v)
	}
	return nil
}

// truncate cuts s to maxLabelRunes runes, the last one being "…".
func truncate(s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= maxLabelRunes {
		return s
	}
	r := []rune(s)[:maxLabelRunes-1]
	return strings.TrimRightFunc(string(r), unicode.IsSpace) + "…"
}

// newPlot returns a plot with the house style and a title.
func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.TextStyle = aligned(textStyle(p, titleSize, true, inkColor), p.Title.TextStyle)
	p.Title.Text = drawable(p.Title.TextStyle, title)
	p.Title.Padding = 14
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Tick.Label = aligned(textStyle(p, tickSize, false, tickColor), a.Tick.Label)
		a.Tick.Color = tickColor
		a.Color = tickColor
	}
	return p
}

// textStyle returns the style of a text drawn on p.
func textStyle(p *plot.Plot, size vg.Length, bold bool, c color.Color) text.Style {
	f := font.From(sans, size)
	if bold {
		f.Weight = xfont.WeightBold
	}
	return text.Style{Color: c, Font: f, Handler: p.TextHandler}
}

// aligned returns sty aligned as like.
func aligned(sty, like text.Style) text.Style {
	sty.XAlign, sty.YAlign = like.XAlign, like.YAlign
	return sty
}

// drawable returns s as it can be drawn in sty's font: a control character
// becomes a space (a newline would start a second line), a space the font
// lacks becomes a plain space, and any other rune it lacks (an emoji in a
// team name) is dropped rather than drawn as an empty box. Liberation Sans
// has U+202F and U+00A0, so French typography is drawn as is.
func drawable(sty text.Style, s string) string {
	face := sty.Handler.Cache().Lookup(sty.Font, sty.Font.Size)
	var buf sfnt.Buffer
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			b.WriteByte(' ')
			continue
		}
		if idx, err := face.Face.GlyphIndex(&buf, r); err == nil && idx != 0 {
			b.WriteRune(r)
			continue
		}
		if unicode.IsSpace(r) {
			b.WriteByte(' ')
		}
	}
	return strings.TrimSpace(b.String())
}

// writePNG draws a width×height pixel PNG with paint.
// render draws one chart on its own: it sizes it from o, builds its plot
// for that width and writes it with write (writePNG or writeSVG). what
// names the chart in a writing error.
func render(o Options, what string, build func(width int) (*plot.Plot, error),
	write func(width, height int, paint func(draw.Canvas)) ([]byte, error)) ([]byte, error) {
	width, height, err := o.size(defaultWidth, defaultHeight)
	if err != nil {
		return nil, fmt.Errorf("charts: %w", err)
	}
	p, err := build(width)
	if err != nil {
		return nil, fmt.Errorf("charts: %w", err)
	}
	out, err := write(width, height, func(c draw.Canvas) { p.Draw(inset(c)) })
	if err != nil {
		return nil, fmt.Errorf("charts: %s: %w", what, err)
	}
	return out, nil
}

func writePNG(width, height int, paint func(draw.Canvas)) ([]byte, error) {
	// At 72 dpi a point is a pixel, so the picture has the size asked for.
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(width), vg.Length(height)), vgimg.UseDPI(72))
	paint(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// writeSVG draws a width×height point SVG with paint, for inlining in HTML.
func writeSVG(width, height int, paint func(draw.Canvas)) ([]byte, error) {
	c := vgsvg.New(vg.Length(width), vg.Length(height))
	paint(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode svg: %w", err)
	}
	svg := buf.Bytes()
	// What precedes <svg> (an XML prolog, a comment) is not allowed
	// inside an HTML page.
	svg = svg[bytes.Index(svg, []byte("<svg")):]
	// A reader of the report may not have Liberation Sans: Arial has the
	// same metrics, so the labels keep their places.
	return bytes.ReplaceAll(svg, []byte("font-family:Liberation Sans;"), []byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")), nil
}

// inset returns c without its margin, where a plot is drawn.
func inset(c draw.Canvas) draw.Canvas {
	return draw.Crop(c, margin, -margin, margin, -margin)
}

// recoverInto turns a panic while drawing into an error: the plotting
// library and a caller's Format panic on input we did not foresee, and a
// chart must never bring the bot down.
func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("charts: drawing failed: %v", r)
	}
}
