package charts

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// teraOctets formats bytes the French way: "1,7\u00a0To".
func teraOctets(v float64) string {
	s := fmt.Sprintf("%.1f", v/1e12)
	s = strings.TrimSuffix(s, ".0")
	return strings.Replace(s, ".", ",", 1) + "\u00a0To"
}

// gigaOctets formats bytes with a narrow no-break space between thousands:
// "1\u202f234\u00a0Go".
func gigaOctets(v float64) string {
	n := int64(math.Round(v / 1e9))
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u202f')
		}
		b.WriteRune(r)
	}
	return b.String() + "\u00a0Go"
}

// teams returns n French team names, some long enough to be truncated.
func teams(n int) []Bar {
	names := []string{
		"Direction des ressources humaines et de la formation continue",
		"DRH", "Équipe Numérique", "Service des marchés publics", "Agence comptable",
		"Cellule communication", "Pôle juridique", "Contrôle de gestion", "Archives",
		"DSI – Infrastructures", "Affaires générales", "Œuvres sociales",
	}
	bars := make([]Bar, n)
	for i := range bars {
		v := float64(n-i) * 97e9
		bars[i] = Bar{
			Label:      fmt.Sprintf("%s %d", names[i%len(names)], i+1),
			Value:      v,
			ValueLabel: gigaOctets(v) + fmt.Sprintf(" (%d\u00a0%%)", 100*(n-i)/n),
		}
	}
	return bars
}

// days returns n points of a cumulative curve over working days.
func days(n int) []Point {
	names := []string{"lun.", "mar.", "mer.", "jeu.", "ven."}
	points := make([]Point, n)
	total := 0.0
	for i := range points {
		total += float64(80+37*(i%4)) * 1e9
		points[i] = Point{Label: fmt.Sprintf("%s %d mars", names[i%5], 2+i+2*(i/5)), Value: total}
	}
	return points
}

func curveOptions() Options {
	return Options{Title: "Espace libéré, cumulé", Format: teraOctets, Goal: 2e12, GoalLabel: "Objectif\u00a0: 2\u00a0To"}
}

// decode decodes a PNG and checks its size.
func decode(t *testing.T, b []byte, width, height int) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	if got := img.Bounds().Size(); got != image.Pt(width, height) {
		t.Fatalf("size = %v, want %dx%d", got, width, height)
	}
	return img
}

// inked counts the pixels of img in r that are not white.
func inked(img image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); r < 0xf000 || g < 0xf000 || b < 0xf000 {
				n++
			}
		}
	}
	return n
}

// barRows returns, for each run of rows of r holding pixels of barColor
// (each bar, top to bottom), the longest run of such pixels in a row: the
// bar's length.
func barRows(img image.Image, r image.Rectangle) []int {
	var lengths []int
	inBar := false
	for y := r.Min.Y; y < r.Max.Y; y++ {
		longest := 0
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)) == barColor {
				longest++
			}
		}
		switch {
		case longest > 0 && !inBar:
			lengths = append(lengths, longest)
		case longest > 0:
			lengths[len(lengths)-1] = max(lengths[len(lengths)-1], longest)
		}
		inBar = longest > 0
	}
	return lengths
}

func TestBars(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		bars          []Bar
		opts          Options
		width, height int
		drawn         int
	}{
		{"two teams", []Bar{{Label: "DRH", Value: 300, ValueLabel: "300\u00a0Go"}, {Label: "DSI", Value: 30}}, Options{Title: "Classement"}, 1000, 560, 2},
		{"twelve teams", teams(12), Options{Title: "Classement du jour"}, 1000, 560, 12},
		{"28 teams, 12 drawn", teams(28), Options{Title: "Classement", Width: 800, Height: 700}, 800, 700, 12},
		{"one team", []Bar{{Label: "Archives", Value: 1}}, Options{}, 1000, 560, 1},
		{"plain numbers", []Bar{{Label: "A", Value: 1234.5}, {Label: "B", Value: 500}}, Options{Title: "Sans format"}, 1000, 560, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := Bars(tt.bars, tt.opts)
			if err != nil {
				t.Fatalf("Bars: %v", err)
			}
			img := decode(t, b, tt.width, tt.height)
			lengths := barRows(img, img.Bounds())
			if len(lengths) != tt.drawn {
				t.Fatalf("%d bars drawn, want %d", len(lengths), tt.drawn)
			}
			if first, last := lengths[0], lengths[len(lengths)-1]; tt.drawn > 1 && first <= last {
				t.Errorf("first bar %d px long, last %d px: the best should be on top and longer", first, last)
			}
		})
	}
}

