package slack

import (
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/challenges"
	"github.com/gigabot/gigabot/scoring"
)

// TestEndToEnd runs the real bot core on the adapter, against the fake
// Slack: the day's défi goes out as cards, reactions and clicks delivered
// by signed requests count in the store, a retry counts once, and the
// answers come back to Slack.
func TestEndToEnd(t *testing.T) {
	f := newFixture(t)
	cal, err := challenges.NewCalendar(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	clock := clockwork.NewFakeClockAt(cal.At(1, challenges.ClockTime{Hour: 9, Minute: 5}))
	b, err := bot.New(t.Context(), bot.Options{Config: f.cfg, Calendar: cal, Store: f.store, Chat: f.a, Clock: clock, Owner: "replica-1"})
	if err != nil {
		t.Fatal(err)
	}
	f.a.Mount(f.mux, b)

	// 09:05: the défi goes out to the channels that exist.
	err = b.Catchup(t.Context())
	if err == nil || !strings.Contains(err.Error(), "equipe-culture") {
		t.Errorf("Catchup = %v, want the missing equipe-culture reported", err)
	}
	cards := map[string]fakePost{}
	for _, p := range f.slack.Posts() {
		cards[p.Channel] = p
		if got := strings.Join(shapeJSON(p.Blocks), "\n"); !strings.Contains(got, "button: J’ai relevé le défi ✅ = white_check_mark") {
			t.Errorf("card in %s has no button:\n%s", p.Channel, got)
		}
	}
	routes, colleges := cards["C0ROUTES1"], cards["C0COLLEGE"]
	if len(cards) != 2 || routes.TS == "" || colleges.TS == "" {
		t.Fatalf("défi cards in %v, want equipe-routes and equipe-colleges", cards)
	}

	participations := func() map[string]int64 {
		t.Helper()
		st, err := b.Standings(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int64{}
		for _, id := range []string{"routes", "colleges"} {
			s, _ := st.Find(id, scoring.ByPoints)
			out[id] = s.Participations
		}
		return out
	}
	steps := []struct {
		name           string
		path, body     string
		header         []string
		routes, colleg int64
		// says is what the clicker alone reads, for a click.
		says string
	}{
		{name: "alice reacts on her team's card", path: "/slack/events",
			body:   eventJSON("Ev1", reactionJSON("reaction_added", "U0ALICE01", "white_check_mark", "C0ROUTES1", routes.TS)),
			routes: 1},
		{name: "Slack delivers it again", path: "/slack/events",
			body:   eventJSON("Ev1", reactionJSON("reaction_added", "U0ALICE01", "white_check_mark", "C0ROUTES1", routes.TS)),
			header: []string{"X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout"},
			routes: 1},
		{name: "bob (by e-mail) reacts with a skin tone", path: "/slack/events",
			body:   eventJSON("Ev2", reactionJSON("reaction_added", "U0BOB0001", "white_check_mark::skin-tone-3", "C0ROUTES1", routes.TS)),
			routes: 2},
		{name: "alice takes her reaction back", path: "/slack/events",
			body:   eventJSON("Ev3", reactionJSON("reaction_removed", "U0ALICE01", "white_check_mark", "C0ROUTES1", routes.TS)),
			routes: 1},
		{name: "another emoji counts nothing", path: "/slack/events",
			body:   eventJSON("Ev4", reactionJSON("reaction_added", "U0ALICE01", "tada", "C0ROUTES1", routes.TS)),
			routes: 1},
		{name: "someone outside the campaign counts nothing", path: "/slack/events",
			body:   eventJSON("Ev5", reactionJSON("reaction_added", "U0MALLORY", "white_check_mark", "C0ROUTES1", routes.TS)),
			routes: 1},
		{name: "farid clicks the button", path: "/slack/interactions",
			body:   clickPayload("U0FARID01", "C0COLLEGE", colleges.TS, "white_check_mark"),
			routes: 1, colleg: 1, says: "C’est noté\u00a0: défi relevé ✅"},
		{name: "farid clicks again", path: "/slack/interactions",
			body:   clickPayload("U0FARID01", "C0COLLEGE", colleges.TS, "white_check_mark"),
			routes: 1, colleg: 1, says: "C’est déjà noté\u00a0: vous aviez relevé ce défi ✅"},
		{name: "someone outside the campaign clicks", path: "/slack/interactions",
			body:   clickPayload("U0MALLORY", "C0COLLEGE", colleges.TS, "white_check_mark"),
			routes: 1, colleg: 1, says: "Vous ne faites partie d’aucune équipe de la campagne\u00a0: ce clic ne compte pas."},
		{name: "emma reacts on the card after clicking nothing", path: "/slack/events",
			body:   eventJSON("Ev6", reactionJSON("reaction_added", "U0EMMA001", "white_check_mark", "C0COLLEGE", colleges.TS)),
			routes: 1, colleg: 2},
	}
	for _, s := range steps {
		before := len(f.slack.Posts())
		resp := f.send(t, s.path, s.body, s.header...)
		if resp.Code != 200 {
			t.Fatalf("%s: status %d (%s)", s.name, resp.Code, resp.Body)
		}
		f.a.work.Wait()
		if s.says != "" {
			if posts := f.slack.Posts()[before:]; len(posts) != 1 || posts[0].Method != "chat.postEphemeral" || posts[0].Text != s.says {
				t.Fatalf("%s: the clicker was told %+v, want %q, privately", s.name, posts, s.says)
			}
		}
		got := participations()
		if got["routes"] != s.routes || got["colleges"] != s.colleg {
			t.Fatalf("%s: participations %v, want routes %d, colleges %d", s.name, got, s.routes, s.colleg)
		}
	}

	// A mention is answered in the channel, a slash command privately.
	before := len(f.slack.Posts())
	f.send(t, "/slack/events", eventJSON("Ev7", mentionJSON("U0ALICE01", "C0ROUTES1", "<@UBOT> classement participation")))
	f.a.work.Wait()
	posts := f.slack.Posts()[before:]
	if len(posts) != 1 || posts[0].Channel != "C0ROUTES1" || !strings.Contains(posts[0].Text, "Direction des collèges") {
		t.Fatalf("answer to the mention: %+v", posts)
	}
	f.send(t, "/slack/commands", slashForm("U0FARID01", "C0COLLEGE", "moi", f.slack.srv.URL+"/hooks/moi"))
	f.a.work.Wait()
	hooks := f.slack.Hooks()
	if len(hooks) != 1 || hooks[0].ResponseType != "ephemeral" || !strings.Contains(hooks[0].Text, "Farid") || !strings.Contains(hooks[0].Text, "1 défi") {
		t.Fatalf("answer to /giga moi: %+v", hooks)
	}
	if len(f.slack.Posts()) != before+1 {
		t.Fatalf("the slash command's answer went to the channel")
	}

	// 17:05: the recap, laid out in sections.
	clock.Advance(8 * time.Hour)
	b.Catchup(t.Context())
	var recap []string
	for _, p := range f.slack.Posts() {
		if p.Channel == "C0ROUTES1" && strings.Contains(p.Text, "Bilan") {
			recap = shapeJSON(p.Blocks)
		}
	}
	if len(recap) < 3 || recap[0] != "header: 📊 Bilan du jour 1/15" || !strings.Contains(strings.Join(recap, "\n"), "section: 🏆 *Classement aux points*") {
		t.Fatalf("recap blocks:\n%s", strings.Join(recap, "\n"))
	}
}
