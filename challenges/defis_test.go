package challenges_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gigabot/gigabot/challenges"
)

func TestBuiltinDefis(t *testing.T) {
	defis := challenges.BuiltinDefis()
	if len(defis) != 15 {
		t.Fatalf("%d built-in défis, want 15 (one per campaign day)", len(defis))
	}
	idPattern := regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	seen := map[string]int{}
	for i, d := range defis {
		if first, dup := seen[d.ID]; dup {
			t.Errorf("défi %d: id %q already used by défi %d", i, d.ID, first)
		}
		seen[d.ID] = i
		if !idPattern.MatchString(d.ID) {
			t.Errorf("défi %d: id %q is not a lower-case slug", i, d.ID)
		}
		if strings.TrimSpace(d.Title) == "" {
			t.Errorf("défi %q: no title", d.ID)
		}
		if n := len(d.Steps); n < 2 || n > 4 {
			t.Errorf("défi %q: %d steps, want 2 to 4", d.ID, n)
		}
		for j, s := range d.Steps {
			if strings.TrimSpace(s) == "" {
				t.Errorf("défi %q: step %d is empty", d.ID, j)
			}
		}
		if strings.TrimSpace(d.Tip) == "" {
			t.Errorf("défi %q: no tip", d.ID)
		}
		if strings.TrimSpace(d.Saves) == "" {
			t.Errorf("défi %q: no saves", d.ID)
		}
	}
}

func TestBuiltinDefisReturnsACopy(t *testing.T) {
	first := challenges.BuiltinDefis()
	id := first[0].ID
	first[0].ID = "changed"
	first[0].Steps[0] = "changed"
	again := challenges.BuiltinDefis()
	if again[0].ID != id || again[0].Steps[0] == "changed" {
		t.Errorf("a caller's change leaked into the next BuiltinDefis: %+v", again[0])
	}
}

// TestBuiltinDefisFrenchTypography: in French a high punctuation mark (: ; ! ?)
// and a closing guillemet follow a no-break space, and an opening guillemet
// is followed by one, so a line never breaks before "?" in a chat window.
func TestBuiltinDefisFrenchTypography(t *testing.T) {
	const noBreak = "\u00a0\u202f"
	for _, d := range challenges.BuiltinDefis() {
		fields := map[string]string{"title": d.Title, "tip": d.Tip, "saves": d.Saves}
		for i, s := range d.Steps {
			fields[fmt.Sprintf("steps[%d]", i)] = s
		}
		for name, text := range fields {
			for _, problem := range typographyProblems(text, noBreak) {
				t.Errorf("défi %q %s: %s in %q", d.ID, name, problem, text)
			}
		}
	}
}

// typographyProblems lists the French spacing mistakes in s.
func typographyProblems(s, noBreak string) []string {
	var problems []string
	runes := []rune(s)
	for i, r := range runes {
		var prev, next rune
		if i > 0 {
			prev = runes[i-1]
		}
		if i+1 < len(runes) {
			next = runes[i+1]
		}
		switch {
		case strings.ContainsRune(":;!?", r) && prev == ' ':
			problems = append(problems, fmt.Sprintf("ASCII space before %q", r))
		case r == '»' && !strings.ContainsRune(noBreak, prev):
			problems = append(problems, "no no-break space before »")
		case r == '«' && !strings.ContainsRune(noBreak, next):
			problems = append(problems, "no no-break space after «")
		}
	}
	return problems
}

func TestTypographyProblems(t *testing.T) {
	// The checker itself must catch what it is meant to catch.
	tests := []struct {
		in   string
		want int
	}{
		{"Pourquoi ?", 1},
		{"Pourquoi\u00a0?", 0},
		{"Attention\u202f!", 0},
		{"note : ceci ; cela", 2},
		{"tapez «\u00a0taille:>10Mo\u00a0»", 0},
		{"tapez « taille »", 2},
		{"09:00", 0},
	}
	for _, tt := range tests {
		if got := typographyProblems(tt.in, "\u00a0\u202f"); len(got) != tt.want {
			t.Errorf("typographyProblems(%q) = %v, want %d problems", tt.in, got, tt.want)
		}
	}
}

func TestBuiltinDefisAreReadable(t *testing.T) {
	for _, d := range challenges.BuiltinDefis() {
		for _, s := range append([]string{d.Title, d.Tip, d.Saves}, d.Steps...) {
			if !utf8.ValidString(s) || s != strings.TrimSpace(s) || strings.Contains(s, "  ") {
				t.Errorf("défi %q: badly spaced text %q", d.ID, s)
			}
		}
		if strings.HasSuffix(d.Title, ".") {
			t.Errorf("défi %q: title %q ends with a full stop", d.ID, d.Title)
		}
	}
}

