package scanner

import (
	"cmp"
	"errors"
	"io"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/zeebo/xxh3"
)

// Finding duplicates reads as little as it can, and each byte at most once:
//
//  1. Files are grouped by size; a file whose size no other file has is
//     never opened. Hard links were already merged, so a group holds
//     distinct inodes.
//  2. The first partialBlock bytes of each candidate are hashed: files of
//     the same size but different content nearly always differ there. A
//     file no larger than that is then hashed whole.
//  3. Files whose size and first-block hash still collide are read on from
//     where step 2 stopped, with readBlock-sized reads, and the rest is
//     hashed. Two files are duplicates when size, first-block hash and
//     rest hash are all equal.
//
// A file's hashes are kept between walks in a cache (WalkOptions.CacheDir,
// see cache.go) and reused when the file is provably the same: same device,
// inode, size, modification and change times.
//
// The hash is XXH3-128: fast (several GB/s a core) and wide enough that a
// collision between different files of the same size is out of reach
// (below 2^-69 for a billion files). Reading is spread over o.readers goroutines, each with one
// buffer, in inode order, which keeps a disk's head moving forward.
const (
	// partialBlock: 16 KiB is four pages, which a disk reads as fast as one,
	// and covers the headers that files of the same format share.
	partialBlock = 16 << 10
	// readBlock is each worker's buffer for the rest of a file.
	readBlock = 1 << 20
)

// dupCandidate is a file that shares its size with another.
type dupCandidate struct {
	f       *fileRec
	partial xxh3.Uint128 // hash of the first partialBlock bytes
	rest    xxh3.Uint128 // hash of the bytes after them
	known   uint8        // knownPartial, knownRest: hashed, or reused from the cache
	reused  uint8        // what of known came from the cache
	failed  bool         // could not be read, or is no longer the file the walk measured
	twin    bool         // another candidate read well has its size and first block
}

// Bits of dupCandidate.known.
const (
	knownPartial uint8 = 1 << iota
	knownRest
)

// ok tells a candidate whose first block is known, from a good read or
// from the cache.
func (c *dupCandidate) ok() bool { return c.known&knownPartial != 0 && !c.failed }

// dupSet is a set of identical files, in path order.
type dupSet []*fileRec

func (d dupSet) reclaimable() int64 { return int64(len(d)-1) * d[0].size }

// group makes the DupGroup of d, with its paths.
func (d dupSet) group() DupGroup {
	g := DupGroup{Size: d[0].size, Paths: make([]string, len(d))}
	for i, f := range d {
		g.Paths[i] = f.path()
	}
	return g
}

