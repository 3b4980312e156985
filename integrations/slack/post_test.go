package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/redis"
)

func TestPostReturnsTheIDReactionsCarry(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		channel, wantChannel string
	}{
		{"equipe-routes", "C0ROUTES1"},
		{"#equipe-colleges", "C0COLLEGE"}, // joined at start-up
		{"C0GENERAL", "C0GENERAL"},        // the id an event gave
		{"D0DIRECT1", "D0DIRECT1"},        // a direct message
	}
	for _, tt := range tests {
		id, err := f.a.Post(t.Context(), tt.channel, bot.Message{Kind: bot.KindReply, Text: "bonjour"})
		if err != nil {
			t.Fatalf("Post(%s): %v", tt.channel, err)
		}
		posts := f.slack.Posts()
		last := posts[len(posts)-1]
		if last.Channel != tt.wantChannel || id != tt.wantChannel+"/"+last.TS {
			t.Errorf("Post(%s) = %q in %s, want %s/%s", tt.channel, id, last.Channel, tt.wantChannel, last.TS)
		}
	}
}

func TestPostToAnUnknownChannelPostsNothing(t *testing.T) {
	f := newFixture(t)
	_, err := f.a.Post(t.Context(), "equipe-culture", bot.Message{Kind: bot.KindDefi, Text: "défi"})
	if !errors.Is(err, ErrUnknownChannel) {
		t.Fatalf("Post = %v, want ErrUnknownChannel", err)
	}
	if len(f.slack.Requests("chat.postMessage")) != 0 {
		t.Fatalf("the adapter called Slack for a channel it does not know")
	}
}

func TestPostHonoursRetryAfter(t *testing.T) {
	f := newFixture(t)
	f.slack.fail("chat.postMessage", fakeFailure{Status: http.StatusTooManyRequests, RetryAfter: "7"})
	if _, err := f.a.Post(t.Context(), "equipe-routes", bot.Message{Kind: bot.KindReply, Text: "après la pause"}); err != nil {
		t.Fatalf("Post: %v", err)
	}
	reqs := f.slack.Requests("chat.postMessage")
	if len(reqs) != 2 || len(f.slack.Posts()) != 1 {
		t.Fatalf("%d requests and %d posts, want 2 requests and 1 post", len(reqs), len(f.slack.Posts()))
	}
	if wait := reqs[1].At.Sub(reqs[0].At); wait < 7*time.Second {
		t.Fatalf("retried %s after the 429, want at least Retry-After (7s)", wait)
	}
}

func TestRateLimitPausesTheMethodEverywhere(t *testing.T) {
	ft := newFakeTime()
	l := newLimiter(ft.Now, ft.Sleep, time.Second, 0, nil, slog.New(slog.DiscardHandler))
	l.pause(t.Context(), "chat.postMessage", 30*time.Second)
	start := ft.Now()
	if err := l.wait(t.Context(), "chat.postMessage", "C0OTHER01"); err != nil {
		t.Fatal(err)
	}
	if got := ft.Now().Sub(start); got != 30*time.Second {
		t.Fatalf("a post to another channel waited %s, want the 30s pause", got)
	}
	l.pause(t.Context(), "chat.postMessage", 30*time.Second)
	start = ft.Now()
	if err := l.wait(t.Context(), "users.info", ""); err != nil {
		t.Fatal(err)
	}
	if got := ft.Now().Sub(start); got != 0 {
		t.Fatalf("another method waited %s, want no wait", got)
	}
}

// Two replicas posting in one channel keep Slack's pace between
// them (one post a second per channel), and a 429 one of them meets holds
// the other's posts too: the pace lives in the store, not in a process.
func TestTwoReplicasKeepOnePace(t *testing.T) {
	shared := func(_ *Config, o *Options) { o.Slots = o.Deliveries.(*redis.Store) }
	f := newFixture(t, shared)
	second, err := New(t.Context(), Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: f.slack.apiURL()}, Options{
		Roster: bot.NewRoster(f.cfg), Deliveries: f.store, Slots: f.store, Owner: "replica-2",
		HTTPClient: f.slack.srv.Client(), Clock: f.time, Sleep: f.time.Sleep,
	})
	if err != nil {
		t.Fatal(err)
	}
	// One after the other on the shared fake clock (a replica's sleep moves
	// it), so that each post's time is the time its slot was taken.
	const each = 5
	for i := range each {
		for _, a := range []*Adapter{f.a, second} {
			if _, err := a.Post(t.Context(), "equipe-routes", bot.Message{Kind: bot.KindReply, Text: fmt.Sprint("post ", i)}); err != nil {
				t.Fatalf("Post: %v", err)
			}
		}
	}
	reqs := f.slack.Requests("chat.postMessage")
	if len(reqs) != 2*each {
		t.Fatalf("%d posts, want %d", len(reqs), 2*each)
	}
	for i := 1; i < len(reqs); i++ {
		if gap := reqs[i].At.Sub(reqs[i-1].At); gap < time.Second {
			t.Fatalf("posts %d and %d in one channel %v apart, want at least 1s:\n%v", i-1, i, gap, reqs)
		}
	}

	f.slack.fail("chat.postMessage", fakeFailure{Status: http.StatusTooManyRequests, RetryAfter: "30"})
	if _, err := f.a.Post(t.Context(), "equipe-routes", bot.Message{Kind: bot.KindReply, Text: "ralenti"}); err != nil {
		t.Fatal(err)
	}
	limited := f.slack.Requests("chat.postMessage")[2*each].At
	if _, err := second.Post(t.Context(), "equipe-colleges", bot.Message{Kind: bot.KindReply, Text: "ailleurs"}); err != nil {
		t.Fatal(err)
	}
	reqs = f.slack.Requests("chat.postMessage")
	if got := reqs[len(reqs)-1].At.Sub(limited); got < 30*time.Second {
		t.Fatalf("the other replica posted %v after the 429, want Retry-After (30s)", got)
	}
}

