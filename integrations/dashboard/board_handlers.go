package dashboard

import (
	"errors"
	"net/http"
	"time"

	"github.com/gigabot/gigabot/integrations/httpapi"
)

// board answers GET /api/v1/board: the board as JSON.
func (d *Dashboard) board(w http.ResponseWriter, r *http.Request) {
	s, err := d.current(r.Context())
	if err != nil {
		d.log.Error("dashboard: board", "err", err)
		w.Header().Set("Retry-After", "30")
		httpapi.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"error": textsFor(d.lang)["unavailable_json"]})
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(s.json)
}

// writeTimeout bounds one write to a live page.
const writeTimeout = 30 * time.Second

// liveRetryAfter is what a page over the live pages' cap is told, in
// seconds: app.js tries the live feed again after a minute, and polls
// /api/v1/board meanwhile.
const liveRetryAfter = "60"

// live answers GET /api/v1/live: a Server-Sent Events stream that sends
// the board on connect and whenever the hub finds it changed, with a
// heartbeat comment in between.
func (d *Dashboard) live(w http.ResponseWriter, r *http.Request) {
	sub, first, err := d.hub.subscribe()
	switch {
	case errors.Is(err, errHubFull):
		d.log.Debug("dashboard: a live page refused: the cap is reached", "max_live_pages", d.hub.max)
		w.Header().Set("Retry-After", liveRetryAfter)
		httpapi.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"error": textsFor(d.lang)["too_many_pages"]})
		return
	case err != nil:
		w.Header().Set("Retry-After", "30")
		httpapi.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"error": textsFor(d.lang)["unavailable_json"]})
		return
	}
	defer d.hub.unsubscribe(sub)
	rc := http.NewResponseController(w)
	// Each write gets its own deadline: the stream outlives any server
	// WriteTimeout meant for ordinary answers, but a stalled phone or a
	// half-open connection must not hold its goroutine (or the server's
	// shutdown) for the minutes the kernel takes to give up. Deadlines are
	// the network's real time, not the campaign's clock.
	send := func(b []byte) error {
		_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	// Tells nginx-like reverse proxies not to buffer the stream.
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// A page that loses the stream reconnects after 5 s.
	if send([]byte("retry: 5000\n\n")) != nil {
		return
	}
	if first != nil {
		if send(first.frame) != nil {
			return
		}
	} else {
		d.Poke()
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case <-d.hub.stopped:
			return
		case frame := <-sub.ch:
			if send(frame) != nil {
				return
			}
		}
	}
}
