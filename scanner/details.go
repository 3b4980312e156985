package scanner

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gigabot/gigabot/catalog"
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

// csvHeader is the one header of the CSV: a single table that spreadsheets
// and scripts filter by kind, each kind filling the columns that mean
// something for it (group for duplicates, rule for badly named files).
var csvHeader = []string{"kind", "root", "group", "path", "size_bytes", "modified", "rule"}

func writeDetailsCSV(w io.Writer, details []Detail) error {
	cw := csv.NewWriter(w)
	cw.Write(csvHeader)
	for _, d := range details {
		for i, g := range d.Result.TopDuplicates {
			for _, p := range g.Paths {
				cw.Write([]string{"duplicate", d.Root, strconv.Itoa(i + 1), p, strconv.FormatInt(g.Size, 10), "", ""})
			}
		}
		for _, s := range sections(d.Result) {
			for _, f := range s.List {
				rec := []string{s.kind, d.Root, ""}
				for _, field := range csvHeader[len(rec):] {
					rec = append(rec, s.csvCell(field, f))
				}
				cw.Write(rec)
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// The report is in French, the campaign's language by default; its words
// are the catalog's "report." sentences.
var (
	fr    = locale.New("fr")
	words = catalog.New("fr")
)

// count writes n things with the word that fits: "1 fichier", "2 fichiers".
func count(key string, n int64) string {
	if n == 1 || n == 0 {
		return words.T(key+".one", fr.Int(n))
	}
	return words.T(key+".many", fr.Int(n))
}

// summary is the report's first paragraph.
func summary(r Report) string {
	return words.T("report.summary", count("report.files", r.Files), fr.Bytes(r.Bytes), fr.Bytes(r.Duplicates.ReclaimableBytes),
		count("report.groups", r.Duplicates.Groups), fr.Bytes(r.Stale.Bytes), fr.Bytes(r.Large.Bytes), fr.Int(r.BadlyNamed.Files),
		count("report.files", r.Empty.Files), count("report.dirs", r.Empty.Dirs), fr.Int(r.Errors))
}

// column is one column of a list of files.
type column struct {
	// Title heads the column in md and html; field, in the CSV.
	Title, field string
	// Code: the cell is a path, shown as code.
	Code bool
	// text is the cell as the md and html reports show it; raw, when the
	// CSV writes it otherwise (bytes as a number).
	text, raw func(FileEntry) string
}

// Cell is f's cell in this column, as the md and html reports show it.
func (c column) Cell(f FileEntry) string { return c.text(f) }

var (
	pathColumn     = column{Title: words.T("report.col.path"), field: "path", Code: true, text: func(f FileEntry) string { return f.Path }}
	sizeColumn     = column{Title: words.T("report.col.size"), field: "size_bytes", text: func(f FileEntry) string { return fr.Bytes(f.Size) }, raw: func(f FileEntry) string { return strconv.FormatInt(f.Size, 10) }}
	modifiedColumn = column{Title: words.T("report.col.modified"), field: "modified", text: func(f FileEntry) string { return f.ModTime.Format(time.DateOnly) }}
	ruleColumn     = column{Title: words.T("report.col.rule"), field: "rule", text: func(f FileEntry) string { return f.Rule }}
)

// section is one list of files in a detail report, with the columns that
// mean something for it: a rule only for badly named files.
type section struct {
	kind, Title string
	List        []FileEntry
	Columns     []column
}

func sections(r *WalkResult) []section {
	files := []column{pathColumn, sizeColumn, modifiedColumn}
	return []section{
		{"largest", words.T("report.largest"), r.Largest, files},
		{"oldest", words.T("report.oldest"), r.Oldest, files},
		{"badly_named", words.T("report.badly_named"), r.BadlyNamed, append(files[:len(files):len(files)], ruleColumn)},
	}
}

// csvCell is f's value for the CSV field, empty when the section has no
// such column.
func (s section) csvCell(field string, f FileEntry) string {
	for _, c := range s.Columns {
		switch {
		case c.field != field:
		case c.raw != nil:
			return c.raw(f)
		default:
			return c.text(f)
		}
	}
	return ""
}

func writeDetailsMarkdown(w io.Writer, details []Detail) error {
	var b strings.Builder
	for _, d := range details {
		r := d.Report
		fmt.Fprintf(&b, "# %s\n\n", d.Root)
		fmt.Fprintf(&b, "%s\n\n", summary(r))
		fmt.Fprintf(&b, "## %s\n\n|", words.T("report.duplicates"))
		for _, col := range duplicateColumns() {
			fmt.Fprintf(&b, " %s |", col)
		}
		fmt.Fprintf(&b, "\n|%s\n", strings.Repeat("---|", len(duplicateColumns())))
		for i, g := range d.Result.TopDuplicates {
			fmt.Fprintf(&b, "| %d | %s | %d | %s | %s |\n", i+1, fr.Bytes(g.Size), len(g.Paths), fr.Bytes(g.Reclaimable()), mdPaths(g.Paths))
		}
		for _, s := range sections(d.Result) {
			fmt.Fprintf(&b, "\n## %s\n\n|", s.Title)
			for _, c := range s.Columns {
				fmt.Fprintf(&b, " %s |", c.Title)
			}
			fmt.Fprintf(&b, "\n|%s\n", strings.Repeat("---|", len(s.Columns)))
			for _, f := range s.List {
				b.WriteString("|")
				for _, c := range s.Columns {
					cell := c.Cell(f)
					if c.Code {
						cell = mdCell(cell)
					}
					fmt.Fprintf(&b, " %s |", cell)
				}
				b.WriteString("\n")
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

// duplicateColumns head the table of duplicate groups.
func duplicateColumns() []string {
	return []string{words.T("report.col.rank"), words.T("report.col.size"), words.T("report.col.copies"),
		words.T("report.col.reclaimable"), words.T("report.col.paths")}
}

var detailsPage = template.Must(template.New("details").Funcs(template.FuncMap{
	"bytes": fr.Bytes, "int": fr.Int, "t": words.T, "summary": summary, "dupColumns": duplicateColumns,
	"inc": func(i int) int { return i + 1 }, "reclaimable": DupGroup.Reclaimable, "sections": sections,
}).Parse(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{t "report.title"}}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}table{border-collapse:collapse;margin-bottom:2rem}
th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}th{background:#eef}code{word-break:break-all}</style></head>
<body><h1>{{t "report.title"}}</h1>
{{range .}}<section><h2>{{.Root}}</h2>
<p>{{summary .Report}}</p>
<h3>{{t "report.duplicates"}}</h3><table><thead><tr>{{range dupColumns}}<th scope="col">{{.}}</th>{{end}}</tr></thead><tbody>
{{range $i, $g := .Result.TopDuplicates}}<tr><td>{{inc $i}}</td><td>{{bytes $g.Size}}</td><td>{{len $g.Paths}}</td><td>{{bytes (reclaimable $g)}}</td><td>{{range $g.Paths}}<code>{{.}}</code><br>{{end}}</td></tr>
{{end}}</tbody></table>
{{range $s := sections .Result}}<h3>{{$s.Title}}</h3><table><thead><tr>{{range $s.Columns}}<th scope="col">{{.Title}}</th>{{end}}</tr></thead><tbody>
{{range $f := $s.List}}<tr>{{range $c := $s.Columns}}<td>{{if $c.Code}}<code>{{$c.Cell $f}}</code>{{else}}{{$c.Cell $f}}{{end}}</td>{{end}}</tr>
{{end}}</tbody></table>
{{end}}</section>
{{end}}</body></html>
`))
