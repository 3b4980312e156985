package safebuf_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/gigabot/gigabot/internal/safebuf"
)

// Concurrent writers lose nothing (and the race detector finds no race).
func TestConcurrentWrites(t *testing.T) {
	var b safebuf.Buffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				_, _ = b.Write([]byte("x"))
				_ = b.String()
			}
		})
	}
	wg.Wait()
	if got := b.String(); got != strings.Repeat("x", 800) {
		t.Errorf("%d bytes, want 800", len(got))
	}
}
