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

// heldEnv is day 2 at 11:00 with routes's share at 1 To, and two held
// reports: routes's share emptied, culture's cut by two thirds.
func heldEnv(t *testing.T) *bottest.Env {
	t.Helper()
	env := bottest.New(t, mustDay(t, 2, 11))
	ctx := context.Background()
	start := env.Calendar.Start()
	scan := func(id, team string, at time.Time, files, bytes int64) scoring.ScanResult {
		t.Helper()
		res, err := env.Bot.RecordScan(ctx, scoring.Scan{ID: id, Team: team, Source: "share", Root: "/srv/" + team,
			ScannedAt: at, Files: files, Bytes: bytes})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	scan("base-routes", "routes", start.Add(-time.Hour), 50_000, 1_000_000_000_000)
	scan("base-culture", "culture", start.Add(-time.Hour), 9_000, 300_000_000_000)
	if res := scan("7f3a9c21-empty", "routes", start.Add(time.Hour), 0, 0); res.Status != scoring.ScanHeld || res.Reason != "zero_files" {
		t.Fatalf("the emptied share: %+v, want held for zero files", res)
	}
	if res := scan("7f3b0000-cut", "culture", start.Add(time.Hour), 3_000, 100_000_000_000); res.Status != scoring.ScanHeld || res.Reason != "drop" {
		t.Fatalf("the cut share: %+v, want held for the drop", res)
	}
	return env
}

func freedOf(t *testing.T, env *bottest.Env, team string) int64 {
	t.Helper()
	f, err := env.Store.Figures(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return f[team].FreedBytes
}

func TestHeldReportsAreListedForCoordinators(t *testing.T) {
	env := heldEnv(t)
	got := plain(env.Say(t, "coord", "equipe-routes", "en attente")[0].Msg.Text)
	for _, want := range []string{
		"Rapports de scan en attente (2)",
		"• `7f3a9c21-empty` Direction des routes, /srv/routes : 1 To → 0 o (plus aucun fichier : partage non monté ?), scanné le lundi 22 mars 2027",
		"• `7f3b0000-cut` Culture et patrimoine, /srv/culture : 300 Go → 100 Go (baisse trop forte en une fois)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the list lacks %q:\n%s", want, got)
		}
	}
	if got := env.Say(t, "alice", "equipe-routes", "en attente")[0].Msg.Text; !strings.Contains(got, "réservée") {
		t.Errorf("an agent asked for the held reports and got %q, want a refusal", got)
	}
	if got := env.Say(t, "dg", "equipe-routes", "pending")[0].Msg.Text; !strings.Contains(got, "(2)") {
		t.Errorf("the DGS asked for the held reports and got %q", got)
	}
}

func TestValidateCountsAHeldReport(t *testing.T) {
	env := heldEnv(t)
	ctx := context.Background()
	if got := freedOf(t, env, "routes"); got != 0 {
		t.Fatalf("routes freed %d before any decision, want 0", got)
	}
	tests := []struct{ user, text, want string }{
		{"alice", "valider 7f3a", "réservée"},
		{"coord", "valider", "Utilisation : `valider <scan_id>`"},
		{"coord", "valider 7f", "au moins 4 caractères"},
		{"coord", "valider 7f3", "au moins 4 caractères"},
		{"coord", "valider 7f3a9c21-ex", "Aucun rapport en attente ne commence par « 7f3a9c21-ex »"},
		{"coord", "valider 7f3a9c21", "Rapport `7f3a9c21-empty` validé : il compte désormais pour Direction des routes (0 o mesurés)."},
		{"coord", "valider 7f3a9c21", "Aucun rapport en attente ne commence par « 7f3a9c21 »"},
	}
	for _, tt := range tests {
		env.Clock.Advance(15 * time.Second) // below the per-user rate limit
		got := plain(env.Say(t, tt.user, "equipe-routes", tt.text)[0].Msg.Text)
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s: %q answered %q, want %q", tt.user, tt.text, got, tt.want)
		}
	}
	if got := freedOf(t, env, "routes"); got != 1_000_000_000_000 {
		t.Errorf("routes freed %d once validated, want 1 To", got)
	}
	audit, err := env.Store.Audit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var decided []scoring.ScanDecided
	applied := 0
	for _, r := range audit {
		switch e := r.Event.(type) {
		case scoring.ScanDecided:
			decided = append(decided, e)
		case scoring.ScanApplied:
			if e.ScanID == "7f3a9c21-empty" {
				applied++
			}
		}
	}
	if len(decided) != 1 || decided[0].By != "coord" || !decided[0].Accepted || decided[0].ScanID != "7f3a9c21-empty" || applied != 1 {
		t.Errorf("audit: decisions %+v and %d applications of the report, want coord's one acceptance and one application", decided, applied)
	}
}

