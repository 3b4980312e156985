package charts

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

const (
	// headroom is how far above the highest value or goal the y axis goes
	// at least, to leave room for their labels.
	headroom = 1.1
	// maxYSteps is how many round steps the y axis is cut into at most.
	maxYSteps = 5
	// maxXLabels keeps the x axis a scale of days, not a list of them.
	maxXLabels = 8
	// xLabelGap is the least room between two x tick labels.
	xLabelGap = vg.Length(16)
)

// Curve renders a cumulative curve as a PNG: a line with a marker on each
// point over a filled area, the last value written above its point, and the
// goal line when o.Goal is above 0. The y axis starts at 0. An error names
// a bad point by its index in points.
func Curve(points []Point, o Options) (_ []byte, err error) {
	defer recoverInto(&err)
	return render(o, "curve", func(width int) (*plot.Plot, error) { return curvePlot(points, o, width) }, writePNG)
}

// CurveSVG renders the same chart as Curve as an SVG document of
// o.Width×o.Height points, ready to be inlined in an HTML page: it starts
// with the <svg> element, without an XML prolog.
func CurveSVG(points []Point, o Options) (_ []byte, err error) {
	defer recoverInto(&err)
	return render(o, "curve", func(width int) (*plot.Plot, error) { return curvePlot(points, o, width) }, writeSVG)
}

// checkPoints says which point or which option is wrong, if any.
func checkPoints(points []Point, o Options) error {
	if len(points) == 0 {
		return errors.New("no points")
	}
	for i, pt := range points {
		if err := checkValue(pt.Value); err != nil {
			return fmt.Errorf("point %d (%q): %w", i, pt.Label, err)
		}
	}
	if err := checkValue(o.Goal); err != nil {
		return fmt.Errorf("goal: %w", err)
	}
	if top := highest(points, o); top != 0 && (top < minTop || top > maxTop) {
		// Round steps of the y axis are computed in float64.
		return fmt.Errorf("highest value %g is out of range (%g to %g)", top, minTop, maxTop)
	}
	return nil
}

// minTop and maxTop bound the highest value of a curve.
const minTop, maxTop = 1e-290, 1e290

// highest returns the highest value or goal of a curve.
func highest(points []Point, o Options) float64 {
	top := o.Goal
	for _, pt := range points {
		top = math.Max(top, pt.Value)
	}
	return top
}

// curvePlot lays out the curve for a chart width pixels wide.
func curvePlot(points []Point, o Options, width int) (*plot.Plot, error) {
	if err := checkPoints(points, o); err != nil {
		return nil, err
	}
	p := newPlot(o.Title)
	yTicks, yEnd := valueTicks(p.Y.Tick.Label, o, highest(points, o))
	p.Y.Min, p.Y.Max = 0, yEnd
	p.Y.Tick.Marker = plot.ConstantTicks(yTicks)
	p.Y.Tick.Length = 0
	p.Y.Width = 0

	labels := make([]string, len(points))
	for i, pt := range points {
		labels[i] = drawable(p.X.Tick.Label, truncate(pt.Label))
	}
	// The room left by the y axis, measured as plot measures it.
	room := vg.Length(width) - 2*margin - maxWidth(p.Y.Tick.Label, yTicks) - p.Y.Label.TextStyle.Width(" ") - p.Y.Padding
	xTicks, pad := dayTicks(p.X.Tick.Label, labels, room)
	p.X.Min, p.X.Max = -pad, float64(len(points)-1)+pad
	p.X.Tick.Marker = plot.ConstantTicks(xTicks)
	p.X.Tick.Length = 6
	p.X.Width = 1
	p.X.Padding = 0 // the axis is the line of 0

	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	grid.Horizontal.Color = gridColor
	grid.Horizontal.Width = 1
	p.Add(grid, newProgress(p, points, o))
	return p, nil
}

// valueTicks returns the labelled ticks of the y axis, 0 and round steps,
// and where the axis ends: at the first step at or above top×headroom, or
// at 1 for all-zero data. When o.Format rounds so coarsely that two ticks
// would read the same, the steps are made longer.
func valueTicks(sty text.Style, o Options, top float64) (ticks []plot.Tick, end float64) {
	if top == 0 {
		return []plot.Tick{{Value: 0, Label: drawable(sty, o.format(0))}}, 1
	}
	for step := roundStep(top * headroom / maxYSteps); ; step = roundStep(step * 1.001) {
		steps := int(math.Ceil(top * headroom / step))
		ticks = make([]plot.Tick, steps+1)
		distinct := true
		for i := range ticks {
			v := float64(i) * step
			ticks[i] = plot.Tick{Value: v, Label: drawable(sty, o.format(v))}
			distinct = distinct && (i == 0 || ticks[i].Label != ticks[i-1].Label)
		}
		if distinct || steps == 1 {
			return ticks, float64(steps) * step
		}
	}
}

// roundStep returns the smallest of 1, 2, 2.5 and 5 times a power of ten
// that is at least least.
func roundStep(least float64) float64 {
	pow := math.Pow(10, math.Floor(math.Log10(least)))
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*pow >= least {
			return m * pow
		}
	}
	return 10 * pow
}

