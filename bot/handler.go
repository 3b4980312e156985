package bot

import "context"

// Handler is the core as a chat adapter calls it: the events the adapter
// translates, and the clicks on défi buttons, whose answer the adapter
// shows the clicker alone. *Bot fits; bottest.Handler is the fake that
// adapters' tests hand events to.
type Handler interface {
	// Handle processes one event (see Bot.Handle).
	Handle(ctx context.Context, ev Event) error
	// Click counts a click on a défi button and returns what to tell the
	// clicker (see Bot.Click).
	Click(ctx context.Context, c Click) (ClickOutcome, error)
	// ListMembers gives every member of a channel, as the platform lists
	// them (see Bot.ListMembers).
	ListMembers(ctx context.Context, channel string, members []string) error
}

var _ Handler = (*Bot)(nil)
