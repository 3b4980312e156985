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
	// rec is the index of its record in walker.records (4 billion
	// candidates would take 350 GB); with the four bytes after it, it
	// fills the 8 bytes before the hashes: a candidate takes 40.
	rec     uint32
	known   uint8        // knownPartial, knownRest: hashed, or reused from the cache
	reused  uint8        // what of known came from the cache
	failed  bool         // could not be read, or is no longer the file the walk measured
	twin    bool         // another candidate read well has its size and first block
	partial xxh3.Uint128 // hash of the first partialBlock bytes
	rest    xxh3.Uint128 // hash of the bytes after them
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
type dupSet struct {
	size  int64
	files []filePath
}

func (d dupSet) reclaimable() int64 { return int64(len(d.files)-1) * d.size }

// group makes the DupGroup of d, with its paths.
func (d dupSet) group() DupGroup {
	g := DupGroup{Size: d.size, Paths: make([]string, len(d.files))}
	for i, f := range d.files {
		g.Paths[i] = f.String()
	}
	return g
}

// giveBack calls WalkOptions.Release, when set.
func (w *walker) giveBack() {
	if w.o.Release != nil {
		w.o.Release()
	}
}

// duplicates returns the sets of identical files among the walk's records
// (non-empty, one per inode), the most reclaimable bytes first, then by
// first path; paths are built only for the sets a report shows
// (dupSet.group). With o.SizeOnly, files of the same size are the sets:
// nothing is read. The records of files whose size is unique are dropped
// first; the candidates are kept in one slice, sorted in place for each
// step: at a million files, any list beside it would take megabytes.
func (w *walker) duplicates() ([]dupSet, error) {
	sizes := w.dropUnique()
	// What the walk and dropUnique freed is scattered: what comes next, in
	// one block, cannot reuse it. The program may give it back to the
	// system rather than add to it (WalkOptions.Release: a collection of a
	// heap of few pointers, a millisecond or two).
	w.giveBack()
	var sets []dupSet
	if w.o.SizeOnly {
		order, start := w.records.bySize(sizes)
		for k := range sizes {
			run := order[start[k]:start[k+1]]
			sets = append(sets, w.newSet(len(run), func(i int) *fileRec { return w.records.at(int(run[i])) }))
		}
		sortSets(sets)
		return sets, nil
	}
	cands := make([]dupCandidate, w.records.len())
	for i := range cands {
		cands[i].rec = uint32(i)
	}
	if err := w.hashCandidates(cands); err != nil {
		return nil, err
	}
	eachRun(cands, func(a, b dupCandidate) int {
		if c := cmp.Or(compare128(a.partial, b.partial), compare128(a.rest, b.rest)); c != 0 {
			return c
		}
		return w.compareSizes(a, b)
	}, func(run []dupCandidate) {
		sets = append(sets, w.newSet(len(run), func(i int) *fileRec { return w.rec(run[i]) }))
	})
	sortSets(sets)
	return sets, nil
}

// rec returns c's record.
func (w *walker) rec(c dupCandidate) *fileRec { return w.records.at(int(c.rec)) }

// compareSizes orders candidates by size. The sorts compare it only when
// the hashes are equal: they tell nearly all candidates apart without
// reading their records, spread over the memory (cmp.Or would read them
// every time: it takes values).
func (w *walker) compareSizes(a, b dupCandidate) int {
	return cmp.Compare(w.rec(a).size, w.rec(b).size)
}

// hashCandidates gives the candidates their hashes, from the cache or by
// reading them: the first block of each, and the rest of those whose size
// and first block another shares.
func (w *walker) hashCandidates(cands []dupCandidate) error {
	if w.cache != nil && !hasFileIDs {
		if err := w.forEach(len(cands), func(int) bool { return true }, w.identifier(cands)); err != nil {
			return err
		}
	}
	// In inode order: the order to read them in (a disk's head moves
	// forward), and the cache's.
	byID := func(a, b dupCandidate) int { return w.rec(a).id.compare(w.rec(b).id) }
	slices.SortFunc(cands, byID)
	if w.cache != nil {
		w.cache.load(cands, &w.records)
	}
	err := w.forEach(len(cands), func(i int) bool { return cands[i].known == 0 && !cands[i].failed }, func() func(int) {
		buf := make([]byte, partialBlock)
		return func(i int) { w.hashHead(buf, &cands[i]) }
	})
	if err != nil {
		return err
	}
	eachRun(cands, func(a, b dupCandidate) int {
		if c := compare128(a.partial, b.partial); c != 0 {
			return c
		}
		return w.compareSizes(a, b)
	}, func(run []dupCandidate) {
		for i := range run {
			run[i].twin = true
		}
	})
	// The candidates whose rest is to be read, in inode order; the
	// candidates keep the order of their runs, which the last sort then
	// finds nearly sorted. Each reader's buffer is readBlock, or the most
	// that is read at once if less (the largest rest, the read rate's
	// chunk). A rescan of an unchanged tree has nothing left to read.
	var rest []uint32
	block := 0
	for i := range cands {
		if c := &cands[i]; c.twin && !c.failed && w.rec(*c).size > partialBlock && c.known&knownRest == 0 {
			rest = append(rest, uint32(i))
			block = max(block, int(min(w.rec(*c).size-partialBlock, readBlock)))
		}
	}
	block = min(block, w.limit.chunk())
	if len(rest) > 0 {
		// Likewise for what reading the first blocks left (a file
		// opened, a path), before the buffers.
		w.giveBack()
	}
	slices.SortFunc(rest, func(a, b uint32) int { return byID(cands[a], cands[b]) })
	err = w.forEach(len(rest), func(int) bool { return true }, func() func(int) {
		buf, h := make([]byte, block), xxh3.New()
		return func(i int) { w.hashRest(buf, h, &cands[rest[i]]) }
	})
	if err != nil {
		return err
	}
	if w.cache != nil {
		w.cache.save(cands, &w.records, byID)
	}
	return nil
}

