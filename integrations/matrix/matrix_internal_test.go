package matrix

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"github.com/gigabot/gigabot/bot"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name       string
		msg        bot.Message
		body, html string
		msgtype    event.MessageType
		room       bool
	}{
		{"bold, italic and code", bot.Message{Kind: bot.KindRecap, Text: "*Bilan* du _jour_ : tapez `aide`"},
			"Bilan du jour : tapez `aide`", "<strong>Bilan</strong> du <em>jour</em> : tapez <code>aide</code>", event.MsgText, false},
		{"what a user wrote stays text", bot.Message{Kind: bot.KindReply, Text: `Je n’ai pas compris « <b onclick="x">&amp; *gras* `},
			`Je n’ai pas compris « <b onclick="x">&amp; gras `, `Je n’ai pas compris « &lt;b onclick=&#34;x&#34;&gt;&amp;amp; <strong>gras</strong> `, event.MsgNotice, false},
		{"marks inside code are code", bot.Message{Kind: bot.KindReply, Text: "`*a* <b>`"}, "`*a* <b>`", "<code>*a* &lt;b&gt;</code>", event.MsgNotice, false},
		{"an unpaired backtick is text", bot.Message{Kind: bot.KindReply, Text: "a ` b"}, "a ` b", "a ` b", event.MsgNotice, false},
		{"names with underscores are not italics", bot.Message{Kind: bot.KindDefi, Text: "réagissez white_check_mark"},
			"réagissez white_check_mark", "réagissez white_check_mark", event.MsgText, false},
		{"the emoji's name is the emoji", bot.Message{Kind: bot.KindDefi, Text: "Réagissez avec :white_check_mark: !"},
			"Réagissez avec ✅ !", "Réagissez avec ✅ !", event.MsgText, false},
		{"lines", bot.Message{Kind: bot.KindDefi, Text: "1. a\n2. b"}, "1. a\n2. b", "1. a<br>2. b", event.MsgText, false},
		{"the DGS may ping the room", bot.Message{Kind: bot.KindMobilisation, Text: "@room allez"}, "@room allez", "@room allez", event.MsgText, true},
		{"a reply never does", bot.Message{Kind: bot.KindReply, Text: "@room allez"}, "@room allez", "@room allez", event.MsgNotice, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := render(tt.msg)
			if c.Body != tt.body || c.FormattedBody != tt.html || c.Format != event.FormatHTML || c.MsgType != tt.msgtype {
				t.Errorf("render = %s %q / %q, want %s %q / %q", c.MsgType, c.Body, c.FormattedBody, tt.msgtype, tt.body, tt.html)
			}
			if c.Mentions == nil || c.Mentions.Room != tt.room || len(c.Mentions.UserIDs) > 0 {
				t.Errorf("m.mentions = %+v, want set, room %v, nobody named", c.Mentions, tt.room)
			}
		})
	}
}

