package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
)

// fakeSocket is Slack's side of a Socket Mode connection.
type fakeSocket struct {
	t    *testing.T
	conn *websocket.Conn
}

// serveSocket makes the fake Slack accept one Socket Mode connection.
func serveSocket(t *testing.T, f *fakeSlack) <-chan *fakeSocket {
	conns := make(chan *fakeSocket, 1)
	upgrader := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	f.ws = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("upgrade: %v", err)
			return
		}
		t.Cleanup(func() { c.Close() })
		conns <- &fakeSocket{t: t, conn: c}
	})
	return conns
}

func (s *fakeSocket) send(envelope map[string]any) {
	s.t.Helper()
	if err := s.conn.WriteJSON(envelope); err != nil {
		s.t.Fatalf("send: %v", err)
	}
}

// ack reads the next acknowledgement and returns its envelope id and payload.
func (s *fakeSocket) ack() (string, json.RawMessage) {
	s.t.Helper()
	// A deadline so that a missing ack fails the test instead of hanging it.
	_ = s.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var ack struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	if err := s.conn.ReadJSON(&ack); err != nil {
		s.t.Fatalf("read ack: %v", err)
	}
	return ack.EnvelopeID, ack.Payload
}

func envelope(kind, id string, payload string, retry int) map[string]any {
	return map[string]any{"type": kind, "envelope_id": id, "payload": json.RawMessage(payload), "accepts_response_payload": kind != "events_api", "retry_attempt": retry}
}

func TestSocketMode(t *testing.T) {
	f := newFixture(t, func(c *Config, _ *Options) {
		c.AppToken, c.SigningSecret = "xapp-test", ""
	})
	conns := serveSocket(t, f.slack)
	var failures atomic.Int32
	failures.Store(1)
	rec := &bottest.Handler{Next: &replier{a: f.a}}
	rec.SetFail(func(ev bot.Event) error {
		if ev.Reaction == "boom" && failures.Add(-1) >= 0 {
			return errors.New("store unreachable")
		}
		return nil
	})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.a.Run(ctx, rec) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	var s *fakeSocket
	select {
	case s = <-conns:
	case <-time.After(10 * time.Second):
		t.Fatal("the adapter did not connect")
	}
	s.send(map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A1"}})

	reaction := eventJSON("EvS1", reactionJSON("reaction_added", "U0ALICE01", "white_check_mark", "C0ROUTES1", "1711098000.000001"))
	s.send(envelope("events_api", "env-1", reaction, 0))
	if id, _ := s.ack(); id != "env-1" {
		t.Fatalf("ack %q, want env-1", id)
	}
	s.send(envelope("events_api", "env-2", reaction, 1)) // Slack's retry, new envelope, same event
	if id, _ := s.ack(); id != "env-2" {
		t.Fatalf("ack %q, want env-2", id)
	}
	f.a.work.Wait()
	if got := rec.Handled(); len(got) != 1 || got[0].User != "alice" || got[0].PostID != "C0ROUTES1/1711098000.000001" {
		t.Fatalf("events = %+v, want alice's reaction once", got)
	}

	// A handling that fails is acknowledged all the same, and retried here.
	failing := eventJSON("EvS2", reactionJSON("reaction_added", "U0ALICE01", "boom", "C0ROUTES1", "1711098000.000002"))
	s.send(envelope("events_api", "env-3", failing, 0))
	if id, _ := s.ack(); id != "env-3" {
		t.Fatalf("ack %q, want env-3", id)
	}
	f.a.work.Wait()
	if got := rec.Handled(); len(got) != 2 || got[1].Reaction != "boom" || failures.Load() >= 0 {
		t.Fatalf("events = %+v, want the failed reaction handled on its second attempt", got)
	}

	// A slash command is acknowledged at once and answered through its URL.
	cmd, _ := json.Marshal(map[string]string{
		"command": "/giga", "text": "public aide", "user_id": "U0EMMA001", "channel_id": "C0COLLEGE",
		"response_url": f.slack.srv.URL + "/hooks/socket", "trigger_id": "t1",
	})
	s.send(envelope("slash_commands", "env-5", string(cmd), 0))
	id, payload := s.ack()
	if id != "env-5" || string(payload) != `{"response_type":"in_channel"}` {
		t.Fatalf("ack %q %s, want env-5 with an in_channel response type", id, payload)
	}
	// The button, the same way.
	click := clickJSON("U0FARID01", "C0COLLEGE", "1711098000.000003", "white_check_mark")
	s.send(envelope("interactive", "env-6", click, 0))
	if id, _ := s.ack(); id != "env-6" {
		t.Fatalf("ack %q, want env-6", id)
	}
	f.a.work.Wait()
	if hooks := f.slack.Hooks(); len(hooks) != 1 || hooks[0].ResponseType != "in_channel" || hooks[0].Text != "emma said: aide" {
		t.Fatalf("answers %+v, want emma's command answered in the channel", hooks)
	}
	clicked := bot.Click{User: "farid", DisplayName: "Farid", Channel: "#equipe-colleges", PostID: "C0COLLEGE/1711098000.000003"}
	if !slices.Contains(rec.Clicks(), clicked) {
		t.Fatalf("clicks %+v, want farid's", rec.Clicks())
	}
}

// reconnects counts the reconnections the adapter reports as Slack's.
type reconnects struct{ n atomic.Int32 }

func (r *reconnects) Reconnect(platform string) {
	if platform == "slack" {
		r.n.Add(1)
	}
}

func TestSocketModeCountsReconnections(t *testing.T) {
	counted := &reconnects{}
	f := newFixture(t, func(c *Config, o *Options) {
		c.AppToken, c.SigningSecret = "xapp-test", ""
		o.Reconnects = counted
	})
	conns := serveSocket(t, f.slack)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.a.Run(ctx, &bottest.Handler{}) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	// connect waits for a connection and has it deliver an event: once the
	// event is acknowledged, the adapter has seen the connection open.
	connect := func(n int) *fakeSocket {
		t.Helper()
		var s *fakeSocket
		select {
		case s = <-conns:
		case <-time.After(10 * time.Second):
			t.Fatalf("the adapter did not open connection %d", n)
		}
		s.send(map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A1"}})
		id := fmt.Sprintf("env-%d", n)
		reaction := reactionJSON("reaction_added", "U0ALICE01", "white_check_mark", "C0ROUTES1", fmt.Sprintf("1711098000.00000%d", n))
		s.send(envelope("events_api", id, eventJSON(fmt.Sprintf("EvR%d", n), reaction), 0))
		if got, _ := s.ack(); got != id {
			t.Fatalf("ack %q, want %s", got, id)
		}
		return s
	}
	first := connect(1)
	if n := counted.n.Load(); n != 0 {
		t.Fatalf("%d reconnections counted on the first connection, want 0", n)
	}
	first.conn.UnderlyingConn().Close() // the network drops the socket
	connect(2)
	if n := counted.n.Load(); n != 1 {
		t.Fatalf("%d reconnections counted, want 1", n)
	}
}
