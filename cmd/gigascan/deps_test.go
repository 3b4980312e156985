package main

import (
	"os/exec"
	"strings"
	"testing"
)

// gigascan is copied onto file servers, Windows ones included: it links the
// scanner alone, never the bot's store, chat clients, charts or scheduler.
func TestLinksNothingOfTheBot(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !contains(deps, "github.com/gigabot/gigabot/scanner") {
		t.Fatalf("go list -deps listed %d packages without the scanner: %q", len(deps), deps)
	}
	forbidden := []string{
		"github.com/redis/go-redis", "github.com/alicebob/miniredis", "gonum.org/v1/plot",
		"github.com/go-co-op/gocron", "github.com/slack-go/slack", "github.com/mattermost/",
		"github.com/gigabot/gigabot/bot", "github.com/gigabot/gigabot/scoring",
		"github.com/gigabot/gigabot/challenges", "github.com/gigabot/gigabot/integrations/",
	}
	for _, d := range deps {
		for _, f := range forbidden {
			if strings.HasPrefix(d, f) {
				t.Errorf("gigascan links %s", d)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