func TestPostRetriesServerErrorsAndNetworkFailures(t *testing.T) {
	f := newFixture(t)
	f.slack.fail("chat.postMessage",
		fakeFailure{Status: http.StatusInternalServerError},
		fakeFailure{Status: http.StatusBadGateway},
		fakeFailure{Error: "service_unavailable"})
	if _, err := f.a.Post(t.Context(), "equipe-routes", bot.Message{Kind: bot.KindReply, Text: "tenace"}); err != nil {
		t.Fatalf("Post: %v", err)
	}
	if n := len(f.slack.Posts()); n != 1 {
		t.Fatalf("%d posts, want 1", n)
	}
	if slept := f.time.Slept(); !containsInOrder(slept, time.Second, 2*time.Second, 4*time.Second) {
		t.Fatalf("slept %v, want backoffs of 1s, 2s, 4s", slept)
	}
}

func TestPostGivesUpWhenTheContextEnds(t *testing.T) {
	f := newFixture(t)
	var failures []fakeFailure
	for range 20 {
		failures = append(failures, fakeFailure{Status: http.StatusServiceUnavailable})
	}
	f.slack.fail("chat.postMessage", failures...)
	// Slack keeps failing; the caller gives up at the fifth backoff.
	ctx, cancel := context.WithCancel(t.Context())
	attempts := 0
	f.a.sleep = func(ctx context.Context, d time.Duration) error {
		if attempts++; attempts == 5 {
			cancel()
		}
		return f.time.Sleep(ctx, d)
	}
	_, err := f.a.Post(ctx, "equipe-routes", bot.Message{Kind: bot.KindReply, Text: "jamais"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Post = %v, want the context's error", err)
	}
	if n := len(f.slack.Posts()); n != 0 {
		t.Fatalf("%d posts, want none", n)
	}
}

func TestPostRefusedForGoodIsNotRetried(t *testing.T) {
	f := newFixture(t)
	f.slack.fail("chat.postMessage", fakeFailure{Error: "channel_not_found"})
	_, err := f.a.Post(t.Context(), "equipe-routes", bot.Message{Kind: bot.KindReply, Text: "x"})
	if slackErrorCode(err) != "channel_not_found" {
		t.Fatalf("Post = %v, want channel_not_found", err)
	}
	if n := len(f.slack.Requests("chat.postMessage")); n != 1 {
		t.Fatalf("%d attempts, want 1", n)
	}
}

func TestPostJoinsAgainWhenRemovedFromAChannel(t *testing.T) {
	f := newFixture(t)
	f.slack.mu.Lock()
	f.slack.channels[0].Member = false // someone removed the bot from equipe-routes
	f.slack.mu.Unlock()
	if _, err := f.a.Post(t.Context(), "equipe-routes", bot.Message{Kind: bot.KindReply, Text: "me revoilà"}); err != nil {
		t.Fatalf("Post: %v", err)
	}
	if n := len(f.slack.Posts()); n != 1 {
		t.Fatalf("%d posts, want 1", n)
	}
}

func TestPostsArePaced(t *testing.T) {
	f := newFixture(t)
	for _, ch := range []string{"equipe-routes", "equipe-routes", "#equipe-colleges", "equipe-routes"} {
		if _, err := f.a.Post(t.Context(), ch, bot.Message{Kind: bot.KindReply, Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	reqs := f.slack.Requests("chat.postMessage")
	gaps := make([]time.Duration, len(reqs)-1)
	for i := range gaps {
		gaps[i] = reqs[i+1].At.Sub(reqs[i].At)
	}
	// routes→routes: a second; routes→colleges: the overall gap only;
	// colleges→routes: what is left of routes' second.
	want := []time.Duration{time.Second, 200 * time.Millisecond, 800 * time.Millisecond}
	if !slices.Equal(gaps, want) {
		t.Fatalf("gaps between posts %v, want %v", gaps, want)
	}
}

// containsInOrder tells whether want appear in got in this order.
func containsInOrder(got []time.Duration, want ...time.Duration) bool {
	for _, d := range got {
		if len(want) > 0 && d == want[0] {
			want = want[1:]
		}
	}
	return len(want) == 0
}
