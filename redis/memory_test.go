package redis_test

import (
	"testing"

	"github.com/gigabot/gigabot/redis/redistest"
)

func TestRememberRecall(t *testing.T) {
	store, _, _ := redistest.NewStore(t)
	ctx := t.Context()
	if _, ok, err := store.Recall(ctx, "matrix:sync"); ok || err != nil {
		t.Fatalf("Recall before Remember = %v, %v; want nothing", ok, err)
	}
	for _, v := range []string{"s1_2_3", "s4_5_6"} {
		if err := store.Remember(ctx, "matrix:sync", v, 0); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := store.Recall(ctx, "matrix:sync"); !ok || err != nil || got != v {
			t.Fatalf("Recall = %q, %v, %v; want %q", got, ok, err, v)
		}
	}
}
