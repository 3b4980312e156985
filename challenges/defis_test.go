package challenges_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gigabot/gigabot/challenges"
)

// languages are the campaign languages with a built-in catalog.
var languages = []string{"fr", "en"}

func TestBuiltinDefis(t *testing.T) {
	idPattern := regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			defis := challenges.BuiltinDefis(lang)
			if len(defis) != 15 {
				t.Fatalf("%d built-in défis, want 15 (one per campaign day)", len(defis))
			}
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
		})
	}
}

func TestBuiltinDefisLanguage(t *testing.T) {
	tests := []struct {
		lang, wantFirst, wantLast string
	}{
		{"fr", "Faites le tri dans votre boîte de réception", "Signez votre charte d’équipe"},
		{"en", "Sort out your inbox", "Sign your team charter"},
		{"", "Faites le tri dans votre boîte de réception", "Signez votre charte d’équipe"},
		{"de", "Faites le tri dans votre boîte de réception", "Signez votre charte d’équipe"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.lang), func(t *testing.T) {
			defis := challenges.BuiltinDefis(tt.lang)
			if first, last := defis[0].Title, defis[len(defis)-1].Title; first != tt.wantFirst || last != tt.wantLast {
				t.Errorf("titles %q … %q, want %q … %q", first, last, tt.wantFirst, tt.wantLast)
			}
		})
	}
}

// TestBuiltinDefisTranslated: the English catalog translates the French one
// entry for entry, so a defi_order and the day's défi id mean the same in both.
func TestBuiltinDefisTranslated(t *testing.T) {
	fr, en := challenges.BuiltinDefis("fr"), challenges.BuiltinDefis("en")
	if len(en) != len(fr) {
		t.Fatalf("%d English défis, %d French ones", len(en), len(fr))
	}
	for i := range fr {
		if en[i].ID != fr[i].ID {
			t.Errorf("défi %d: English id %q, French id %q", i, en[i].ID, fr[i].ID)
		}
		if en[i].Title == fr[i].Title {
			t.Errorf("défi %q: title %q is not translated", en[i].ID, en[i].Title)
		}
		if len(en[i].Steps) != len(fr[i].Steps) {
			t.Errorf("défi %q: %d English steps, %d French ones", en[i].ID, len(en[i].Steps), len(fr[i].Steps))
		}
	}
}

func TestDecodeDefis(t *testing.T) {
	file := func(name string) string {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	tests := []struct {
		name    string
		src     string
		want    int
		wantErr string
	}{
		{name: "french catalog", src: file("defis.yaml"), want: 15},
		{name: "english catalog", src: file("defis_en.yaml"), want: 15},
		{name: "unknown défi key", src: "defis:\n  - id: a\n    titel: A\n    steps: [a]\n", wantErr: "titel"},
		{name: "unknown top-level key", src: "defi:\n  - id: a\n", wantErr: "defi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := challenges.DecodeDefis([]byte(tt.src))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("DecodeDefis = %v, %v; want an error mentioning %q", idsOf(got), err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Errorf("%d défis, want %d", len(got), tt.want)
			}
		})
	}
}

func TestBuiltinDefisReturnsACopy(t *testing.T) {
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			first := challenges.BuiltinDefis(lang)
			id := first[0].ID
			first[0].ID = "changed"
			first[0].Steps[0] = "changed"
			again := challenges.BuiltinDefis(lang)
			if again[0].ID != id || again[0].Steps[0] == "changed" {
				t.Errorf("a caller's change leaked into the next BuiltinDefis: %+v", again[0])
			}
		})
	}
}