func TestRejectDropsAHeldReport(t *testing.T) {
	env := heldEnv(t)
	if got := plain(env.Say(t, "coord", "equipe-culture", "rejeter 7f3")[0].Msg.Text); !strings.Contains(got, "au moins 4") {
		t.Errorf("a 3-character prefix: %q", got)
	}
	// Both held ids start with "7f3": a prefix they share is ambiguous.
	got := plain(env.Say(t, "coord", "equipe-culture", "rejeter 7f3a9c21-empty 7f3b")[0].Msg.Text)
	if !strings.Contains(got, "Utilisation") {
		t.Errorf("two ids: %q, want the usage", got)
	}
	if err := env.Store.Correct(context.Background(), scoring.Correction{Team: "culture", Points: 1, Reason: "x", By: "coord", Day: 2, At: env.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	got = plain(env.Say(t, "coord", "equipe-culture", "rejeter 7f3b0000-cut")[0].Msg.Text)
	if !strings.Contains(got, "Rapport `7f3b0000-cut` écarté : il ne comptera pas pour Culture et patrimoine.") {
		t.Errorf("reject: %q", got)
	}
	if got := freedOf(t, env, "culture"); got != 0 {
		t.Errorf("culture freed %d after the rejection, want 0", got)
	}
	// Sent again, the rejected report is a duplicate, not held again.
	res, err := env.Bot.RecordScan(context.Background(), scoring.Scan{ID: "7f3b0000-cut", Team: "culture", Source: "share",
		Root: "/srv/culture", ScannedAt: env.Calendar.Start().Add(time.Hour), Files: 3_000, Bytes: 100_000_000_000})
	if err != nil || res.Status != scoring.ScanDuplicate {
		t.Errorf("the rejected report sent again: %+v, %v; want duplicate", res, err)
	}
	if got := plain(env.Say(t, "coord", "equipe-culture", "en attente")[0].Msg.Text); !strings.Contains(got, "(1)") || strings.Contains(got, "7f3b0000") {
		t.Errorf("after the rejection the list reads %q, want only routes's report", got)
	}
}

func TestAmbiguousPrefixNamesTheCandidates(t *testing.T) {
	env := heldEnv(t)
	got := plain(env.Say(t, "coord", "equipe-routes", "valider 7f3a")[0].Msg.Text)
	if !strings.Contains(got, "Rapport `7f3a9c21-empty` validé") {
		t.Fatalf("a unique prefix: %q", got)
	}
	env2 := heldEnv(t)
	if _, err := env2.Bot.RecordScan(context.Background(), scoring.Scan{ID: "7f3b0000-other", Team: "culture", Source: "share",
		Root: "/srv/culture", ScannedAt: env2.Calendar.Start().Add(2 * time.Hour), Files: 0, Bytes: 0}); err != nil {
		t.Fatal(err)
	}
	got = plain(env2.Say(t, "coord", "equipe-routes", "valider 7f3b0000")[0].Msg.Text)
	if !strings.Contains(got, "Plusieurs rapports en attente commencent par « 7f3b0000 » : `7f3b0000-cut`, `7f3b0000-other`") {
		t.Errorf("an ambiguous prefix: %q", got)
	}
}

func TestRecapTellsATeamItsReportIsHeld(t *testing.T) {
	env := heldEnv(t)
	env.Set(env.At(2, 17, 0))
	if err := env.Bot.Catchup(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := "Rapports de scan de votre équipe en attente de validation par un référent : 1 (`en attente`)."
	for _, ch := range []string{"equipe-routes", "equipe-culture"} {
		if got := plain(lastOf(env, ch, bot.KindRecap)); !strings.Contains(got, want) {
			t.Errorf("%s recap lacks the held line:\n%s", ch, got)
		}
	}
	if got := plain(lastOf(env, "equipe-colleges", bot.KindRecap)); got == "" || strings.Contains(got, "en attente de validation") {
		t.Errorf("colleges has no held report, its recap reads:\n%s", got)
	}
}

func lastOf(env *bottest.Env, channel string, kind bot.MessageKind) string {
	text := ""
	for _, p := range env.Chat.In(channel) {
		if p.Msg.Kind == kind {
			text = p.Msg.Text
		}
	}
	return text
}
