package redis_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gigabot/gigabot/redis/redistest"
)

// BenchmarkErase erases one agent of a campaign of 3 000 agents who each
// did 15 défis: 45 000 log entries, copied and swapped every time.
func BenchmarkErase(b *testing.B) {
	ctx := context.Background()
	s, _, _ := redistest.NewStore(b)
	const agents, days = 3000, 15
	for a := range agents {
		for d := 1; d <= days; d++ {
			if _, err := s.React(ctx, mark(fmt.Sprint("agent", a), fmt.Sprint("team", a%28), d, fmt.Sprint("P", d)), true); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.Erase(ctx, fmt.Sprint("agent", i%agents)); err != nil {
			b.Fatal(err)
		}
	}
}