// dayTicks returns the x ticks for labels drawn in sty along room points:
// a mark on every point, a label on as many as fit without overlapping (at
// most maxXLabels), evenly spaced and counted back from the last point, the
// latest day being the one readers look for. pad is how far, in steps
// between points, the axis extends on either side so that the outer labels
// are not clipped.
func dayTicks(sty text.Style, labels []string, room vg.Length) (ticks []plot.Tick, pad float64) {
	n := len(labels)
	if n == 1 {
		return []plot.Tick{{Value: 0, Label: labels[0]}}, 1
	}
	widest := vg.Length(0)
	for _, l := range labels {
		widest = max(widest, sty.Width(l))
	}
	// The axis spans n-1 steps plus pad on each side, and pad must hold
	// half a label: pad·room/(n-1+2·pad) = widest/2.
	pad = 1
	if room > widest {
		pad = max(float64(widest)*float64(n-1)/(2*float64(room-widest)), 0.2)
	}
	step := float64(room) / (float64(n-1) + 2*pad)
	every := max(
		int(math.Ceil(float64(widest+xLabelGap)/step)),
		int(math.Ceil(float64(n-1)/(maxXLabels-1))),
	)
	ticks = make([]plot.Tick, n)
	for i := range ticks {
		ticks[i].Value = float64(i)
		if (n-1-i)%every == 0 {
			ticks[i].Label = labels[i]
		}
	}
	return ticks, pad
}

// maxWidth returns the width of the widest tick label.
func maxWidth(sty text.Style, ticks []plot.Tick) vg.Length {
	w := vg.Length(0)
	for _, t := range ticks {
		w = max(w, sty.Width(t.Label))
	}
	return w
}

// progress draws the curve, its area, its goal and their labels, in the
// order that keeps each visible: area, goal line, curve, labels.
type progress struct {
	values     []float64
	last       string // the last value, formatted
	valueStyle text.Style
	goal       float64
	goalLabel  string
	goalStyle  text.Style
}

// newProgress returns the curve of points with the goal of o.
func newProgress(p *plot.Plot, points []Point, o Options) progress {
	pr := progress{
		values:     make([]float64, len(points)),
		valueStyle: textStyle(p, labelSize, true, inkColor),
		goal:       o.Goal,
		goalStyle:  textStyle(p, labelSize, true, goalColor),
	}
	for i, pt := range points {
		pr.values[i] = pt.Value
	}
	pr.last = drawable(pr.valueStyle, o.format(points[len(points)-1].Value))
	if o.Goal > 0 {
		label := o.GoalLabel
		if label == "" {
			label = "Objectif\u00a0: " + o.format(o.Goal)
		}
		pr.goalLabel = drawable(pr.goalStyle, label)
	}
	return pr
}

// Plot implements plot.Plotter.
func (pr progress) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	pts := make([]vg.Point, len(pr.values))
	for i, v := range pr.values {
		pts[i] = vg.Point{X: trX(float64(i)), Y: trY(v)}
	}
	first, last := pts[0], pts[len(pts)-1]
	if len(pts) > 1 {
		area := append([]vg.Point{{X: first.X, Y: trY(0)}}, pts...)
		c.FillPolygon(fillColor, append(area, vg.Point{X: last.X, Y: trY(0)}))
	}
	if pr.goal > 0 {
		y := trY(pr.goal)
		c.StrokeLine2(draw.LineStyle{Color: goalColor, Width: 2.5, Dashes: []vg.Length{10, 6}}, c.Min.X, y, c.Max.X, y)
		c.FillText(pr.goalStyle, vg.Point{X: c.Min.X + 6, Y: y + 6}, pr.goalLabel)
	}
	if len(pts) > 1 {
		c.StrokeLines(draw.LineStyle{Color: barColor, Width: 3}, pts)
	}
	for _, pt := range pts {
		c.DrawGlyph(draw.GlyphStyle{Color: barColor, Radius: 5, Shape: draw.CircleGlyph{}}, pt)
	}
	pr.drawLast(c, last)
}

// drawLast writes the last value above its point on a white patch, so that
// it stays readable over the goal line, kept inside the canvas on the
// right.
func (pr progress) drawLast(c draw.Canvas, pt vg.Point) {
	w := pr.valueStyle.Width(pr.last)
	at := vg.Point{X: min(pt.X-w/2, c.Max.X+margin/2-w), Y: pt.Y + 12}
	box := pr.valueStyle.Rectangle(pr.last)
	lo, hi := at.Add(box.Min).Sub(vg.Point{X: 3, Y: 2}), at.Add(box.Max).Add(vg.Point{X: 3, Y: 2})
	c.FillPolygon(color.White, []vg.Point{{X: lo.X, Y: lo.Y}, {X: hi.X, Y: lo.Y}, {X: hi.X, Y: hi.Y}, {X: lo.X, Y: hi.Y}})
	c.FillText(pr.valueStyle, at, pr.last)
}
