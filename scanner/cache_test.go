//go:build unix

package scanner

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// figures is what a walk reports, less how it used the cache: a cached
// walk must give exactly what an uncached one gives.
func figures(r *WalkResult) WalkResult {
	f := *r
	f.FilesRead, f.Cache = 0, CacheUse{}
	return f
}

// walkCached walks root with the cache in cacheDir, as if it ran a minute
// after now, so that the files just written count as settled.
func walkCached(t *testing.T, root, cacheDir string, o WalkOptions) *WalkResult {
	t.Helper()
	// A change within the file system's clock tick of the last one may keep
	// the change time: leave a tick between a test's changes.
	time.Sleep(20 * time.Millisecond)
	o.Now, o.CacheDir = testNow, cacheDir
	res, err := walkAt(t.Context(), root, o, time.Now().Add(time.Minute))
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return res
}

// rescan walks root with the cache in cacheDir and without, checks both
// report the same, and returns the cached walk.
func rescan(t *testing.T, root, cacheDir string) *WalkResult {
	t.Helper()
	cached := walkCached(t, root, cacheDir, WalkOptions{Top: 100})
	if cached.Cache.Ignored != "" || cached.Cache.SaveError != nil {
		t.Fatalf("cache ignored (%q) or not saved (%v)", cached.Cache.Ignored, cached.Cache.SaveError)
	}
	plain := walkTree(t, root, WalkOptions{Top: 100})
	if got, want := figures(cached), figures(plain); !reflect.DeepEqual(got, want) {
		t.Fatalf("cached walk differs from the uncached one:\ncached   %+v\nuncached %+v", got, want)
	}
	return cached
}

func TestCachedRescanEqualsFullScan(t *testing.T) {
	root, cacheDir := t.TempDir(), t.TempDir()
	big := fill(3*partialBlock, 1)
	build(t, root,
		file("big/a", big), file("big/b", big), file("big/c", big), // read whole
		file("head/a", fill(2*partialBlock, 2)), file("head/b", fill(2*partialBlock, 3)), // told apart by their first block
		file("tail/a", big[:3*partialBlock-1]+"x"), // same first block as big/*, other tail
		file("small/a", "tiny"), file("small/b", "tiny"), file("small/c", "tyni"),
		file("unique", fill(12345, 4)), // never read
		file("linked/a", fill(5000, 5)), hardlink("linked/b", "linked/a"), file("linked/c", fill(5000, 5)),
	)
	p := func(name string) string { return filepath.Join(root, filepath.FromSlash(name)) }

	first := rescan(t, root, cacheDir)
	if first.Cache.Reused != 0 || first.FilesRead == 0 {
		t.Fatalf("first walk: reused %d, read %d files; want 0 reused, some read", first.Cache.Reused, first.FilesRead)
	}
	if _, err := os.Stat(first.Cache.Path); err != nil {
		t.Fatalf("no cache written: %v", err)
	}
	const candidates = 11 // every non-empty file but unique, linked/b counting once with linked/a
	written, err := os.Stat(first.Cache.Path)
	if err != nil {
		t.Fatal(err)
	}
	unchanged := rescan(t, root, cacheDir)
	if unchanged.Cache.Reused != candidates || unchanged.FilesRead != 0 {
		t.Fatalf("unchanged tree: reused %d, read %d files; want %d reused, none read", unchanged.Cache.Reused, unchanged.FilesRead, candidates)
	}
	// Nothing to add to the cache: it is not written again.
	if again, err := os.Stat(first.Cache.Path); err != nil || !os.SameFile(written, again) {
		t.Errorf("the cache of an unchanged tree was rewritten (%v)", err)
	}

	// wantRead counts the opens of the cached walk: twice for a file read
	// whole, once for its first block, once for the rest.
	steps := []struct {
		name     string
		change   func(t *testing.T)
		wantRead int64
	}{
		{"rewritten with size and mtime restored", func(t *testing.T) {
			st, err := os.Stat(p("small/b"))
			if err != nil {
				t.Fatal(err)
			}
			build(t, root, file("small/b", "tyni").modified(st.ModTime()))
		}, 1},
		// new/a's first block, then its rest and head/a's: it was no one's twin.
		{"added", func(t *testing.T) { build(t, root, file("new/a", fill(2*partialBlock, 2))) }, 3},
		{"removed", func(t *testing.T) {
			if err := os.Remove(p("big/c")); err != nil {
				t.Fatal(err)
			}
		}, 0},
		{"hard-linked", func(t *testing.T) { build(t, root, hardlink("linked/d", "linked/c")) }, 1},
		// Renaming changes the inode's change time (Linux, most file
		// systems): big/a is read again, whole.
		{"renamed", func(t *testing.T) {
			if err := os.Rename(p("big/a"), p("big/z")); err != nil {
				t.Fatal(err)
			}
		}, 2},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.change(t)
			r := rescan(t, root, cacheDir)
			if r.FilesRead != s.wantRead {
				t.Errorf("read %d files, want %d", r.FilesRead, s.wantRead)
			}
		})
	}
	final := walkTree(t, root, WalkOptions{Top: 100})
	// small/a and small/b differ now; big/a, renamed big/z, is still big/b's twin.
	var paths []string
	for _, g := range final.TopDuplicates {
		paths = append(paths, strings.Join(g.Paths, " "))
	}
	want := []string{
		p("big/b") + " " + p("big/z"),
		p("head/a") + " " + p("new/a"),
		p("linked/a") + " " + p("linked/c"),
		p("small/b") + " " + p("small/c"),
	}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("groups %q, want %q", paths, want)
	}
}