func TestBarsAllZero(t *testing.T) {
	t.Parallel()
	b, err := Bars([]Bar{{Label: "A", Value: 0}, {Label: "B", Value: 0}}, Options{Title: "Rien encore"})
	if err != nil {
		t.Fatalf("Bars: %v", err)
	}
	img := decode(t, b, 1000, 560)
	if n := len(barRows(img, img.Bounds())); n != 0 {
		t.Errorf("%d bars drawn for zero values, want none", n)
	}
	if inked(img, img.Bounds()) == 0 {
		t.Error("blank image: the labels should be drawn")
	}
}

func TestCurve(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		points []Point
		opts   Options
	}{
		{"campaign", days(15), curveOptions()},
		{"single point", days(1), curveOptions()},
		{"all zero", []Point{{"lun. 2 mars", 0}, {"mar. 3 mars", 0}}, Options{Title: "Rien encore"}},
		{"zero goal and format", days(3), Options{}},
		{"many points", days(60), curveOptions()},
		{"goal above all", days(4), Options{Goal: 1e13, Format: teraOctets}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := Curve(tt.points, tt.opts)
			if err != nil {
				t.Fatalf("Curve: %v", err)
			}
			img := decode(t, b, 1000, 560)
			// The curve is drawn in barColor: some of it must be there.
			if n := len(barRows(img, img.Bounds())); n == 0 {
				t.Error("no curve drawn")
			}
			if inked(img, img.Bounds()) < 2000 {
				t.Error("image nearly blank")
			}
		})
	}
}

func TestCurveGoalLine(t *testing.T) {
	t.Parallel()
	count := func(img image.Image) int {
		n := 0
		for y := range img.Bounds().Max.Y {
			for x := range img.Bounds().Max.X {
				if color.RGBAModel.Convert(img.At(x, y)) == goalColor {
					n++
				}
			}
		}
		return n
	}
	with, err := Curve(days(15), curveOptions())
	if err != nil {
		t.Fatal(err)
	}
	o := curveOptions()
	o.Goal = 0
	without, err := Curve(days(15), o)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(decode(t, without, 1000, 560)); n != 0 {
		t.Errorf("%d goal-coloured pixels without a goal", n)
	}
	if n := count(decode(t, with, 1000, 560)); n < 500 {
		t.Errorf("only %d goal-coloured pixels: no goal line", n)
	}
}

func TestCurveSVG(t *testing.T) {
	t.Parallel()
	o := curveOptions()
	o.Title = "Espace libéré\u202f: «\u00a0Giga Déstockage\u00a0» & co"
	b, err := CurveSVG(days(15), o)
	if err != nil {
		t.Fatalf("CurveSVG: %v", err)
	}
	if !bytes.HasPrefix(b, []byte("<svg")) {
		t.Errorf("starts with %q, want <svg", b[:min(len(b), 40)])
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	var texts []string
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("invalid XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inText = tok.Name.Local == "text"
			if tok.Name.Local == "svg" && (attr(tok, "width") != "1000pt" || attr(tok, "height") != "560pt") {
				t.Errorf("svg size %s×%s, want 1000pt×560pt", attr(tok, "width"), attr(tok, "height"))
			}
		case xml.CharData:
			if inText {
				texts = append(texts, string(tok))
			}
		case xml.EndElement:
			inText = false
		}
	}
	for _, want := range []string{o.Title, "Objectif\u00a0: 2\u00a0To", "lun. 2 mars"} {
		if !slices.Contains(texts, want) {
			t.Errorf("no text %q in %q", want, texts)
		}
	}
	if !bytes.Contains(b, []byte("Arial")) {
		t.Error("no fallback font for readers without Liberation Sans")
	}
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func TestRecap(t *testing.T) {
	t.Parallel()
	b, err := Recap(teams(28), Options{Title: "Classement"}, days(15), curveOptions())
	if err != nil {
		t.Fatalf("Recap: %v", err)
	}
	img := decode(t, b, 1600, 700)
	left := image.Rect(0, 0, 800, 700)
	if n := len(barRows(img, left)); n != 12 {
		t.Errorf("%d bars in the left half, want 12", n)
	}
	if n := inked(img, image.Rect(800, 0, 1600, 700)); n < 5000 {
		t.Errorf("right half nearly blank (%d inked pixels)", n)
	}

	b, err = Recap(teams(3), Options{Width: 600, Height: 500}, days(2), Options{Width: 700, Height: 600})
	if err != nil {
		t.Fatalf("Recap with sizes: %v", err)
	}
	decode(t, b, 1300, 600)
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	render := map[string]func() ([]byte, error){
		"Bars":     func() ([]byte, error) { return Bars(teams(12), Options{Title: "Classement"}) },
		"Curve":    func() ([]byte, error) { return Curve(days(15), curveOptions()) },
		"CurveSVG": func() ([]byte, error) { return CurveSVG(days(15), curveOptions()) },
		"Recap": func() ([]byte, error) {
			return Recap(teams(12), Options{Title: "Classement"}, days(15), curveOptions())
		},
	}
	for name, f := range render {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, err := f()
			if err != nil {
				t.Fatal(err)
			}
			b, err := f()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Error("two renderings of the same input differ")
			}
		})
	}
}

