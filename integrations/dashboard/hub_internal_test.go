package dashboard

import (
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
)

func TestSlowSubscriberGetsTheLatestBoardOnly(t *testing.T) {
	h := newHub(2)
	slow, _, _ := h.subscribe()
	fast, _, _ := h.subscribe()
	at := time.Date(2027, 4, 1, 14, 0, 0, 0, time.UTC)
	for i, total := range []string{"1 To", "1,1 To", "1,2 To"} {
		s, err := newSnapshot(bot.Board{Total: bot.Figure{Label: total}})
		if err != nil {
			t.Fatal(err)
		}
		// publish never blocks, though slow reads nothing.
		if !h.publish(s, at.Add(time.Duration(i)*time.Second), 0) {
			t.Fatalf("board %q was not published", total)
		}
		if got := string(<-fast.ch); got != string(s.frame) {
			t.Errorf("fast subscriber got %q", got)
		}
		h.heartbeat()
		if got := string(<-fast.ch); got != string(heartbeatFrame) {
			t.Errorf("fast subscriber got %q, want the heartbeat", got)
		}
	}
	if n := len(slow.ch); n != 1 {
		t.Fatalf("slow subscriber holds %d frames, want 1", n)
	}
	latest, _ := h.current(at)
	if got := string(<-slow.ch); got != string(latest.frame) {
		t.Errorf("slow subscriber got %q, want the latest board", got)
	}
}

func TestPresentational(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"root size dropped and described",
			`<svg width="700pt" height="380pt" viewBox="0 0 700 380">`,
			`<svg role="img" aria-label="Volume &lt;libéré&gt;" viewBox="0 0 700 380">`},
		{"styles become attributes",
			`<path d="M0,0" style="fill:none;stroke:#404040;stroke-width:0.5" />`,
			`<path d="M0,0" fill="none" stroke="#404040" stroke-width="0.5" />`},
		{"quoted font family",
			`<text style="font-family:&#39;Liberation Sans&#39;,Arial;font-size:16px">a</text>`,
			`<text font-family="&#39;Liberation Sans&#39;,Arial" font-size="16px">a</text>`},
		{"unknown properties dropped",
			`<g style="filter:url(#x);fill:#fff">`,
			`<g fill="#fff">`},
		{"text that looks like a style is left alone",
			`<text>style="fill:red"</text>`,
			`<text>style="fill:red"</text>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := presentational(tt.in, "Volume <libéré>"); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
