package bot_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/internal/safebuf"
)

// TestRetention: two replicas tick the retention job every minute; the
// agents' data stays until campaign.retention_days (90 by default) after
// the last recap, then is erased once, the team figures kept.
func TestRetention(t *testing.T) {
	e := bottest.New(t, time.Date(2027, 3, 22, 8, 0, 0, 0, time.UTC))
	ctx := context.Background()
	e.Set(e.At(1, 9, 5))
	if err := e.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"alice", "bob", "emma"} {
		e.React(t, user, "white_check_mark", e.DefiPost(t, "equipe-"+map[string]string{"alice": "routes", "bob": "routes", "emma": "colleges"}[user], 1), true)
	}
	before, err := e.Store.Figures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if before["routes"].Participations != 2 || before["colleges"].Participations != 1 {
		t.Fatalf("figures before = %v, want 2 défis for routes and 1 for colleges", before)
	}
	logs := &safebuf.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	replicas := []*bot.Retention{
		bot.NewRetention(e.Config, e.Calendar, e.Store, e.Clock, log),
		bot.NewRetention(e.Config, e.Calendar, e.Store, e.Clock, log),
	}
	due := replicas[0].Due()
	if want := e.Calendar.End().AddDate(0, 0, 90); !due.Equal(want) {
		t.Fatalf("Due() = %v, want 90 days after the last recap, %v", due, want)
	}
	tick := func() {
		var wg sync.WaitGroup
		for _, r := range replicas {
			wg.Go(func() {
				if err := r.Tick(ctx); err != nil && !strings.Contains(err.Error(), "another erasure") {
					t.Errorf("Tick: %v", err)
				}
			})
		}
		wg.Wait()
	}
	kept := func(user string) bool {
		t.Helper()
		d, err := e.Store.PersonalData(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		return !d.Empty()
	}

	e.Set(due.Add(-time.Minute))
	tick()
	if !kept("alice") || !kept("emma") {
		t.Fatal("personal data erased before it was due")
	}
	for range 3 {
		e.Set(e.Clock.Now().Add(time.Minute))
		tick()
	}
	for _, user := range []string{"alice", "bob", "emma"} {
		if kept(user) {
			t.Errorf("%s's data is still kept after the retention period", user)
		}
	}
	if n := strings.Count(logs.String(), "personal data erased"); n != 1 {
		t.Errorf("the erasure was logged %d times, want once:\n%s", n, logs.String())
	}
	after, err := e.Store.Figures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for team, f := range before {
		if after[team] != f {
			t.Errorf("%s: figures %+v after the erasure, %+v before", team, after[team], f)
		}
	}
}
