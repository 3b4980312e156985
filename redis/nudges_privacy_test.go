package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/gigabot/gigabot/redis/redistest"
)

// An agent's "rappels off" names them: exported, and forgotten when they
// are erased or the campaign's personal data is.
func TestReminderChoiceIsPersonalData(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	for _, u := range []string{"alice", "bob"} {
		if err := s.SetNudges(ctx, u, false); err != nil {
			t.Fatal(err)
		}
	}
	data, err := s.PersonalData(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	var exported bool
	for _, k := range data.Keys {
		exported = exported || (k.Value == "alice" && k.Field == "")
	}
	if !exported {
		t.Fatalf("the export lacks alice's choice: %+v", data.Keys)
	}
	if _, err := s.Erase(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	off, err := s.NudgesOff(ctx)
	if err != nil || off["alice"] || !off["bob"] {
		t.Fatalf("after erasing alice: %v, %v; want bob alone", off, err)
	}
	if _, _, err := s.EraseAll(ctx, day1.Add(100*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if off, err := s.NudgesOff(ctx); err != nil || len(off) != 0 {
		t.Fatalf("after the retention erasure: %v, %v; want none", off, err)
	}
}

// What the chat adapters remember about people (RememberAbout) is
// forgotten by the retention erasure, and nothing more is kept after it;
// their state (Remember: a sync position) stays.
func TestRetentionErasureForgetsTheAdaptersMemory(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	people := []string{"matrix:reaction:$ev1", "matrix:reaction:$ev2"}
	for _, name := range people {
		if err := s.RememberAbout(ctx, name, "@alice:cd14.fr\x00$defi\x00✅", time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.Recall(ctx, name); !ok || err != nil {
			t.Fatalf("Recall(%s) before the erasure = %v, %v; want it", name, ok, err)
		}
	}
	if err := s.Remember(ctx, "matrix:sync", "s42_7", 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.EraseAll(ctx, day1.Add(100*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, name := range people {
		if v, ok, err := s.Recall(ctx, name); ok || err != nil {
			t.Errorf("Recall(%s) after the retention erasure = %q, %v, %v; want nothing", name, v, ok, err)
		}
	}
	if v, ok, err := s.Recall(ctx, "matrix:sync"); !ok || err != nil || v != "s42_7" {
		t.Errorf("the sync position after the erasure = %q, %v, %v; want it kept", v, ok, err)
	}
	if err := s.RememberAbout(ctx, "matrix:reaction:$ev3", "@bob:cd14.fr", time.Hour); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := s.Recall(ctx, "matrix:reaction:$ev3"); ok || err != nil {
		t.Errorf("a reaction remembered after the erasure = %q, %v, %v; want nothing kept", v, ok, err)
	}
}
