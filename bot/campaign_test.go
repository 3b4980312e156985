package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/scoring"
)

// mustDay returns hour:00 local time on campaign day n of bottest's campaign.
func mustDay(t *testing.T, n, hour int) time.Time {
	t.Helper()
	cfg, err := challenges.Parse([]byte(bottest.ConfigYAML))
	if err != nil {
		t.Fatal(err)
	}
	cal, err := challenges.NewCalendar(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cal.At(n, challenges.ClockTime{Hour: hour})
}

func count(posts []bottest.Post, kind bot.MessageKind) int {
	n := 0
	for _, p := range posts {
		if p.Msg.Kind == kind {
			n++
		}
	}
	return n
}

func TestCatchupPostsEachPostOnce(t *testing.T) {
	env := bottest.New(t, mustDay(t, 1, 8))
	ctx := context.Background()
	steps := []struct {
		name               string
		at                 time.Time
		defis, recaps, pod int
	}{
		{"before the défi time", env.At(1, 8, 59), 0, 0, 0},
		{"at the défi time", env.At(1, 9, 0), 3, 0, 0},
		{"again later", env.At(1, 12, 0), 3, 0, 0},
		{"at the recap time", env.At(1, 17, 0), 3, 3, 0},
		{"on day 6, after the DST change", env.At(6, 9, 0), 6, 3, 0},
		{"last recap brings the podium", env.At(15, 17, 0), 9, 6, 3},
		{"a week later", env.At(15, 17, 0).AddDate(0, 0, 7), 9, 6, 3},
	}
	for _, s := range steps {
		env.Set(s.at)
		for range 2 { // a second call changes nothing
			if err := env.Bot.Catchup(ctx); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		posts := env.Chat.Posts()
		if got := [3]int{count(posts, bot.KindDefi), count(posts, bot.KindRecap), count(posts, bot.KindPodium)}; got != [3]int{s.defis, s.recaps, s.pod} {
			t.Errorf("%s: défis, recaps, podiums = %v, want %v", s.name, got, [3]int{s.defis, s.recaps, s.pod})
		}
	}
	for _, p := range env.Chat.Of(bot.KindDefi) {
		if p.Msg.Day == 6 && !strings.Contains(p.Msg.Text, "Défi du jour 6/15") {
			t.Errorf("day 6 post: %q", p.Msg.Text)
		}
	}
}

func TestRestartNeverPostsTwice(t *testing.T) {
	env := bottest.New(t, mustDay(t, 2, 9))
	ctx := context.Background()
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	// The process dies right after posting and comes back.
	restarted := env.Restart(t, "replica-1-after-restart")
	if err := restarted.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(env.Chat.Of(bot.KindDefi)); n != 3 {
		t.Fatalf("%d défi posts after a restart, want 3", n)
	}
}

func TestDownAtPostTimePostsWhenBackSameDay(t *testing.T) {
	env := bottest.New(t, mustDay(t, 4, 14)) // down from 9:00 to 14:00 on day 4
	if err := env.Bot.Catchup(context.Background()); err != nil {
		t.Fatal(err)
	}
	defis := env.Chat.Of(bot.KindDefi)
	if len(defis) != 3 {
		t.Fatalf("want today's défi in 3 channels, got %d", len(defis))
	}
	for _, d := range defis {
		if d.Msg.Day != 4 {
			t.Errorf("posted day %d's défi; only today's is due", d.Msg.Day)
		}
	}
	if n := len(env.Chat.Of(bot.KindRecap)); n != 0 {
		t.Errorf("%d recaps before their time", n)
	}
}

func TestFailedPostIsRetriedNotDoubled(t *testing.T) {
	env := bottest.New(t, mustDay(t, 1, 9))
	ctx := context.Background()
	env.Chat.Fail = func(channel string, _ bot.Message) error {
		if channel == "equipe-colleges" {
			return errors.New("platform down")
		}
		return nil
	}
	if err := env.Bot.Catchup(ctx); err == nil || !strings.Contains(err.Error(), "platform down") {
		t.Fatalf("want the failure reported, got %v", err)
	}
	if n := len(env.Chat.Of(bot.KindDefi)); n != 2 {
		t.Fatalf("%d défis posted, want 2 (one channel failed)", n)
	}
	env.Chat.Fail = nil
	env.Clock.Advance(time.Minute)
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, p := range env.Chat.Of(bot.KindDefi) {
		got[p.Channel]++
	}
	for _, ch := range []string{"equipe-routes", "equipe-colleges", "equipe-culture"} {
		if got[ch] != 1 {
			t.Errorf("%s got %d défi posts, want 1", ch, got[ch])
		}
	}
}

func TestReactionsCountParticipation(t *testing.T) {
	env := bottest.New(t, mustDay(t, 1, 9))
	ctx := context.Background()
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	defi := env.DefiPost(t, "equipe-routes", 1)
	reply := env.Say(t, "alice", "equipe-routes", "aide")[0].ID
	steps := []struct {
		name       string
		user, post string
		emoji      string
		add        bool
		want       int64
	}{
		{"member reacts", "alice", defi, "white_check_mark", true, 1},
		{"same reaction delivered twice", "alice", defi, "white_check_mark", true, 1},
		{"unicode spelling", "bob", defi, "✅", true, 2},
		{"another emoji", "carol", defi, "tada", true, 2},
		{"on a reply, not a défi", "carol", reply, "white_check_mark", true, 2},
		{"on an unknown post", "carol", "nope", "white_check_mark", true, 2},
		{"outsider", "zoe", defi, "white_check_mark", true, 2},
		{"member of another team on our post counts for hers", "emma", defi, "white_check_mark", true, 2},
		{"removed", "alice", defi, "white_check_mark", false, 1},
		{"removed twice", "alice", defi, "white_check_mark", false, 1},
	}
	for _, s := range steps {
		env.React(t, s.user, s.emoji, s.post, s.add)
		st, err := env.Bot.Standings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		routes, _ := st.Find("routes", scoring.ByPoints)
		if routes.Participations != s.want {
			t.Errorf("%s: routes has %d défis done, want %d", s.name, routes.Participations, s.want)
		}
	}
	st, _ := env.Bot.Standings(ctx)
	if c, _ := st.Find("colleges", scoring.ByPoints); c.Participations != 1 {
		t.Errorf("colleges: %d, want emma's 1", c.Participations)
	}
	if r, _ := st.Find("routes", scoring.ByPoints); r.Participation != 0.25 {
		t.Errorf("routes participation %v, want 1 of 4 agents × 1 day", r.Participation)
	}
	posts := env.Say(t, "bob", "equipe-routes", "moi")
	if !strings.Contains(posts[0].Msg.Text, "1 défi(s) relevé(s) sur 1 publiés (jours 1)") {
		t.Errorf("moi: %q", posts[0].Msg.Text)
	}
}

func TestMilestonesAnnouncedOnceAcrossReplicas(t *testing.T) {
	env := bottest.New(t, mustDay(t, 2, 11))
	ctx := context.Background()
	replicas := []*bot.Bot{env.Bot, env.Restart(t, "replica-2")}
	for _, r := range replicas {
		bottest.Follow(t, r)
	}
	start := env.Calendar.Start()
	for _, team := range []string{"routes", "colleges", "culture"} {
		if _, err := env.Bot.RecordScan(ctx, scoring.Scan{ID: "base-" + team, Team: team, Source: "share", Root: "/r",
			ScannedAt: start.Add(-time.Hour), Bytes: 2_000_000_000_000}); err != nil {
			t.Fatal(err)
		}
	}
	// 60 reports from two replicas at once, each freeing 10 Go more: 600 Go in all.
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			team := []string{"routes", "colleges", "culture"}[i%3]
			freed := int64(i/3+1) * 10_000_000_000
			_, err := replicas[i%2].RecordScan(ctx, scoring.Scan{ID: fmt.Sprint("s", i), Team: team, Source: "share", Root: "/r",
				ScannedAt: start.Add(time.Duration(i+1) * time.Minute), Bytes: 2_000_000_000_000 - freed})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	total, err := env.Store.TotalFreed(ctx)
	if err != nil || total != 600_000_000_000 {
		t.Fatalf("total %d (%v), want 600 Go", total, err)
	}
	// The followers of both replicas announce what they see: the highest
	// milestone reached each time, never one twice in a channel, and in the
	// end the highest reached, 500 Go, in every channel.
	top := func(ch string) string { return ch + " 🎉 *Palier franchi\u00a0: 500\u00a0Go libérés\u202f!*" }
	channels := []string{"equipe-routes", "equipe-colleges", "equipe-culture"}
	got := func() map[string]int {
		n := map[string]int{}
		for _, p := range env.Chat.Of(bot.KindMilestone) {
			n[p.Channel+" "+strings.SplitN(p.Msg.Text, "\n", 2)[0]]++
		}
		return n
	}
	bottest.Eventually(t, "500 Go announced in every channel", func() bool {
		n := got()
		return n[top(channels[0])] > 0 && n[top(channels[1])] > 0 && n[top(channels[2])] > 0
	})
	if err := replicas[1].Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	for key, n := range got() {
		if n != 1 {
			t.Errorf("%s announced %d times, want once", key, n)
		}
	}
	if n := len(env.Chat.Of(bot.KindMilestone)); n > 9 {
		t.Errorf("%d milestone posts, want at most 9 (3 thresholds × 3 channels)", n)
	}
}

func TestRecapAndPodium(t *testing.T) {
	env := bottest.New(t, mustDay(t, 1, 9))
	ctx := context.Background()
	start := env.Calendar.Start()
	scan := func(id, team string, at time.Time, bytes int64) {
		t.Helper()
		if _, err := env.Bot.RecordScan(ctx, scoring.Scan{ID: id, Team: team, Source: "share", Root: "/r", ScannedAt: at, Bytes: bytes}); err != nil {
			t.Fatal(err)
		}
	}
	scan("b1", "routes", start.Add(-time.Hour), 1_000_000_000_000)
	scan("b2", "culture", start.Add(-time.Hour), 100_000_000_000)
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	scan("d1", "routes", env.At(1, 16, 0), 990_000_000_000) // 10 Go
	env.React(t, "gaby", "white_check_mark", env.DefiPost(t, "equipe-culture", 1), true)
	env.Set(env.At(1, 17, 0))
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	recap := env.Chat.In("equipe-culture")
	text := recap[len(recap)-1].Msg.Text
	routesRecap := env.Chat.In("equipe-routes")
	if advice := plain(routesRecap[len(routesRecap)-1].Msg.Text); !strings.Contains(advice, "Il vous reste 0 o de doublons") {
		t.Errorf("routes' recap lacks the advice of its latest scan:\n%s", advice)
	}
	for _, want := range []string{"Bilan du jour 1/15", "libéré 10\u00a0Go", "1 défi(s) relevé(s) aujourd’hui", "Demain\u00a0: « Videz"} {
		if !strings.Contains(text, strings.ReplaceAll(want, "« ", "«\u00a0")) {
			t.Errorf("culture's recap lacks %q:\n%s", want, text)
		}
	}
	// Day 2: culture frees 20 Go; "today" counts only day 2.
	env.Set(env.At(2, 16, 0))
	scan("d2", "culture", env.At(2, 16, 0), 80_000_000_000)
	env.Set(env.At(2, 17, 0))
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	recap = env.Chat.In("equipe-routes")
	if text := recap[len(recap)-1].Msg.Text; !strings.Contains(text, "libéré 20\u00a0Go\u202f; depuis le début\u00a0: 30\u00a0Go") ||
		!strings.Contains(text, "0\u00a0o libérés aujourd’hui") {
		t.Errorf("day 2 recap for routes:\n%s", text)
	}
	// Friday's recap (day 5) announces Tuesday: Monday 29 March is Easter Monday.
	env.Set(env.At(5, 17, 0))
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	recap = env.Chat.In("equipe-routes")
	if text := plain(recap[len(recap)-1].Msg.Text); !strings.Contains(text, "Prochain défi le mardi 30 mars 2027 : « Traquez") {
		t.Errorf("Friday's recap:\n%s", text)
	}
	env.Set(env.At(15, 17, 0))
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	podium := env.Chat.Of(bot.KindPodium)
	if len(podium) != 3 {
		t.Fatalf("%d podiums, want one per channel", len(podium))
	}
	for _, want := range []string{"c’est fini", "30\u00a0Go", "195\u202f000 pages PDF", "39 armoires", "🥇 1. Culture et patrimoine", "Umweltbundesamt"} {
		if !strings.Contains(podium[0].Msg.Text, want) {
			t.Errorf("podium lacks %q:\n%s", want, podium[0].Msg.Text)
		}
	}
}

func TestHandleBadEventsDoNotCrash(t *testing.T) {
	env := bottest.New(t, mustDay(t, 1, 9))
	ctx := context.Background()
	for _, ev := range []bot.Event{
		{Kind: bot.EventKind(99), User: "alice"},
		{Kind: bot.ReactionAdded},
		{Kind: bot.MessageReceived, User: "alice", Text: strings.Repeat("é", 10000)},
		{Kind: bot.MessageReceived, User: "alice", Text: "correction routes 1e400 x"},
		{Kind: bot.MessageReceived, User: "alice", Text: "\x00\xff"},
	} {
		_ = env.Bot.Handle(ctx, ev)
	}
	f, err := env.Store.Figures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(f) != 0 {
		t.Errorf("bad events changed the scores: %v", f)
	}
	for _, p := range env.Chat.Posts() {
		if n := len([]rune(p.Msg.Text)); n > 300 {
			t.Errorf("the bot echoed a %d-rune answer: %.80q…", n, p.Msg.Text)
		}
	}
}
