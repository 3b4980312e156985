package slack

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/scoring"
)

// patience bounds the waits of these tests: generous, so that a slow
// machine never fails them. Slack itself waits 3 seconds.
const patience = 10 * time.Second

// blocker is a core whose handling blocks until the test releases it,
// as a mobilisation to 28 channels takes longer than Slack waits; it
// records the events once released.
type blocker struct {
	bottest.Handler
	started  chan struct{}
	released chan struct{}
	once     sync.Once
}

func newBlocker(t *testing.T) *blocker {
	b := &blocker{started: make(chan struct{}, 16), released: make(chan struct{})}
	// Registered after the fixture's: runs first, so that the adapter's
	// work can end.
	t.Cleanup(b.release)
	return b
}

func (b *blocker) Handle(ctx context.Context, ev bot.Event) error {
	b.started <- struct{}{}
	<-b.released
	return b.Handler.Handle(ctx, ev)
}

func (b *blocker) release() { b.once.Do(func() { close(b.released) }) }

func (b *blocker) waitStarted(t *testing.T) {
	t.Helper()
	select {
	case <-b.started:
	case <-time.After(patience):
		t.Fatal("the event was never handed to the bot")
	}
}

func TestEventIsAcknowledgedBeforeItIsHandled(t *testing.T) {
	f := newFixture(t)
	h := newBlocker(t)
	f.a.Mount(f.mux, h)
	acked := make(chan int, 1)
	go func() {
		acked <- f.send(t, "/slack/events", eventJSON("EvLONG", imJSON("U0DG00001", "D0DIRECT1", "mobilisation Tous ensemble !"))).Code
	}()
	h.waitStarted(t)
	select {
	case code := <-acked:
		if code != http.StatusOK {
			t.Fatalf("status %d, want 200 at once", code)
		}
	case <-time.After(patience):
		t.Fatal("Slack got no answer while the event was being handled: it would deliver it again after 3 s")
	}
	h.release()
	f.a.work.Wait()
	if got := h.Events(); len(got) != 1 || got[0].Text != "mobilisation Tous ensemble !" {
		t.Fatalf("events = %+v, want the mobilisation handled once", got)
	}
}

