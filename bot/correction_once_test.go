package bot_test

import (
	"context"
	"testing"

	"github.com/gigabot/gigabot/bot/bottest"
	"github.com/gigabot/gigabot/scoring"
)

// A coordinator who types a correction again (after an answer that failed,
// when the store may have recorded it already) counts it once; another
// reason is another correction.
func TestCorrectionTypedTwiceCountsOnce(t *testing.T) {
	env := bottest.New(t, mustDay(t, 1, 10))
	points := func() float64 {
		t.Helper()
		st, err := env.Bot.Standings(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		s, _ := st.Find("culture", scoring.ByPoints)
		return s.Corrections
	}
	for range 2 {
		if posts := env.Say(t, "coord", "general", "correction culture 10 atelier de tri"); len(posts) != 1 {
			t.Fatalf("correction answered with %d posts", len(posts))
		}
	}
	if got := points(); got != 10 {
		t.Fatalf("the same correction typed twice: %v points, want 10", got)
	}
	env.Say(t, "coord", "general", "correction culture 10 second atelier")
	if got := points(); got != 20 {
		t.Fatalf("another reason: %v points, want 20", got)
	}
}