// newSet makes the set of the n identical files rec gives.
func (w *walker) newSet(n int, rec func(i int) *fileRec) dupSet {
	d := dupSet{size: rec(0).size, files: make([]filePath, n)}
	for i := range n {
		d.files[i] = w.pathOf(rec(i))
	}
	slices.SortFunc(d.files, filePath.compare)
	return d
}

// sortSets puts the most reclaimable bytes first, then by first path.
func sortSets(sets []dupSet) {
	slices.SortFunc(sets, func(a, b dupSet) int {
		return orByPath(cmp.Compare(b.reclaimable(), a.reclaimable()), a.files[0], b.files[0])
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

// forEach runs a function of each worker's own (with its own buffer) on
// the items 0 to n-1 that need it, in their order, with o.readers
// goroutines. It stops early, with ctx's error, when ctx ends.
func (w *walker) forEach(n int, need func(i int) bool, newWorker func() func(i int)) error {
	todo := 0
	for i := range n {
		if need(i) {
			todo++
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(w.o.readers, todo) {
		do := newWorker()
		wg.Go(func() {
			for w.ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if need(i) {
					do(i)
				}
			}
		})
	}
	wg.Wait()
	return w.ctx.Err()
}

// identifier gives each candidate what the cache keys on, where the walk
// could not (see identify).
func (w *walker) identifier(cands []dupCandidate) func() func(int) {
	return func() func(int) {
		return func(i int) {
			c := &cands[i]
			f := w.rec(*c)
			if err := identify(w.pathOf(f).String(), f); err != nil {
				c.failed = true
				if !errors.Is(err, errChanged) {
					w.readFailed(f, err)
				}
			}
		}
	}
}

// hashHead hashes the first partialBlock bytes of c (all of it if smaller).
func (w *walker) hashHead(buf []byte, c *dupCandidate) {
	f, file := w.openMeasured(c)
	if file == nil {
		return
	}
	defer file.Close()
	n := min(f.size, partialBlock)
	if err := w.read(file, buf[:n]); err != nil {
		w.failed(c, err)
		return
	}
	c.partial, c.known = xxh3.Hash128(buf[:n]), knownPartial
}

// hashRest hashes the bytes of c after its first partialBlock, len(buf) at
// a time.
func (w *walker) hashRest(buf []byte, h *xxh3.Hasher, c *dupCandidate) {
	f, file := w.openMeasured(c)
	if file == nil {
		return
	}
	defer file.Close()
	if _, err := file.Seek(partialBlock, io.SeekStart); err != nil {
		w.failed(c, err)
		return
	}
	h.Reset()
	for left := f.size - partialBlock; left > 0; {
		n := min(left, int64(len(buf)))
		if err := w.read(file, buf[:n]); err != nil {
			w.failed(c, err)
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

// openMeasured opens c's file for reading (without touching its access
// time where the OS allows), or marks c failed and returns no file when it
// cannot be read or is no longer the file the walk measured (another size,
// date or inode: it changed since).
func (w *walker) openMeasured(c *dupCandidate) (*fileRec, *os.File) {
	f := w.rec(*c)
	file, err := openNoAtime(w.pathOf(f).String())
	if err != nil {
		w.failed(c, err)
		return f, nil
	}
	w.filesRead.Add(1)
	st, err := statOpen(file)
	if err != nil || !f.unchanged(st) {
		file.Close()
		c.failed = true
		if err != nil {
			w.readFailed(f, err)
		}
		return f, nil
	}
	return f, file
}

// failed marks c failed, for err.
func (w *walker) failed(c *dupCandidate, err error) {
	c.failed = true
	w.readFailed(w.rec(*c), err)
}

// readFailed records a candidate that could not be read, unless it vanished
// or shrank since the walk: that is a change, not an error.
func (w *walker) readFailed(f *fileRec, err error) {
	if w.ctx.Err() != nil || vanished(err) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return
	}
	w.errs.add(w.pathOf(f).String(), err)
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
