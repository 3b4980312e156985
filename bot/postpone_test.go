package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/scoring"
)

func say(t *testing.T, env *bottest.Env, h bot.Handler, user, channel, text string) string {
	t.Helper()
	before := len(env.Chat.Posts())
	if err := h.Handle(context.Background(), bot.Event{Kind: bot.MessageReceived, User: user, Channel: channel, Text: text}); err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return bottest.Texts(env.Chat.Posts()[before:])
}

// A coordinator postpones today's défi (a strike): every team channel is
// told once, the audit log records it, the défi is posted again on the
// next working day and the days after it move on by one, on both
// replicas and after a restart.
func TestPostpone(t *testing.T) {
	ctx := context.Background()
	env := bottest.New(t, mustDay(t, 2, 9))
	a, b := env.Live(t, "replica-1"), env.Live(t, "replica-2")
	env.Set(env.At(2, 9, 30))
	if err := a.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	defi2 := env.DefiPost(t, "equipe-routes", 2)
	env.React(t, "alice", "white_check_mark", defi2, true)

	if got := say(t, env, a, "alice", "equipe-routes", "reporter"); !strings.Contains(got, "réservée") {
		t.Errorf("an agent postponed: %s", got)
	}
	env.Chat.Reset()
	got := say(t, env, a, "coord", "coord-dm", "reporter grève")
	if !strings.Contains(got, "le défi du jour 2 aura lieu le mercredi 24 mars 2027, annoncé dans 3 canaux") {
		t.Errorf("reply: %s", got)
	}
	if n := len(env.Chat.Of(bot.KindAnnouncement)); n != 3 {
		t.Errorf("%d announcements, want one per team channel:\n%s", n, bottest.Texts(env.Chat.Posts()))
	}
	if !strings.Contains(got, "Le défi du jour 2 est reporté") || !strings.Contains(got, "Motif\u00a0: grève") {
		t.Errorf("announcement: %s", got)
	}
	if got := say(t, env, b, "coord", "coord-dm", "postpone"); !strings.Contains(got, "déjà reporté") {
		t.Errorf("a second postponement on the other replica: %s", got)
	}
	if n := len(env.Chat.Of(bot.KindAnnouncement)); n != 3 {
		t.Errorf("%d announcements after the second command, want 3", n)
	}
	records, err := env.Store.AuditAfter(ctx, "0", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var logged []scoring.DefiPostponed
	for _, r := range records {
		if p, ok := r.Event.(scoring.DefiPostponed); ok {
			logged = append(logged, p)
		}
	}
	if len(logged) != 1 || logged[0].Date != "2027-03-23" || logged[0].Day != 2 || logged[0].By != "coord" || logged[0].Reason != "grève" {
		t.Errorf("audit: %+v, want one postponement of day 2 (23 March) by coord", logged)
	}

	// Both replicas now see the day moved.
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for _, l := range []*bot.Live{a, b} {
		if got := say(t, env, l, "bob", "equipe-routes", "defi"); !strings.Contains(got, "Pas de défi aujourd’hui") {
			t.Errorf("défi asked on the postponed day: %s", got)
		}
	}
	// The recap of the postponed day does not go out.
	env.Set(env.At(2, 17, 30))
	env.Chat.Reset()
	if err := b.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(env.Chat.Of(bot.KindRecap)); n != 0 {
		t.Errorf("%d recaps on the postponed day", n)
	}

	// Next day: défi 2 again, once per channel whichever replica runs.
	env.Set(time.Date(2027, 3, 24, 9, 1, 0, 0, env.Calendar.Location))
	for _, l := range []*bot.Live{b, a, b} {
		if err := l.Catchup(ctx); err != nil {
			t.Fatal(err)
		}
	}
	defis := env.Chat.Of(bot.KindDefi)
	if len(defis) != 3 || defis[0].Msg.Day != 2 {
		t.Fatalf("défis on 24 March: %s", bottest.Texts(defis))
	}
	// alice's ✅ of yesterday counts, once, for day 2.
	env.React(t, "alice", "white_check_mark", env.DefiPost(t, "equipe-routes", 2), true)
	st, err := a.Standings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := st.Find("routes", scoring.ByPoints); s.Participations != 1 {
		t.Errorf("routes: %d défis done, want alice's one", s.Participations)
	}

	// A restarted process keeps the calendar; the last day moved too.
	c := env.Live(t, "replica-3")
	if got := say(t, env, c, "bob", "equipe-routes", "programme"); !strings.Contains(got, "2. mercredi 24 mars 2027") || !strings.Contains(got, "15. mardi 13 avril 2027") {
		t.Errorf("programme after a restart: %s", got)
	}
	// The strike goes on: day 2 moves again, from its new date.
	if got := say(t, env, c, "coord", "coord-dm", "reporter"); !strings.Contains(got, "le défi du jour 2 aura lieu le jeudi 25 mars 2027") {
		t.Errorf("postponing day 2 again on its new date: %s", got)
	}
}

// Outside a campaign day, or once the day's recap is out, there is
// nothing to postpone, and nothing is recorded.
func TestPostponeRefused(t *testing.T) {
	ctx := context.Background()
	env := bottest.New(t, mustDay(t, 1, 9))
	live := env.Live(t, "replica-1")
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"a Saturday", time.Date(2027, 3, 27, 10, 0, 0, 0, env.Calendar.Location), "Pas de défi aujourd’hui"},
		{"after the recap", env.At(1, 17, 5), "la journée est close"},
		{"before the campaign", time.Date(2027, 3, 19, 10, 0, 0, 0, env.Calendar.Location), "Pas de défi aujourd’hui"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env.Set(tt.at)
			if got := say(t, env, live, "coord", "coord-dm", "reporter"); !strings.Contains(got, tt.want) {
				t.Errorf("reply %s, want %q", got, tt.want)
			}
			ps, err := env.Store.Postponements(ctx)
			if err != nil || len(ps) != 0 {
				t.Errorf("postponements %+v (%v), want none", ps, err)
			}
		})
	}
}

// Refresh builds the bot again only when the postponed days changed: each
// replica calls it every minute.
func TestRefreshKeepsTheBotWhileNothingChanged(t *testing.T) {
	ctx := context.Background()
	env := bottest.New(t, mustDay(t, 2, 9))
	a, b := env.Live(t, "replica-1"), env.Live(t, "replica-2")
	env.Set(env.At(2, 10, 0))
	say(t, env, a, "coord", "coord-dm", "reporter")
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	first := b.Current()
	for range 3 {
		if err := b.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if b.Current() != first {
		t.Error("Refresh built another bot though no day was postponed since")
	}
}
