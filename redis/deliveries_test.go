package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/gigabot/gigabot/redis/redistest"
	"github.com/gigabot/gigabot/scoring"
)

func TestDeliveries(t *testing.T) {
	s, rdb, id := redistest.NewStore(t)
	ctx := context.Background()
	steps := []struct {
		name string
		do   func() (scoring.ClaimStatus, error)
		want scoring.ClaimStatus
	}{
		{"first delivery", func() (scoring.ClaimStatus, error) { return s.ClaimDelivery(ctx, "Ev1", "a", time.Minute) }, scoring.Claimed},
		{"retry while handled", func() (scoring.ClaimStatus, error) { return s.ClaimDelivery(ctx, "Ev1", "b", time.Minute) }, scoring.Busy},
		{"handler failed: released", func() (scoring.ClaimStatus, error) {
			if err := s.ReleaseDelivery(ctx, "Ev1", "a"); err != nil {
				return 0, err
			}
			return s.ClaimDelivery(ctx, "Ev1", "b", time.Minute)
		}, scoring.Claimed},
		{"handled: a later retry is skipped", func() (scoring.ClaimStatus, error) {
			if err := s.FinishDelivery(ctx, "Ev1", 10*time.Minute); err != nil {
				return 0, err
			}
			return s.ClaimDelivery(ctx, "Ev1", "c", time.Minute)
		}, scoring.AlreadySent},
		{"another delivery", func() (scoring.ClaimStatus, error) { return s.ClaimDelivery(ctx, "Ev2", "c", time.Minute) }, scoring.Claimed},
	}
	for _, st := range steps {
		got, err := st.do()
		if err != nil || got != st.want {
			t.Fatalf("%s: %v (%v), want %v", st.name, got, err, st.want)
		}
	}
	ttl, err := rdb.TTL(ctx, "gigabot:{"+id+"}:delivery:Ev1").Result()
	if err != nil || ttl <= 9*time.Minute || ttl > 10*time.Minute {
		t.Errorf("a handled delivery is kept %v (%v), want 10 minutes", ttl, err)
	}
}
