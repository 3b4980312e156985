package mattermost

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/gigabot/gigabot/bot"
)

func TestMarkdown(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"bold", "*Classement*", "**Classement**"},
		{"several", "a *b* c *d e*", "a **b** c **d e**"},
		{"bold ending with a colon", "💡 *Astuce :* trier", "💡 **Astuce :** trier"},
		{"arithmetic", "2 * 3 * 4", "2 * 3 * 4"},
		{"inside a word", "a*b*c", "a*b*c"},
		{"code span left alone", "`*code*` et *x*", "`*code*` et **x**"},
		{"italics untouched", "_(Hypothèses)_", "_(Hypothèses)_"},
		{"no pair across lines", "*a\nb*", "*a\nb*"},
		{"already double", "**a**", "**a**"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := markdown(tt.in); got != tt.want {
				t.Errorf("markdown(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPostRenders(t *testing.T) {
	defi := bot.Message{Kind: bot.KindDefi, Day: 3, Days: 15, Reaction: "white_check_mark",
		Text: "🗂️ *Défi du jour 3/15 : Trier*\n1. Ouvrir\n💡 *Astuce :* commencer petit"}
	tests := []struct {
		name       string
		noPublic   bool
		channel    string // "" posts in equipe-routes
		msg        bot.Message
		message    string
		attachment string // its text; "" for none
		color      string
		button     bool
	}{
		{name: "reply", msg: bot.Message{Kind: bot.KindReply, Text: "*Gigabot : les commandes*\n• `defi` : le défi"},
			message: "**Gigabot : les commandes**\n• `defi` : le défi"},
		{name: "défi card with its button", msg: defi, message: "🗂️ **Défi du jour 3/15 : Trier**",
			attachment: "1. Ouvrir\n💡 **Astuce :** commencer petit", color: "#2e7d32", button: true},
		{name: "défi card, no public URL: no button", noPublic: true, msg: defi,
			message: "🗂️ **Défi du jour 3/15 : Trier**", attachment: "1. Ouvrir\n💡 **Astuce :** commencer petit", color: "#2e7d32"},
		{name: "défi card in a direct message: no button (a click would count for nothing)", channel: "@alice", msg: defi,
			message: "🗂️ **Défi du jour 3/15 : Trier**", attachment: "1. Ouvrir\n💡 **Astuce :** commencer petit", color: "#2e7d32"},
		{name: "recap", msg: bot.Message{Kind: bot.KindRecap, Day: 3, Text: "📊 *Bilan du jour 3/15*\nAujourd’hui…"},
			message: "📊 **Bilan du jour 3/15**", attachment: "Aujourd’hui…", color: "#1565c0"},
		{name: "milestone", msg: bot.Message{Kind: bot.KindMilestone, Text: "🎉 *Palier franchi*\n1 To"},
			message: "🎉 **Palier franchi**", attachment: "1 To", color: "#8e24aa"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, newFake(t), func(c *Config, _ *Options) {
				if tt.noPublic {
					c.PublicURL = ""
				}
			})
			channel := cmp.Or(tt.channel, "equipe-routes")
			id, err := e.a.Post(context.Background(), channel, tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			e.mm.mu.Lock()
			ch := e.mm.channels[e.mm.posts[id].ChannelId]
			e.mm.mu.Unlock()
			posts := e.mm.botPosts(ch.Id)
			if len(posts) != 1 || posts[0].Id != id {
				t.Fatalf("posts = %v, want one with id %s", posts, id)
			}
			p := posts[0]
			if p.Message != tt.message {
				t.Errorf("message = %q, want %q", p.Message, tt.message)
			}
			atts := p.Attachments()
			if tt.attachment == "" {
				if len(atts) != 0 {
					t.Errorf("attachments = %v, want none", atts)
				}
				return
			}
			if len(atts) != 1 || atts[0].Text != tt.attachment || atts[0].Color != tt.color || atts[0].Fallback != tt.msg.Text {
				t.Fatalf("attachment = %+v, want text %q, color %s, the whole text as fallback", atts[0], tt.attachment, tt.color)
			}
			if got := len(atts[0].Actions) == 1; got != tt.button {
				t.Fatalf("button = %v, want %v", atts[0].Actions, tt.button)
			}
			if !tt.button {
				return
			}
			act := atts[0].Actions[0]
			if act.Name != "J’ai relevé le défi ✅" || act.Integration.URL != e.web.URL+ActionPath {
				t.Errorf("button = %q to %s", act.Name, act.Integration.URL)
			}
			req := &model.PostActionIntegrationRequest{UserId: "u", PostId: id, ChannelId: ch.Id, Context: act.Integration.Context}
			if !e.a.verifyAction(req) || act.Integration.Context["reaction"] != "white_check_mark" {
				t.Errorf("the button's context does not verify: %v", act.Integration.Context)
			}
		})
	}
}

func TestPostFaults(t *testing.T) {
	reply := bot.Message{Kind: bot.KindReply, Text: "Classement"}
	tests := []struct {
		name      string
		script    []int
		forget    bool
		readFault int
		retries   int
		wantErr   bool
		waits     []time.Duration
		// again sends the same post a second time, after the first.
		again bool
		// posts < 0: the server has no post in the end (else exactly one).
		posts int
	}{
		{name: "503, then created", script: []int{503}, waits: []time.Duration{375 * time.Millisecond}},
		{name: "429 waits as long as asked", script: []int{429}, waits: []time.Duration{3 * time.Second}},
		{name: "answer lost: the server deduplicates the retry", script: []int{lost}, waits: []time.Duration{375 * time.Millisecond}},
		{name: "answer lost, the server forgot: the bot finds its post", script: []int{lost}, forget: true,
			waits: []time.Duration{375 * time.Millisecond}},
		{name: "400 is not retried", script: []int{400}, wantErr: true, posts: -1},
		{name: "outage longer than the retries: an error, then posted once", script: []int{503, 502, 503}, retries: 3,
			wantErr: true, again: true, waits: []time.Duration{375 * time.Millisecond, 750 * time.Millisecond}},
		{name: "unsure to the end: the next sending finds the post", script: []int{lost, 503}, forget: true, readFault: 1,
			retries: 2, wantErr: true, again: true, waits: []time.Duration{375 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, newFake(t), func(_ *Config, o *Options) { o.Retries = tt.retries })
			ch := e.mm.channel("equipe-routes")
			e.mm.mu.Lock()
			e.mm.postScript, e.mm.forgetPending, e.mm.readFaults = tt.script, tt.forget, tt.readFault
			e.mm.mu.Unlock()
			ctx := context.Background()
			id, err := e.a.Post(ctx, "equipe-routes", reply)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Post() error = %v, want error: %v", err, tt.wantErr)
			}
			if !slices.Equal(e.sleep.slept(), tt.waits) {
				t.Errorf("waits = %v, want %v", e.sleep.slept(), tt.waits)
			}
			if tt.again {
				if id, err = e.a.Post(ctx, "equipe-routes", reply); err != nil {
					t.Fatalf("Post() again: %v", err)
				}
			}
			posts := e.mm.botPosts(ch.Id)
			if tt.posts < 0 {
				if len(posts) != 0 {
					t.Errorf("%d posts, want none", len(posts))
				}
				return
			}
			if len(posts) != 1 {
				t.Fatalf("%d posts, want exactly one", len(posts))
			}
			if !tt.wantErr || tt.again {
				if posts[0].Id != id {
					t.Errorf("Post() = %s, want the post's id %s", id, posts[0].Id)
				}
			}
		})
	}
}

