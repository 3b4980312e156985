package scanner_test

import (
	"bytes"
	"encoding/csv"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gigabot/gigabot/scanner"
)

// details is one root with one entry in every list.
func details() []scanner.Detail {
	at := time.Date(2019, 5, 6, 10, 0, 0, 0, time.UTC)
	res := &scanner.WalkResult{
		TopDuplicates: []scanner.DupGroup{{Size: 2_000_000, Paths: []string{"/srv/r/a.pdf", "/srv/r/Copie de a.pdf"}}},
		Largest:       []scanner.FileEntry{{Path: "/srv/r/film.mp4", Size: 3_000_000_000, ModTime: at}},
		Oldest:        []scanner.FileEntry{{Path: "/srv/r/1998.doc", Size: 40_000, ModTime: at.AddDate(-21, 0, 0)}},
		BadlyNamed:    []scanner.FileEntry{{Path: "/srv/r/Copie de a.pdf", Size: 2_000_000, ModTime: at, Rule: "copy"}},
	}
	return []scanner.Detail{{Root: "/srv/r", Result: res}}
}

// wantColumns are the columns of each table of the md and html reports: only
// those that mean something for its entries.
var wantColumns = map[string][]string{
	"Doublons à supprimer":  {"#", "taille", "copies", "récupérable", "chemins"},
	"Plus gros fichiers":    {"chemin", "taille", "modifié le"},
	"Plus anciens fichiers": {"chemin", "taille", "modifié le"},
	"Fichiers mal nommés":   {"chemin", "taille", "modifié le", "règle"},
}

func writeDetails(t *testing.T, format string) string {
	t.Helper()
	var b bytes.Buffer
	if err := scanner.WriteDetails(&b, format, details()); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestMarkdownColumns(t *testing.T) {
	lines := strings.Split(writeDetails(t, "md"), "\n")
	got := map[string][]string{}
	for i, line := range lines {
		title, ok := strings.CutPrefix(line, "## ")
		if !ok {
			continue
		}
		header, row := mdCells(lines[i+2]), mdCells(lines[i+4])
		got[title] = header
		if len(row) != len(header) || slices.Contains(row, "") {
			t.Errorf("%s: row %q under %q", title, row, header)
		}
	}
	assertColumns(t, got)
}

func mdCells(line string) []string {
	cells := strings.Split(strings.Trim(line, "|"), " | ")
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
	}
	return cells
}

func TestHTMLColumns(t *testing.T) {
	page := writeDetails(t, "html")
	table := regexp.MustCompile(`(?s)<h3>(.*?)</h3><table><thead><tr>(.*?)</tr></thead><tbody>\s*<tr>(.*?)</tr>`)
	th := regexp.MustCompile(`<th scope="col">(.*?)</th>`)
	td := regexp.MustCompile(`(?s)<td>(.*?)</td>`)
	got := map[string][]string{}
	for _, m := range table.FindAllStringSubmatch(page, -1) {
		var header []string
		for _, h := range th.FindAllStringSubmatch(m[2], -1) {
			header = append(header, h[1])
		}
		got[m[1]] = header
		cells := td.FindAllStringSubmatch(m[3], -1)
		if len(cells) != len(header) {
			t.Errorf("%s: %d cells under %q", m[1], len(cells), header)
		}
		for _, c := range cells {
			if c[1] == "" {
				t.Errorf("%s: an empty cell under %q", m[1], header)
			}
		}
	}
	assertColumns(t, got)
}

func assertColumns(t *testing.T, got map[string][]string) {
	t.Helper()
	for title, want := range wantColumns {
		if !slices.Equal(got[title], want) {
			t.Errorf("%s: columns %q, want %q", title, got[title], want)
		}
	}
	if len(got) != len(wantColumns) {
		t.Errorf("tables %q, want those of %q", got, wantColumns)
	}
}

// TestCSVColumns: the CSV is one table that spreadsheets and scripts filter
// by kind; each kind fills the columns that mean something for it and
// leaves the others empty.
func TestCSVColumns(t *testing.T) {
	records, err := csv.NewReader(strings.NewReader(writeDetails(t, "csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"kind", "root", "group", "path", "size_bytes", "modified", "rule"}
	if !slices.Equal(records[0], header) {
		t.Fatalf("header %q, want %q", records[0], header)
	}
	want := map[string][]string{
		"duplicate":   {"kind", "root", "group", "path", "size_bytes"},
		"largest":     {"kind", "root", "path", "size_bytes", "modified"},
		"oldest":      {"kind", "root", "path", "size_bytes", "modified"},
		"badly_named": {"kind", "root", "path", "size_bytes", "modified", "rule"},
	}
	seen := map[string]bool{}
	for _, rec := range records[1:] {
		var filled []string
		for i, cell := range rec {
			if cell != "" {
				filled = append(filled, header[i])
			}
		}
		seen[rec[0]] = true
		if !slices.Equal(filled, want[rec[0]]) {
			t.Errorf("%s row fills %q, want %q", rec[0], filled, want[rec[0]])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("kinds %v, want those of %v", seen, want)
	}
}
