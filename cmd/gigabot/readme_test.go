package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"strings"
	"testing"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the README's demo excerpts from the demo's transcript")

// readmePath is the README, from this package's directory.
const readmePath = "../../README.md"

// excerptMarker opens an HTML comment, invisible once rendered, that tells
// how a README excerpt was made: "<!-- demo excerpt: gigabot demo
// --day-duration 0 -->" before a ```text block.
const excerptMarker = "<!-- demo excerpt: gigabot "

// excerpt is a README block of transcript lines and the command that
// prints them.
type excerpt struct {
	args []string
	// first and end delimit the block's lines in the README's lines.
	first, end int
}

// readmeExcerpts finds the demo excerpts of the README.
func readmeExcerpts(t *testing.T, lines []string) []excerpt {
	t.Helper()
	var out []excerpt
	for i, line := range lines {
		if !strings.HasPrefix(line, excerptMarker) {
			continue
		}
		args := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(line, excerptMarker), "-->"))
		if i+1 >= len(lines) || lines[i+1] != "```text" {
			t.Fatalf("README line %d: the demo excerpt marker is not followed by a ```text block", i+1)
		}
		end := i + 2
		for end < len(lines) && lines[end] != "```" {
			end++
		}
		out = append(out, excerpt{args: args, first: i + 2, end: end})
	}
	if len(out) == 0 {
		t.Fatalf("no %q marker in the README: its demo excerpts would go unchecked", excerptMarker)
	}
	return out
}

// demoTranscript runs the command of an excerpt and returns its lines, French
// typography's no-break spaces written as plain ones, as the README does.
func demoTranscript(t *testing.T, args []string) []string {
	t.Helper()
	var out, errOut bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}
	if code := m.Run(context.Background(), args); code != 0 {
		t.Fatalf("gigabot %s exited %d: %s", strings.Join(args, " "), code, errOut.String())
	}
	text := strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(out.String())
	return strings.Split(text, "\n")
}

// postKey names a transcript line by its channel and post number
// ("[#equipe-routes] P45"), which a seed keeps from run to run.
func postKey(line string) string {
	if !strings.HasPrefix(line, "[") {
		return ""
	}
	fields := strings.SplitN(line, " ", 3)
	if len(fields) < 3 {
		return ""
	}
	return fields[0] + " " + fields[1] + " "
}

// matches reports whether a transcript line is what an excerpt line shows:
// the same line, or, for an excerpt line cut with "…", its beginning.
func matches(excerptLine, line string) bool {
	if head, cut := strings.CutSuffix(excerptLine, "…"); cut {
		return strings.HasPrefix(line, head)
	}
	return line == excerptLine
}

// regenerate rewrites an excerpt line from the transcript: the same post,
// cut after as many " ⏎ " as before.
func regenerate(excerptLine string, transcript []string) (string, bool) {
	key := postKey(excerptLine)
	for _, line := range transcript {
		switch {
		case key == "" && line == excerptLine:
			return line, true
		case key != "" && strings.HasPrefix(line, key):
			if !strings.HasSuffix(excerptLine, " ⏎ …") {
				return line, true
			}
			kept := strings.Count(excerptLine, " ⏎ ")
			parts := strings.SplitAfterN(line, " ⏎ ", kept+1)
			if len(parts) <= kept {
				return line, true
			}
			return strings.Join(parts[:kept], "") + "…", true
		}
	}
	return "", false
}

// TestReadmeDemoExcerpts keeps the README's transcript excerpts true: each
// of their lines must be, in order, a line the demo prints (or its
// beginning, where the excerpt cuts it with "…"). After a change of
// wording, "go test ./cmd/gigabot -run TestReadmeDemoExcerpts
// -update-readme" rewrites them from the demo.
func TestReadmeDemoExcerpts(t *testing.T) {
	raw, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	changed := false
	for _, ex := range readmeExcerpts(t, lines) {
		transcript := demoTranscript(t, ex.args)
		next := 0
		for i := ex.first; i < ex.end; i++ {
			found := false
			for j := next; j < len(transcript); j++ {
				if matches(lines[i], transcript[j]) {
					found, next = true, j+1
					break
				}
			}
			if found {
				continue
			}
			if *updateReadme {
				if line, ok := regenerate(lines[i], transcript); ok {
					lines[i], changed = line, true
					continue
				}
			}
			hint := ""
			if line, ok := regenerate(lines[i], transcript); ok {
				hint = "\nthe demo now prints:\n" + line
			}
			t.Errorf("README line %d is not in the output of gigabot %s (in order):\n%s%s\n(go test ./cmd/gigabot -run TestReadmeDemoExcerpts -update-readme rewrites it)",
				i+1, strings.Join(ex.args, " "), lines[i], hint)
		}
	}
	if changed {
		if err := os.WriteFile(readmePath, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("README excerpts rewritten from the demo")
	}
}
