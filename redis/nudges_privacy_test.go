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

// What the chat adapters remember (Remember) may name people, such as who
// reacted to a post: the retention erasure forgets all of it.
func TestRetentionErasureForgetsTheAdaptersMemory(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	names := []string{"mattermost:reactions:p1", "matrix:reaction:$ev1", "matrix:sync"}
	for _, name := range names {
		if err := s.Remember(ctx, name, `{"u1\u0000white_check_mark":1}`, time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.Recall(ctx, name); !ok || err != nil {
			t.Fatalf("Recall(%s) before the erasure = %v, %v; want it", name, ok, err)
		}
	}
	if _, _, err := s.EraseAll(ctx, day1.Add(100*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if v, ok, err := s.Recall(ctx, name); ok || err != nil {
			t.Errorf("Recall(%s) after the retention erasure = %q, %v, %v; want nothing", name, v, ok, err)
		}
	}
}
