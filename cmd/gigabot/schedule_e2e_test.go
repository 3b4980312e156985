package main

import (
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot/bottest"
)

// TestScheduledPostsOnConsole runs "gigabot run" on the console through a
// day: the DGS's scheduled call at 08:45, once per team channel and
// signed; the défi at 09:00; at 14:00 a reminder in the channels of the
// teams below half their agents only, and a direct message to their
// agents who have not reacted, but the one who typed "rappels off".
func TestScheduledPostsOnConsole(t *testing.T) {
	url, id := e2eStore(t)
	yaml := strings.Replace(bottest.ConfigYAML, "days: 15", "days: 15\n  id: "+id+
		"\n  mobilisation: {at: \"2027-03-22 08:45\", text: Tous au ménage !}", 1) +
		"reminders:\n  - {at: \"14:00\", below: 50 %, direct: true}\n"
	config := writeConfig(t, yaml)
	loc, _ := time.LoadLocation("Europe/Paris")
	clock := clockwork.NewFakeClockAt(time.Date(2027, 3, 22, 8, 30, 0, 0, loc))
	p := start(t, config, url, clock)
	defer p.stop(t)

	clock.Advance(15 * time.Minute) // 08:45: the call
	p.waitFor(t, `\[#equipe-[a-z]+\] P\d+ 📣 \*Appel à la mobilisation\* ⏎ Tous au ménage ! ⏎ — Claire Martin`, 3)
	clock.Advance(15 * time.Minute) // 09:00: the défi
	defis := p.waitFor(t, `\[#(equipe-[a-z]+)\] (P\d+) 🗂️ \*Défi du jour 1/15`, 3)
	post := map[string]string{}
	for _, d := range defis {
		post[d[1]] = d[2]
	}
	p.say(t, "alice +white_check_mark "+post["equipe-routes"])  // routes: 1 of 4
	p.say(t, "emma +white_check_mark "+post["equipe-colleges"]) // colleges: 1 of 2
	p.say(t, "dan: rappels off")
	p.waitFor(t, `plus de rappel personnel`, 1)
	p.say(t, "alice: moi")
	p.waitFor(t, `\*alice\*, équipe Direction des routes\x{a0}: 1 défi`, 1)

	clock.Advance(5 * time.Hour) // 14:00: the reminders
	p.waitFor(t, `\[#equipe-routes\] P\d+ ⏰ Petit rappel\x{a0}: 25\x{a0}% de l’équipe`, 1)
	p.waitFor(t, `\[#equipe-culture\] P\d+ ⏰ Petit rappel\x{a0}: 0\x{a0}% de l’équipe`, 1)
	p.waitFor(t, `\[@(bob|carol|gaby)\] P\d+ ⏰ Petit rappel amical`, 3)
	p.say(t, "alice: classement") // the bot has read its input up to here
	p.waitFor(t, `🏆 \*Classement aux points\*`, 1)
	out := p.out.String()
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, "Petit rappel") {
			continue
		}
		for _, none := range []string{"[#equipe-colleges]", "[@dan]", "[@alice]", "[@emma]", "[@farid]"} {
			if strings.HasPrefix(line, none) {
				t.Errorf("a reminder that should not be: %s", line)
			}
		}
	}
	if n := strings.Count(out, "Petit rappel"); n != 5 {
		t.Errorf("%d reminders, want 5 (routes, culture, bob, carol, gaby):\n%s", n, out)
	}
	if n := strings.Count(out, "Appel à la mobilisation"); n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
}
