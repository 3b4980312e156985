package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/integrations/matrix/matrixtest"
)

// TestMatrixEndToEnd runs "gigabot run" on a real Matrix homeserver
// (Dendrite, from scripts/dendrite/start.sh): a start rate limited by the
// server's own limiter, the défi once in each team
// room (named by full alias, alias localpart and room id), ✅ reactions
// and their redactions counted (in a team whose agents are its room's
// members too, one of them joining while the bot runs), commands by mention, pill and direct
// message with the roles checked, @room never repeated, the export as an
// m.file, and a restart
// mid-day with reactions and a command made while the bot was down:
// handled once, and no second défi.
func TestMatrixEndToEnd(t *testing.T) {
	s := matrixtest.Start(t)
	url, id := e2eStore(t)

	gigabot := s.Register(t, "gigabot", false)
	coord, dg := s.Register(t, "coord", true), s.Register(t, "dg", true)
	alice, bob, emma, gaby := s.Register(t, "alice", true), s.Register(t, "bob", true), s.Register(t, "emma", true), s.Register(t, "gaby", true)
	rooms := map[string]string{}
	for _, team := range []string{"routes", "colleges", "culture"} {
		rooms[team] = coord.CreateRoom("equipe-" + team + "-" + s.Suffix)
	}
	alice.Join(rooms["routes"])
	bob.Join(rooms["routes"])
	emma.Join(rooms["colleges"])
	gaby.Join(rooms["culture"])
	config := writeConfig(t, fmt.Sprintf(`
campaign:
  name: Giga Déstockage Matrix
  id: %s
  start: 2027-03-22
teams:
  - {id: routes, name: Direction des routes, channel: "#equipe-routes-%s:localhost", members: [%s, "%s"]}
  - {id: colleges, name: Direction des collèges, channel: equipe-colleges-%s, members: [%s]}
  - {id: culture, name: Culture et patrimoine, channel: "%s", members: channel}
roles:
  dgs: [%s]
  coordinators: ["%s"]
display_names:
  %s: Claire Martin
`, id, s.Suffix, alice.Localpart, bob.ID, s.Suffix, emma.Localpart, rooms["culture"], dg.Localpart, coord.ID, dg.Localpart))
	env := map[string]string{
		"GIGABOT_PLATFORM": "matrix", "MATRIX_HOMESERVER_URL": s.URL, "MATRIX_USER_ID": gigabot.ID,
		"MATRIX_ACCESS_TOKEN": gigabot.Token, "REDIS_URL": url, "GIGABOT_HTTP_ADDR": "127.0.0.1:0",
	}
	loc, _ := time.LoadLocation("Europe/Paris")
	clock := clockwork.NewFakeClockAt(time.Date(2027, 3, 22, 9, 30, 0, 0, loc)) // day 1, after the défi's time
	// The bot's device spends its budget of the server's rate limiter
	// while gigabot run starts (another replica starting, say): the run
	// meets 429s, waits the server's retry_after_ms and starts all the
	// same. The spending lasts a second, so that it overlaps the start
	// however slow the machine; the run's own retries last 4 s.
	spent := make(chan int, 1)
	go func() {
		n := 0
		for range 5 {
			n += gigabot.SpendRateLimit(8)
			time.Sleep(200 * time.Millisecond)
		}
		spent <- n
	}()
	p := startWith(t, config, clock, env)
	if n := <-spent; n == 0 {
		t.Fatal("bursts of 8 requests met no 429: is the rate limiter on (scripts/dendrite/start.sh)?")
	}
	if !strings.Contains(p.logs.String(), "rate limited by the homeserver") {
		t.Errorf("gigabot run met no 429 at its start:\n%s", p.logs.String())
	}

	bySender := func(team string) []matrixtest.Message { return coord.From(rooms[team], gigabot.ID) }
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for team, room := range rooms {
			for _, m := range coord.Messages(room) {
				t.Logf("%s: %s %s %q", team, m.Sender, m.MsgType, m.Body)
			}
		}
		t.Logf("the last run's logs:\n%s", p.logs.String())
	})
	defi := map[string]string{}
	for team := range rooms {
		matrixtest.Eventually(t, "the défi in "+team, func() bool {
			return len(matrixtest.Containing(bySender(team), "Défi du jour 1/15")) > 0
		})
		defis := matrixtest.Containing(bySender(team), "Défi du jour 1/15")
		if len(defis) != 1 || !strings.Contains(defis[0].HTML, "<strong>Défi du jour 1/15") {
			t.Fatalf("défis in %s: %+v, want one, in HTML", team, defis)
		}
		defi[team] = defis[0].ID
	}

	// Reactions: ✅ in both its spellings counts, 👍 does not; a redaction
	// takes it back.
	alice.React(rooms["routes"], defi["routes"], "✅")
	bobsCheck := bob.React(rooms["routes"], defi["routes"], "✅\ufe0f")
	emma.React(rooms["colleges"], defi["colleges"], "👍")
	gaby.React(rooms["culture"], defi["culture"], "✅")
	matrixtest.Eventually(t, "the reactions counted", func() bool {
		st := p.standings(t)
		return participations(st, "routes") == 2 && participations(st, "culture") == 1
	})
	bob.Redact(rooms["routes"], bobsCheck)
	matrixtest.Eventually(t, "the redaction counted", func() bool { return participations(p.standings(t), "routes") == 1 })
	if got := participations(p.standings(t), "colleges"); got != 0 {
		t.Errorf("colleges: %d défis done after a 👍, want 0", got)
	}
	// Culture's agents are its room's members: gaby was there at start-up,
	// zoe joins now.
	zoe := s.Register(t, "zoe", true)
	zoe.Join(rooms["culture"])
	zoe.React(rooms["culture"], defi["culture"], "✅")
	matrixtest.Eventually(t, "a newcomer's reaction counted", func() bool { return participations(p.standings(t), "culture") == 2 })

	// Commands: by mention, by pill, and in a direct message; roles.
	alice.Say(rooms["routes"], alice.Localpart+" a fini") // not for the bot
	alice.Say(rooms["routes"], gigabot.Localpart+": classement")
	emma.Mention(rooms["colleges"], gigabot.ID, "Gigabot", "moi")
	alice.Say(rooms["routes"], gigabot.Localpart+": mobilisation @room Allez !")
	alice.Say(rooms["routes"], gigabot.Localpart+": @room au secours")
	matrixtest.Eventually(t, "the answers", func() bool {
		return len(matrixtest.Containing(bySender("routes"), "Classement aux points")) == 1 &&
			len(matrixtest.Containing(bySender("colleges"), emma.Localpart)) == 1 &&
			len(matrixtest.Containing(bySender("routes"), "est réservée")) == 1 &&
			len(matrixtest.Containing(bySender("routes"), "@\u200broom")) == 1
	})
	for _, m := range bySender("routes") {
		if m.Room || strings.Contains(m.Body, "@room") {
			t.Errorf("an answer in routes pings the room: %+v", m)
		}
		if strings.Contains(m.Body, "Classement") && m.MsgType != "m.notice" {
			t.Errorf("an answer is a %s, want m.notice", m.MsgType)
		}
	}
	dm := dg.DirectMessage(gigabot.ID)
	matrixtest.Eventually(t, "the bot in the DGS's direct message", func() bool { return len(dg.Members(dm)) == 2 })
	dg.Say(dm, "mobilisation @room Tous au ménage !")
	for team := range rooms {
		matrixtest.Eventually(t, "the call to mobilisation in "+team, func() bool {
			return len(matrixtest.Containing(bySender(team), "— Claire Martin")) == 1
		})
		if m := matrixtest.Containing(bySender(team), "— Claire Martin")[0]; !m.Room {
			t.Errorf("the DGS's call in %s does not ping the room (m.mentions.room): %+v", team, m)
		}
	}
	dg.Say(dm, "export")
	matrixtest.Eventually(t, "the export as a file in the direct message", func() bool {
		for _, m := range dg.From(dm, gigabot.ID) {
			if m.MsgType == "m.file" && strings.HasSuffix(m.FileName, ".csv") && strings.HasPrefix(m.URL, "mxc://") {
				return true
			}
		}
		return false
	})
	p.stop(t)

	// While the bot is down: a ✅, a redaction of one made before, and a
	// command.
	emma.React(rooms["colleges"], defi["colleges"], "✅")
	bob.React(rooms["routes"], defi["routes"], "✅")
	coord.Say(rooms["routes"], gigabot.Localpart+": equipe culture")
	clock.Advance(2 * time.Hour)
	p = startWith(t, config, clock, env)
	matrixtest.Eventually(t, "what happened meanwhile", func() bool {
		st := p.standings(t)
		return participations(st, "colleges") == 1 && participations(st, "routes") == 2 &&
			len(matrixtest.Containing(bySender("routes"), "Culture et patrimoine (2 agents)")) > 0
	})
	gaby.Say(rooms["culture"], gigabot.Localpart+": aide") // after the restart: answered last
	matrixtest.Eventually(t, "the last answer", func() bool { return len(matrixtest.Containing(bySender("culture"), "aide")) > 0 })
	if n := len(matrixtest.Containing(bySender("routes"), "Culture et patrimoine (2 agents)")); n != 1 {
		t.Errorf("the command made while the bot was down was answered %d times, want once", n)
	}
	for team := range rooms {
		if n := len(matrixtest.Containing(bySender(team), "Défi du jour 1/15")); n != 1 {
			t.Errorf("%d défis in %s after the restart, want 1", n, team)
		}
	}

	// 17:00: the recap, with its chart as an m.image.
	clock.Advance(5*time.Hour + 30*time.Minute)
	for team := range rooms {
		matrixtest.Eventually(t, "the recap and its chart in "+team, func() bool {
			return len(matrixtest.Containing(bySender(team), "📊 Bilan du jour 1/15")) == 1 &&
				len(imagesOf(bySender(team), "bilan-jour-1.png")) == 1
		})
	}
	p.stop(t)
	if strings.Contains(p.logs.String(), gigabot.Token) {
		t.Error("the access token is in the logs")
	}
}

// imagesOf returns the m.image messages of a file name, uploaded.
func imagesOf(ms []matrixtest.Message, name string) []matrixtest.Message {
	var out []matrixtest.Message
	for _, m := range ms {
		if m.MsgType == "m.image" && m.FileName == name && strings.HasPrefix(m.URL, "mxc://") && strings.Contains(m.Body, "Graphique") {
			out = append(out, m)
		}
	}
	return out
}