func testAdapter(t *testing.T) *Adapter {
	t.Helper()
	a, err := New(Config{HomeserverURL: "http://127.0.0.1:1", UserID: "@gigabot:example.fr", AccessToken: "secret"}, Options{
		Roster: bot.Roster{
			Teams: []bot.RosterTeam{{ID: "routes", Channel: "equipe-routes", Members: []string{"alice", "@bob:other.org"}}},
			DGS:   []string{"dg"}, Coordinators: []string{"@coord:example.fr"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	a.botName = "Gigabot Calvados"
	return a
}

func TestAddressed(t *testing.T) {
	a := testAdapter(t)
	tests := []struct {
		name      string
		msg       event.MessageEventContent
		text      string
		mentioned bool
	}{
		{"localpart and colon", event.MessageEventContent{Body: "gigabot: classement"}, "classement", true},
		{"any case, a comma", event.MessageEventContent{Body: "GigaBot, équipe routes"}, "équipe routes", true},
		{"@localpart", event.MessageEventContent{Body: "@gigabot moi"}, "moi", true},
		{"full user id", event.MessageEventContent{Body: "@gigabot:example.fr: aide"}, "aide", true},
		{"display name", event.MessageEventContent{Body: "Gigabot Calvados: defi"}, "defi", true},
		{"the pill's own text", event.MessageEventContent{Body: "Le bot: moi", Format: event.FormatHTML,
			FormattedBody: `<a href="https://matrix.to/#/@gigabot:example.fr">Le bot</a>: moi`}, "moi", true},
		{"m.mentions alone", event.MessageEventContent{Body: "dis-moi le classement", Mentions: &event.Mentions{UserIDs: []id.UserID{"@gigabot:example.fr"}}},
			"dis-moi le classement", true},
		{"a longer word is no mention", event.MessageEventContent{Body: "gigabots: classement"}, "gigabots: classement", false},
		{"someone else", event.MessageEventContent{Body: "alice: classement"}, "alice: classement", false},
		{"another user's pill", event.MessageEventContent{Body: "alice: moi", Format: event.FormatHTML,
			FormattedBody: `<a href="https://matrix.to/#/@alice:example.fr">alice</a>: moi`}, "alice: moi", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, mentioned := a.addressed(&tt.msg)
			if text != tt.text || mentioned != tt.mentioned {
				t.Errorf("addressed(%q) = %q, %v; want %q, %v", tt.msg.Body, text, mentioned, tt.text, tt.mentioned)
			}
		})
	}
}

func TestDirectory(t *testing.T) {
	d := testAdapter(t).dir
	names := map[id.UserID]string{
		"@alice:example.fr": "alice", "@bob:other.org": "@bob:other.org", "@alice:other.org": "@alice:other.org",
		"@dg:example.fr": "dg", "@coord:example.fr": "@coord:example.fr", "@zoe:example.fr": "@zoe:example.fr",
	}
	for u, want := range names {
		if got := d.name(u); got != want {
			t.Errorf("name(%s) = %q, want %q", u, got, want)
		}
	}
	invites := []struct {
		from   id.UserID
		direct bool
		want   bool
	}{
		{"@dg:example.fr", false, true}, {"@coord:example.fr", false, true},
		{"@alice:example.fr", true, true}, {"@alice:example.fr", false, false},
		{"@zoe:example.fr", true, false}, {"@dg:other.org", false, false},
	}
	for _, tt := range invites {
		if got := d.mayInvite(tt.from, tt.direct); got != tt.want {
			t.Errorf("mayInvite(%s, direct %v) = %v, want %v", tt.from, tt.direct, got, tt.want)
		}
	}
}

func TestEmojiName(t *testing.T) {
	for key, want := range map[string]string{"✅": "white_check_mark", "✅\ufe0f": "white_check_mark", "👍": "👍", "white_check_mark": "white_check_mark"} {
		if got := emojiName(key); got != want {
			t.Errorf("emojiName(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no scheme", Config{HomeserverURL: "matrix.example.fr", UserID: "@g:example.fr", AccessToken: "t"}, "MATRIX_HOMESERVER_URL"},
		{"not a user id", Config{HomeserverURL: "https://m.example.fr", UserID: "gigabot", AccessToken: "t"}, "MATRIX_USER_ID"},
		{"no secret", Config{HomeserverURL: "https://m.example.fr", UserID: "@g:example.fr"}, "MATRIX_ACCESS_TOKEN or MATRIX_PASSWORD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cfg, Options{}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, want an error naming %s", err, tt.want)
			}
		})
	}
	if v := (Config{AccessToken: "syt_secret", Password: "hunter2"}).LogValue().String(); strings.Contains(v, "secret") || strings.Contains(v, "hunter2") {
		t.Errorf("LogValue shows a secret: %s", v)
	}
}

// TestRateLimited: a 429 is sent again after the body's retry_after_ms
// (else Retry-After), with its body, until the server answers.
func TestRateLimited(t *testing.T) {
	tests := []struct {
		name   string
		answer func(w http.ResponseWriter)
		want   time.Duration
	}{
		{"retry_after_ms", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":1500}`)
		}, 1500 * time.Millisecond},
		{"Retry-After", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"errcode":"M_LIMIT_EXCEEDED"}`)
		}, 2 * time.Second},
		{"nothing said", func(w http.ResponseWriter) { w.WriteHeader(http.StatusTooManyRequests) }, minRateWait},
		{"an hour", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":3600000000000000000}`)
		}, maxRateWait},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if string(body) != `{"msgtype":"m.text"}` {
					t.Errorf("attempt %d sent %q", calls.Load()+1, body)
				}
				if calls.Add(1) < 3 {
					tt.answer(w)
					return
				}
				io.WriteString(w, `{"event_id":"$e"}`)
			}))
			defer srv.Close()
			var waits []time.Duration
			rt := &rateLimited{next: http.DefaultTransport, retries: 5, log: testAdapter(t).log,
				sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
			req, _ := http.NewRequest(http.MethodPut, srv.URL+"/send/txn", strings.NewReader(`{"msgtype":"m.text"}`))
			resp, err := rt.RoundTrip(req)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("RoundTrip = %v, %v", resp, err)
			}
			resp.Body.Close()
			if len(waits) != 2 || waits[0] != tt.want || waits[1] != tt.want {
				t.Errorf("waits %v, want 2 × %v", waits, tt.want)
			}
		})
	}
	t.Run("gives up after its retries, with the last answer", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTooManyRequests) }))
		defer srv.Close()
		n := 0
		rt := &rateLimited{next: http.DefaultTransport, retries: 3, log: testAdapter(t).log,
			sleep: func(context.Context, time.Duration) error { n++; return nil }}
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		resp, err := rt.RoundTrip(req)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests || n != 2 {
			t.Fatalf("RoundTrip = %v, %v after %d waits; want the 429 after 2", resp, err, n)
		}
		resp.Body.Close()
	})
}

// TestTxnBase: a ledger post and a reply are named the same every time
// they are sent; other posts get fresh ids.
func TestTxnBase(t *testing.T) {
	a := testAdapter(t)
	ctx := context.Background()
	defi := bot.Message{Key: "defi:1:routes"}
	if x, y := a.txnBase(ctx, "!r:x", defi), a.txnBase(ctx, "!r:x", defi); x == "" || x != y {
		t.Errorf("a ledger post is named %q then %q", x, y)
	}
	if x, y := a.txnBase(ctx, "!r:x", defi), a.txnBase(ctx, "!s:x", defi); x == y {
		t.Error("one key in two rooms is one name")
	}
	reply := func() []txnName {
		ctx := withReplyTo(ctx, "$ev")
		return []txnName{a.txnBase(ctx, "!r:x", bot.Message{}), a.txnBase(ctx, "!r:x", bot.Message{})}
	}
	first, again := reply(), reply()
	if first[0] == first[1] || first[0] != again[0] || first[1] != again[1] {
		t.Errorf("replies to one event are named %q, then %q when handled again", first, again)
	}
	if a.txnBase(ctx, "!r:x", bot.Message{}) != "" {
		t.Error("a post of no ledger and no event has a fixed name")
	}
}
