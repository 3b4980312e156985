package scoring_test

import (
	"math"
	"testing"

	"github.com/gigabot/gigabot/scoring"
)

func TestMonthsOfData(t *testing.T) {
	const to = int64(1_000_000_000_000)
	tests := []struct {
		name           string
		doubling       float64
		freed, scanned int64
		want           float64 // months; -1: unknown
	}{
		{"the issue's figure: 1,591 To of 10 To, doubling in 4 years", 4, 1_591 * to / 1000, 10 * to, 12},
		{"nothing freed yet", 4, 0, 10 * to, 0},
		{"half a year", 4, 1_591 * to / 2000, 10 * to, 6},
		{"storage doubling every year: a year is half of it", 1, 5 * to, 10 * to, 12},
		{"nothing scanned", 4, to, 0, -1},
		{"no doubling time", 0, to, 10 * to, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := scoring.Equivalences{StorageDoublingYears: tt.doubling}
			got, ok := e.MonthsOfData(tt.freed, tt.scanned)
			if tt.want < 0 {
				if ok || e.OfScanned(tt.freed, tt.scanned).MonthsOfData != nil {
					t.Fatalf("MonthsOfData = %v, %v; want unknown", got, ok)
				}
				return
			}
			if !ok || math.Abs(got-tt.want) > 0.01 {
				t.Fatalf("MonthsOfData = %v, %v; want %v", got, ok, tt.want)
			}
			if m := e.OfScanned(tt.freed, tt.scanned).MonthsOfData; m == nil || *m != got {
				t.Fatalf("OfScanned's months = %v, want %v", m, got)
			}
		})
	}
}
