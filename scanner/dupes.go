package scanner

import (
	"cmp"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
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
}

// Bits of dupCandidate.known.
const (
	knownPartial uint8 = 1 << iota
	knownRest
)

// ok tells a candidate whose first block is known, from a good read or
// from the cache.
func (c *dupCandidate) ok() bool { return c.known&knownPartial != 0 && !c.failed }

// duplicates returns the sets of identical files among files (non-empty,
// one per inode), the most reclaimable bytes first, then by first path.
// With o.SizeOnly, files of the same size are the sets: nothing is read.
func (w *walker) duplicates(files []*fileRec) ([]DupGroup, error) {
	bySize := func(a, b *fileRec) int { return cmp.Compare(a.size, b.size) }
	sameSize := sameRuns(files, bySize)
	var groups []DupGroup
	if w.o.SizeOnly {
		for _, run := range sameSize {
			groups = append(groups, newGroup(run, func(f *fileRec) *fileRec { return f }))
		}
		sortGroups(groups)
		return groups, nil
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
	all := make([]*dupCandidate, len(cands))
	for i := range cands {
		all[i] = &cands[i]
	}
	if w.cache != nil {
		if err := w.forEach(all, func(*dupCandidate) bool { return !hasFileIDs }, w.identifier); err != nil {
			return nil, err
		}
		// In inode order, the cache's.
		slices.SortFunc(cands, func(a, b dupCandidate) int { return a.f.id.compare(b.f.id) })
		w.cache.load(cands)
	}
	err := w.forEach(all, func(c *dupCandidate) bool { return c.known == 0 && !c.failed }, func() func(*dupCandidate) {
		buf := make([]byte, partialBlock)
		return func(c *dupCandidate) { w.hashHead(buf, c) }
	})
	if err != nil {
		return nil, err
	}
	heads := twins(all, func(a, b *dupCandidate) int {
		return cmp.Or(cmp.Compare(a.f.size, b.f.size), compare128(a.partial, b.partial))
	})
	err = w.forEach(heads, func(c *dupCandidate) bool { return c.f.size > partialBlock && c.known&knownRest == 0 }, func() func(*dupCandidate) {
		buf, h := make([]byte, readBlock), xxh3.New()
		return func(c *dupCandidate) { w.hashRest(buf, h, c) }
	})
	if err != nil {
		return nil, err
	}
	if w.cache != nil {
		w.cache.save(cands)
	}
	for _, run := range sameRuns(slices.DeleteFunc(heads, notRead), func(a, b *dupCandidate) int {
		return cmp.Or(cmp.Compare(a.f.size, b.f.size), compare128(a.partial, b.partial), compare128(a.rest, b.rest))
	}) {
		groups = append(groups, newGroup(run, func(c *dupCandidate) *fileRec { return c.f }))
	}
	sortGroups(groups)
	return groups, nil
}

// newGroup makes the set of identical files of a run.
func newGroup[T any](run []T, file func(T) *fileRec) DupGroup {
	g := DupGroup{Size: file(run[0]).size, Paths: make([]string, len(run))}
	for i := range run {
		g.Paths[i] = file(run[i]).path()
	}
	slices.Sort(g.Paths)
	return g
}

// sortGroups puts the most reclaimable bytes first, then by first path.
func sortGroups(groups []DupGroup) {
	slices.SortFunc(groups, func(a, b DupGroup) int {
		return cmp.Or(cmp.Compare(b.Reclaimable(), a.Reclaimable()), strings.Compare(a.Paths[0], b.Paths[0]))
	})
}

// twins returns the candidates read well that share their key with
// another.
func twins(cands []*dupCandidate, key func(a, b *dupCandidate) int) []*dupCandidate {
	var kept []*dupCandidate
	for _, run := range sameRuns(slices.DeleteFunc(slices.Clone(cands), notRead), key) {
		kept = append(kept, run...)
	}
	return kept
}

func notRead(c *dupCandidate) bool { return !c.ok() }

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
// the candidates that need it, with o.readers goroutines, in inode order.
// It stops early, with ctx's error, when ctx ends.
func (w *walker) forEach(cands []*dupCandidate, need func(*dupCandidate) bool, newWorker func() func(*dupCandidate)) error {
	var todo []*dupCandidate
	for _, c := range cands {
		if need(c) {
			todo = append(todo, c)
		}
	}
	slices.SortFunc(todo, func(a, b *dupCandidate) int { return a.f.id.compare(b.f.id) })
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(w.o.readers, len(todo)) {
		do := newWorker()
		wg.Go(func() {
			for w.ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(len(todo)) {
					return
				}
				do(todo[i])
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