func TestBrokenCacheIsRebuilt(t *testing.T) {
	root, cacheDir := t.TempDir(), t.TempDir()
	build(t, root, file("a", fill(3*partialBlock, 1)), file("b", fill(3*partialBlock, 1)), file("c", "xy"), file("d", "xy"))
	good := rescan(t, root, cacheDir)
	valid, err := os.ReadFile(good.Cache.Path)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other")
	build(t, other, file("a", "xy"), file("b", "xy"))
	foreign, err := os.ReadFile(walkCached(t, other, t.TempDir(), WalkOptions{}).Cache.Path)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := []byte(string(valid))
		b[i] ^= 1
		return b
	}
	tests := []struct {
		name    string
		content []byte
		why     string
	}{
		{"empty", nil, "not a gigascan hash cache"},
		{"not a cache", []byte("hello, world, this is no cache at all\n"), "not a gigascan hash cache"},
		{"another version", flip(len(cacheMagic)), "another version"},
		{"another root", foreign, "another root"},
		{"truncated", valid[:len(valid)-cacheRecord-5], "truncated"},
		{"hash changed", flip(len(valid) - 8 - cacheRecord + 45), "checksum"},
		{"flags changed", flip(len(valid) - 8 - cacheRecord + 40), "corrupt record"},
		{"size changed", flip(len(valid) - 8 - cacheRecord + 16), "checksum"},
		{"trailing bytes", append([]byte(string(valid)), 0), "checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(good.Cache.Path, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			r := walkCached(t, root, cacheDir, WalkOptions{Top: 100})
			// a and b twice (first block, rest), c and d once.
			if !strings.Contains(r.Cache.Ignored, tt.why) || r.Cache.Reused != 0 || r.FilesRead != 6 {
				t.Errorf("ignored %q (want %q), reused %d, read %d files (want 6)", r.Cache.Ignored, tt.why, r.Cache.Reused, r.FilesRead)
			}
			if !reflect.DeepEqual(figures(r), figures(good)) {
				t.Errorf("figures %+v, want %+v", figures(r), figures(good))
			}
			if again := rescan(t, root, cacheDir); again.Cache.Reused != 4 || again.FilesRead != 0 {
				t.Errorf("not rebuilt: reused %d, read %d files", again.Cache.Reused, again.FilesRead)
			}
		})
	}
}

