package dashboard_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/integrations/dashboard"
	"github.com/gigabot/gigabot/integrations/httpapi"
)

func TestLiveSendsTheBoardOnConnect(t *testing.T) {
	e := newEnv(t)
	e.run(t)
	s := e.openStream(t)
	first := s.next(t)
	if first.retry != "5000" {
		t.Errorf("first block %+v, want retry: 5000", first)
	}
	b := s.nextBoard(t)
	want := loadBoard(t)
	if b.Total.Label != want.Total.Label || b.DayLabel != want.DayLabel || len(b.Rankings) != len(want.Rankings) {
		t.Errorf("board on connect: total %q day %q, want %q %q", b.Total.Label, b.DayLabel, want.Total.Label, want.DayLabel)
	}
}

func TestLivePushesOnlyChanges(t *testing.T) {
	e := newEnv(t)
	e.run(t)
	s := e.openStream(t)
	s.nextBoard(t)
	e.src.waitCalls(t, 1)

	steps := []struct {
		name   string
		change func(b *bot.Board)
		// push is the total the page should receive; "" means no event.
		push string
	}{
		{"new total", func(b *bot.Board) { b.Total.Label = "1,3 To" }, "1,3 To"},
		{"same board", func(b *bot.Board) {}, ""},
		{"only the computation time moved", func(b *bot.Board) { b.UpdatedAt = b.UpdatedAt.Add(time.Second) }, ""},
		{"the minute moved", func(b *bot.Board) { b.UpdatedLabel = "14:33" }, "1,3 To"},
		{"a milestone", func(b *bot.Board) {
			b.Total.Label = "2 To"
			b.Milestones = append([]bot.Figure{{Value: 2e12, Label: "2 To"}}, b.Milestones...)
		}, "2 To"},
	}
	for _, step := range steps {
		e.src.set(step.change)
		e.clock.Advance(every)
		e.src.waitCalls(t, 1)
		if step.push == "" {
			continue
		}
		// Events arrive in order: had an unchanged step pushed, this
		// would be its board.
		got := s.nextBoard(t)
		if got.Total.Label != step.push {
			t.Fatalf("%s: pushed total %q, want %q", step.name, got.Total.Label, step.push)
		}
	}
	select {
	case ev := <-s.events:
		t.Errorf("unexpected event %+v", ev)
	default:
	}
}

func TestLivePoke(t *testing.T) {
	e := newEnv(t)
	e.run(t)
	s := e.openStream(t)
	s.nextBoard(t)
	e.src.set(func(b *bot.Board) { b.Total.Label = "1,25 To" })
	e.dash.Poke()
	if got := s.nextBoard(t); got.Total.Label != "1,25 To" {
		t.Errorf("after a poke: total %q", got.Total.Label)
	}
}

func TestLiveHeartbeat(t *testing.T) {
	e := newEnv(t)
	e.run(t)
	s := e.openStream(t)
	s.nextBoard(t)
	e.clock.Advance(25 * time.Second)
	if ev := s.next(t); !ev.comment || ev.name != "" {
		t.Errorf("after 25 s: %+v, want a heartbeat comment", ev)
	}
}

func TestLiveComputesOncePerTickForEverySubscriber(t *testing.T) {
	e := newEnv(t)
	e.run(t)
	const pages = 25
	streams := make([]*stream, pages)
	for i := range streams {
		streams[i] = e.openStream(t)
		streams[i].nextBoard(t)
	}
	if got := e.dash.Subscribers(); got != pages {
		t.Fatalf("%d subscribers, want %d", got, pages)
	}
	before := e.src.calls()
	e.src.set(func(b *bot.Board) { b.Total.Label = "1,4 To" })
	e.clock.Advance(every)
	for i, s := range streams {
		if got := s.nextBoard(t); got.Total.Label != "1,4 To" {
			t.Fatalf("page %d got total %q", i, got.Total.Label)
		}
	}
	if n := e.src.calls() - before; n != 1 {
		t.Errorf("%d computations of the board for %d pages, want 1", n, pages)
	}
}

func TestLiveDisconnectFreesTheSubscriber(t *testing.T) {
	e := newEnv(t)
	e.run(t)
	running := goleak.IgnoreCurrent()
	s := e.openStream(t)
	s.nextBoard(t)
	if got := e.dash.Subscribers(); got != 1 {
		t.Fatalf("%d subscribers, want 1", got)
	}
	s.close()
	waitFor(t, "the subscriber to leave", func() bool { return e.dash.Subscribers() == 0 })
	// The handler's goroutine and the connection's are gone too.
	if err := goleak.Find(running); err != nil {
		t.Error(err)
	}
}

func TestRunEndsTheStreams(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.dash.Run(ctx) }()
	s := e.openStream(t)
	s.nextBoard(t)
	if err := e.dash.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("a second Run: %v, want an error", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream outlived the hub")
	}
	resp, _ := e.get(t, "/api/v1/live")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("live after the hub stopped: %d, want 503", resp.StatusCode)
	}
}

