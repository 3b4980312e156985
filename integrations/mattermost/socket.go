package mattermost

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mattermost/mattermost/server/public/model"

	"github.com/gigabot/gigabot/bot"
)

// Deadlines of the network connection, in wall-clock time: writeWait
// bounds the write of a ping, helloWait the server's welcome.
const (
	writeWait = 10 * time.Second
	helloWait = 30 * time.Second
)

// Run listens to the bot's WebSocket and hands h every command (a direct
// message, a message that mentions the bot) and every reaction, until ctx
// ends; it then returns nil.
//
// The socket is pinged every PingInterval and reopened, with backoff and
// jitter, when it closes or stops answering (a half-open connection
// delivers nothing and reports no error). Each time it opens, the posts
// written since the last event seen are fetched through REST, so that
// nothing said while the socket was down is lost; the delivery claims keep
// anything from being handled twice. Each socket welcomed after the first
// is counted as a reconnection (Options.Reconnects). Run returns
// ErrNotConnected before Connect.
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	if !a.connected.Load() {
		return ErrNotConnected
	}
	if a.once == nil {
		return errors.New("mattermost: Run needs Options.Deliveries and Options.Owner")
	}
	if !a.running.CompareAndSwap(false, true) {
		return errors.New("mattermost: Run is already running")
	}
	defer a.running.Store(false)
	a.welcomed = false
	failures := 0
	for {
		stable, err := a.session(ctx, h)
		if ctx.Err() != nil {
			return nil
		}
		if stable {
			failures = 0
		}
		failures++
		wait := a.backoff(failures, socketBackoff, socketMaxWait)
		a.log.Warn("mattermost: socket lost; reconnecting", "err", err, "attempt", failures, "wait", wait)
		if err := a.sleep(ctx, wait); err != nil {
			return nil
		}
	}
}

// session opens the socket, catches up, and handles its events until it
// fails. stable tells whether it lasted long enough to reset the backoff.
func (a *Adapter) session(ctx context.Context, h bot.Handler) (stable bool, err error) {
	ws, err := model.NewWebSocketClient4WithDialer(a.dialer, a.socketURL, a.cfg.Token)
	if err != nil {
		return false, fmt.Errorf("open the socket: %w", err)
	}
	pongs := make(chan struct{}, 1)
	ws.Conn.SetPongHandler(func(string) error {
		select {
		case pongs <- struct{}{}:
		default:
		}
		return nil
	})
	ws.Listen()
	defer closeSocket(ws)
	early, err := awaitHello(ctx, ws)
	if err != nil {
		return false, err
	}
	if a.welcomed {
		a.reconnects.Reconnect(platform)
	}
	a.welcomed = true
	// Events arriving during the catch-up wait in the socket's buffer and
	// are handled after it, in order: the last word on each reaction is
	// then the latest one.
	if err := a.catchUp(ctx, h); err != nil {
		return false, fmt.Errorf("catch up: %w", err)
	}
	a.listMembers(ctx, h)
	for _, ev := range early {
		a.onSocketEvent(ctx, h, ev)
	}
	start := a.clock.Now()
	lasted := func() bool { return a.clock.Since(start) >= a.pingEvery }
	ticker := a.clock.NewTicker(a.pingEvery)
	defer ticker.Stop()
	a.log.Info("mattermost: listening")
	waiting := false
	for {
		select {
		case <-ctx.Done():
			return true, ctx.Err()
		case ev, ok := <-ws.EventChannel:
			if !ok {
				return lasted(), closedError(ws)
			}
			waiting = false
			a.onSocketEvent(ctx, h, ev)
		case _, ok := <-ws.ResponseChannel:
			if !ok {
				return lasted(), closedError(ws)
			}
			waiting = false
		case <-pongs:
			waiting = false
		case <-ws.PingTimeoutChannel:
			// The client's own watchdog (no ping from the server for 65 s of
			// wall time) must be drained, or its goroutine blocks; the
			// adapter's pings decide whether the socket is alive.
		case <-ticker.Chan():
			select {
			case <-pongs:
				waiting = false
			default:
			}
			if waiting && len(ws.EventChannel) == 0 {
				return lasted(), fmt.Errorf("the socket did not answer a ping within %s", a.pingEvery)
			}
			if a.floor != 0 {
				if err := a.catchUp(ctx, h); err != nil {
					return lasted(), fmt.Errorf("catch up: %w", err)
				}
			}
			if err := ws.Conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return lasted(), fmt.Errorf("ping the socket: %w", err)
			}
			waiting = true
		}
	}
}

// awaitHello waits for the server's "hello", which it sends once the
// socket is authenticated and subscribed: the catch-up must come after it,
// or an event in between would be lost. Events before it are returned.
func awaitHello(ctx context.Context, ws *model.WebSocketClient) ([]*model.WebSocketEvent, error) {
	timer := time.NewTimer(helloWait)
	defer timer.Stop()
	var early []*model.WebSocketEvent
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
			return nil, fmt.Errorf("no welcome from the server within %s", helloWait)
		case ev, ok := <-ws.EventChannel:
			if !ok {
				return nil, closedError(ws)
			}
			if ev.EventType() == model.WebsocketEventHello {
				return early, nil
			}
			early = append(early, ev)
		case resp, ok := <-ws.ResponseChannel:
			if !ok {
				return nil, closedError(ws)
			}
			if resp.Status != model.StatusOk {
				return nil, fmt.Errorf("the server refused the socket: %v", resp.Error)
			}
		}
	}
}

func closedError(ws *model.WebSocketClient) error {
	if ws.ListenError != nil {
		return fmt.Errorf("the socket closed: %w", ws.ListenError)
	}
	return errors.New("the socket closed")
}

// closeSocket closes the client and waits for its reader to end. Events
// still buffered are dropped: the next catch-up fetches them.
func closeSocket(ws *model.WebSocketClient) {
	ws.Close()
	for range ws.EventChannel {
	}
	for range ws.ResponseChannel {
	}
}
