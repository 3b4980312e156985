package scanner

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/zeebo/xxh3"
)

// The memory of a walk is a record per file kept, and a candidate per file
// whose size another has: their sizes are part of the design.
func TestRecordSizes(t *testing.T) {
	if got := unsafe.Sizeof(fileRec{}); got != 48 {
		t.Errorf("a fileRec takes %d bytes, want 48", got)
	}
	if got := unsafe.Sizeof(dupCandidate{}); got != 40 {
		t.Errorf("a dupCandidate takes %d bytes, want 40", got)
	}
}

// listOf makes a fileList of records of the given sizes, added in batches
// of batch, each record's ino its place.
func listOf(sizes []int64, batch int) *fileList {
	var l fileList
	for start := 0; start < len(sizes); start += batch {
		var recs []fileRec
		for i := start; i < min(start+batch, len(sizes)); i++ {
			recs = append(recs, fileRec{size: sizes[i], id: fileID{ino: uint64(i)}})
		}
		l.add(recs)
	}
	return &l
}

func TestFileListAddAndAt(t *testing.T) {
	for _, tt := range []struct {
		n, batch int
	}{
		{0, 1}, {1, 1}, {fileChunk - 1, 7}, {fileChunk, fileChunk}, {fileChunk + 1, 1000}, {3*fileChunk + 5, 2 * fileChunk},
	} {
		t.Run(fmt.Sprintf("%d by %d", tt.n, tt.batch), func(t *testing.T) {
			sizes := make([]int64, tt.n)
			for i := range sizes {
				sizes[i] = int64(i * 10)
			}
			l := listOf(sizes, tt.batch)
			if l.len() != tt.n {
				t.Fatalf("len %d, want %d", l.len(), tt.n)
			}
			if want := (tt.n + fileChunk - 1) / fileChunk; len(l.chunks) != want {
				t.Errorf("%d chunks, want %d", len(l.chunks), want)
			}
			for i := range tt.n {
				if f := l.at(i); f.size != int64(i*10) || f.id.ino != uint64(i) {
					t.Fatalf("record %d is %+v", i, *f)
				}
			}
		})
	}
}

func TestFileListKeepShared(t *testing.T) {
	// many is 3 chunks of files, a size in two, then unique sizes.
	var many, manyKept []int64
	for i := range 3 * fileChunk {
		many = append(many, int64(i/2+1))
	}
	manyKept = slices.Clone(many)
	for i := range fileChunk + 3 {
		many = append(many, int64(1e9+i))
	}
	for _, tt := range []struct {
		name        string
		sizes, want []int64
	}{
		{"none", nil, nil},
		{"all unique", []int64{1, 2, 3}, nil},
		{"all shared", []int64{5, 5, 5}, []int64{5, 5, 5}},
		{"in their order", []int64{7, 1, 9, 7, 2, 9, 3, 9}, []int64{7, 9, 7, 9, 9}},
		{"across chunks, the last ones freed", many, manyKept},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := listOf(tt.sizes, 100)
			shared := l.keepShared()
			if want := slices.Compact(slices.Sorted(slices.Values(tt.want))); !slices.Equal(shared, want) {
				t.Errorf("sizes kept %v, want %v", shared, want)
			}
			var got []int64
			var inos []uint64
			for i := range l.len() {
				got = append(got, l.at(i).size)
				inos = append(inos, l.at(i).id.ino)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("kept %v, want %v", got, tt.want)
			}
			if !slices.IsSorted(inos) {
				t.Errorf("the records kept changed order: %v", inos)
			}
			if want := (len(tt.want) + fileChunk - 1) / fileChunk; len(l.chunks) != want {
				t.Errorf("%d chunks left, want %d", len(l.chunks), want)
			}
		})
	}
}

// TestDropUniqueKeepsNames writes records and names as the walk does, then
// checks that each record kept still finds its path, and that the folders'
// names hold those of the records kept only.
func TestDropUniqueKeepsNames(t *testing.T) {
	w := &walker{}
	files := []struct {
		dir, name string
		size      int64
	}{
		{"a", "un", 1}, {"a", "deux", 2}, {"b", "deux bis", 2}, {"a", "trois", 3},
		{"b", "été.txt", 1}, {"b", "seul", 4}, {"c", "cinq", 5}, {"a", "cinq", 5},
	}
	var dirs []string
	for _, f := range files {
		if !slices.Contains(dirs, f.dir) {
			dirs = append(dirs, f.dir)
		}
	}
	for i, d := range dirs {
		w.dirs = append(w.dirs, &dirNode{path: filepath.Join("root", d), index: uint32(i)})
	}
	// Each folder is read once, its files kept in batches.
	for _, d := range w.dirs {
		var tl tally
		for _, f := range files {
			if filepath.Join("root", f.dir) == d.path {
				tl.kept = append(tl.kept, fileRec{size: f.size, dir: d.index, name: tl.addName(f.name)})
				w.flush(&tl)
			}
		}
		tl.keepNames(d)
	}
	w.dropUnique()
	var got []string
	for i := range w.records.len() {
		f := w.records.at(i)
		got = append(got, fmt.Sprintf("%s %d", w.pathOf(f), f.size))
	}
	slices.Sort(got)
	want := []string{
		filepath.Join("root", "a", "cinq") + " 5", filepath.Join("root", "a", "deux") + " 2", filepath.Join("root", "a", "un") + " 1",
		filepath.Join("root", "b", "deux bis") + " 2", filepath.Join("root", "b", "été.txt") + " 1", filepath.Join("root", "c", "cinq") + " 5",
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("records kept:\n%q\nwant\n%q", got, want)
	}
	names := map[string]string{"a": "un\x00deux\x00cinq\x00", "b": "deux bis\x00été.txt\x00", "c": "cinq\x00"}
	for _, d := range w.dirs {
		if want := names[filepath.Base(d.path)]; d.names != want {
			t.Errorf("%s holds the names %q, want %q", d.path, d.names, want)
		}
	}
}