func TestLiveWaitsForTheFirstBoard(t *testing.T) {
	// The page connected before the hub computed anything: it pokes the
	// hub and gets the board when there is one.
	e := newEnv(t)
	e.src.fail(errStore)
	e.run(t)
	e.src.waitCalls(t, 1)
	s := e.openStream(t)
	if ev := s.next(t); ev.retry == "" {
		t.Fatalf("first block %+v, want retry", ev)
	}
	e.src.waitCalls(t, 1) // the poke
	e.src.fail(nil)
	e.clock.Advance(every)
	if b := s.nextBoard(t); b.Campaign == "" {
		t.Error("empty board")
	}
	if logs := e.logs.String(); strings.Count(logs, "board unavailable") != 1 || !strings.Contains(logs, "available again") {
		t.Errorf("logs: one error for a failure that lasts, one notice when it ends; got\n%s", logs)
	}
}

func TestBoardIsServedFromTheHub(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.dash.Run(ctx) }()
	waitFor(t, "the hub's first board", func() bool { return strings.Contains(e.logs.String(), "board changed") })
	poll := func() {
		t.Helper()
		resp, body := e.get(t, "/api/v1/board")
		var b bot.Board
		if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &b) != nil || b.Campaign == "" {
			t.Fatalf("status %d, body %.100s", resp.StatusCode, body)
		}
	}
	for range 20 {
		poll()
	}
	if n := e.src.calls(); n != 1 {
		t.Errorf("20 polls: %d computations in all, want only the hub's", n)
	}
	// A hub that stopped refreshing is not trusted beyond two ticks.
	cancel()
	<-done
	poll()
	if n := e.src.calls(); n != 1 {
		t.Errorf("the hub's board is fresh, yet was computed again")
	}
	e.clock.Advance(2*every + time.Second)
	poll()
	if n := e.src.calls(); n != 2 {
		t.Errorf("%d computations, want the stale board computed again", n)
	}
}

func TestBoardAfterAPokeIsNeverOlder(t *testing.T) {
	e := newEnv(t)
	e.run(t)
	waitFor(t, "the hub's first board", func() bool { return strings.Contains(e.logs.String(), "board changed") })
	for i, total := range []string{"1,21 To", "1,22 To", "1,23 To"} {
		e.src.set(func(b *bot.Board) { b.Total.Label = total })
		e.dash.Poke() // as the intake does once a scan is recorded
		for _, path := range []string{"/api/v1/board", "/"} {
			if _, body := e.get(t, path); !strings.Contains(body, total) {
				t.Errorf("poke %d: %s misses the new total %q", i, path, total)
			}
		}
	}
}

// waitFor waits for cond, checking it as often as the scheduler allows.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestLivePagesAboveTheCapGet503(t *testing.T) {
	e := newEnv(t, func(o *dashboard.Options) { o.MaxLivePages = 2 })
	e.run(t)
	first := e.openStream(t)
	first.nextBoard(t)
	e.openStream(t).nextBoard(t)
	// Only the answer's head is read: a stream would never end.
	req, _ := http.NewRequestWithContext(ctxTimeout(t), http.MethodGet, e.srv.URL+"/api/v1/live", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "60" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("third page: %d %s, Retry-After %q; want a JSON 503 with Retry-After 60",
			resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Retry-After"))
	}
	if n := e.dash.Subscribers(); n != 2 {
		t.Errorf("%d live pages, want the 2 of the cap", n)
	}
	// The refused page polls meanwhile.
	if resp, _ := e.get(t, "/api/v1/board"); resp.StatusCode != http.StatusOK {
		t.Errorf("/api/v1/board: %d", resp.StatusCode)
	}
	// A page that leaves frees its place.
	first.close()
	waitFor(t, "the page to leave", func() bool { return e.dash.Subscribers() == 1 })
	e.openStream(t).nextBoard(t)
}

func TestLiveOutlivesTheServersTimeouts(t *testing.T) {
	e := newEnv(t)
	e.run(t)
	// The bot's own server, with timeouts far shorter than a page stays.
	const short = 50 * time.Millisecond
	api := httpapi.New(nil, nil, nil)
	e.dash.Mount(api)
	srv, err := httpapi.NewHTTPServer(api, httpapi.Limits{ReadTimeout: short, WriteTimeout: short, IdleTimeout: short}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	e.srv.URL = "http://" + ln.Addr().String()
	s := e.openStream(t)
	s.nextBoard(t)
	// Let every timeout of the server pass, several times over.
	time.Sleep(10 * short)
	e.src.set(func(b *bot.Board) { b.Total.Label = "1,6 To" })
	e.dash.Poke()
	if got := s.nextBoard(t); got.Total.Label != "1,6 To" {
		t.Fatalf("after the server's timeouts: total %q", got.Total.Label)
	}
}
