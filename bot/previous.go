package bot

// The previous edition (campaign.previous): the recap and the podium say
// how the campaign compares with it, the board shows its total. Every
// function here returns "" without a previous edition.

// previousDayText is the recap's line on the previous edition: its total
// at the end of the same campaign day (when its recap recorded it) and in
// all.
func (b *Bot) previousDayText(day int) string {
	p := b.previous
	if p == nil {
		return ""
	}
	if then, ok := p.AtDay(day); ok {
		return b.loc.T("recap.previous", day, b.loc.Bytes(then), b.loc.Bytes(p.TotalFreed))
	}
	return b.loc.T("recap.previous.total", b.loc.Bytes(p.TotalFreed))
}

// previousTeamText is the recap's line on what a team freed in the
// previous edition, if it took part.
func (b *Bot) previousTeamText(team string) string {
	if b.previous == nil {
		return ""
	}
	if freed, ok := b.previous.TeamFreed(team); ok {
		return b.loc.T("recap.previous.team", b.loc.Bytes(freed))
	}
	return ""
}

// previousPodiumText compares the campaign's total with the previous
// edition's.
func (b *Bot) previousPodiumText(total int64) string {
	p := b.previous
	if p == nil {
		return ""
	}
	if total >= p.TotalFreed {
		return b.loc.T("podium.previous.more", b.loc.Bytes(total-p.TotalFreed), b.loc.Bytes(p.TotalFreed))
	}
	return b.loc.T("podium.previous.less", b.loc.Bytes(p.TotalFreed), b.loc.Bytes(p.TotalFreed-total))
}

// previousFigure is the board's figure of the previous edition's total,
// and its label ("l’an dernier : 1,7 To").
func (b *Bot) previousFigure() (*Figure, string) {
	if b.previous == nil {
		return nil, ""
	}
	t := b.previous.TotalFreed
	return &Figure{Value: float64(t), Label: b.loc.Bytes(t)}, b.loc.T("board.previous", b.loc.Bytes(t))
}
