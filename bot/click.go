package bot

import (
	"context"
	"slices"
)

// Click is a press on the button of a défi card. It counts like the
// campaign's reaction on the card; unlike a reaction, it leaves no sign on
// the platform, so the clicker is answered (ClickOutcome).
type Click struct {
	// User, DisplayName and Channel are as in Event.
	User, DisplayName, Channel string
	// PostID is the card clicked.
	PostID string
}

// ClickResult tells what a click did.
type ClickResult int

// The results of a click.
const (
	// ClickCounted: the défi counts as done (or will, once the store is
	// back, for a click that met an outage).
	ClickCounted ClickResult = iota
	// ClickAlready: the clicker had done this défi already; nothing changed.
	ClickAlready
	// ClickOutsider: the clicker is in no team of the campaign.
	ClickOutsider
	// ClickNotDefi: the post is not a défi of the campaign.
	ClickNotDefi
	// ClickFailed: the store failed; the clicker may try again.
	ClickFailed
)

// clickTexts are the catalog keys of the answers to a click.
var clickTexts = map[ClickResult]string{
	ClickCounted:  "click.counted",
	ClickAlready:  "click.already",
	ClickOutsider: "click.outsider",
	ClickNotDefi:  "click.notdefi",
	ClickFailed:   "click.failed",
}

// Text is what the clicker reads, in l's language.
func (r ClickResult) Text(l Locale) string { return l.T(clickTexts[r]) }

// ClickOutcome is the core's answer to a click, for the adapter to show
// the clicker alone.
type ClickOutcome struct {
	Result ClickResult
	// Day is the campaign day of the défi clicked; 0 when the store could
	// not tell, or the post is no défi.
	Day int
	// Text says Result to the clicker, in the campaign's language.
	Text string
}

// Click counts a press on a défi card's button as the campaign's reaction
// on the card, and returns what to tell the clicker. The error, for the
// adapter's logs, comes with ClickFailed. Which défi the card is and
// whether the clicker had done it already are asked of the store first,
// only to choose the answer: when the store cannot tell, the click is
// handled all the same (Handle decides, and may keep it for when the
// store is back) and answered as counted.
func (b *Bot) Click(ctx context.Context, c Click) (ClickOutcome, error) {
	if _, ok, err := b.teamOf(ctx, c.User); err != nil {
		return b.clickOutcome(ClickFailed, 0), err
	} else if !ok {
		return b.clickOutcome(ClickOutsider, 0), nil
	}
	day, known := b.defiOf(ctx, c.PostID)
	if known && day == 0 {
		return b.clickOutcome(ClickNotDefi, 0), nil
	}
	already := known && b.hasDone(ctx, c.User, day)
	ev := Event{
		Kind: ReactionAdded, User: c.User, DisplayName: c.DisplayName, Channel: c.Channel,
		PostID: c.PostID, Reaction: b.cfg.Campaign.Reaction,
	}
	if err := b.Handle(ctx, ev); err != nil {
		return b.clickOutcome(ClickFailed, day), err
	}
	if already {
		return b.clickOutcome(ClickAlready, day), nil
	}
	return b.clickOutcome(ClickCounted, day), nil
}

func (b *Bot) clickOutcome(r ClickResult, day int) ClickOutcome {
	return ClickOutcome{Result: r, Day: day, Text: r.Text(b.loc)}
}

// defiOf returns the day of the défi posted as postID: 0 for a post that
// is no défi; known is false when the store could not tell.
func (b *Bot) defiOf(ctx context.Context, postID string) (day int, known bool) {
	ref, ok, err := b.store.PostRef(ctx, postID)
	if err != nil {
		b.log.Warn("click: cannot tell which défi was clicked", "post", postID, "err", err)
		return 0, false
	}
	if day, isDefi := parseDefiRef(ref); ok && isDefi {
		return day, true
	}
	return 0, true
}

// hasDone tells whether user had done the défi of day; false when the
// store cannot tell.
func (b *Bot) hasDone(ctx context.Context, user string, day int) bool {
	days, err := b.store.AgentDays(ctx, user)
	if err != nil {
		b.log.Warn("click: cannot tell whether the défi was done already", "user", user, "day", day, "err", err)
		return false
	}
	return slices.Contains(days, day)
}
