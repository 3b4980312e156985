package scanner

import (
	"slices"
	"strings"
)

// The walk keeps a record of each file it needs again once the walk is
// over: the files that are not empty (duplicate candidates) and those with
// several hard links (counted after the walk, once per inode). At a million
// files these records are most of a walk's memory, so they are small and
// hold no pointer, which the garbage collector then never scans:
//
//   - a file's folder is its index in the walk's table of folders
//     (walker.dirs), which holds each folder's path once;
//   - its name is an offset in its folder's names (dirNode.names): one
//     string a folder, each name ended by a NUL byte, which no file name
//     holds;
//   - the records are kept in chunks of fileChunk, so that the list grows
//     without copying and a record is found by its index.
//
// Once the walk is over, the records of files whose size no other file has
// are dropped, with their names (dropUnique): they cannot be duplicates.

// fileRec is a regular file as the walk keeps it.
type fileRec struct {
	size  int64
	mtime int64 // Unix nanoseconds
	ctime int64 // Unix nanoseconds, for the hash cache's key
	id    fileID
	dir   uint32 // index of its folder in walker.dirs
	name  uint32 // offset of its name in its folder's names (4 GiB of them at most)
}

// fileChunk is the number of records of a chunk (48 kB).
const fileChunk = 1024

// fileList is a list of records in chunks of fileChunk: all chunks but the
// last are full, so the i-th record is found by division.
type fileList struct {
	chunks []*[fileChunk]fileRec
	n      int
}

// add appends recs to the list.
func (l *fileList) add(recs []fileRec) {
	for len(recs) > 0 {
		if l.n == len(l.chunks)*fileChunk {
			l.chunks = append(l.chunks, new([fileChunk]fileRec))
		}
		copied := copy(l.chunks[l.n/fileChunk][l.n%fileChunk:], recs)
		l.n += copied
		recs = recs[copied:]
	}
}

// len is the number of records in the list.
func (l *fileList) len() int { return l.n }

// at returns the i-th record, which stays where it is while the list grows.
func (l *fileList) at(i int) *fileRec { return &l.chunks[i/fileChunk][i%fileChunk] }

// keepShared drops, in place, the records of the files whose size no other
// record has, keeping the others in their order, frees the chunks left
// empty, and returns the sizes kept, in order, once each.
func (l *fileList) keepShared() []int64 {
	sizes := make([]int64, l.n)
	for i := range sizes {
		sizes[i] = l.at(i).size
	}
	slices.Sort(sizes)
	shared := sizes[:0] // each size at least two records have, once
	for i := 0; i < len(sizes); {
		j := i + 1
		for j < len(sizes) && sizes[j] == sizes[i] {
			j++
		}
		if j-i >= 2 {
			shared = append(shared, sizes[i])
		}
		i = j
	}
	kept := 0
	for i := range l.n {
		if _, ok := slices.BinarySearch(shared, l.at(i).size); ok {
			*l.at(kept) = *l.at(i)
			kept++
		}
	}
	chunks := (kept + fileChunk - 1) / fileChunk
	clear(l.chunks[chunks:])
	l.chunks = l.chunks[:chunks]
	l.n = kept
	return slices.Clone(shared) // not the whole of sizes
}

// bySize returns the indexes of the records in the order of their sizes,
// with start[i] where those of sizes[i] begin (start[len(sizes)] is the
// end); sizes are those of the records, in order, once each. A counting
// sort: it reads each record twice, in the order of the list.
func (l *fileList) bySize(sizes []int64) (order []uint32, start []int) {
	place := func(i int) int {
		k, _ := slices.BinarySearch(sizes, l.at(i).size)
		return k
	}
	start = make([]int, len(sizes)+1)
	for i := range l.n {
		start[place(i)+1]++
	}
	for k := range sizes {
		start[k+1] += start[k]
	}
	next := slices.Clone(start)
	order = make([]uint32, l.n)
	for i := range l.n {
		k := place(i)
		order[next[k]] = uint32(i)
		next[k]++
	}
	return order, start
}

// filePath is where a file is: its folder and its name.
type filePath struct {
	dir  *dirNode
	name string
}

// String is the file's path in the OS's syntax.
func (p filePath) String() string { return joinPath(p.dir.path, p.name) }

// compare orders files by path, as strings.Compare on their paths would,
// without building them when their folders' paths tell.
func (p filePath) compare(q filePath) int {
	if p.dir == q.dir {
		return strings.Compare(p.name, q.name)
	}
	n := min(len(p.dir.path), len(q.dir.path))
	if c := strings.Compare(p.dir.path[:n], q.dir.path[:n]); c != 0 {
		return c
	}
	return strings.Compare(p.String(), q.String())
}

// orByPath returns c, or when it is 0 the order of the paths of a and b:
// unlike cmp.Or, it compares them only then (a path compared can cost an
// allocation).
func orByPath(c int, a, b filePath) int {
	if c != 0 {
		return c
	}
	return a.compare(b)
}

// addName appends name to the names of the folder being read and returns
// its offset there (fileRec.name).
func (t *tally) addName(name string) uint32 {
	off := uint32(len(t.names))
	t.names = append(append(t.names, name...), 0)
	return off
}

// nameAt returns the name at offset off of d's names.
func (d *dirNode) nameAt(off uint32) string {
	s := d.names[off:]
	return s[:strings.IndexByte(s, 0)]
}

// dropUnique drops the records of the files whose size no other file has,
// which cannot be duplicates, and their names: each folder's names are
// written anew with those of the records kept only. It returns the sizes
// kept, in order, once each.
func (w *walker) dropUnique() (sizes []int64) {
	sizes = w.records.keepShared()
	lengths := make([]int, len(w.dirs))
	for i := range w.records.len() {
		f := w.records.at(i)
		lengths[f.dir] += len(w.dirs[f.dir].nameAt(f.name)) + 1
	}
	names := make([]strings.Builder, len(w.dirs))
	for i := range names {
		names[i].Grow(lengths[i])
	}
	for i := range w.records.len() {
		f := w.records.at(i)
		b, name := &names[f.dir], w.dirs[f.dir].nameAt(f.name)
		f.name = uint32(b.Len())
		b.WriteString(name)
		b.WriteByte(0)
	}
	for i, d := range w.dirs {
		d.names = names[i].String()
	}
	return sizes
}

// pathOf returns where f is. The folders' names are complete once the walk
// is over, and only then.
func (w *walker) pathOf(f *fileRec) filePath {
	d := w.dirs[f.dir]
	return filePath{dir: d, name: d.nameAt(f.name)}
}
