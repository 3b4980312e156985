package catalog

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// verbs are a template's fmt verbs in order ("%s", "%d"…), "%%" left out.
var verbs = regexp.MustCompile(`%[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-zA-Z%]`)

func argsOf(s string) []string {
	var out []string
	for _, v := range verbs.FindAllString(s, -1) {
		if v != "%%" {
			out = append(out, v[len(v)-1:])
		}
	}
	return out
}

// Every key exists in both languages with the same arguments in the same
// order, so that a sentence reworded in one language cannot break the
// other or print "%!s(MISSING)".
func TestBothLanguagesHaveEveryKeyWithTheSameArguments(t *testing.T) {
	fr, en := New("fr"), New("en")
	for _, k := range fr.Keys() {
		e, ok := english[k]
		if !ok {
			t.Errorf("%s: missing in English", k)
			continue
		}
		if a, b := argsOf(french[k]), argsOf(e); !slices.Equal(a, b) {
			t.Errorf("%s: French takes %v, English %v", k, a, b)
		}
	}
	for _, k := range en.Keys() {
		if _, ok := french[k]; !ok {
			t.Errorf("%s: missing in French", k)
		}
	}
	if len(fr.Keys()) < 90 {
		t.Errorf("only %d keys: the catalog did not load", len(fr.Keys()))
	}
}

// French typography: never a plain space before ":", "!", "?", ";" or "%",
// nor inside « » (an emoji code such as ":tada:" is not a colon).
func TestFrenchTypography(t *testing.T) {
	bad := regexp.MustCompile(` [!?;%»]| :(?:[\s*_]|$)|« `)
	for k, v := range french {
		clean := strings.NewReplacer("%s", "x", "%d", "1").Replace(v)
		if m := bad.FindString(clean); m != "" {
			t.Errorf("%s: %q has a plain space in %q", k, v, m)
		}
	}
}

func TestCatalog(t *testing.T) {
	fr, en := New("fr"), New("xx")
	if fr.Lang() != "fr" || en.Lang() != "fr" || New("en").Lang() != "en" {
		t.Errorf("languages: %q %q", fr.Lang(), en.Lang())
	}
	if got := New("en").T("report.files.many", "3"); got != "3 files" {
		t.Errorf("T = %q", got)
	}
	if got := fr.T("no.such.key"); got != "no.such.key" {
		t.Errorf("a missing key reads %q, want the key", got)
	}
	page := fr.Section("page")
	if page["page_title"] != "Tableau de bord" || len(page) < 50 {
		t.Errorf("Section(page) = %d keys, page_title %q", len(page), page["page_title"])
	}
	if got := fr.T("report.title"); got != "Giga Déstockage\u00a0: ce qu’il reste à nettoyer" {
		t.Errorf("French typography: %q", got)
	}
}