// duplicates returns the sets of identical files among files (non-empty,
// one per inode), the most reclaimable bytes first, then by first path;
// paths are built only for the sets a report shows (dupSet.group).
// With o.SizeOnly, files of the same size are the sets: nothing is read.
// The candidates are kept in one slice, sorted in place for each step: at
// a million files, any list beside it would take megabytes.
func (w *walker) duplicates(files []*fileRec) ([]dupSet, error) {
	sameSize := sameRuns(files, func(a, b *fileRec) int { return cmp.Compare(a.size, b.size) })
	var sets []dupSet
	if w.o.SizeOnly {
		for _, run := range sameSize {
			sets = append(sets, newSet(run, func(f *fileRec) *fileRec { return f }))
		}
		sortSets(sets)
		return sets, nil
	}
	n := 0
	for _, run := range sameSize {
		n += len(run)
	}
	cands := make([]dupCandidate, 0, n)
	for _, run := range sameSize {
		for _, f := range run {
			cands = append(cands, dupCandidate{f: f})
		}
	}
	if w.cache != nil && !hasFileIDs {
		if err := w.forEach(cands, func(*dupCandidate) bool { return true }, w.identifier); err != nil {
			return nil, err
		}
	}
	// In inode order: the order to read them in (a disk's head moves
	// forward), and the cache's.
	byID := func(a, b dupCandidate) int { return a.f.id.compare(b.f.id) }
	slices.SortFunc(cands, byID)
	if w.cache != nil {
		w.cache.load(cands)
	}
	err := w.forEach(cands, func(c *dupCandidate) bool { return c.known == 0 && !c.failed }, func() func(*dupCandidate) {
		buf := make([]byte, partialBlock)
		return func(c *dupCandidate) { w.hashHead(buf, c) }
	})
	if err != nil {
		return nil, err
	}
	eachRun(cands, func(a, b dupCandidate) int {
		return cmp.Or(cmp.Compare(a.f.size, b.f.size), compare128(a.partial, b.partial))
	}, func(run []dupCandidate) {
		for i := range run {
			run[i].twin = true
		}
	})
	needRest := func(c *dupCandidate) bool {
		return c.twin && !c.failed && c.f.size > partialBlock && c.known&knownRest == 0
	}
	// A rescan of an unchanged tree has nothing left to read, nor to
	// write to the cache: it keeps the order of the runs, which the last
	// sort then finds nearly sorted.
	if slices.ContainsFunc(cands, func(c dupCandidate) bool { return needRest(&c) }) {
		slices.SortFunc(cands, byID)
		err = w.forEach(cands, needRest, func() func(*dupCandidate) {
			buf, h := make([]byte, readBlock), xxh3.New()
			return func(c *dupCandidate) { w.hashRest(buf, h, c) }
		})
		if err != nil {
			return nil, err
		}
	}
	if w.cache != nil {
		w.cache.save(cands, byID)
	}
	eachRun(cands, func(a, b dupCandidate) int {
		return cmp.Or(cmp.Compare(a.f.size, b.f.size), compare128(a.partial, b.partial), compare128(a.rest, b.rest))
	}, func(run []dupCandidate) {
		sets = append(sets, newSet(run, func(c dupCandidate) *fileRec { return c.f }))
	})
	sortSets(sets)
	return sets, nil
}

// newSet makes the set of identical files of a run.
func newSet[T any](run []T, file func(T) *fileRec) dupSet {
	d := make(dupSet, len(run))
	for i := range run {
		d[i] = file(run[i])
	}
	slices.SortFunc(d, comparePaths)
	return d
}

// sortSets puts the most reclaimable bytes first, then by first path.
func sortSets(sets []dupSet) {
	slices.SortFunc(sets, func(a, b dupSet) int {
		return cmp.Or(cmp.Compare(b.reclaimable(), a.reclaimable()), comparePaths(a[0], b[0]))
	})
}

// eachRun sorts the candidates, those read well first, by key, and calls
// do with each run of two or more read well that share it. (key takes
// values: a pointer to the sort's copies would move them to the heap.)
func eachRun(cands []dupCandidate, key func(a, b dupCandidate) int, do func(run []dupCandidate)) {
	slices.SortFunc(cands, func(a, b dupCandidate) int {
		if ok := a.ok(); ok != b.ok() {
			if ok {
				return -1
			}
			return 1
		}
		return key(a, b)
	})
	read := 0
	for read < len(cands) && cands[read].ok() {
		read++
	}
	for i := 0; i < read; {
		j := i + 1
		for j < read && key(cands[i], cands[j]) == 0 {
			j++
		}
		if j-i >= 2 {
			do(cands[i:j])
		}
		i = j
	}
}

// sameRuns sorts items by key and returns the runs of two or more that
// share it.
func sameRuns[T any](items []T, key func(a, b T) int) [][]T {
	slices.SortFunc(items, key)
	var out [][]T
	for i := 0; i < len(items); {
		j := i + 1
		for j < len(items) && key(items[i], items[j]) == 0 {
			j++
		}
		if j-i >= 2 {
			out = append(out, items[i:j])
		}
		i = j
	}
	return out
}

