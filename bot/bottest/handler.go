package bottest

import (
	"context"
	"sync"

	"github.com/gigabot/gigabot/bot"
)

// Handler is a fake bot core for the chat adapters' tests: it records the
// events and clicks an adapter hands it, in order, can fail events, and
// hands them on to Next. It is a bot.Handler, and fits the console's
// narrower Handler too.
type Handler struct {
	// Next, when set, handles each event SetFail's function lets through (a
	// *bot.Bot, or a test's own answerer), and each click when it has a
	// Click method too. Nil: events succeed, and clicks are answered as
	// counted, in French.
	Next interface {
		Handle(ctx context.Context, ev bot.Event) error
	}

	mu      sync.Mutex
	fail    func(bot.Event) error
	events  []bot.Event
	handled []bot.Event
	clicks  []bot.Click
	lists   map[string][]string
}

var _ bot.Handler = (*Handler)(nil)

// SetFail makes fail be asked for each event before Next: an error fails
// the event, and Next does not see it. Nil: no event fails. It may be
// called while an adapter runs.
func (h *Handler) SetFail(fail func(bot.Event) error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fail = fail
}

// Handle records ev once it is handled, failed or not.
func (h *Handler) Handle(ctx context.Context, ev bot.Event) error {
	h.mu.Lock()
	fail := h.fail
	h.mu.Unlock()
	var err error
	if fail != nil {
		err = fail(ev)
	}
	if err == nil && h.Next != nil {
		err = h.Next.Handle(ctx, ev)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, ev)
	if err == nil {
		h.handled = append(h.handled, ev)
	}
	return err
}

// Click records c and answers it: through Next when it answers clicks,
// else as counted.
func (h *Handler) Click(ctx context.Context, c bot.Click) (bot.ClickOutcome, error) {
	h.mu.Lock()
	h.clicks = append(h.clicks, c)
	h.mu.Unlock()
	if next, ok := h.Next.(interface {
		Click(context.Context, bot.Click) (bot.ClickOutcome, error)
	}); ok {
		return next.Click(ctx, c)
	}
	return bot.ClickOutcome{Result: bot.ClickCounted, Text: bot.ClickCounted.Text(bot.NewLocale("fr"))}, nil
}

// ListMembers records a channel's members, and hands them to Next when
// it takes them.
func (h *Handler) ListMembers(ctx context.Context, channel string, members []string) error {
	h.mu.Lock()
	if h.lists == nil {
		h.lists = map[string][]string{}
	}
	h.lists[channel] = append([]string(nil), members...)
	h.mu.Unlock()
	if next, ok := h.Next.(interface {
		ListMembers(context.Context, string, []string) error
	}); ok {
		return next.ListMembers(ctx, channel, members)
	}
	return nil
}

// Members returns the members last listed for a channel, and whether any were.
func (h *Handler) Members(channel string) ([]string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m, ok := h.lists[channel]
	return append([]string(nil), m...), ok
}

// Events returns every event handed to Handle, failed ones too.
func (h *Handler) Events() []bot.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]bot.Event(nil), h.events...)
}

// Handled returns the events handled without error.
func (h *Handler) Handled() []bot.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]bot.Event(nil), h.handled...)
}

// Clicks returns the clicks handed to Click.
func (h *Handler) Clicks() []bot.Click {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]bot.Click(nil), h.clicks...)
}