func TestCatalog(t *testing.T) {
	builtin := challenges.BuiltinDefis()
	builtinIDs := idsOf(builtin)
	custom := []challenges.Defi{
		{ID: "un", Title: "Un", Steps: []string{"1"}},
		{ID: "deux", Title: "Deux", Steps: []string{"2"}},
		{ID: "trois", Title: "Trois", Steps: []string{"3"}},
	}
	without := func(ids []string, drop ...string) []string {
		var out []string
		for _, id := range ids {
			keep := true
			for _, d := range drop {
				keep = keep && id != d
			}
			if keep {
				out = append(out, id)
			}
		}
		return out
	}
	tests := []struct {
		name    string
		defis   []challenges.Defi
		order   []string
		want    []string
		wantErr string
	}{
		{name: "built-in", want: builtinIDs},
		{
			name: "built-in reordered", order: []string{"doublons", "boite-de-reception"},
			want: append([]string{"doublons", "boite-de-reception"}, without(builtinIDs, "doublons", "boite-de-reception")...),
		},
		{
			name: "built-in, last one first", order: []string{"charte-equipe"},
			want: append([]string{"charte-equipe"}, builtinIDs[:14]...),
		},
		{
			name: "order repeats an id", order: []string{"doublons", "doublons"},
			want: append([]string{"doublons"}, without(builtinIDs, "doublons")...),
		},
		{name: "config défis replace the catalog", defis: custom, want: []string{"un", "deux", "trois"}},
		{name: "config défis reordered", defis: custom, order: []string{"trois", "un"}, want: []string{"trois", "un", "deux"}},
		{name: "unknown id", order: []string{"doublons", "inconnu"}, wantErr: `"inconnu"`},
		{name: "built-in id not in config défis", defis: custom, order: []string{"doublons"}, wantErr: `"doublons"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := challenges.Default()
			cfg.Defis, cfg.DefiOrder = tt.defis, tt.order
			got, err := cfg.Catalog()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Catalog = %v, %v; want an error mentioning %s", idsOf(got), err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(idsOf(got)) != fmt.Sprint(tt.want) {
				t.Errorf("Catalog = %v\nwant      %v", idsOf(got), tt.want)
			}
		})
	}
}

func TestCatalogKeepsDefiContent(t *testing.T) {
	cfg := challenges.Default()
	cfg.DefiOrder = []string{"doublons"}
	got, err := cfg.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range challenges.BuiltinDefis() {
		if d.ID == "doublons" && fmt.Sprint(got[0]) != fmt.Sprint(d) {
			t.Errorf("reordered défi %+v, want %+v", got[0], d)
		}
	}
}

func TestParseConfigDefis(t *testing.T) {
	const defis = `defis:
  - id: photos
    title: Rapatriez vos photos
    steps: [Triez, Supprimez]
    tip: Cherchez *.jpg
    saves: De la place
  - id: mails
    title: Videz la corbeille
    steps: [Videz]
defi_order: [mails]
`
	cfg := mustParse(t, minimalYAML+defis)
	got, err := cfg.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(idsOf(got)) != "[mails photos]" {
		t.Errorf("catalog %v, want [mails photos]", idsOf(got))
	}
	want := challenges.Defi{ID: "photos", Title: "Rapatriez vos photos", Steps: []string{"Triez", "Supprimez"}, Tip: "Cherchez *.jpg", Saves: "De la place"}
	if fmt.Sprint(got[1]) != fmt.Sprint(want) {
		t.Errorf("défi %+v, want %+v", got[1], want)
	}

	// Validation of the config's own défis, each named with its line.
	bad := `defis:
  - id: photos
    title: Rapatriez vos photos
    steps: [Triez]
  - id: photos
    title: ""
    steps: []
defi_order: [doublons]
`
	problems := problemsOf(t, minimalYAML+bad)
	var got2 []string
	for _, p := range problems {
		got2 = append(got2, fmt.Sprintf("%s@%d", p.Field, p.Line))
	}
	const base = 11 // lines in minimalYAML
	wantProblems := []string{
		fmt.Sprintf("defis[1].id@%d", base+5),
		fmt.Sprintf("defis[1].title@%d", base+6),
		fmt.Sprintf("defis[1].steps@%d", base+7),
		fmt.Sprintf("defi_order[0]@%d", base+8), // doublons is built in, not in this catalog
	}
	if fmt.Sprint(got2) != fmt.Sprint(wantProblems) {
		t.Errorf("problems %v, want %v", got2, wantProblems)
	}
}

func idsOf(defis []challenges.Defi) []string {
	ids := make([]string, len(defis))
	for i, d := range defis {
		ids[i] = d.ID
	}
	return ids
}
