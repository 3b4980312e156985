package main

import (
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/scanner"
)

// What the Calvados campaign did, through gigabot run on the console (the
// Redis of REDIS_URL in CI): the managers' briefing as a direct message
// ([@user] P12 …), a testimony quoted in the recap, and the freed bytes
// told as months of the collectivité's own data production.
func TestCalvadosCampaignOnTheConsole(t *testing.T) {
	url, id := e2eStore(t)
	yaml := strings.NewReplacer("days: 15", "days: 15\n  id: "+id,
		"members: [alice, bob, carol, dan]}", "members: [alice, bob, carol, dan], managers: [marie]}").Replace(bottest.ConfigYAML)
	config := writeConfig(t, yaml)
	const secret = "0123456789abcdef0123456789abcdef"
	loc, _ := time.LoadLocation("Europe/Paris")
	clock := clockwork.NewFakeClockAt(time.Date(2027, 3, 17, 8, 30, 0, 0, loc))
	p := startWith(t, config, clock, map[string]string{"REDIS_URL": url, "GIGABOT_SCANNER_SECRET": secret})
	defer p.stop(t)

	// Part 3: Wednesday 17 March 09:00, three working days before day 1.
	clock.Advance(30 * time.Minute)
	p.waitFor(t, `\[@marie\] P\d+ 👋 \*Giga Déstockage test\x{a0}: votre équipe y participe\*`, 1)

	// Part 2: T = 10 To scanned, 1,591 To freed: a year of production.
	client := &scanner.Client{URL: "http://" + p.addr + "/api/v1/scans", Secret: []byte(secret), Now: clock.Now, Attempts: 1}
	for _, r := range []scanner.Report{
		{ScanID: "base", Team: "routes", Source: "share", Root: "/srv", ScannedAt: clock.Now(), Bytes: 10_000_000_000_000},
	} {
		if _, err := client.Send(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Date(2027, 3, 22, 10, 0, 0, 0, loc).Sub(clock.Now())) // day 1, after the défi
	p.waitFor(t, `Défi du jour 1/15`, 3)
	if _, err := client.Send(t.Context(), scanner.Report{ScanID: "day1", Team: "routes", Source: "share", Root: "/srv",
		ScannedAt: clock.Now(), Bytes: 10_000_000_000_000 - 1_591_000_000_000}); err != nil {
		t.Fatal(err)
	}
	p.say(t, "coord: classement")
	p.waitFor(t, `C’est aussi l’équivalent de 12\x{a0}mois de données produites par la collectivité`, 1)

	// Part 1: a testimony, quoted in the evening's recap.
	p.say(t, "alice: temoignage On vide la corbeille partagée chaque vendredi, ensemble.")
	p.waitFor(t, `Votre témoignage T1 est enregistré pour Direction des routes`, 1)
	clock.Advance(7 * time.Hour) // 17:00
	p.waitFor(t, `\[#equipe-[a-z]+\] P\d+ 📊 \*Bilan du jour 1/15\*.*«\x{a0}On vide la corbeille partagée chaque vendredi, ensemble\.\x{a0}» — Direction des routes`, 3)
}