// TestBuiltinDefisFrenchTypography: in French a high punctuation mark (: ; ! ?)
// and a closing guillemet follow a no-break space, and an opening guillemet
// is followed by one, so a line never breaks before "?" in a chat window.
func TestBuiltinDefisFrenchTypography(t *testing.T) {
	const noBreak = "\u00a0\u202f"
	for _, d := range challenges.BuiltinDefis("fr") {
		for name, text := range fieldsOf(d) {
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

// TestBuiltinDefisEnglish: the English catalog keeps no French word or
// French typography (no-break spaces, guillemets, a space before "?").
func TestBuiltinDefisEnglish(t *testing.T) {
	frenchWords := []string{" le ", " la ", " les ", " des ", " du ", " et ", " une ", " pour ", "vous", "votre", "vos "}
	accented := regexp.MustCompile(`[àâäçéèêëîïôöùûüÿœæÀÂÇÉÈÊÎÔÙÛŒ]`)
	spaceBefore := regexp.MustCompile(`\s[:;!?]`)
	for _, d := range challenges.BuiltinDefis("en") {
		for name, text := range fieldsOf(d) {
			lower := " " + strings.ToLower(text) + " "
			for _, w := range frenchWords {
				if strings.Contains(lower, w) {
					t.Errorf("défi %q %s: French word %q in %q", d.ID, name, strings.TrimSpace(w), text)
				}
			}
			if i := strings.IndexAny(text, "\u00a0\u202f«»"); i >= 0 {
				t.Errorf("défi %q %s: French typography %q in %q", d.ID, name, []rune(text[i:])[0], text)
			}
			if m := accented.FindString(text); m != "" {
				t.Errorf("défi %q %s: accented letter %q in %q", d.ID, name, m, text)
			}
			if m := spaceBefore.FindString(text); m != "" {
				t.Errorf("défi %q %s: space before %q in %q", d.ID, name, strings.TrimSpace(m), text)
			}
		}
	}
}

// fieldsOf names every text of a défi.
func fieldsOf(d challenges.Defi) map[string]string {
	fields := map[string]string{"title": d.Title, "tip": d.Tip, "saves": d.Saves}
	for i, s := range d.Steps {
		fields[fmt.Sprintf("steps[%d]", i)] = s
	}
	return fields
}

func TestBuiltinDefisAreReadable(t *testing.T) {
	for _, lang := range languages {
		for _, d := range challenges.BuiltinDefis(lang) {
			for _, s := range append([]string{d.Title, d.Tip, d.Saves}, d.Steps...) {
				if !utf8.ValidString(s) || s != strings.TrimSpace(s) || strings.Contains(s, "  ") {
					t.Errorf("%s défi %q: badly spaced text %q", lang, d.ID, s)
				}
			}
			if strings.HasSuffix(d.Title, ".") {
				t.Errorf("%s défi %q: title %q ends with a full stop", lang, d.ID, d.Title)
			}
		}
	}
}

func TestCatalog(t *testing.T) {
	builtin := challenges.BuiltinDefis("fr")
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
	for _, d := range challenges.BuiltinDefis("fr") {
		if d.ID == "doublons" && fmt.Sprint(got[0]) != fmt.Sprint(d) {
			t.Errorf("reordered défi %+v, want %+v", got[0], d)
		}
	}
}

// TestCatalogLanguage: the built-in défis follow campaign.language, through
// Catalog and the calendar, with or without a defi_order; a config's own
// défis are never replaced.
func TestCatalogLanguage(t *testing.T) {
	const (
		frFirst = "Faites le tri dans votre boîte de réception"
		enFirst = "Sort out your inbox"
		frDup   = "Éliminez les doublons"
		enDup   = "Get rid of duplicates"
	)
	own := []challenges.Defi{{ID: "photos", Title: "Rapatriez vos photos", Steps: []string{"Triez"}}}
	tests := []struct {
		name      string
		lang      string
		defis     []challenges.Defi
		order     []string
		wantFirst string
		wantTitle map[string]string // id → title, checked anywhere in the catalog
	}{
		{name: "fr", lang: "fr", wantFirst: frFirst, wantTitle: map[string]string{"doublons": frDup}},
		{name: "no language", lang: "", wantFirst: frFirst, wantTitle: map[string]string{"doublons": frDup}},
		{name: "en", lang: "en", wantFirst: enFirst, wantTitle: map[string]string{"doublons": enDup, "charte-equipe": "Sign your team charter"}},
		{name: "en reordered", lang: "en", order: []string{"doublons", "boite-de-reception"}, wantFirst: enDup, wantTitle: map[string]string{"boite-de-reception": enFirst}},
		{name: "fr reordered", lang: "fr", order: []string{"doublons"}, wantFirst: frDup},
		{name: "en keeps the config's défis", lang: "en", defis: own, wantFirst: "Rapatriez vos photos"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := challenges.Default()
			cfg.Campaign.Start = "2027-03-22"
			cfg.Campaign.Language, cfg.Defis, cfg.DefiOrder = tt.lang, tt.defis, tt.order
			got, err := cfg.Catalog()
			if err != nil {
				t.Fatal(err)
			}
			if got[0].Title != tt.wantFirst {
				t.Errorf("Catalog()[0].Title = %q, want %q", got[0].Title, tt.wantFirst)
			}
			for _, d := range got {
				if want, ok := tt.wantTitle[d.ID]; ok && d.Title != want {
					t.Errorf("défi %q: title %q, want %q", d.ID, d.Title, want)
				}
			}
			if tt.defis == nil && len(got) != len(challenges.BuiltinDefis(tt.lang)) {
				t.Errorf("%d défis, want the whole built-in catalog", len(got))
			}
			cal, err := challenges.NewCalendar(&cfg)
			if err != nil {
				t.Fatal(err)
			}
			if title := cal.Days[0].Defi.Title; title != tt.wantFirst {
				t.Errorf("NewCalendar: Days[0].Defi.Title = %q, want %q", title, tt.wantFirst)
			}
		})
	}
}

// TestParseConfigLanguage: a campaign file in English validates its
// defi_order against the English catalog and gets English défis.
func TestParseConfigLanguage(t *testing.T) {
	src := strings.Replace(minimalYAML, "  start: 2027-03-22\n", "  start: 2027-03-22\n  language: en\n", 1)
	cfg := mustParse(t, src+"defi_order: [charte-equipe, doublons]\n")
	got, err := cfg.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	if titles := fmt.Sprint(got[0].Title, " | ", got[1].Title, " | ", got[2].Title); titles != "Sign your team charter | Get rid of duplicates | Sort out your inbox" {
		t.Errorf("titles %s", titles)
	}
	problems := problemsOf(t, src+"defi_order: [doublons, inconnu]\n")
	if len(problems) != 1 || problems[0].Field != "defi_order[1]" {
		t.Errorf("problems %v, want one on defi_order[1]", problems)
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