// TestConcurrent renders from several goroutines, as several chats asking
// at once would: the race detector watches the shared font cache.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	want, err := Recap(teams(5), Options{}, days(5), curveOptions())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([][]byte, 3)
	errs := make([]error, 3)
	for i := range got {
		wg.Go(func() { got[i], errs[i] = Recap(teams(5), Options{}, days(5), curveOptions()) })
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || !bytes.Equal(got[i], want) {
			t.Errorf("goroutine %d: err %v, same bytes %t", i, errs[i], bytes.Equal(got[i], want))
		}
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	nan, inf := math.NaN(), math.Inf(1)
	good := []Bar{{Label: "A", Value: 1}}
	bad := []Bar{{Label: "A", Value: 3}, {Label: "B", Value: 2}, {Label: "C", Value: 1}, {Label: "DRH", Value: nan}}
	pts := days(3)
	tests := []struct {
		name   string
		render func() ([]byte, error)
		want   string
	}{
		{"no bars", func() ([]byte, error) { return Bars(nil, Options{}) }, "charts: no bars"},
		{"NaN bar", func() ([]byte, error) { return Bars(bad, Options{}) }, `charts: bar 3 ("DRH"): value is NaN`},
		{"infinite bar", func() ([]byte, error) { return Bars([]Bar{{Label: "X", Value: inf}}, Options{}) }, `charts: bar 0 ("X"): value is infinite`},
		{"negative bar", func() ([]byte, error) { return Bars([]Bar{{Label: "X", Value: 1}, {Label: "Y", Value: -2}}, Options{}) }, `charts: bar 1 ("Y"): value is negative (-2)`},
		{"bad bar beyond 12", func() ([]byte, error) { return Bars(append(teams(20), Bar{Label: "Z", Value: nan}), Options{}) }, `bar 20 ("Z"): value is NaN`},
		{"negative width", func() ([]byte, error) { return Bars(good, Options{Width: -1}) }, "charts: size -1×560 is too small"},
		{"tiny bars", func() ([]byte, error) { return Bars(good, Options{Width: 100, Height: 50}) }, "charts: size 100×50 is too small (at least 480×360)"},
		{"no points", func() ([]byte, error) { return Curve(nil, Options{}) }, "charts: no points"},
		{"NaN point", func() ([]byte, error) { return Curve(append(pts, Point{"ven. 6 mars", nan}), Options{}) }, `charts: point 3 ("ven. 6 mars"): value is NaN`},
		{"negative point", func() ([]byte, error) { return Curve([]Point{{"lun.", -1}}, Options{}) }, `charts: point 0 ("lun."): value is negative (-1)`},
		{"infinite goal", func() ([]byte, error) { return Curve(pts, Options{Goal: inf}) }, "charts: goal: value is infinite"},
		{"negative goal", func() ([]byte, error) { return Curve(pts, Options{Goal: -5}) }, "charts: goal: value is negative (-5)"},
		{"huge point", func() ([]byte, error) { return Curve([]Point{{"lun.", math.MaxFloat64}}, Options{}) }, "charts: highest value 1.7976931348623157e+308 is out of range"},
		{"tiny goal", func() ([]byte, error) { return Curve([]Point{{"lun.", 0}}, Options{Goal: 5e-324}) }, "charts: highest value 5e-324 is out of range"},
		{"SVG no points", func() ([]byte, error) { return CurveSVG(nil, Options{}) }, "charts: no points"},
		{"SVG NaN goal", func() ([]byte, error) { return CurveSVG(pts, Options{Goal: nan}) }, "charts: goal: value is NaN"},
		{"SVG tiny", func() ([]byte, error) { return CurveSVG(pts, Options{Height: 10}) }, "charts: size 1000×10 is too small"},
		{"recap no bars", func() ([]byte, error) { return Recap(nil, Options{}, pts, Options{}) }, "charts: recap: ranking: no bars"},
		{"recap bad bar", func() ([]byte, error) { return Recap(bad, Options{}, pts, Options{}) }, `charts: recap: ranking: bar 3 ("DRH"): value is NaN`},
		{"recap no points", func() ([]byte, error) { return Recap(good, Options{}, nil, Options{}) }, "charts: recap: curve: no points"},
		{"recap tiny curve", func() ([]byte, error) { return Recap(good, Options{}, pts, Options{Width: 10}) }, "charts: recap: curve: size 10×700 is too small"},
		{"recap tiny ranking", func() ([]byte, error) { return Recap(good, Options{Height: 10}, pts, Options{}) }, "charts: recap: ranking: size 800×10 is too small"},
		{"format panics", func() ([]byte, error) {
			return Curve(pts, Options{Format: func(float64) string { panic("format: boom") }})
		}, "charts: drawing failed: format: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := tt.render()
			if err == nil {
				t.Fatalf("no error, %d bytes; want %q", len(b), tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
			if b != nil {
				t.Errorf("%d bytes returned with the error", len(b))
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"DRH", "DRH"},
		{"  Archives ", "Archives"},
		{strings.Repeat("é", 28), strings.Repeat("é", 28)},
		{strings.Repeat("é", 29), strings.Repeat("é", 27) + "…"},
		{"Direction des ressources humaines", "Direction des ressources hu…"},
		{"Direction des ressources    humaines", "Direction des ressources…"},
	}
	for _, tt := range tests {
		got := truncate(tt.in)
		if got != tt.want {
			t.Errorf("truncate(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if n := utf8.RuneCountInString(got); n > maxLabelRunes {
			t.Errorf("truncate(%q) has %d runes", tt.in, n)
		}
	}
}

// TestFontHasFrenchGlyphs checks that the font draws French typography
// as is, rather than replacing its spaces.
func TestFontHasFrenchGlyphs(t *testing.T) {
	p := plot.New()
	for _, bold := range []bool{false, true} {
		sty := textStyle(p, labelSize, bold, inkColor)
		face := sty.Handler.Cache().Lookup(sty.Font, sty.Font.Size)
		if got := face.Font; got.Typeface != "Liberation" || got.Variant != "Sans" {
			t.Errorf("font %s, want Liberation Sans", got.Name())
		}
		const french = "1\u202f234\u00a0Go\u00a0: 12\u00a0% «\u00a0Œuvres\u00a0» à l’été, ça… ÉÈÀÇ"
		if got := drawable(sty, french); got != french {
			t.Errorf("bold %t: drawable changed %q into %q", bold, french, got)
		}
	}
}

func TestDrawable(t *testing.T) {
	sty := textStyle(plot.New(), labelSize, false, inkColor)
	tests := []struct{ in, want string }{
		{"Équipe\u202fNumérique", "Équipe\u202fNumérique"},
		{"Fusée 🚀 DSI", "Fusée  DSI"},
		{"DRH\nDSI\t", "DRH DSI"},
		{"🚀", ""},
	}
	for _, tt := range tests {
		if got := drawable(sty, tt.in); got != tt.want {
			t.Errorf("drawable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDayTicks(t *testing.T) {
	sty := textStyle(plot.New(), tickSize, false, inkColor)
	labelsOf := func(n int) []string {
		ls := make([]string, n)
		for i, p := range days(n) {
			ls[i] = p.Label
		}
		return ls
	}
	tests := []struct {
		name  string
		n     int
		room  float64
		shown []int
	}{
		{"one", 1, 900, []int{0}},
		{"three, all fit", 3, 900, []int{0, 1, 2}},
		{"campaign", 15, 900, []int{0, 2, 4, 6, 8, 10, 12, 14}},
		{"campaign, half width", 15, 700, []int{2, 5, 8, 11, 14}},
		{"two months, at most 8", 44, 3000, []int{1, 8, 15, 22, 29, 36, 43}},
		{"campaign, narrow", 15, 400, []int{4, 9, 14}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			labels := labelsOf(tt.n)
			ticks, pad := dayTicks(sty, labels, vg.Length(tt.room))
			var shown []int
			for _, tk := range ticks {
				if !tk.IsMinor() {
					shown = append(shown, int(tk.Value))
				}
			}
			if fmt.Sprint(shown) != fmt.Sprint(tt.shown) {
				t.Errorf("labels on %v, want %v", shown, tt.shown)
			}
			// Labels must not overlap and the outer ones must fit in the
			// padding: measure in points along room.
			step := tt.room / (float64(tt.n-1) + 2*pad)
			for i := 1; i < len(shown); i++ {
				gap := float64(shown[i]-shown[i-1]) * step
				w := float64(sty.Width(labels[shown[i]])+sty.Width(labels[shown[i-1]])) / 2
				if gap < w {
					t.Errorf("labels %d and %d overlap: %.0f pt apart, %.0f wide", shown[i-1], shown[i], gap, w)
				}
			}
			if half := float64(sty.Width(labels[0])) / 2; pad*step < half-0.5 {
				t.Errorf("pad %.1f pt, first label needs %.1f", pad*step, half)
			}
		})
	}
}

func TestValueTicks(t *testing.T) {
	sty := textStyle(plot.New(), tickSize, false, inkColor)
	tests := []struct {
		name   string
		o      Options
		top    float64
		labels []string
		end    float64
	}{
		{"goal of 2 To", Options{Format: teraOctets}, 2e12, []string{"0\u00a0To", "0,5\u00a0To", "1\u00a0To", "1,5\u00a0To", "2\u00a0To", "2,5\u00a0To"}, 2.5e12},
		// teraOctets rounds to 0.1 To: steps of 0.05 To would repeat labels.
		{"coarse format", Options{Format: teraOctets}, 0.2e12, []string{"0\u00a0To", "0,1\u00a0To", "0,2\u00a0To", "0,3\u00a0To"}, 0.3e12},
		{"constant format", Options{Format: func(float64) string { return "beaucoup" }}, 10, []string{"beaucoup", "beaucoup"}, 20},
		{"plain", Options{}, 1234, []string{"0", "500", "1000", "1500"}, 1500},
		{"all zero", Options{}, 0, []string{"0"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ticks, end := valueTicks(sty, tt.o, tt.top)
			var labels []string
			for _, tk := range ticks {
				labels = append(labels, tk.Label)
			}
			if fmt.Sprintf("%q", labels) != fmt.Sprintf("%q", tt.labels) || end != tt.end {
				t.Errorf("ticks %q up to %g, want %q up to %g", labels, end, tt.labels, tt.end)
			}
			if end < tt.top*headroom {
				t.Errorf("axis ends at %g, below %g", end, tt.top*headroom)
			}
		})
	}
}

// TestPaletteContrast checks the WCAG AA contrast (4.5:1) against white of
// the colours that carry information.
func TestPaletteContrast(t *testing.T) {
	for name, c := range map[string]color.RGBA{"ink": inkColor, "tick": tickColor, "bar": barColor, "goal": goalColor} {
		if r := contrast(c); r < 4.5 {
			t.Errorf("%s: contrast %.2f:1 against white, want at least 4.5:1", name, r)
		}
	}
}

// contrast returns the WCAG contrast ratio of c against white.
func contrast(c color.RGBA) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	l := 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
	return 1.05 / (l + 0.05)
}

// TestSamples writes recap.png and curve.svg to $GIGABOT_CHARTS_OUT, to
// look at them or show them in the README.
func TestSamples(t *testing.T) {
	dir := os.Getenv("GIGABOT_CHARTS_OUT")
	if dir == "" {
		t.Skip("GIGABOT_CHARTS_OUT not set")
	}
	recap, err := Recap(teams(14), Options{Title: "Classement du jour"}, days(11), curveOptions())
	if err != nil {
		t.Fatal(err)
	}
	svg, err := CurveSVG(days(15), curveOptions())
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"recap.png": recap, "curve.svg": svg} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func BenchmarkRecap(b *testing.B) {
	bars, points, o := teams(28), days(15), curveOptions()
	for b.Loop() {
		if _, err := Recap(bars, Options{Title: "Classement"}, points, o); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleRecap() {
	bars := []Bar{
		{Label: "Direction des ressources humaines", Value: 1.2e12, ValueLabel: "1,2\u00a0To"},
		{Label: "Équipe Numérique", Value: 0.4e12, ValueLabel: "400\u00a0Go"},
	}
	points := []Point{{"lun. 2 mars", 0.5e12}, {"mar. 3 mars", 1.6e12}}
	b, err := Recap(bars, Options{Title: "Classement"}, points, Options{Title: "Cumul", Goal: 2e12})
	if err != nil {
		fmt.Println(err)
		return
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(img.Bounds().Size())
	// Output: (1600,700)
}
