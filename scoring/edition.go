package scoring

// Edition is a past edition of the campaign, as its store kept it: what
// the current one compares with (campaign.previous).
type Edition struct {
	// Campaign is its campaign.id, Name its name.
	Campaign, Name string
	// TotalFreed is what every team of it freed, in bytes.
	TotalFreed int64
	// Teams are its teams, most bytes freed first.
	Teams []EditionTeam
	// DayTotals are its campaign-wide freed bytes at the end of each of
	// its days, as its recaps recorded them (index 0: day 1); a day
	// without a recorded snapshot ends the list.
	DayTotals []int64
}

// EditionTeam is one team of a past edition.
type EditionTeam struct {
	ID, Name   string
	FreedBytes int64
}

// AtDay returns the edition's freed bytes at the end of its day n, if its
// recap of that day was recorded.
func (e *Edition) AtDay(n int) (int64, bool) {
	if n < 1 || n > len(e.DayTotals) {
		return 0, false
	}
	return e.DayTotals[n-1], true
}

// TeamFreed returns what the team of that id freed in the edition, if it
// took part.
func (e *Edition) TeamFreed(id string) (int64, bool) {
	for _, t := range e.Teams {
		if t.ID == id {
			return t.FreedBytes, true
		}
	}
	return 0, false
}
