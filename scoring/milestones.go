package scoring

// Milestones are campaign-wide thresholds of freed bytes, each announced once.
type Milestones struct {
	// Thresholds in ascending order.
	Thresholds []int64
	// Every continues the series past the last threshold (0: no more).
	Every int64
}

// Reached returns every threshold at or below total, in ascending order.
func (m Milestones) Reached(total int64) []int64 {
	var out []int64
	last := int64(0)
	for _, t := range m.Thresholds {
		if t > total {
			return out
		}
		out = append(out, t)
		last = t
	}
	if m.Every <= 0 {
		return out
	}
	for t := last + m.Every; t <= total; t += m.Every {
		out = append(out, t)
	}
	return out
}

// Equivalences are the rates that turn freed bytes into things people
// picture. The campaign's defaults, with their sources, live with its
// configuration.
type Equivalences struct {
	PDFPagesPerTB       float64
	CabinetsPerTB       float64
	CO2eTonnesPerTBYear float64
}

// Equivalent is what a number of bytes amounts to.
type Equivalent struct {
	PDFPages float64 `json:"pdf_pages"`
	Cabinets float64 `json:"cabinets"`
	// CO2eTonnesPerYear is the carbon footprint of storing the bytes for a year.
	CO2eTonnesPerYear float64 `json:"co2e_tonnes_per_year"`
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
