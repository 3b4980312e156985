//go:build unix

package scanner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// tailDiffers returns the content of a file of n bytes, the same for every
// seed but in its last byte.
func tailDiffers(n int, last byte) string {
	return fill(n-1, 0) + string([]byte{last})
}

func TestDuplicates(t *testing.T) {
	type group struct {
		size  int64
		paths []string
	}
	tests := []struct {
		name    string
		entries []entry
		want    []group // in report order
	}{
		{
			name: "three copies and a pair, most reclaimable first",
			entries: []entry{
				file("pair/a", fill(500, 1)), file("pair/b", fill(500, 1)),
				file("c/3", fill(300, 2)), file("c/1", fill(300, 2)), file("c/2", fill(300, 2)),
			},
			want: []group{{300, []string{"c/1", "c/2", "c/3"}}, {500, []string{"pair/a", "pair/b"}}},
		},
		{
			name: "equal reclaimable bytes: by first path",
			entries: []entry{
				file("z/1", fill(100, 1)), file("z/2", fill(100, 1)),
				file("a/1", fill(100, 2)), file("a/2", fill(100, 2)),
			},
			want: []group{{100, []string{"a/1", "a/2"}}, {100, []string{"z/1", "z/2"}}},
		},
		{
			name:    "same size, different content",
			entries: []entry{file("a", fill(1000, 1)), file("b", fill(1000, 2)), file("c", fill(1000, 3))},
		},
		{
			name: "same first 64 KiB, different tail",
			entries: []entry{
				file("a", tailDiffers(64<<10+100, 'a')), file("b", tailDiffers(64<<10+100, 'b')),
			},
		},
		{
			name: "differ only in the last byte, at every size around the blocks",
			entries: []entry{
				file("block/a", tailDiffers(partialBlock, 'a')), file("block/a2", tailDiffers(partialBlock, 'a')),
				file("block/b", tailDiffers(partialBlock, 'b')),
				file("block+1/a", tailDiffers(partialBlock+1, 'a')), file("block+1/a2", tailDiffers(partialBlock+1, 'a')),
				file("block+1/b", tailDiffers(partialBlock+1, 'b')),
				file("big/a", tailDiffers(2*readBlock+partialBlock+7, 'a')),
				file("big/a2", tailDiffers(2*readBlock+partialBlock+7, 'a')),
				file("big/b", tailDiffers(2*readBlock+partialBlock+7, 'b')),
			},
			want: []group{
				{2*readBlock + partialBlock + 7, []string{"big/a", "big/a2"}},
				{partialBlock + 1, []string{"block+1/a", "block+1/a2"}},
				{partialBlock, []string{"block/a", "block/a2"}},
			},
		},
		{
			name: "differ in the middle of a large file",
			entries: []entry{
				file("a", fill(readBlock, 1)+"X"+fill(readBlock, 1)),
				file("b", fill(readBlock, 1)+"Y"+fill(readBlock, 1)),
			},
		},
		{
			name:    "empty files are never duplicates",
			entries: []entry{file("e1", ""), file("e2", ""), file("sub/e3", "")},
		},
		{
			name:    "hard links are one file",
			entries: []entry{file("a", fill(100, 1)), hardlink("b", "a"), hardlink("c", "a")},
		},
		{
			name:    "a hard-linked file and a copy, under the link's first path",
			entries: []entry{file("m", fill(100, 1)), hardlink("b", "m"), file("copy", fill(100, 1))},
			want:    []group{{100, []string{"b", "copy"}}},
		},
		{
			name: "names and dates do not matter, content does",
			entries: []entry{
				file("x/report.pdf", "same bytes").modified(testNow.AddDate(-9, 0, 0)), file("y/other.txt", "same bytes"),
				file("x/twin.doc", "other byte"),
			},
			want: []group{{10, []string{"x/report.pdf", "y/other.txt"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			build(t, root, tt.entries...)
			res := walkTree(t, root, WalkOptions{Top: 100})
			var got []group
			for _, g := range res.TopDuplicates {
				rel := make([]string, len(g.Paths))
				for i, p := range g.Paths {
					r, err := filepath.Rel(root, p)
					if err != nil {
						t.Fatal(err)
					}
					rel[i] = filepath.ToSlash(r)
				}
				got = append(got, group{g.Size, rel})
			}
			if !slices.EqualFunc(got, tt.want, func(a, b group) bool { return a.size == b.size && slices.Equal(a.paths, b.paths) }) {
				t.Errorf("groups\n got %v\nwant %v", got, tt.want)
			}
			var files, reclaimable int64
			for _, g := range tt.want {
				files += int64(len(g.paths))
				reclaimable += int64(len(g.paths)-1) * g.size
			}
			if res.DupGroups != int64(len(tt.want)) || res.DupFiles != files || res.DupReclaimable != reclaimable || res.Errors != 0 {
				t.Errorf("totals: %d groups, %d files, %d reclaimable, %d errors; want %d, %d, %d, 0",
					res.DupGroups, res.DupFiles, res.DupReclaimable, res.Errors, len(tt.want), files, reclaimable)
			}
		})
	}
}

// walkPhase runs the walk of root without looking for duplicates.
// groupsOf gives the sets their paths.
func groupsOf(sets []dupSet) []DupGroup {
	var groups []DupGroup
	for _, d := range sets {
		groups = append(groups, d.group())
	}
	return groups
}

func walkPhase(t *testing.T, ctx context.Context, root string) *walker {
	t.Helper()
	st, err := statFollow(root)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := openNoAtime(root)
	if err != nil {
		t.Fatal(err)
	}
	w := newWalker(ctx, WalkOptions{Now: testNow}.withDefaults(), root, st)
	if _, err := w.walk(&dirNode{path: root, opened: dir}); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestDuplicatesReadEachByteAtMostOnce(t *testing.T) {
	root := t.TempDir()
	build(t, root,
		file("twin/a", fill(3<<20, 1)), file("twin/b", fill(3<<20, 1)), // read whole, once
		file("head/a", fill(1<<20, 2)), file("head/b", fill(1<<20, 3)), // told apart by their first block
		file("small/a", "tiny"), file("small/b", "tiny"), // whole in the first block
		file("unique", fill(12345, 4)), // no other file of its size: never read
	)
	w := walkPhase(t, t.Context(), root)
	sets, err := w.duplicates()
	groups := groupsOf(sets)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 {
		t.Errorf("%d groups, want 2: %+v", len(groups), groups)
	}
	if got, want := w.hashed.Load(), int64(2*(3<<20)+2*partialBlock+2*4); got != want {
		t.Errorf("read %d bytes to compare, want %d", got, want)
	}
}

func TestDuplicatesLeaveOutFilesChangedSinceTheWalk(t *testing.T) {
	root := t.TempDir()
	same := fill(100, 1)
	build(t, root, file("a", same), file("b", same), file("c", same), file("d", same), file("e", same), file("f", same))
	w := walkPhase(t, t.Context(), root)

	p := func(name string) string { return filepath.Join(root, name) }
	if err := os.Remove(p("b")); err != nil { // vanished
		t.Fatal(err)
	}
	build(t, root, file("c", fill(100, 2)).modified(testNow)) // rewritten, same size
	if err := os.Truncate(p("d"), 50); err != nil {           // shrunk
		t.Fatal(err)
	}
	// Touched, the same bytes: not the file measured any more either.
	if err := os.Chtimes(p("f"), testNow, testNow.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	sets, err := w.duplicates()
	groups := groupsOf(sets)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{p("a"), p("e")}
	if len(groups) != 1 || !slices.Equal(groups[0].Paths, want) {
		t.Errorf("groups %+v, want one of %q", groups, want)
	}
	if w.errs.count != 0 {
		t.Errorf("%d errors, want none: a change is not an error (%q)", w.errs.count, w.errs.samples)
	}
}

func TestDuplicatesCancelled(t *testing.T) {
	root := t.TempDir()
	build(t, root, file("a", "same"), file("b", "same"))
	ctx, cancel := context.WithCancel(t.Context())
	w := walkPhase(t, ctx, root)
	cancel()
	if _, err := w.duplicates(); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if w.hashed.Load() != 0 {
		t.Errorf("%d bytes read after cancellation", w.hashed.Load())
	}
}

// TestDuplicatesAcrossChunks walks more files than a few chunks of records
// hold, in many folders, files of unique sizes among them (dropped before
// comparing), hard links and empty files, and checks the figures against
// those counted here, from the contents; the cached rescan gives the same.
func TestDuplicatesAcrossChunks(t *testing.T) {
	root := t.TempDir()
	var entries []entry
	contents := map[string][]string{} // content → paths, one per inode
	var files, bytes int64
	for i := range 3*fileChunk + 100 {
		p := fmt.Sprintf("d%02d/e%d/f%05d", i%37, i%3, i)
		var content string
		switch {
		case i%5 == 0: // a size of its own
			content = fill(20000+i, byte(i))
		case i%5 == 1: // the same size, another content
			content = fill(300, byte(i))
		case i%5 == 2 && i > 10: // a hard link to the file before the last
			entries = append(entries, hardlink(p, entries[len(entries)-2].path))
			continue
		case i%101 == 3:
			content = ""
		default: // one of 40 contents, of sizes shared with others
			content = fill(100+i%40, byte(i%40))
		}
		entries = append(entries, file(p, content))
		files++
		bytes += int64(len(content))
		if content != "" {
			contents[content] = append(contents[content], p)
		}
	}
	build(t, root, entries...)
	var groups, dupFiles, reclaimable int64
	for content, paths := range contents {
		if len(paths) > 1 {
			groups++
			dupFiles += int64(len(paths))
			reclaimable += int64(len(paths)-1) * int64(len(content))
		}
	}
	res := rescan(t, root, t.TempDir())
	if res.Files != files || res.Bytes != bytes || res.DupGroups != groups || res.DupFiles != dupFiles || res.DupReclaimable != reclaimable {
		t.Errorf("%d files, %d bytes, %d groups, %d files in them, %d reclaimable; want %d, %d, %d, %d, %d",
			res.Files, res.Bytes, res.DupGroups, res.DupFiles, res.DupReclaimable, files, bytes, groups, dupFiles, reclaimable)
	}
	for _, g := range res.TopDuplicates {
		if !slices.IsSorted(g.Paths) {
			t.Errorf("a group's paths are not in order: %q", g.Paths)
		}
	}
}