func TestFilePathCompare(t *testing.T) {
	sep := string(filepath.Separator)
	dirs := map[string]*dirNode{}
	at := func(p string) filePath {
		dir, name := filepath.Split(p)
		dir = strings.TrimSuffix(dir, sep)
		if dirs[dir] == nil {
			dirs[dir] = &dirNode{path: dir}
		}
		return filePath{dir: dirs[dir], name: name}
	}
	paths := []string{
		"r" + sep + "a", "r" + sep + "b", "r" + sep + "a" + sep + "x", "r" + sep + "a-b" + sep + "x", "r" + sep + "a.txt",
		"r" + sep + "ab" + sep + "c", "r" + sep + "A", "r" + sep + "a" + sep + "b" + sep + "c", "r" + sep + "é",
	}
	for _, p := range paths {
		for _, q := range paths {
			if got, want := at(p).compare(at(q)), strings.Compare(p, q); got != want {
				t.Errorf("compare(%q, %q) = %d, want %d", p, q, got, want)
			}
		}
		if got := at(p).String(); got != p {
			t.Errorf("String() = %q, want %q", got, p)
		}
		if got := orByPath(-1, at(p), at(paths[0])); got != -1 {
			t.Errorf("orByPath(-1, …) = %d: the paths decided", got)
		}
		if got, want := orByPath(0, at(p), at(paths[0])), strings.Compare(p, paths[0]); got != want {
			t.Errorf("orByPath(0, %q, %q) = %d, want %d", p, paths[0], got, want)
		}
	}
}

// TestCacheRecordRoundTrip encodes a candidate's record as the cache file
// holds it and decodes it back.
func TestCacheRecordRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		name  string
		f     fileRec
		c     dupCandidate
		valid bool
	}{
		{"first block only", fileRec{size: 100, mtime: -5, ctime: 1 << 62, id: fileID{dev: 3, ino: 1 << 40}},
			dupCandidate{known: knownPartial, partial: xxh3.Uint128{Hi: 1, Lo: 2}}, true},
		{"first block and rest", fileRec{size: partialBlock + 1, mtime: 7, ctime: 8, id: fileID{dev: 1<<64 - 1, ino: 9}},
			dupCandidate{known: knownPartial | knownRest, partial: xxh3.Uint128{Hi: 3}, rest: xxh3.Uint128{Lo: 4}}, true},
		{"a rest without one", fileRec{size: partialBlock, id: fileID{ino: 1}},
			dupCandidate{known: knownPartial | knownRest, partial: xxh3.Uint128{Hi: 3}, rest: xxh3.Uint128{Lo: 4}}, false},
		{"nothing known", fileRec{size: 10, id: fileID{ino: 1}}, dupCandidate{}, false},
		{"empty", fileRec{id: fileID{ino: 1}}, dupCandidate{known: knownPartial}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := decodeRecord(encodeRecord(&tt.f, &tt.c))
			if ok != tt.valid {
				t.Fatalf("decoded as valid %v, want %v", ok, tt.valid)
			}
			want := cacheEntry{id: tt.f.id, size: tt.f.size, mtime: tt.f.mtime, ctime: tt.f.ctime, known: tt.c.known, partial: tt.c.partial, rest: tt.c.rest}
			if ok && e != want {
				t.Errorf("decoded %+v, want %+v", e, want)
			}
		})
	}
}

func TestFileListBySize(t *testing.T) {
	for _, tt := range []struct {
		name  string
		sizes []int64 // of the records, in order
		want  [][]uint32
	}{
		{"none", nil, nil},
		{"one size", []int64{4, 4, 4}, [][]uint32{{0, 1, 2}}},
		{"in the list's order within a size", []int64{9, 2, 9, 2, 5, 5, 9}, [][]uint32{{1, 3}, {4, 5}, {0, 2, 6}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := listOf(tt.sizes, 2)
			sizes := slices.Compact(slices.Sorted(slices.Values(tt.sizes)))
			order, start := l.bySize(sizes)
			if len(start) != len(sizes)+1 || start[len(sizes)] != len(tt.sizes) {
				t.Fatalf("start %v for %d sizes and %d records", start, len(sizes), len(tt.sizes))
			}
			var got [][]uint32
			for k := range sizes {
				run := order[start[k]:start[k+1]]
				for _, i := range run {
					if l.at(int(i)).size != sizes[k] {
						t.Errorf("record %d of size %d among those of %d", i, l.at(int(i)).size, sizes[k])
					}
				}
				got = append(got, run)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("runs %v, want %v", got, tt.want)
			}
		})
	}
}
