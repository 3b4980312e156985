package scoring

import "math"

// Milestones are campaign-wide thresholds of freed bytes, each announced once.
type Milestones struct {
	// Thresholds in ascending order.
	Thresholds []int64
	// Every continues the series past the last threshold (0: no more).
	Every int64
}

// Latest returns up to n of the highest thresholds at or below total,
// highest first. It never lists the series: a total of any size costs at
// most n steps.
func (m Milestones) Latest(total int64, n int) []int64 {
	var out []int64
	last := int64(0)
	if len(m.Thresholds) > 0 {
		last = m.Thresholds[len(m.Thresholds)-1]
	}
	if m.Every > 0 && total > last {
		// The series continues past the last threshold: last + k·Every.
		for k := (total - last) / m.Every; k >= 1 && len(out) < n; k-- {
			out = append(out, last+k*m.Every)
		}
	}
	for i := len(m.Thresholds) - 1; i >= 0 && len(out) < n; i-- {
		if m.Thresholds[i] <= total {
			out = append(out, m.Thresholds[i])
		}
	}
	return out
}

// Highest returns the highest threshold at or below total, if any: the one
// milestone a change that crossed several is announced as.
func (m Milestones) Highest(total int64) (int64, bool) {
	if l := m.Latest(total, 1); len(l) == 1 {
		return l[0], true
	}
	return 0, false
}

// Equivalences are the rates that turn freed bytes into things people
// picture. The campaign's defaults, with their sources, live with its
// configuration.
type Equivalences struct {
	PDFPagesPerTB       float64
	CabinetsPerTB       float64
	CO2eTonnesPerTBYear float64
	// StorageDoublingYears is how long the organisation's storage takes to
	// double (MonthsOfData).
	StorageDoublingYears float64
}

// Equivalent is what a number of bytes amounts to.
type Equivalent struct {
	PDFPages float64 `json:"pdf_pages"`
	Cabinets float64 `json:"cabinets"`
	// CO2eTonnesPerYear is the carbon footprint of storing the bytes for a year.
	CO2eTonnesPerYear float64 `json:"co2e_tonnes_per_year"`
	// MonthsOfData is how many months of the organisation's own data
	// production the bytes are (Equivalences.MonthsOfData); absent while
	// nothing was scanned.
	MonthsOfData *float64 `json:"months_of_data,omitempty"`
}

// MonthsOfData is how many months of the organisation's own production of
// data freed bytes amount to. Its storage, scanned in total, doubles every
// StorageDoublingYears (d), so it stored scanned × 2^(−1/d) a year ago and
// produced scanned × (1 − 2^(−1/d)) in the last year: the freed bytes are
// 12 × freed / that many months. False when nothing was scanned or no
// doubling time is set.
func (e Equivalences) MonthsOfData(freed, scanned int64) (float64, bool) {
	yearly := e.YearOfData(scanned)
	if yearly <= 0 {
		return 0, false
	}
	return 12 * float64(freed) / yearly, true
}

// YearOfData is the bytes the organisation produced in the last year,
// scanned × (1 − 2^(−1/d)), or 0 when nothing was scanned or no doubling
// time is set.
func (e Equivalences) YearOfData(scanned int64) float64 {
	if scanned <= 0 || e.StorageDoublingYears <= 0 {
		return 0
	}
	return float64(scanned) * (1 - math.Exp2(-1/e.StorageDoublingYears))
}

// OfScanned converts freed bytes to their equivalents, months of data
// included when scanned is known.
func (e Equivalences) OfScanned(freed, scanned int64) Equivalent {
	eq := e.Of(freed)
	if m, ok := e.MonthsOfData(freed, scanned); ok {
		eq.MonthsOfData = &m
	}
	return eq
}

// Of converts bytes to their equivalents.
func (e Equivalences) Of(bytes int64) Equivalent {
	tb := float64(bytes) / 1e12
	return Equivalent{
		PDFPages:          tb * e.PDFPagesPerTB,
		Cabinets:          tb * e.CabinetsPerTB,
		CO2eTonnesPerYear: tb * e.CO2eTonnesPerTBYear,
	}
}
