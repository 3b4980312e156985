package main

import (
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/gigabot/gigabot/scanner"
)

// TestReadmeScannerSection keeps the README's scanner section true to the
// program: every option of every subcommand is named there, and every
// --to it shows reaches the intake.
func TestReadmeScannerSection(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(raw), "\n## The scanner\n")
	if !ok {
		t.Fatal(`the README has no "## The scanner" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	w := newWalkFlags("report", "")
	w.fs.String("format", "", "")
	w.fs.Int("top", 0, "")
	// The options of send and mailbox that walking does not take.
	for _, name := range []string{"to", "secret-file", "csv", "map", "root"} {
		w.fs.String(name, "", "")
	}
	w.fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(section, "--"+f.Name) {
			t.Errorf("the README's scanner section does not name --%s", f.Name)
		}
	})
	tos := regexp.MustCompile(`--to (https?://\S+)`).FindAllStringSubmatch(section, -1)
	if len(tos) == 0 {
		t.Fatal("the README's scanner section shows no --to URL")
	}
	for _, to := range tos {
		if got, err := scanner.IntakeURL(to[1]); err != nil || !strings.HasSuffix(got, scanner.IntakePath) {
			t.Errorf("the README's --to %s resolves to %q (%v)", to[1], got, err)
		}
	}
}
