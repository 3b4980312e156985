package dashboard_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"go.uber.org/goleak"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/integrations/dashboard"
	"github.com/gigabot/gigabot/integrations/httpapi"
	"github.com/gigabot/gigabot/internal/safebuf"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// errStore is what the fake source fails with.
var errStore = errors.New("redis: connection refused")

// fakeSource serves a board and a bilan that a test may change, and counts
// the board's computations.
type fakeSource struct {
	mu    sync.Mutex
	board bot.Board
	bilan bot.Bilan
	err   error
	n     int
	// called receives a value at each Board call, for a test to wait on.
	called chan struct{}
}

func newFakeSource(t *testing.T) *fakeSource {
	t.Helper()
	return &fakeSource{board: loadBoard(t), bilan: loadBilan(t), called: make(chan struct{}, 1000)}
}

func (f *fakeSource) Board(context.Context) (bot.Board, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	f.called <- struct{}{}
	return f.board, f.err
}

func (f *fakeSource) Bilan(context.Context) (bot.Bilan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bilan, f.err
}

func (f *fakeSource) set(change func(b *bot.Board)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(&f.board)
}

func (f *fakeSource) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

func (f *fakeSource) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

// waitCalls waits for n more computations of the board.
func (f *fakeSource) waitCalls(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-f.called:
		case <-time.After(5 * time.Second):
			t.Fatal("the board was not computed")
		}
	}
}

func loadBoard(t *testing.T) bot.Board {
	t.Helper()
	var b bot.Board
	readJSON(t, "testdata/board.json", &b)
	return b
}

func loadBilan(t *testing.T) bot.Bilan {
	t.Helper()
	var b bot.Bilan
	readJSON(t, "testdata/bilan.json", &b)
	return b
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// env is a dashboard served over HTTP, on a fake clock.
type env struct {
	src   *fakeSource
	clock *clockwork.FakeClock
	dash  *dashboard.Dashboard
	srv   *httptest.Server
	logs  *safebuf.Buffer
}

const every = 2 * time.Second

func newEnv(t *testing.T, options ...func(*dashboard.Options)) *env {
	t.Helper()
	e := &env{src: newFakeSource(t), clock: clockwork.NewFakeClockAt(time.Date(2027, 4, 1, 14, 32, 0, 0, time.UTC)), logs: &safebuf.Buffer{}}
	o := dashboard.Options{Source: e.src, Clock: e.clock, Every: every,
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	for _, set := range options {
		set(&o)
	}
	d, err := dashboard.New(o)
	if err != nil {
		t.Fatal(err)
	}
	e.dash = d
	api := httpapi.New(nil, nil, nil)
	d.Mount(api)
	e.srv = httptest.NewServer(api)
	t.Cleanup(e.srv.Close)
	return e
}

// run starts the hub until the test ends, and waits for its tickers.
func (e *env) run(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.dash.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	if err := e.clock.BlockUntilContext(ctxTimeout(t), 2); err != nil {
		t.Fatal("the hub made no tickers")
	}
}

func ctxTimeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (e *env) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(e.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// event is one Server-Sent Events block.
type event struct {
	name, data, retry string
	comment           bool
}

// stream is a client of the live feed.
type stream struct {
	events chan event
	cancel context.CancelFunc
	done   chan struct{}
}

// openStream connects to the live feed; the test's end disconnects it.
func (e *env) openStream(t *testing.T) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+"/api/v1/live", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		resp.Body.Close()
		t.Fatalf("live: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &stream{events: make(chan event, 100), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer close(s.events)
		defer resp.Body.Close()
		r := bufio.NewReader(resp.Body)
		var ev event
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case line == "":
				s.events <- ev
				ev = event{}
			case strings.HasPrefix(line, ":"):
				ev.comment = true
			default:
				field, value, _ := strings.Cut(line, ": ")
				switch field {
				case "event":
					ev.name = value
				case "data":
					ev.data += value
				case "retry":
					ev.retry = value
				}
			}
		}
	}()
	t.Cleanup(s.close)
	return s
}

func (s *stream) close() {
	s.cancel()
	<-s.done
}

// next returns the next block of the stream.
func (s *stream) next(t *testing.T) event {
	t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			t.Fatal("the stream ended")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	return event{}
}

// nextBoard skips the retry field and returns the next board.
func (s *stream) nextBoard(t *testing.T) bot.Board {
	t.Helper()
	for {
		ev := s.next(t)
		if ev.retry != "" && ev.name == "" {
			continue
		}
		if ev.name != "board" {
			t.Fatalf("got %+v, want a board", ev)
		}
		var b bot.Board
		if err := json.Unmarshal([]byte(ev.data), &b); err != nil {
			t.Fatalf("board event: %v", err)
		}
		return b
	}
}
