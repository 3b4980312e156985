package redis_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

// A channel team's membership names its agent, a postponement the
// coordinator who decided it: both are exported, and erased with the
// person (the membership dropped, the coordinator's name pseudonymised:
// the calendar keeps its date).
func TestChannelMembersAndPostponementsArePersonalData(t *testing.T) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(t)
	if _, err := s.SetChannelMembers(ctx, "culture", []string{"gaby", "hugo"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Postpone(ctx, scoring.DefiPostponed{Date: "2027-03-24", Day: 3, By: "coord", Reason: "grève", At: day1}); err != nil {
		t.Fatal(err)
	}
	exported := func(user, want string) bool {
		t.Helper()
		data, err := s.PersonalData(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range data.Keys {
			if strings.Contains(k.Key, want) {
				return true
			}
		}
		return false
	}
	if !exported("gaby", "chanmembers") || !exported("coord", "postponed") {
		t.Fatal("the export lacks gaby's channel team or coord's postponement")
	}
	if _, err := s.Erase(ctx, "gaby"); err != nil {
		t.Fatal(err)
	}
	members, err := s.ChannelTeams(ctx)
	if err != nil || members["gaby"] != "" || members["hugo"] != "culture" {
		t.Fatalf("after erasing gaby: %v, %v; want hugo alone", members, err)
	}
	if _, err := s.Erase(ctx, "coord"); err != nil {
		t.Fatal(err)
	}
	ps, err := s.Postponements(ctx)
	if err != nil || len(ps) != 1 || ps[0].Date != "2027-03-24" || ps[0].By == "coord" || !strings.HasPrefix(ps[0].By, "anon-") {
		t.Fatalf("after erasing coord: %+v, %v; want the date kept, the name pseudonymised", ps, err)
	}
	if _, _, err := s.EraseAll(ctx, day1.Add(100*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if members, err := s.ChannelTeams(ctx); err != nil || len(members) != 0 {
		t.Fatalf("after the retention erasure: %v, %v; want no membership", members, err)
	}
}