func TestConcurrentScansLeaveAValidCache(t *testing.T) {
	root, cacheDir := t.TempDir(), t.TempDir()
	var entries []entry
	for i := range 200 {
		entries = append(entries, file(filepath.Join("d", string(rune('a'+i%20)), "f"+time.Duration(i).String()), fill(100+i%50, byte(i%3))))
	}
	build(t, root, entries...)
	want := figures(walkTree(t, root, WalkOptions{}))
	var wg sync.WaitGroup
	results := make([]*WalkResult, 6)
	for i := range results {
		wg.Go(func() { results[i] = walkCached(t, root, cacheDir, WalkOptions{}) })
	}
	wg.Wait()
	for i, r := range results {
		if r.Cache.Ignored != "" || r.Cache.SaveError != nil || !reflect.DeepEqual(figures(r), want) {
			t.Errorf("walk %d: ignored %q, save error %v, figures equal: %v", i, r.Cache.Ignored, r.Cache.SaveError, reflect.DeepEqual(figures(r), want))
		}
	}
	last := walkCached(t, root, cacheDir, WalkOptions{})
	if last.Cache.Ignored != "" || last.FilesRead != 0 || last.Cache.Reused != 200 {
		t.Errorf("after concurrent walks: ignored %q, reused %d, read %d files", last.Cache.Ignored, last.Cache.Reused, last.FilesRead)
	}
	left, _ := filepath.Glob(filepath.Join(cacheDir, "*"))
	if len(left) != 1 {
		t.Errorf("cache folder holds %q, want one file", left)
	}
}

func TestCacheKeepsOnlySettledFiles(t *testing.T) {
	root, cacheDir := t.TempDir(), t.TempDir()
	build(t, root, file("a", "same"), file("b", "same"))
	// Walked right after they were written: a change within the same
	// clock tick could keep their change time, so they are not kept.
	for range 2 {
		r := walkTree(t, root, WalkOptions{CacheDir: cacheDir})
		if r.Cache.Reused != 0 || r.FilesRead != 2 || r.DupGroups != 1 {
			t.Errorf("reused %d, read %d files, %d groups: want 0, 2, 1", r.Cache.Reused, r.FilesRead, r.DupGroups)
		}
		// Written all the same, empty: the next scan finds a cache.
		if _, err := os.Stat(r.Cache.Path); err != nil {
			t.Error(err)
		}
	}
}

func TestSizeOnlyReadsNothing(t *testing.T) {
	root, cacheDir := t.TempDir(), t.TempDir()
	build(t, root, file("a", "same"), file("b", "same"), file("c", "diff"), file("d", "unique size"))
	r := walkCached(t, root, cacheDir, WalkOptions{SizeOnly: true})
	if r.FilesRead != 0 || r.DupGroups != 1 || r.DupFiles != 3 || r.DupReclaimable != 8 {
		t.Errorf("read %d files, %d groups of %d files, %d bytes: want 0, 1, 3, 8", r.FilesRead, r.DupGroups, r.DupFiles, r.DupReclaimable)
	}
	if r.Cache.Path != "" {
		t.Errorf("a size-only walk used the cache %s", r.Cache.Path)
	}
}

// FuzzCacheFile: whatever the cache file holds, a walk neither fails nor
// panics, and reports what an uncached walk reports.
func FuzzCacheFile(f *testing.F) {
	root, cacheDir := f.TempDir(), f.TempDir()
	build(f, root, file("a", fill(3*partialBlock, 1)), file("b", fill(3*partialBlock, 1)), file("c", "xy"), file("d", "xy"), file("e", "yx"))
	walk := func(o WalkOptions) *WalkResult {
		o.Now = testNow
		r, err := walkAt(context.Background(), root, o, time.Now().Add(time.Minute))
		if err != nil {
			f.Fatal(err)
		}
		return r
	}
	want := figures(walk(WalkOptions{}))
	valid := walk(WalkOptions{CacheDir: cacheDir})
	seed, err := os.ReadFile(valid.Cache.Path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add([]byte(cacheMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(valid.Cache.Path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		r := walk(WalkOptions{CacheDir: cacheDir})
		if got := figures(r); !reflect.DeepEqual(got, want) {
			// A file that passes every check but lies about hashes is
			// trusted: only a forged checksum gets there.
			if r.Cache.Ignored == "" && r.Cache.Reused > 0 {
				t.Skip("a forged cache with a valid checksum")
			}
			t.Errorf("figures %+v, want %+v (cache: %+v)", got, want, r.Cache)
		}
	})
}
