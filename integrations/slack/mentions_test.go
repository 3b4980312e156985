package slack

import (
	"regexp"
	"strings"
	"testing"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot"
	"github.com/gigabot/gigabot/challenges"
)

// slackMention finds what Slack turns into a notification in posted text:
// a special mention, a user or group mention (<!channel>, <!here>,
// <!everyone>, <!subteam^S1>, <@U1>), or an "@" before a name, which
// Slack's automatic parsing of mrkdwn may link.
var slackMention = regexp.MustCompile(`<[!@]|@[\p{L}\p{N}_]`)

// postedTexts returns the notification text and every text of the blocks
// of a post, as Slack received them.
func postedTexts(p fakePost) []string {
	return append([]string{p.Text}, shapeJSON(p.Blocks)...)
}

// An agent cannot make the bot ping a channel on Slack, whatever form the
// mention takes in what the bot repeats; a coordinator's announcement
// keeps the mention the coordinator wrote.
func TestEchoedMentionsStayQuietOnSlack(t *testing.T) {
	f := newFixture(t)
	cal, err := challenges.NewCalendar(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	clock := clockwork.NewFakeClockAt(cal.At(2, challenges.ClockTime{Hour: 10}))
	b, err := bot.New(t.Context(), bot.Options{Config: f.cfg, Calendar: cal, Store: f.store, Chat: f.a, Clock: clock, Owner: "replica-1"})
	if err != nil {
		t.Fatal(err)
	}
	f.a.Mount(f.mux, b)

	echoes := []struct{ name, text, shown string }{
		{"bare @channel", "<@UBOT> @channel", "channel"},
		{"special mention", "<@UBOT> <!channel>", "channel"},
		{"@here in a team search", "<@UBOT> equipe @here", "here"},
		{"a user", "<@UBOT> <@U0BOB0001>", "U0BOB0001"},
		{"a user group", "<@UBOT> <!subteam^S0DEVS|@devs>", "subteam"},
	}
	for i, tt := range echoes {
		t.Run(tt.name, func(t *testing.T) {
			clock.Advance(1e10) // out of the rate limit's way
			before := len(f.slack.Posts())
			id := "EvEcho" + string(rune('A'+i))
			if resp := f.send(t, "/slack/events", eventJSON(id, mentionJSON("U0ALICE01", "C0ROUTES1", tt.text))); resp.Code != 200 {
				t.Fatalf("status %d", resp.Code)
			}
			f.a.work.Wait()
			posts := f.slack.Posts()[before:]
			if len(posts) != 1 || !strings.Contains(posts[0].Text, tt.shown) {
				t.Fatalf("answer to %q does not show %q: %+v", tt.text, tt.shown, posts)
			}
			for _, s := range postedTexts(posts[0]) {
				if m := slackMention.FindString(s); m != "" {
					t.Errorf("answer to %q carries a live mention %q: %q", tt.text, m, s)
				}
			}
		})
	}

	t.Run("a slash command's answer", func(t *testing.T) {
		f.send(t, "/slack/commands", slashForm("U0ALICE01", "C0ROUTES1", "classement @channel", f.slack.srv.URL+"/hooks/echo"))
		f.a.work.Wait()
		hooks := f.slack.Hooks()
		if len(hooks) != 1 || !strings.Contains(hooks[0].Text, "channel") {
			t.Fatalf("answer: %+v", hooks)
		}
		if m := slackMention.FindString(hooks[0].Text); m != "" {
			t.Errorf("answer carries a live mention %q: %q", m, hooks[0].Text)
		}
	})

	t.Run("announcement", func(t *testing.T) {
		clock.Advance(1e10)
		before := len(f.slack.Posts())
		f.send(t, "/slack/events", eventJSON("EvAnnounce", mentionJSON("U0DG00001", "C0GENERAL", "<@UBOT> annonce <!channel> réunion à 14 h")))
		f.a.work.Wait()
		sent := 0
		for _, p := range f.slack.Posts()[before:] {
			if p.Channel == "C0GENERAL" {
				continue // the answer to the DGS
			}
			sent++
			for _, s := range []string{p.Text, strings.Join(shapeJSON(p.Blocks), "\n")} {
				if !strings.Contains(s, "<!channel> réunion à 14 h") {
					t.Errorf("announcement in %s lost its mention: %q", p.Channel, s)
				}
			}
		}
		if sent != 2 {
			t.Fatalf("announcement posted in %d channels, want equipe-routes and equipe-colleges", sent)
		}
	})
}
