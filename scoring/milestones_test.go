package scoring_test

import (
	"math"
	"slices"
	"testing"

	"github.com/gigabot/gigabot/scoring"
)

// defaultMilestones are the campaign's default thresholds: 100 Go, 250 Go,
// 500 Go, 1 To, then every 0,5 To.
var defaultMilestones = scoring.Milestones{
	Thresholds: []int64{100e9, 250e9, 500e9, 1e12},
	Every:      5e11,
}

func TestMilestonesLatest(t *testing.T) {
	fixed := scoring.Milestones{Thresholds: defaultMilestones.Thresholds}
	tests := []struct {
		name  string
		m     scoring.Milestones
		total int64
		want  []int64
	}{
		{"nothing freed", defaultMilestones, 0, nil},
		{"nothing freed yet, negative", defaultMilestones, -5e9, nil},
		{"just below the first", defaultMilestones, 99e9, nil},
		{"exactly the first", defaultMilestones, 100e9, []int64{100e9}},
		{"between thresholds", defaultMilestones, 300e9, []int64{100e9, 250e9}},
		{"exactly 1 To", defaultMilestones, 1e12, []int64{100e9, 250e9, 500e9, 1e12}},
		{"past the thresholds, before the first step", defaultMilestones, 1.2e12, []int64{100e9, 250e9, 500e9, 1e12}},
		{"exactly the first step", defaultMilestones, 1.5e12, []int64{100e9, 250e9, 500e9, 1e12, 1.5e12}},
		{"two steps", defaultMilestones, 2e12, []int64{100e9, 250e9, 500e9, 1e12, 1.5e12, 2e12}},
		{"one byte short of a step", defaultMilestones, 2.5e12 - 1, []int64{100e9, 250e9, 500e9, 1e12, 1.5e12, 2e12}},
		{"no steps past the thresholds", fixed, 2e12, []int64{100e9, 250e9, 500e9, 1e12}},
		{"negative step means no steps", scoring.Milestones{Thresholds: []int64{1}, Every: -1}, 10, []int64{1}},
		{"steps only", scoring.Milestones{Every: 10}, 35, []int64{10, 20, 30}},
		{"nothing configured", scoring.Milestones{}, 1e12, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.m.Latest(tt.total, 100)
			want := slices.Clone(tt.want)
			slices.Reverse(want)
			if !slices.Equal(got, want) {
				t.Errorf("Latest(%d, 100) = %v, want %v", tt.total, got, want)
			}
			high, ok := tt.m.Highest(tt.total)
			if ok != (len(want) > 0) || (ok && high != want[0]) {
				t.Errorf("Highest(%d) = %d, %v; want the first of %v", tt.total, high, ok, want)
			}
		})
	}
}

// A root near 2^62 once made the bot list 9 million thresholds: Latest
// costs n steps whatever the total.
func TestMilestonesLatestOfAHugeTotal(t *testing.T) {
	total := int64(1) << 62
	got := defaultMilestones.Latest(total, 3)
	step := int64(5e11)
	top := int64(1e12) + (total-int64(1e12))/step*step
	if want := []int64{top, top - step, top - 2*step}; !slices.Equal(got, want) {
		t.Errorf("Latest(2^62, 3) = %v, want %v", got, want)
	}
	if high, ok := defaultMilestones.Highest(math.MaxInt64); !ok || math.MaxInt64-high >= step {
		t.Errorf("Highest(MaxInt64) = %d, %v", high, ok)
	}
}

func TestEquivalencesOf(t *testing.T) {
	// The campaign's defaults: per To, 6 500 000 pages and 1 300 cabinets
	// (seed article), 0,2 t CO2e per year (German Environment Agency, 2021).
	e := scoring.Equivalences{PDFPagesPerTB: 6_500_000, CabinetsPerTB: 1_300, CO2eTonnesPerTBYear: 0.2}
	tests := []struct {
		name  string
		bytes int64
		want  scoring.Equivalent
	}{
		{"one To", 1e12, scoring.Equivalent{PDFPages: 6_500_000, Cabinets: 1_300, CO2eTonnesPerYear: 0.2}},
		{"the seed article's 1,7 To", 1.7e12, scoring.Equivalent{PDFPages: 11_050_000, Cabinets: 2_210, CO2eTonnesPerYear: 0.34}},
		{"half a To", 5e11, scoring.Equivalent{PDFPages: 3_250_000, Cabinets: 650, CO2eTonnesPerYear: 0.1}},
		{"nothing", 0, scoring.Equivalent{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.Of(tt.bytes)
			if !near(got.PDFPages, tt.want.PDFPages) || !near(got.Cabinets, tt.want.Cabinets) ||
				!near(got.CO2eTonnesPerYear, tt.want.CO2eTonnesPerYear) {
				t.Errorf("Of(%d) = %+v, want %+v", tt.bytes, got, tt.want)
			}
		})
	}
}

// near compares floats to a relative 1e-9, enough for products of decimals.
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
}