func TestPostAddresses(t *testing.T) {
	e := newEnv(t, newFake(t), nil)
	ctx := context.Background()
	msg := bot.Message{Kind: bot.KindReply, Text: "bonjour"}
	root := e.mm.say("alice", e.mm.channel("town-square").Id, "hello", "")
	tests := []struct {
		name, channel, wantChannel, wantRoot string
	}{
		{"campaign channel", "equipe-routes", e.mm.channel("equipe-routes").Id, ""},
		{"channel joined at start-up", "equipe-colleges", e.mm.channel("equipe-colleges").Id, ""},
		{"another channel of the bot's", "town-square", e.mm.channel("town-square").Id, ""},
		{"a thread", "town-square/" + root.Id, e.mm.channel("town-square").Id, root.Id},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := e.a.Post(ctx, tt.channel, msg)
			if err != nil {
				t.Fatal(err)
			}
			e.mm.mu.Lock()
			p := e.mm.posts[id]
			e.mm.mu.Unlock()
			if p.ChannelId != tt.wantChannel || p.RootId != tt.wantRoot {
				t.Errorf("posted in %s (root %q), want %s (root %q)", p.ChannelId, p.RootId, tt.wantChannel, tt.wantRoot)
			}
		})
	}
	t.Run("direct message", func(t *testing.T) {
		id, err := e.a.Post(ctx, "@Gaby", msg)
		if err != nil {
			t.Fatal(err)
		}
		e.mm.mu.Lock()
		ch := e.mm.channels[e.mm.posts[id].ChannelId]
		members := e.mm.members[ch.Id]
		e.mm.mu.Unlock()
		if ch.Type != model.ChannelTypeDirect || !members[e.mm.user("gaby").Id] {
			t.Errorf("posted in %+v, want the direct message with gaby", ch)
		}
	})
	t.Run("unknown channel", func(t *testing.T) {
		if _, err := e.a.Post(ctx, "nulle-part", msg); err == nil {
			t.Error("Post() to an unknown channel succeeded")
		}
	})
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		name     string
		n        int
		random   float64
		want     time.Duration
		base     time.Duration
		maxDelay time.Duration
	}{
		{"first, no jitter", 1, 0, 500 * time.Millisecond, time.Second, time.Minute},
		{"first, most jitter", 1, 0.999, 999500 * time.Microsecond, time.Second, time.Minute},
		{"doubles", 3, 0, 2 * time.Second, time.Second, time.Minute},
		{"capped", 30, 0, 30 * time.Second, time.Second, time.Minute},
		{"capped, most jitter", 30, 0.999, 59970 * time.Millisecond, time.Second, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &Adapter{random: func() float64 { return tt.random }}
			if got := a.backoff(tt.n, tt.base, tt.maxDelay); got != tt.want {
				t.Errorf("backoff(%d) = %v, want %v", tt.n, got, tt.want)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
	}{
		{"none", http.Header{}, 0},
		{"Retry-After", http.Header{"Retry-After": {"4"}}, 4 * time.Second},
		{"Mattermost's rate limiter", http.Header{"X-Ratelimit-Reset": {"2"}}, 2 * time.Second},
		{"capped", http.Header{"Retry-After": {"3600"}}, restMaxWait},
		{"a date is not understood", http.Header{"Retry-After": {"Wed, 21 Oct 2015 07:28:00 GMT"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryAfter(tt.header); got != tt.want {
				t.Errorf("retryAfter() = %v, want %v", got, tt.want)
			}
		})
	}
}
