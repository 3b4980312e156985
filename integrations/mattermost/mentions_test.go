package mattermost

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/mattermost/mattermost/server/public/model"
)

// mentionsIn lists the mentions Mattermost's server finds in a text: it
// cuts words at any character that cannot be part of a mention and takes
// the words that start with "@" (its standard mention parser), so that
// "@channel" and "@bob" count, and "@\u200bchannel" does not.
func mentionsIn(text string) []string {
	var out []string
	words := strings.FieldsFunc(text, func(c rune) bool {
		return !(c == ':' || c == '.' || c == '-' || c == '_' || c == '@' || unicode.IsLetter(c) || unicode.IsNumber(c))
	})
	for _, w := range words {
		w = strings.TrimLeft(w, ":.-_")
		if len(w) > 1 && w[0] == '@' {
			out = append(out, w)
		}
	}
	return out
}

// postTexts returns a post's message and the texts of its attachments,
// where Mattermost looks for mentions too.
func postTexts(p *model.Post) []string {
	out := []string{p.Message}
	for _, a := range p.Attachments() {
		out = append(out, a.Pretext, a.Text)
	}
	return out
}

// An agent cannot make the bot ping a channel on Mattermost: what the bot
// repeats of a message, a slash command or a correction's reason carries
// no live mention; a coordinator's announcement keeps the mention the
// coordinator wrote.
func TestEchoedMentionsStayQuietOnMattermost(t *testing.T) {
	e := newEnv(t, newFake(t), nil)
	e.run()
	routes := e.mm.channel("equipe-routes").Id

	for _, tt := range []struct{ name, text, shown string }{
		{"@channel", "@gigabot @channel", "channel"},
		{"@all in a team search", "@gigabot equipe @all", "all"},
		{"@here in a ranking", "@gigabot classement @here", "here"},
		{"a user", "@gigabot @bob", "bob"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.botClock.Advance(time.Minute) // out of the rate limit's way
			ask := e.mm.say("alice", routes, tt.text, "")
			eventually(t, "the answer", func() bool { return len(e.answered(ask)) == 1 })
			answer := e.answered(ask)[0]
			if !strings.Contains(answer.Message, tt.shown) {
				t.Fatalf("answer to %q does not show %q: %q", tt.text, tt.shown, answer.Message)
			}
			if m := mentionsIn(answer.Message); len(m) > 0 {
				t.Errorf("answer to %q mentions %v: %q", tt.text, m, answer.Message)
			}
		})
	}

	t.Run("slash command", func(t *testing.T) {
		form := url.Values{"token": {commandToken}, "user_id": {e.mm.user("alice").Id}, "user_name": {"alice"}, "text": {"equipe @channel"}}
		status, resp := e.slash(http.MethodPost, form, nil)
		if status != http.StatusOK || !strings.Contains(resp.Text, "channel") {
			t.Fatalf("/giga equipe @channel = %d %q", status, resp.Text)
		}
		if m := mentionsIn(resp.Text); len(m) > 0 {
			t.Errorf("answer mentions %v: %q", m, resp.Text)
		}
	})

	t.Run("correction reason in the recap", func(t *testing.T) {
		e.botClock.Advance(time.Minute)
		ask := e.mm.say("coord", routes, "@gigabot correction routes 5 merci @channel", "")
		eventually(t, "the confirmation", func() bool { return len(e.answered(ask)) == 1 })
		if m := mentionsIn(e.answered(ask)[0].Message); len(m) > 0 {
			t.Errorf("confirmation mentions %v: %q", m, e.answered(ask)[0].Message)
		}
		e.botClock.Advance(8 * time.Hour) // past 17:00, the recap
		if err := e.bot.Catchup(t.Context()); err != nil {
			t.Fatal(err)
		}
		posts := e.mm.botPosts(routes)
		recap := posts[len(posts)-1]
		texts := strings.Join(postTexts(recap), "\n")
		if !strings.Contains(recap.Message, "Bilan") || !strings.Contains(texts, "merci") {
			t.Fatalf("last post is not the recap with the correction: %q", texts)
		}
		if m := mentionsIn(texts); len(m) > 0 {
			t.Errorf("recap mentions %v: %q", m, texts)
		}
	})

	t.Run("announcement", func(t *testing.T) {
		e.botClock.Advance(time.Minute)
		ask := e.mm.say("coord", e.mm.channel("town-square").Id, "@gigabot annonce @channel réunion à 14 h", "")
		eventually(t, "the confirmation", func() bool { return len(e.answered(ask)) == 1 })
		for _, name := range []string{"equipe-routes", "equipe-colleges", "equipe-culture"} {
			got := e.replies(name)
			if last := got[len(got)-1]; !strings.Contains(last, "@channel réunion à 14 h") {
				t.Errorf("announcement in %s = %q, want the coordinator's @channel kept", name, last)
			}
		}
	})
}
