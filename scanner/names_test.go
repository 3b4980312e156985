package scanner

import (
	"strings"
	"testing"
)

func TestDefaultNameRules(t *testing.T) {
	tests := []struct {
		name, relPath string // relPath defaults to name
		want          string // "" for a good name
	}{
		{name: "rapport annuel 2025.pdf"},
		{name: "Compte-rendu CODIR.docx"},
		{name: ".bashrc"},
		{name: "archive.tar.gz"},

		{name: "~$budget.xlsx", want: "lock-file"},
		{name: ".~lock.planning.ods#", want: "lock-file"},

		{name: "~WRL0004.tmp", want: "temp"},
		{name: "export.TMP", want: "temp"},
		{name: "base.bak", want: "temp"},
		{name: "notes.txt~", want: "temp"},
		{name: ".notes.txt.swp", want: "temp"},
		{name: "template.docx"},

		{name: "réunion 14:30.docx", want: "windows-chars"},
		{name: `pourquoi?.txt`, want: "windows-chars"},
		{name: "a<b>.txt", want: "windows-chars"},
		{name: "tab\there.txt", want: "windows-chars"},

		{name: "CON", want: "windows-reserved"},
		{name: "con.txt", want: "windows-reserved"},
		{name: "Aux.tar.gz", want: "windows-reserved"},
		{name: "LPT1.log", want: "windows-reserved"},
		{name: "com9", want: "windows-reserved"},
		{name: "console.txt"},
		{name: "com10.txt"},

		{name: "rapport.docx ", want: "trailing-space"},
		{name: " rapport.docx", want: "trailing-space"},
		{name: "rapport.", want: "trailing-space"},

		{name: strings.Repeat("é", 256), want: "too-long"},
		{name: "court.txt", relPath: strings.Repeat("dossier/", 32) + "court.txt", want: "too-long"},
		{name: "court.txt", relPath: strings.Repeat("d/", 125) + "court.txt"},

		{name: "Copie de rapport.docx", want: "copy"},
		{name: "COPIE DE Résumé.pdf", want: "copy"},
		{name: "Copy of report.xlsx", want: "copy"},
		{name: "Copie (2) de rapport.docx", want: "copy"},
		{name: "rapport - Copie.docx", want: "copy"},
		{name: "rapport - Copie (3).docx", want: "copy"},
		{name: "report - Copy.txt", want: "copy"},
		{name: "rapport_copie.odt", want: "copy"},
		{name: "rapport copie 2.pages", want: "copy"},
		{name: "Demande de copie.pdf"},
		{name: "photocopie.pdf"},

		{name: "rapport (1).pdf", want: "numbered-copy"},
		{name: "photo(12).jpg", want: "numbered-copy"},
		{name: "facture[2].pdf", want: "numbered-copy"},
		{name: "Bilan (2019).pdf"},

		{name: "Nouveau document texte.txt", want: "untitled"},
		{name: "Nouveau Document Microsoft Word.docx", want: "untitled"},
		{name: "Nouvelle feuille de calcul.xlsx", want: "untitled"},
		{name: "New Text Document (2).txt", want: "untitled"},
		{name: "Sans titre.png", want: "untitled"},
		{name: "Untitled-1.psd", want: "untitled"},
		{name: "Document1.docx", want: "untitled"},
		{name: "Classeur3.xlsx", want: "untitled"},
		{name: "Présentation1.pptx", want: "untitled"},
		{name: "Nouveau règlement.pdf"},
		{name: "Documentation.pdf"},

		{name: "rapport FINAL.docx", want: "version-word"},
		{name: "budget_finale.xlsx", want: "version-word"},
		{name: "note def.odt", want: "version-word"},
		{name: "plan-définitif2.pdf", want: "version-word"},
		{name: "Bilan DÉFINITIVE.pdf", want: "version-word"},
		{name: "projet vdef.pptx", want: "version-word"},
		{name: "Finalité du projet.pdf"},
		{name: "définition.txt"},

		{name: "rapport_v2.docx", want: "version-number"},
		{name: "Budget V3 relu.xlsx", want: "version-number"},
		{name: "note v1.2.odt", want: "version-number"},
		{name: "plan version 4.pdf", want: "version-number"},
		{name: "v12.txt", want: "version-number"},
		{name: "dev2.txt"},
		{name: "v2a.txt"},
		{name: "conversion 2.txt"},
		{name: "tv.txt"},
	}
	rules := DefaultNameRules()
	for _, tt := range tests {
		rel := tt.relPath
		if rel == "" {
			rel = tt.name
		}
		rule, bad := rules.Check(rel, tt.name)
		if rule != tt.want || bad != (tt.want != "") {
			t.Errorf("Check(%q) = %q, %v; want %q", tt.name, rule, bad, tt.want)
		}
	}
}

func TestDefaultNameRulesAreDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range DefaultNameRules().Rules {
		if r.Name == "" || r.Doc == "" || r.Match == nil || seen[r.Name] {
			t.Errorf("rule %+v: want a unique name, a doc and a match", r)
		}
		seen[r.Name] = true
	}
}

func TestCustomNameRules(t *testing.T) {
	scans, err := GlobRule("scan", "scan_*.pdf", "IMG_????.JPG")
	if err != nil {
		t.Fatal(err)
	}
	rules := DefaultNameRules()
	rules.Rules = append(rules.Rules, scans)
	tests := []struct {
		rules *NameRules
		name  string
		want  string
	}{
		{rules, "SCAN_0001.PDF", "scan"},
		{rules, "img_1234.jpg", "scan"},
		{rules, "Scan_Été.pdf", "scan"},
		{rules, "scan_0001 (1).pdf", "numbered-copy"}, // the first rule broken wins
		{rules, "scanner.pdf", ""},
		{NewNameRules(scans), "Copie de scan.pdf", ""},
		{NewNameRules(), "Copie de rapport.docx", ""},
		{nil, "Copie de rapport.docx", ""},
	}
	for _, tt := range tests {
		if rule, _ := tt.rules.Check(tt.name, tt.name); rule != tt.want {
			t.Errorf("Check(%q) = %q, want %q", tt.name, rule, tt.want)
		}
	}
	if _, err := GlobRule("bad", "ok*", "[z-"); err == nil {
		t.Error("GlobRule accepted a malformed pattern")
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"rapport.pdf":         "rapport.pdf",
		"RAPPORT.PDF":         "rapport.pdf",
		"Résumé Été.DOCX":     "resume ete.docx",
		"e\u0301te\u0301.txt": "ete.txt", // decomposed (macOS)
		"Œuvre ÇA":            "œuvre ca",
		"Ǖ \xff.txt":          "u \uFFFD.txt", // a double accent; invalid UTF-8
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkNameRulesCheck(b *testing.B) {
	rules := DefaultNameRules()
	names := []string{"rapport annuel 2025.pdf", "Compte-rendu CODIR - Copie.docx", "Présentation équipe routes v2.pptx"}
	b.ReportAllocs()
	for b.Loop() {
		for _, n := range names {
			rules.Check("dossier/"+n, n)
		}
	}
}
