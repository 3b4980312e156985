//go:build unix

package scanner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

// testNow is the instant every test walk measures staleness against.
var testNow = time.Date(2026, 3, 24, 18, 0, 0, 0, time.UTC)

// entry is one thing to create in a test tree.
type entry struct {
	path    string
	content string
	size    int64 // apparent size of a sparse file (content empty)
	dir     bool
	symlink string // target of a symbolic link
	link    string // existing file to hard-link to
	mtime   time.Time
	mode    os.FileMode // applied after everything else when setMode
	setMode bool
}

func file(p, content string) entry      { return entry{path: p, content: content} }
func dir(p string) entry                { return entry{path: p, dir: true} }
func symlink(p, target string) entry    { return entry{path: p, symlink: target} }
func hardlink(p, existing string) entry { return entry{path: p, link: existing} }
func sparse(p string, size int64) entry { return entry{path: p, size: size} }

func (e entry) modified(t time.Time) entry { e.mtime = t; return e }
func (e entry) chmod(m os.FileMode) entry  { e.mode, e.setMode = m, true; return e }

// build creates entries under root; files are dated an hour before testNow
// unless said otherwise.
func build(t testing.TB, root string, entries ...entry) {
	t.Helper()
	for _, e := range entries {
		p := filepath.Join(root, filepath.FromSlash(e.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case e.dir:
			err = os.MkdirAll(p, 0o755)
		case e.symlink != "":
			err = os.Symlink(e.symlink, p)
		case e.link != "":
			err = os.Link(filepath.Join(root, filepath.FromSlash(e.link)), p)
		case e.size > 0:
			err = makeSparse(p, e.size)
		default:
			err = os.WriteFile(p, []byte(e.content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		if !e.dir && e.symlink == "" && e.link == "" {
			mtime := e.mtime
			if mtime.IsZero() {
				mtime = testNow.Add(-time.Hour)
			}
			if err := os.Chtimes(p, mtime, mtime); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, e := range entries {
		if e.setMode {
			p := filepath.Join(root, filepath.FromSlash(e.path))
			if err := os.Chmod(p, e.mode); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(p, 0o755) })
		}
	}
}

func makeSparse(p string, size int64) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// fill returns n bytes of a pattern that depends on seed.
func fill(n int, seed byte) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i%251)
	}
	return string(b)
}

func walkTree(t *testing.T, root string, o WalkOptions) *WalkResult {
	t.Helper()
	o.Now = testNow
	res, err := Walk(t.Context(), root, o)
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return res
}

func TestWalkTotals(t *testing.T) {
	staleBefore := testNow.AddDate(0, 0, -DefaultStaleDays)
	tests := []struct {
		name    string
		entries []entry
		options WalkOptions
		want    Totals
	}{
		{name: "empty root", want: Totals{}},
		{
			name:    "files and apparent bytes",
			entries: []entry{file("a.txt", "abc"), file("b/c.txt", "hello"), file("b/d/e.txt", "")},
			want:    Totals{Files: 3, Bytes: 8, EmptyFiles: 1},
		},
		{
			name: "duplicates: three copies, two copies, same size other content, empty files",
			entries: []entry{
				file("x1", "0123456789"), file("sub/x2", "0123456789"), file("sub/deep/x3", "0123456789"),
				file("y1", fill(20, 1)), file("y2", fill(20, 1)), file("z", fill(20, 2)),
				file("e1", ""), file("e2", ""), file("e3", ""),
			},
			want: Totals{Files: 9, Bytes: 90, DupGroups: 2, DupFiles: 5, DupReclaimable: 2*10 + 20, EmptyFiles: 3},
		},
		{
			name: "same first 64 KiB, different tail",
			entries: []entry{
				file("a", fill(64<<10, 0)+"tail-A"), file("b", fill(64<<10, 0)+"tail-B"),
				file("c", fill(64<<10, 0)+"tail-C"),
			},
			want: Totals{Files: 3, Bytes: 3 * (64<<10 + 6)},
		},
		{
			name: "hard links count once and are not duplicates of themselves",
			entries: []entry{
				file("a", fill(100, 3)), hardlink("b", "a"), hardlink("sub/c", "a"),
				file("old", fill(7, 4)).modified(testNow.AddDate(-4, 0, 0)), hardlink("old-link", "old"),
			},
			want: Totals{Files: 2, Bytes: 107, StaleFiles: 1, StaleBytes: 7},
		},
		{
			name:    "a hard-linked file and its copy are one duplicate pair",
			entries: []entry{file("a", fill(100, 3)), hardlink("b", "a"), file("copy", fill(100, 3))},
			want:    Totals{Files: 2, Bytes: 200, DupGroups: 1, DupFiles: 2, DupReclaimable: 100},
		},
		{
			name: "symbolic links are neither followed nor counted",
			entries: []entry{
				file("f", "data"), file("d/g", "more"),
				symlink("to-file", "f"), symlink("to-dir", "d"), symlink("d/loop", ".."),
				symlink("self", "self"), symlink("dangling", "nowhere"), symlink("abs", "/"),
			},
			want: Totals{Files: 2, Bytes: 8},
		},
		{
			name: "empty folders, nested ones each",
			entries: []entry{
				dir("a/b/c"),
				file("holds-empty-file/e", ""),
				symlink("holds-symlink/l", "../a"),
				dir("m/o"), file("m/n/f", "x"),
			},
			// a, a/b, a/b/c and m/o; not m (it holds m/n/f), nor the root.
			want: Totals{Files: 2, Bytes: 1, EmptyFiles: 1, EmptyDirs: 4},
		},
		{
			name: "stale: strictly older than now minus the days",
			entries: []entry{
				file("old", "1234567").modified(testNow.AddDate(-4, 0, 0)),
				file("just-old", "12").modified(staleBefore.Add(-time.Second)),
				file("just-fresh", "123").modified(staleBefore.Add(time.Second)),
				file("fresh", "1234"),
			},
			want: Totals{Files: 4, Bytes: 16, StaleFiles: 2, StaleBytes: 9},
		},
		{
			name:    "stale with other days",
			entries: []entry{file("a", "1").modified(testNow.AddDate(0, 0, -31)), file("b", "22")},
			options: WalkOptions{StaleDays: 30},
			want:    Totals{Files: 2, Bytes: 3, StaleFiles: 1, StaleBytes: 1},
		},
		{
			name: "large: sparse files count their apparent size",
			entries: []entry{
				sparse("big.iso", 200<<20), sparse("exactly-100MiB", 100<<20), sparse("just-over", 100<<20+1),
				file("small", "s"),
			},
			want: Totals{Files: 4, Bytes: 200<<20 + 100<<20 + 100<<20 + 1 + 1, LargeFiles: 2, LargeBytes: 200<<20 + 100<<20 + 1},
		},
		{
			name:    "large with another threshold",
			entries: []entry{file("a", "12345"), file("b", "1234")},
			options: WalkOptions{LargeBytes: 4},
			want:    Totals{Files: 2, Bytes: 9, LargeFiles: 1, LargeBytes: 5},
		},
		{
			name: "excludes by name and by relative path",
			entries: []entry{
				file("keep.txt", "k"), file("scratch.tmp", "tttt"), file("deep/er/x.tmp", "tttt"),
				file("node_modules/pkg/index.js", "js"), file("deep/node_modules/m.js", "js"),
				file("docs/inner/skip.txt", "skip"), file("docs/inner/keep.txt", "keep"),
				file("only-excluded/a.tmp", "t"), dir("excluded-empty/node_modules"),
			},
			options: WalkOptions{Excludes: []string{"*.tmp", "node_modules", "docs/inner/skip.txt"}},
			// deep/er holds only x.tmp, excluded-empty only an excluded folder:
			// neither is empty, since deleting them would delete what is excluded.
			want: Totals{Files: 2, Bytes: 5},
		},
		{
			name: "badly named files",
			entries: []entry{
				file("Copie de rapport.docx", "a"), file("rapport (1).pdf", "bb"), file("~$budget.xlsx", "c"),
				file("Nouveau dossier/note.txt", "d"), file("ok.txt", "e"),
			},
			want: Totals{Files: 5, Bytes: 6, BadlyNamedFiles: 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			build(t, root, tt.entries...)
			res := walkTree(t, root, tt.options)
			if res.Totals != tt.want {
				t.Errorf("totals\n got %+v\nwant %+v", res.Totals, tt.want)
			}
			if len(res.ErrorSamples) != 0 {
				t.Errorf("error samples: %q", res.ErrorSamples)
			}
		})
	}
}

func TestWalkDetailLists(t *testing.T) {
	root := t.TempDir()
	build(t, root,
		file("b/big", fill(5000, 1)).modified(testNow.AddDate(-5, 0, 0)),
		file("a/big-too", fill(5000, 2)),
		file("mid", fill(3000, 3)).modified(testNow.AddDate(-6, 0, 0)),
		file("empty", "").modified(testNow.AddDate(-7, 0, 0)),
		file("dups/one", fill(1000, 4)), file("dups/two", fill(1000, 4)), file("dups/three", fill(1000, 4)),
		file("pair/x", fill(1500, 5)), file("pair/y", fill(1500, 5)),
		file("small/p", "ab"), file("small/q", "ab"),
		file("names/z - Copie.txt", "1"), file("names/a_v2.txt", "22"), file("names/m.tmp", "333"),
	)
	p := func(rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }
	date := func(years int) time.Time { return testNow.AddDate(years, 0, 0).Local() }

	res := walkTree(t, root, WalkOptions{Top: 2})
	if res.DupGroups != 3 || res.DupFiles != 7 || res.DupReclaimable != 2000+1500+2 {
		t.Errorf("duplicates %d groups %d files %d bytes, want 3, 7, 3502", res.DupGroups, res.DupFiles, res.DupReclaimable)
	}
	wantDups := []DupGroup{
		{Size: 1000, Paths: []string{p("dups/one"), p("dups/three"), p("dups/two")}},
		{Size: 1500, Paths: []string{p("pair/x"), p("pair/y")}},
	}
	if !slices.EqualFunc(res.TopDuplicates, wantDups, func(a, b DupGroup) bool {
		return a.Size == b.Size && slices.Equal(a.Paths, b.Paths)
	}) {
		t.Errorf("top duplicates\n got %+v\nwant %+v", res.TopDuplicates, wantDups)
	}
	checkEntries(t, "largest", res.Largest, []FileEntry{
		{Path: p("a/big-too"), Size: 5000, ModTime: testNow.Add(-time.Hour).Local()},
		{Path: p("b/big"), Size: 5000, ModTime: date(-5)},
	})
	checkEntries(t, "oldest", res.Oldest, []FileEntry{
		{Path: p("empty"), Size: 0, ModTime: date(-7)},
		{Path: p("mid"), Size: 3000, ModTime: date(-6)},
	})
	checkEntries(t, "badly named", res.BadlyNamed, []FileEntry{
		{Path: p("names/a_v2.txt"), Size: 2, ModTime: testNow.Add(-time.Hour).Local(), Rule: "version-number"},
		{Path: p("names/m.tmp"), Size: 3, ModTime: testNow.Add(-time.Hour).Local(), Rule: "temp"},
	})
	if res.BadlyNamedFiles != 3 {
		t.Errorf("badly named files = %d, want 3 (the list is bounded, not the count)", res.BadlyNamedFiles)
	}

	all := walkTree(t, root, WalkOptions{Top: 100})
	if len(all.TopDuplicates) != 3 || len(all.Largest) != 13 || len(all.Oldest) != 14 || len(all.BadlyNamed) != 3 {
		t.Errorf("with Top 100: %d groups, %d largest, %d oldest, %d badly named; want 3, 13 (not the empty file), 14, 3",
			len(all.TopDuplicates), len(all.Largest), len(all.Oldest), len(all.BadlyNamed))
	}
	if def := walkTree(t, root, WalkOptions{}); len(def.Oldest) != 14 {
		t.Errorf("default Top keeps %d oldest, want all 14 (below 20)", len(def.Oldest))
	}
}

func checkEntries(t *testing.T, list string, got, want []FileEntry) {
	t.Helper()
	if !slices.EqualFunc(got, want, func(a, b FileEntry) bool {
		return a.Path == b.Path && a.Size == b.Size && a.ModTime.Equal(b.ModTime) && a.Rule == b.Rule
	}) {
		t.Errorf("%s\n got %+v\nwant %+v", list, got, want)
	}
}

// asNobody runs f with the effective user id of nobody when the test runs
// as root, whom no permission stops: chmod 000 then denies reading as it
// would to anyone. The saved user id stays root, which gives the rights
// back after f.
func asNobody(t *testing.T, root string, f func()) {
	t.Helper()
	if os.Geteuid() != 0 {
		f()
		return
	}
	// t.TempDir's folders are private to root: let nobody through.
	for d := root; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Seteuid(65534); err != nil {
		t.Skipf("running as root, and cannot become nobody to be denied anything: %v", err)
	}
	defer func() {
		if err := syscall.Seteuid(0); err != nil {
			panic(fmt.Sprintf("cannot become root again: %v", err))
		}
	}()
	f()
}

func TestWalkUnreadableEntries(t *testing.T) {
	root := t.TempDir()
	build(t, root,
		file("ok.txt", "hello"),
		file("locked/inner.txt", "never counted"), dir("locked").chmod(0o000),
		dir("wrap/locked-too").chmod(0o000),
		file("secret.bin", "0123456789").chmod(0o000),
		file("twin.bin", "0123456789"), file("triplet.bin", "0123456789"),
	)
	var res *WalkResult
	asNobody(t, root, func() { res = walkTree(t, root, WalkOptions{}) })

	// secret.bin is measured (lstat needs no right on it) but cannot be
	// read to compare: it leaves its group, which twin and triplet still make.
	want := Totals{Files: 4, Bytes: 35, DupGroups: 1, DupFiles: 2, DupReclaimable: 10, Errors: 3}
	if res.Totals != want {
		t.Errorf("totals\n got %+v\nwant %+v", res.Totals, want)
	}
	wantSamples := []string{
		filepath.Join(root, "locked") + ": permission denied",
		filepath.Join(root, "secret.bin") + ": permission denied",
		filepath.Join(root, "wrap", "locked-too") + ": permission denied",
	}
	if !slices.Equal(res.ErrorSamples, wantSamples) {
		t.Errorf("error samples\n got %q\nwant %q", res.ErrorSamples, wantSamples)
	}
}

func TestWalkErrorSamplesAreBounded(t *testing.T) {
	root := t.TempDir()
	var entries []entry
	for i := range 15 {
		entries = append(entries, dir(fmt.Sprintf("d%02d", i)).chmod(0o000))
	}
	build(t, root, entries...)
	var res *WalkResult
	asNobody(t, root, func() { res = walkTree(t, root, WalkOptions{}) })
	if res.Errors != 15 || len(res.ErrorSamples) != maxErrorSamples {
		t.Fatalf("%d errors, %d samples; want 15, %d", res.Errors, len(res.ErrorSamples), maxErrorSamples)
	}
	if want := filepath.Join(root, "d00") + ": permission denied"; res.ErrorSamples[0] != want {
		t.Errorf("first sample %q, want %q (the first in path order)", res.ErrorSamples[0], want)
	}
}

func TestWalkRootErrors(t *testing.T) {
	root := t.TempDir()
	build(t, root, file("a-file", "x"))
	tests := []struct {
		name, root string
		options    WalkOptions
		want       string
	}{
		{"missing root", filepath.Join(root, "missing"), WalkOptions{Now: testNow}, "no such file or directory"},
		{"root is a file", filepath.Join(root, "a-file"), WalkOptions{Now: testNow}, "is not a directory"},
		{"no Now", root, WalkOptions{}, "WalkOptions.Now is required"},
		{"bad exclude", root, WalkOptions{Now: testNow, Excludes: []string{"ok", "[bad"}}, `exclude "[bad"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Walk(t.Context(), tt.root, tt.options)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Walk = %v, %v; want an error with %q", res, err, tt.want)
			}
		})
	}
}

func TestWalkRootSymlinkIsFollowed(t *testing.T) {
	root := t.TempDir()
	build(t, root, file("real/a", "abc"), symlink("link", "real"))
	res := walkTree(t, filepath.Join(root, "link"), WalkOptions{})
	if want := (Totals{Files: 1, Bytes: 3}); res.Totals != want {
		t.Errorf("totals %+v, want %+v", res.Totals, want)
	}
}

func TestWalkCancelled(t *testing.T) {
	defer goleak.VerifyNone(t)
	root := t.TempDir()
	var entries []entry
	for i := range 40 {
		for j := range 5 {
			entries = append(entries, file(fmt.Sprintf("d%02d/f%d", i, j), "same"))
		}
	}
	build(t, root, entries...)

	t.Run("before the walk", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := Walk(ctx, root, WalkOptions{Now: testNow}); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("during the walk", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		checked := 0
		// A name rule is called for each file: it cancels at the first one.
		names := NewNameRules(NameRule{Name: "cancel", Match: func(FileName) bool {
			checked++
			cancel()
			return false
		}})
		_, err := Walk(ctx, root, WalkOptions{Now: testNow, Names: names, Workers: 1})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if checked >= 200 {
			t.Errorf("%d files checked after cancellation, want the walk to stop early", checked)
		}
	})
}

func TestWalkStaysOnItsFileSystem(t *testing.T) {
	root := t.TempDir()
	build(t, root, file("outside", "12345"), dir("sub/mnt"), dir("loop/here"))
	mount(t, "-t", "tmpfs", "tmpfs", filepath.Join(root, "sub", "mnt"))
	build(t, root, file("sub/mnt/inside", "123"))
	// A bind mount of the root inside itself: same device, a loop.
	mount(t, "--bind", root, filepath.Join(root, "loop", "here"))

	tests := []struct {
		name    string
		options WalkOptions
		want    Totals
	}{
		// sub holds only a mount point it did not enter: not empty.
		{"stay", WalkOptions{}, Totals{Files: 1, Bytes: 5}},
		{"cross devices", WalkOptions{CrossDevices: true}, Totals{Files: 2, Bytes: 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if res := walkTree(t, root, tt.options); res.Totals != tt.want {
				t.Errorf("totals %+v, want %+v", res.Totals, tt.want)
			}
		})
	}
}

// mount runs mount(8) and unmounts at cleanup, or skips the test when the
// system does not let it mount.
func mount(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("mount", args...).CombinedOutput()
	if err != nil {
		t.Skipf("cannot mount here (%v: %s)", err, bytes.TrimSpace(out))
	}
	target := args[len(args)-1]
	t.Cleanup(func() {
		if out, err := exec.Command("umount", target).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", target, err, out)
		}
	})
}

func TestWalkKeepsAccessTimes(t *testing.T) {
	root := t.TempDir()
	content := fill(200<<10, 9) // both the first block and the rest are read
	build(t, root, file("d/a", content), file("d/b", content))
	// An access time older than the modification time: relatime would
	// update it on the first read.
	atime := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	mtime := time.Date(2021, 1, 2, 3, 4, 5, 0, time.UTC)
	paths := []string{filepath.Join(root, "d", "a"), filepath.Join(root, "d", "b"), filepath.Join(root, "d")}
	for _, p := range paths {
		if err := os.Chtimes(p, atime, mtime); err != nil {
			t.Fatal(err)
		}
	}

	res := walkTree(t, root, WalkOptions{})
	if res.DupGroups != 1 {
		t.Fatalf("%d duplicate groups, want 1: the files must have been read", res.DupGroups)
	}
	for _, p := range paths {
		var st unix.Stat_t
		if err := unix.Stat(p, &st); err != nil {
			t.Fatal(err)
		}
		if got := time.Unix(int64(st.Atim.Sec), int64(st.Atim.Nsec)); !got.Equal(atime) {
			t.Errorf("%s: access time %v after the scan, want %v untouched", p, got.UTC(), atime)
		}
	}
}

func TestWalkVanishedEntries(t *testing.T) {
	root := t.TempDir()
	build(t, root, file("here", "x"))
	w, tl := newTestWalker(t, root)
	d := &dirNode{path: root}
	d.pending.Store(1)
	f, err := os.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	// "ghost" was listed, then removed before lstat.
	if sub := w.visit(tl, d, f, "ghost"); sub != nil {
		t.Errorf("a vanished entry was queued: %+v", sub)
	}
	if tl.Files != 0 || w.errs.count != 0 || d.content.Load() {
		t.Errorf("a vanished file counted: %d files, %d errors, content %v", tl.Files, w.errs.count, d.content.Load())
	}
	w.visit(tl, d, f, "here")
	if tl.Files != 1 {
		t.Errorf("%d files after visiting an existing one, want 1", tl.Files)
	}

	// A folder listed, then removed before it is read.
	gone := &dirNode{parent: d, path: filepath.Join(root, "gone"), rel: "gone"}
	gone.pending.Store(1)
	d.pending.Add(1)
	w.readDir(tl, gone)
	w.release(gone)
	if w.errs.count != 0 || w.emptyDirs.Load() != 0 {
		t.Errorf("a vanished folder counted: %d errors, %d empty folders", w.errs.count, w.emptyDirs.Load())
	}
}

// newTestWalker is a walker on root with default options, and a tally.
func newTestWalker(t *testing.T, root string) (*walker, *tally) {
	t.Helper()
	st, err := statFollow(root)
	if err != nil {
		t.Fatal(err)
	}
	w := newWalker(t.Context(), WalkOptions{Now: testNow}.withDefaults(), root, st)
	return w, w.newTally()
}

func TestWalkProgress(t *testing.T) {
	defer goleak.VerifyNone(t)
	calls := make(chan Progress, 1)
	w := newWalker(t.Context(), WalkOptions{Now: testNow, Progress: func(p Progress) {
		select {
		case calls <- p:
		default:
		}
	}}.withDefaults(), "", fileStat{})
	w.start = time.Now()
	w.files.Store(3)
	w.bytes.Store(300)
	w.hashed.Store(30)
	stop := w.startProgress()
	var p Progress
	select {
	case p = <-calls:
	case <-time.After(10 * time.Second):
		t.Fatal("Progress was never called")
	}
	stop()
	if p.Files != 3 || p.Bytes != 300 || p.HashedBytes != 30 || p.Elapsed <= 0 {
		t.Errorf("progress %+v, want 3 files, 300 bytes, 30 hashed, some time elapsed", p)
	}
}

// BenchmarkWalk walks 20 000 small files in 1 400 folders: copies, and many
// files sharing a size with different content.
func BenchmarkWalk(b *testing.B) {
	root := b.TempDir()
	var entries []entry
	for i := range 20000 {
		content := fill(100+i%4000, byte(i))
		switch i % 10 {
		case 0:
			content = fill(5000, byte(i%7)) // 7 contents, many copies
		case 1:
			content = fill(6000, byte(i)) // same size, other content
		}
		entries = append(entries, file(fmt.Sprintf("d%03d/e%02d/f%05d.txt", i%200, i%7, i), content))
	}
	build(b, root, entries...)
	b.ReportAllocs()
	for b.Loop() {
		res, err := Walk(b.Context(), root, WalkOptions{Now: testNow})
		if err != nil {
			b.Fatal(err)
		}
		if res.Files != 20000 || res.DupGroups == 0 {
			b.Fatalf("%d files, %d groups", res.Files, res.DupGroups)
		}
	}
}
