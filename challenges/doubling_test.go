package challenges_test

import (
	"strings"
	"testing"

	"github.com/gigabot/gigabot/challenges"
)

// equivalences.storage_doubling_years defaults to the Calvados's 4 years;
// a value that makes no doubling time is refused with its key and line.
func TestStorageDoublingYears(t *testing.T) {
	cfg, err := challenges.Parse([]byte(validYAML))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Equivalences.StorageDoublingYears; got != 4 {
		t.Errorf("default storage_doubling_years = %v, want 4", got)
	}
	cfg, err = challenges.Parse([]byte(validYAML + "equivalences:\n  storage_doubling_years: 2.5\n"))
	if err != nil || cfg.Equivalences.StorageDoublingYears != 2.5 {
		t.Fatalf("storage_doubling_years: 2.5 gave %+v, %v", cfg, err)
	}
	for _, bad := range []string{"-4", "0.1", "1000", "quatre", ".nan"} {
		problems := problemsOf(t, validYAML+"equivalences:\n  storage_doubling_years: "+bad+"\n")
		if len(problems) != 1 || problems[0].Field != "equivalences.storage_doubling_years" || problems[0].Line == 0 {
			t.Errorf("storage_doubling_years: %s: %+v, want one problem naming the key and its line", bad, problems)
			continue
		}
		if msg := problems[0].Message; bad != "quatre" && !strings.Contains(msg, "between 0.5 and 100") {
			t.Errorf("storage_doubling_years: %s: %q", bad, msg)
		}
	}
}