// forEach runs a function of each worker's own (with its own buffer) on
// the candidates that need it, in their order, with o.readers goroutines.
// It stops early, with ctx's error, when ctx ends.
func (w *walker) forEach(cands []dupCandidate, need func(*dupCandidate) bool, newWorker func() func(*dupCandidate)) error {
	todo := 0
	for i := range cands {
		if need(&cands[i]) {
			todo++
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(w.o.readers, todo) {
		do := newWorker()
		wg.Go(func() {
			for w.ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(len(cands)) {
					return
				}
				if c := &cands[i]; need(c) {
					do(c)
				}
			}
		})
	}
	wg.Wait()
	return w.ctx.Err()
}

// identifier gives each candidate what the cache keys on, where the walk
// could not (see identify).
func (w *walker) identifier() func(*dupCandidate) {
	return func(c *dupCandidate) {
		if err := identify(c.f); err != nil {
			c.failed = true
			if !errors.Is(err, errChanged) {
				w.readFailed(c.f, err)
			}
		}
	}
}

// hashHead hashes the first partialBlock bytes of c (all of it if smaller).
func (w *walker) hashHead(buf []byte, c *dupCandidate) {
	file := w.openMeasured(c.f)
	if file == nil {
		c.failed = true
		return
	}
	defer file.Close()
	n := min(c.f.size, partialBlock)
	if err := w.read(file, buf[:n]); err != nil {
		w.readFailed(c.f, err)
		c.failed = true
		return
	}
	c.partial, c.known = xxh3.Hash128(buf[:n]), knownPartial
}

// hashRest hashes the bytes of c after its first partialBlock.
func (w *walker) hashRest(buf []byte, h *xxh3.Hasher, c *dupCandidate) {
	file := w.openMeasured(c.f)
	if file == nil {
		c.failed = true
		return
	}
	defer file.Close()
	if _, err := file.Seek(partialBlock, io.SeekStart); err != nil {
		w.readFailed(c.f, err)
		c.failed = true
		return
	}
	h.Reset()
	buf = buf[:min(len(buf), w.limit.chunk())]
	for left := c.f.size - partialBlock; left > 0; {
		n := min(left, int64(len(buf)))
		if err := w.read(file, buf[:n]); err != nil {
			w.readFailed(c.f, err)
			c.failed = true
			return
		}
		h.Write(buf[:n])
		left -= n
	}
	c.rest, c.known = h.Sum128(), c.known|knownRest
}

// read fills buf from file, within o.MaxReadRate.
func (w *walker) read(file *os.File, buf []byte) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if err := w.limit.wait(w.ctx, len(buf)); err != nil {
		return err
	}
	if _, err := io.ReadFull(file, buf); err != nil {
		return err
	}
	w.hashed.Add(int64(len(buf)))
	return nil
}

// openMeasured opens f for reading (without touching its access time where
// the OS allows), or returns nil when it cannot be read or is no longer the
// file the walk measured (another size, date or inode: it changed since).
func (w *walker) openMeasured(f *fileRec) *os.File {
	file, err := openNoAtime(f.path())
	if err != nil {
		w.readFailed(f, err)
		return nil
	}
	w.filesRead.Add(1)
	st, err := statOpen(file)
	if err != nil || !f.unchanged(st) {
		file.Close()
		if err != nil {
			w.readFailed(f, err)
		}
		return nil
	}
	return file
}

// readFailed records a candidate that could not be read, unless it vanished
// or shrank since the walk: that is a change, not an error.
func (w *walker) readFailed(f *fileRec, err error) {
	if w.ctx.Err() != nil || vanished(err) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return
	}
	w.errs.add(f.path(), err)
}

// errChanged tells a file that is no longer the one the walk measured.
var errChanged = errors.New("changed since the walk")

// unchanged tells whether st, read from the open file, is still the file
// the walk measured. Windows learns a file's ID and change time from an
// open file only: they are compared once identify has set them.
func (f *fileRec) unchanged(st fileStat) bool {
	if st.size != f.size || st.mtime != f.mtime {
		return false
	}
	return f.id == (fileID{}) || (st.id == f.id && st.ctime == f.ctime)
}

func compare128(a, b xxh3.Uint128) int {
	return cmp.Or(cmp.Compare(a.Hi, b.Hi), cmp.Compare(a.Lo, b.Lo))
}
