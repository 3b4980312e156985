package scanner

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gigabot/gigabot/locale"
)

// Detail is the walk of one root, for the team's own report.
type Detail struct {
	Root   string
	Report Report
	Result *WalkResult
}

// Formats of WriteDetails.
var Formats = []string{"csv", "md", "html"}

// WriteDetails writes what a team should clean — its biggest duplicate
// groups, largest and oldest files, badly named files, with their paths —
// as CSV, Markdown or HTML. This stays on the machine that scanned.
func WriteDetails(w io.Writer, format string, details []Detail) error {
	switch format {
	case "csv":
		return writeDetailsCSV(w, details)
	case "md":
		return writeDetailsMarkdown(w, details)
	case "html":
		return detailsPage.Execute(w, details)
	}
	return fmt.Errorf("unknown format %q (use csv, md or html)", format)
}

func writeDetailsCSV(w io.Writer, details []Detail) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"kind", "root", "group", "path", "size_bytes", "modified", "rule"})
	for _, d := range details {
		for i, g := range d.Result.TopDuplicates {
			for _, p := range g.Paths {
				cw.Write([]string{"duplicate", d.Root, strconv.Itoa(i + 1), p, strconv.FormatInt(g.Size, 10), "", ""})
			}
		}
		for _, s := range sections(d.Result) {
			for _, f := range s.list {
				cw.Write([]string{s.kind, d.Root, "", f.Path, strconv.FormatInt(f.Size, 10), f.ModTime.Format(time.DateOnly), f.Rule})
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

var fr = locale.New("fr")

// section is one list of files in a detail report.
type section struct {
	kind, title string
	list        []FileEntry
}

func sections(r *WalkResult) []section {
	return []section{
		{"largest", "Plus gros fichiers", r.Largest},
		{"oldest", "Plus anciens fichiers", r.Oldest},
		{"badly_named", "Fichiers mal nommés", r.BadlyNamed},
	}
}

func writeDetailsMarkdown(w io.Writer, details []Detail) error {
	var b strings.Builder
	for _, d := range details {
		r := d.Report
		fmt.Fprintf(&b, "# %s\n\n", d.Root)
		fmt.Fprintf(&b, "%s fichiers, %s. Doublons\u00a0: %s récupérables dans %s groupes. Fichiers anciens\u00a0: %s. Gros fichiers\u00a0: %s. Mal nommés\u00a0: %s. Vides\u00a0: %s fichiers, %s dossiers. Illisibles\u00a0: %s.\n\n",
			fr.Int(r.Files), fr.Bytes(r.Bytes), fr.Bytes(r.Duplicates.ReclaimableBytes), fr.Int(r.Duplicates.Groups),
			fr.Bytes(r.Stale.Bytes), fr.Bytes(r.Large.Bytes), fr.Int(r.BadlyNamed.Files), fr.Int(r.Empty.Files), fr.Int(r.Empty.Dirs), fr.Int(r.Errors))
		b.WriteString("## Doublons à supprimer\n\n| # | taille | copies | récupérable | chemins |\n|---|---|---|---|---|\n")
		for i, g := range d.Result.TopDuplicates {
			fmt.Fprintf(&b, "| %d | %s | %d | %s | %s |\n", i+1, fr.Bytes(g.Size), len(g.Paths), fr.Bytes(g.Reclaimable()), mdPaths(g.Paths))
		}
		for _, section := range sections(d.Result) {
			fmt.Fprintf(&b, "\n## %s\n\n| chemin | taille | modifié le | règle |\n|---|---|---|---|\n", section.title)
			for _, f := range section.list {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(f.Path), fr.Bytes(f.Size), f.ModTime.Format(time.DateOnly), f.Rule)
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdCell(s string) string {
	return "`" + strings.NewReplacer("|", `\|`, "`", "'", "\n", " ").Replace(s) + "`"
}

func mdPaths(paths []string) string {
	cells := make([]string, len(paths))
	for i, p := range paths {
		cells[i] = mdCell(p)
	}
	return strings.Join(cells, "<br>")
}

var detailsPage = template.Must(template.New("details").Funcs(template.FuncMap{
	"bytes": fr.Bytes, "int": fr.Int, "date": func(t time.Time) string { return t.Format(time.DateOnly) },
	"inc": func(i int) int { return i + 1 }, "reclaimable": DupGroup.Reclaimable,
}).Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Giga Déstockage&nbsp;: ce qu’il reste à nettoyer</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}table{border-collapse:collapse;margin-bottom:2rem}
th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}th{background:#eef}code{word-break:break-all}</style></head>
<body><h1>Giga Déstockage&nbsp;: ce qu’il reste à nettoyer</h1>
{{range .}}<section><h2>{{.Root}}</h2>
<p>{{int .Report.Files}} fichiers, {{bytes .Report.Bytes}}. Doublons&nbsp;: {{bytes .Report.Duplicates.ReclaimableBytes}} récupérables.
Fichiers anciens&nbsp;: {{bytes .Report.Stale.Bytes}}. Gros fichiers&nbsp;: {{bytes .Report.Large.Bytes}}. Mal nommés&nbsp;: {{int .Report.BadlyNamed.Files}}.
Vides&nbsp;: {{int .Report.Empty.Files}} fichiers, {{int .Report.Empty.Dirs}} dossiers. Illisibles&nbsp;: {{int .Report.Errors}}.</p>
<h3>Doublons à supprimer</h3><table><thead><tr><th scope="col">#</th><th scope="col">taille</th><th scope="col">récupérable</th><th scope="col">chemins</th></tr></thead><tbody>
{{range $i, $g := .Result.TopDuplicates}}<tr><td>{{inc $i}}</td><td>{{bytes $g.Size}}</td><td>{{bytes (reclaimable $g)}}</td><td>{{range $g.Paths}}<code>{{.}}</code><br>{{end}}</td></tr>
{{end}}</tbody></table>
<h3>Plus gros fichiers</h3><table><thead><tr><th scope="col">chemin</th><th scope="col">taille</th><th scope="col">modifié le</th></tr></thead><tbody>
{{range .Result.Largest}}<tr><td><code>{{.Path}}</code></td><td>{{bytes .Size}}</td><td>{{date .ModTime}}</td></tr>
{{end}}</tbody></table>
<h3>Plus anciens fichiers</h3><table><thead><tr><th scope="col">chemin</th><th scope="col">taille</th><th scope="col">modifié le</th></tr></thead><tbody>
{{range .Result.Oldest}}<tr><td><code>{{.Path}}</code></td><td>{{bytes .Size}}</td><td>{{date .ModTime}}</td></tr>
{{end}}</tbody></table>
<h3>Fichiers mal nommés</h3><table><thead><tr><th scope="col">chemin</th><th scope="col">règle</th></tr></thead><tbody>
{{range .Result.BadlyNamed}}<tr><td><code>{{.Path}}</code></td><td>{{.Rule}}</td></tr>
{{end}}</tbody></table></section>
{{end}}</body></html>
`))
