package charts

import (
	"errors"
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// minRows is the fewest bar rows a ranking is laid out for, so that two
// teams get bars of the usual thickness at the top, not two huge slabs.
const minRows = 6

// Bars renders a ranking as a PNG of horizontal bars, the first bar at the
// top, each with its ValueLabel written at its end. Only the first 12 bars
// are drawn. An error names a bad bar by its index in bars.
func Bars(bars []Bar, o Options) (_ []byte, err error) {
	defer recoverInto(&err)
	return render(o, "bars", func(int) (*plot.Plot, error) { return barsPlot(bars, o) }, writePNG)
}

// checkBars says which bar is wrong, if any.
func checkBars(bars []Bar) error {
	if len(bars) == 0 {
		return errors.New("no bars")
	}
	for i, b := range bars {
		if err := checkValue(b.Value); err != nil {
			return fmt.Errorf("bar %d (%q): %w", i, b.Label, err)
		}
	}
	return nil
}

// barsPlot lays out the ranking: team names as the y axis, no x axis since
// every bar says its value.
func barsPlot(bars []Bar, o Options) (*plot.Plot, error) {
	if err := checkBars(bars); err != nil {
		return nil, err
	}
	bars = bars[:min(len(bars), maxBars)]
	p := newPlot(o.Title)
	p.HideX()
	p.X.Min, p.X.Max = 0, 1

	rows := max(len(bars), minRows)
	p.Y.Min, p.Y.Max = -0.5, float64(rows)-0.5
	p.Y.Tick.Label.Font.Size = labelSize
	p.Y.Tick.Label.Color = inkColor
	p.Y.Tick.Length = 0
	p.Y.Width = 0
	p.Y.Padding = 0

	valueStyle := textStyle(p, labelSize, true, inkColor)
	valueStyle.YAlign = draw.YCenter
	rs := rankedBars{style: valueStyle, rows: rows}
	ticks := make([]plot.Tick, len(bars))
	for i, b := range bars {
		label := b.ValueLabel
		if label == "" {
			label = o.format(b.Value)
		}
		rs.bars = append(rs.bars, valueBar{value: b.Value, label: drawable(valueStyle, truncate(label))})
		ticks[i] = plot.Tick{Value: rs.y(i), Label: drawable(p.Y.Tick.Label, truncate(b.Label))}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Add(rs)
	return p, nil
}

// rankedBars draws the bars and their value labels. It scales x itself
// rather than through an axis: the longest bar plus its label must fill the
// width, which only the drawing canvas knows.
type rankedBars struct {
	bars  []valueBar
	style text.Style // of the value labels
	rows  int
}

// valueBar is a bar as drawn: the y axis names it.
type valueBar struct {
	value float64
	label string
}

// labelGap separates a bar's end from its value label.
const labelGap = vg.Length(8)

// y returns the y position of bar i: the first at the top row.
func (rs rankedBars) y(i int) float64 { return float64(rs.rows - 1 - i) }

// Plot implements plot.Plotter.
func (rs rankedBars) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	scale := rs.scale(c.Max.X - c.Min.X)
	thickness := min((trY(1)-trY(0))*0.7, 48)
	for i, b := range rs.bars {
		y := trY(rs.y(i))
		end := c.Min.X + vg.Length(b.value*scale)
		if end > c.Min.X {
			c.FillPolygon(barColor, []vg.Point{
				{X: c.Min.X, Y: y - thickness/2}, {X: end, Y: y - thickness/2},
				{X: end, Y: y + thickness/2}, {X: c.Min.X, Y: y + thickness/2},
			})
		}
		// Raised by the descent, as the y axis raises the team names.
		c.FillText(rs.style, vg.Point{X: end + labelGap, Y: y + rs.style.FontExtents().Descent}, b.label)
	}
}

// scale returns the points per unit of value that make the longest bar and
// its label just fit in width.
func (rs rankedBars) scale(width vg.Length) float64 {
	scale := -1.0
	for _, b := range rs.bars {
		if b.value == 0 {
			continue
		}
		room := width - labelGap - rs.style.Width(b.label)
		if s := max(float64(room), 0) / b.value; scale < 0 || s < scale {
			scale = s
		}
	}
	return max(scale, 0)
}