func TestSocketModeAcknowledgesBeforeHandling(t *testing.T) {
	f := newFixture(t, func(c *Config, _ *Options) {
		c.AppToken, c.SigningSecret = "xapp-test", ""
	})
	conns := serveSocket(t, f.slack)
	h := newBlocker(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.a.Run(ctx, h) }()
	defer func() {
		h.release()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	var s *fakeSocket
	select {
	case s = <-conns:
	case <-time.After(patience):
		t.Fatal("the adapter did not connect")
	}
	s.send(map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A1"}})
	s.send(envelope("events_api", "env-long", eventJSON("EvLONG", imJSON("U0DG00001", "D0DIRECT1", "mobilisation Tous ensemble !")), 0))
	h.waitStarted(t)
	// The handler is still blocked: the ack must come anyway.
	if id, _ := s.ack(); id != "env-long" {
		t.Fatalf("ack %q, want env-long", id)
	}
	h.release()
	f.a.work.Wait()
	if got := h.Events(); len(got) != 1 {
		t.Fatalf("events = %+v, want the mobilisation once", got)
	}
}

func TestFailureAfterTheAckIsRetriedHere(t *testing.T) {
	f := newFixture(t)
	var calls atomic.Int32
	rec := &bottest.Handler{}
	rec.SetFail(func(bot.Event) error {
		if calls.Add(1) <= 2 {
			return errors.New("store unreachable")
		}
		return nil
	})
	f.a.Mount(f.mux, rec)
	body := eventJSON("EvFAIL", reactionJSON("reaction_added", "U0ALICE01", "white_check_mark", "C0ROUTES1", "1711098000.000001"))
	if resp := f.send(t, "/slack/events", body); resp.Code != http.StatusOK {
		t.Fatalf("status %d, want 200: Slack is answered before the handling", resp.Code)
	}
	f.a.work.Wait()
	if got := rec.Handled(); len(got) != 1 {
		t.Fatalf("handled %d times, want once after two failures", len(got))
	}
	if got := f.time.Slept(); len(got) != 2 || got[0] != time.Second || got[1] != 2*time.Second {
		t.Errorf("waits between attempts %v, want [1s 2s]", got)
	}
	// Slack's own copy, had our answer been lost, changes nothing.
	if resp := f.send(t, "/slack/events", body, "X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout"); resp.Code != http.StatusOK {
		t.Fatalf("retry: status %d", resp.Code)
	}
	f.a.work.Wait()
	if got := rec.Handled(); len(got) != 1 {
		t.Fatalf("handled %d times after Slack's retry, want once", len(got))
	}
	if logs := f.logs.String(); !strings.Contains(logs, "retry=1") || !strings.Contains(logs, "reason=http_timeout") {
		t.Errorf("Slack's retry was not logged with its number and reason:\n%s", logs)
	}
}

func TestFailureThatLastsIsGivenUpAfterSlacksWindow(t *testing.T) {
	f := newFixture(t)
	rec := &bottest.Handler{}
	rec.SetFail(func(bot.Event) error { return errors.New("store unreachable") })
	f.a.Mount(f.mux, rec)
	start := f.time.Now()
	body := eventJSON("EvDOOM", reactionJSON("reaction_added", "U0ALICE01", "white_check_mark", "C0ROUTES1", "1711098000.000001"))
	if resp := f.send(t, "/slack/events", body); resp.Code != http.StatusOK {
		t.Fatalf("status %d", resp.Code)
	}
	f.a.work.Wait()
	if spent := f.time.Now().Sub(start); spent > retryFor || spent < retryFor/2 {
		t.Errorf("retried for %s, want about %s (Slack's own retry window)", spent, retryFor)
	}
	if !strings.Contains(f.logs.String(), "slack: event dropped") {
		t.Errorf("giving up was not logged as an error:\n%s", f.logs)
	}
}

func TestEventHeldByAnotherReplica(t *testing.T) {
	tests := []struct {
		name string
		// meanwhile is what the other replica does while this one waits.
		meanwhile func(ctx context.Context, f *fixture) error
		handled   int
	}{
		{"it handles the event", func(ctx context.Context, f *fixture) error {
			return f.store.FinishDelivery(ctx, "slack:EvBUSY", time.Hour)
		}, 0},
		{"it dies: its lease expires", func(ctx context.Context, f *fixture) error {
			return f.store.ReleaseDelivery(ctx, "slack:EvBUSY", "replica-2")
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			rec := &bottest.Handler{}
			f.a.Mount(f.mux, rec)
			// Another replica claimed the delivery (Slack sent it a copy).
			if _, err := f.store.ClaimDelivery(t.Context(), "slack:EvBUSY", "replica-2", time.Hour); err != nil {
				t.Fatal(err)
			}
			f.a.sleep = func(ctx context.Context, d time.Duration) error {
				if err := tt.meanwhile(ctx, f); err != nil {
					return err
				}
				return f.time.Sleep(ctx, d)
			}
			body := eventJSON("EvBUSY", mentionJSON("U0ALICE01", "C0ROUTES1", "<@UBOT> aide"))
			if resp := f.send(t, "/slack/events", body, "X-Slack-Retry-Num", "1"); resp.Code != http.StatusOK {
				t.Fatalf("status %d, want 200", resp.Code)
			}
			f.a.work.Wait()
			if got := rec.Events(); len(got) != tt.handled {
				t.Fatalf("handled here %d times, want %d", len(got), tt.handled)
			}
		})
	}
}

func TestSlashCommandIsAnsweredBeforeItIsHandled(t *testing.T) {
	f := newFixture(t)
	h := newBlocker(t)
	f.a.Mount(f.mux, h)
	acked := make(chan int, 1)
	go func() {
		acked <- f.send(t, "/slack/commands", slashForm("U0DG00001", "C0ROUTES1", "mobilisation Tous ensemble !", f.slack.srv.URL+"/hooks/long")).Code
	}()
	h.waitStarted(t)
	select {
	case code := <-acked:
		if code != http.StatusOK {
			t.Fatalf("status %d, want 200 at once", code)
		}
	case <-time.After(patience):
		t.Fatal("the slash command got no answer while it was being handled")
	}
	h.release()
	f.a.work.Wait()
	if got := h.Events(); len(got) != 1 {
		t.Fatalf("events = %+v, want the command once", got)
	}
}

// outageDeliveries is a store that cannot be asked: Redis is down.
type outageDeliveries struct{}

func (outageDeliveries) ClaimDelivery(context.Context, string, string, time.Duration) (scoring.ClaimStatus, error) {
	return scoring.Busy, errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
}
func (outageDeliveries) FinishDelivery(context.Context, string, time.Duration) error { return nil }
func (outageDeliveries) ReleaseDelivery(context.Context, string, string) error       { return nil }

// During a Redis outage a reaction still reaches the core, which keeps it
// until Redis is back (a ✅ counts once however often it is handled); a
// command does not: without its claim it could run twice, so it waits for
// the store like any failure, and is given up after Slack's window.
func TestReactionReachesTheCoreWhenTheStoreIsDown(t *testing.T) {
	f := newFixture(t, func(_ *Config, o *Options) { o.Deliveries = outageDeliveries{} })
	rec := &bottest.Handler{}
	f.a.Mount(f.mux, rec)
	reaction := eventJSON("EvOUT1", reactionJSON("reaction_added", "U0ALICE01", "white_check_mark", "C0ROUTES1", "1711098000.000001"))
	if resp := f.send(t, "/slack/events", reaction); resp.Code != http.StatusOK {
		t.Fatalf("status %d", resp.Code)
	}
	f.a.work.Wait()
	if got := rec.Handled(); len(got) != 1 || got[0].Kind != bot.ReactionAdded {
		t.Fatalf("the core got %+v, want the reaction", got)
	}
	if slept := f.time.Slept(); len(slept) != 0 {
		t.Errorf("waited %v before handing the reaction over, want no wait", slept)
	}
	mention := eventJSON("EvOUT2", `{"type":"app_mention","user":"U0ALICE01","channel":"C0ROUTES1","text":"<@U0BOT0001> classement","ts":"1711098000.000002"}`)
	if resp := f.send(t, "/slack/events", mention); resp.Code != http.StatusOK {
		t.Fatalf("status %d", resp.Code)
	}
	f.a.work.Wait()
	if got := rec.Handled(); len(got) != 1 {
		t.Errorf("the core got %d events, want the reaction only: a command is never run unclaimed", len(got))
	}
	if !strings.Contains(f.logs.String(), "the store could not be asked") {
		t.Errorf("the command's wait was not logged:\n%s", f.logs)
	}
}
