package redis_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/redis"
	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

func TestTestimonies(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	add := func(team, agent, text string) (scoring.Testimony, bool) {
		t.Helper()
		tm, isNew, err := s.AddTestimony(ctx, team, agent, text, day1)
		if err != nil {
			t.Fatal(err)
		}
		return tm, isNew
	}
	t1, new1 := add("routes", "alice", "On a vidé le dossier Scans 2015 ensemble.")
	again, new2 := add("routes", "alice", "On a vidé le dossier Scans 2015 ensemble.") // delivered twice
	if !new1 || new2 || again.ID != t1.ID || again.Text != t1.Text {
		t.Fatalf("the same words twice: %+v (%v) then %+v (%v), want one testimony", t1, new1, again, new2)
	}
	t2, _ := add("routes", "bob", "Une heure de tri par semaine, en équipe.")
	t3, _ := add("culture", "gaby", "Les photos en double partent à la corbeille.")
	all, err := s.Testimonies(ctx)
	if err != nil || len(all) != 3 || all[0].ID != t1.ID || all[1].ID != t2.ID || all[2].ID != t3.ID || all[2].Agent != "gaby" || !all[0].At.Equal(day1) {
		t.Fatalf("Testimonies = %+v, %v", all, err)
	}

	// Day 1 shows two, one team at a time: T1 (routes) and T3 (culture).
	day, err := s.PickTestimonies(ctx, "2027-03-22", 2)
	if err != nil || len(day) != 2 || day[0].ID != t1.ID || day[1].ID != t3.ID {
		t.Fatalf("day 1 = %+v, %v; want %s and %s", day, err, t1.ID, t3.ID)
	}
	if again, err := s.PickTestimonies(ctx, "2027-03-22", 2); err != nil || len(again) != 2 || again[0].ID != t1.ID || again[1].ID != t3.ID {
		t.Fatalf("day 1 asked again (a retry, the other replica) = %+v, %v", again, err)
	}
	// Day 2 never shows them again: T2 alone.
	if day2, err := s.PickTestimonies(ctx, "2027-03-23", 2); err != nil || len(day2) != 1 || day2[0].ID != t2.ID {
		t.Fatalf("day 2 = %+v, %v; want %s alone", day2, err, t2.ID)
	}

	w, ok, err := s.WithdrawTestimony(ctx, t2.ID, "coord", day1)
	if err != nil || !ok || w.Agent != "bob" {
		t.Fatalf("WithdrawTestimony = %+v, %v, %v", w, ok, err)
	}
	if _, ok, err := s.WithdrawTestimony(ctx, t2.ID, "coord", day1); err != nil || ok {
		t.Fatalf("withdrawn twice: %v, %v; want not found", ok, err)
	}
	if _, ok, err := s.WithdrawTestimony(ctx, "T99", "coord", day1); err != nil || ok {
		t.Fatalf("unknown id: %v, %v; want not found", ok, err)
	}
	if day2, err := s.PickTestimonies(ctx, "2027-03-23", 2); err != nil || len(day2) != 0 {
		t.Fatalf("day 2 after the withdrawal = %+v, %v; want none", day2, err)
	}
	// The log names who gave and who withdrew, never the words.
	recs, err := s.Audit(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var given, withdrawn int
	for _, r := range recs {
		switch e := r.Event.(type) {
		case scoring.TestimonyGiven:
			given++
		case scoring.TestimonyWithdrawn:
			withdrawn++
			if e.ID != t2.ID || e.By != "coord" || e.Team != "routes" {
				t.Errorf("withdrawal logged as %+v", e)
			}
		}
	}
	if given != 3 || withdrawn != 1 {
		t.Errorf("log: %d given, %d withdrawn; want 3 and 1", given, withdrawn)
	}
}

// A testimony is its author's personal data: exported with the rest, and
// erased words and all.
func TestTestimoniesArePersonalData(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	words := "Nous archivons les marchés clos chaque vendredi."
	if _, _, err := s.AddTestimony(ctx, "routes", "alice", words, day1); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AddTestimony(ctx, "culture", "gaby", "Un dossier partagé, pas dix copies.", day1); err != nil {
		t.Fatal(err)
	}
	data, err := s.PersonalData(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	var exported bool
	for _, k := range data.Keys {
		exported = exported || strings.Contains(k.Value, words)
	}
	if !exported {
		t.Fatalf("the export lacks alice's testimony: %+v", data.Keys)
	}
	if _, err := s.Erase(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	all, err := s.Testimonies(ctx)
	if err != nil || len(all) != 1 || all[0].Agent != "gaby" {
		t.Fatalf("after erasing alice: %+v, %v; want gaby's alone", all, err)
	}
	if _, err := s.Erase(ctx, "alice"); !errors.Is(err, redis.ErrNothingKept) {
		t.Errorf("erasing alice again = %v, want ErrNothingKept", err)
	}
	if _, done, err := s.EraseAll(ctx, day1.Add(100*24*time.Hour)); err != nil || !done {
		t.Fatalf("EraseAll = %v, %v", done, err)
	}
	if all, err := s.Testimonies(ctx); err != nil || len(all) != 0 {
		t.Fatalf("after the retention erasure: %+v, %v; want none", all, err)
	}
}
