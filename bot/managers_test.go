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

// The managers' briefing: three working days before day 1, at the défi's
// time, each team's managers get a direct message (their team's baseline
// from its first scan, or none yet), once; on the week's last campaign
// day, after the recap, a digest of the week with the team's testimonies.
func TestManagersBriefingAndDigest(t *testing.T) {
	yaml := strings.NewReplacer(
		"members: [alice, bob, carol, dan]}", "members: [alice, bob, carol, dan], managers: [marie]}",
		"members: [gaby]}", "members: [gaby], managers: [paul, marie]}",
	).Replace(bottest.ConfigYAML)
	loc, _ := time.LoadLocation("Europe/Paris")
	env := bottest.New(t, time.Date(2027, 3, 17, 8, 0, 0, 0, loc), yaml)
	ctx := context.Background()
	if _, err := env.Bot.RecordScan(ctx, scoring.Scan{ID: "base", Team: "routes", Source: "share", Root: "/srv",
		ScannedAt: time.Date(2027, 3, 16, 18, 0, 0, 0, loc), Bytes: 1_200_000_000_000}); err != nil {
		t.Fatal(err)
	}
	direct := func() map[string][]string {
		out := map[string][]string{}
		for _, p := range env.Chat.Of(bot.KindBriefing) {
			out[p.Channel] = append(out[p.Channel], p.Msg.Text)
		}
		return out
	}

	env.Set(time.Date(2027, 3, 17, 8, 59, 0, 0, loc))
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	if got := direct(); len(got) != 0 {
		t.Fatalf("briefed before 09:00 on Wednesday 17 March: %v", got)
	}
	env.Set(time.Date(2027, 3, 17, 9, 0, 0, 0, loc))
	for range 2 { // the scheduler's next minute, or the other replica
		if err := env.Bot.Catchup(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := direct()
	if len(got["@marie"]) != 2 || len(got["@paul"]) != 1 || len(got) != 2 {
		t.Fatalf("briefings: %v; want two for marie (two teams), one for paul", got)
	}
	for _, want := range []string{"Giga Déstockage test\u00a0: votre équipe y participe", "commence le lundi 22 mars 2027", "15 défis",
		"#equipe-routes", "stocke 1,2\u00a0To", "equipe routes"} {
		if !strings.Contains(strings.Join(got["@marie"], "\n"), want) {
			t.Errorf("marie's briefings lack %q:\n%s", want, got["@marie"])
		}
	}
	if !strings.Contains(got["@paul"][0], "n’a pas encore été scannée") {
		t.Errorf("paul's team has no scan yet:\n%s", got["@paul"][0])
	}

	// Week 1: the digest on Friday 26 March after the recap, not on Thursday.
	env.Set(env.At(1, 10, 0))
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	env.React(t, "gaby", "white_check_mark", env.DefiPost(t, "equipe-culture", 1), true)
	env.Say(t, "gaby", "general", "temoignage Un dossier commun par exposition, plus de copies.")
	env.Set(env.At(4, 17, 0))
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(env.Chat.Of(bot.KindRecap)); n < 3 {
		t.Fatalf("%d recaps by Thursday, want Thursday's out", n)
	}
	if n := len(env.Chat.Of(bot.KindBriefing)); n != 3 {
		t.Fatalf("%d direct messages by Thursday evening, want the 3 briefings alone", n)
	}
	env.Set(env.At(5, 17, 0))
	if err := env.Bot.Catchup(ctx); err != nil {
		t.Fatal(err)
	}
	got = direct()
	if len(got["@paul"]) != 2 || len(got["@marie"]) != 4 {
		t.Fatalf("after Friday's recap: %v; want a digest per team and manager", got)
	}
	digest := got["@paul"][1]
	for _, want := range []string{"Le point de la semaine\u00a0: Culture et patrimoine", "relevé 1 défi(s)",
		"Un dossier commun par exposition", "sur 3 au classement"} {
		if !strings.Contains(digest, want) {
			t.Errorf("paul's digest lacks %q:\n%s", want, digest)
		}
	}
	if !strings.Contains(strings.Join(got["@marie"], "\n"), "Aucun témoignage cette semaine") {
		t.Errorf("marie's digest of routes (no testimony):\n%s", got["@marie"])
	}
}
