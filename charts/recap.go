package charts

import (
	"fmt"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Recap renders the daily recap as one PNG: the ranking of bars on the left,
// the curve on the right, as Bars and Curve draw them. Each half takes its
// options' Width (default 800); both take the larger Height (default 700).
func Recap(bars []Bar, barOpts Options, curve []Point, curveOpts Options) (_ []byte, err error) {
	defer recoverInto(&err)
	barWidth, barHeight, err := barOpts.size(recapWidth, recapHeight)
	if err != nil {
		return nil, fmt.Errorf("charts: recap: ranking: %w", err)
	}
	curveWidth, curveHeight, err := curveOpts.size(recapWidth, recapHeight)
	if err != nil {
		return nil, fmt.Errorf("charts: recap: curve: %w", err)
	}
	left, err := barsPlot(bars, barOpts)
	if err != nil {
		return nil, fmt.Errorf("charts: recap: ranking: %w", err)
	}
	right, err := curvePlot(curve, curveOpts, curveWidth)
	if err != nil {
		return nil, fmt.Errorf("charts: recap: curve: %w", err)
	}
	png, err := writePNG(barWidth+curveWidth, max(barHeight, curveHeight), func(c draw.Canvas) {
		split := c.Min.X + vg.Length(barWidth)
		l, r := c, c
		l.Max.X, r.Min.X = split, split
		left.Draw(inset(l))
		right.Draw(inset(r))
		c.StrokeLine2(draw.LineStyle{Color: gridColor, Width: 1}, split, c.Min.Y+margin, split, c.Max.Y-margin)
	})
	if err != nil {
		return nil, fmt.Errorf("charts: recap: %w", err)
	}
	return png, nil
}
