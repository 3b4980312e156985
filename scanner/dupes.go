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
// The hash is XXH3-128: fast (several GB/s a core) and wide enough that a
// collision between different files of the same size is out of reach
// (below 2^-69 for a billion files). Reading is spread over o.Workers goroutines, each with one
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
	ok      bool         // read, and still the file the walk measured
}

// duplicates returns the sets of identical files among files (non-empty,
// one per inode), the most reclaimable bytes first, then by first path.
func (w *walker) duplicates(files []*fileRec) ([]DupGroup, error) {
	sameSize := sameRuns(files, func(a, b *fileRec) int { return cmp.Compare(a.size, b.size) })
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

	err := w.hashEach(cands, func(c *dupCandidate) bool { return true }, func() func(*dupCandidate) {
		buf := make([]byte, partialBlock)
		return func(c *dupCandidate) { c.partial, c.ok = w.hashHead(buf, c.f) }
	})
	if err != nil {
		return nil, err
	}
	cands = twins(cands, func(a, b dupCandidate) int {
		return cmp.Or(cmp.Compare(a.f.size, b.f.size), compare128(a.partial, b.partial))
	})

	err = w.hashEach(cands, func(c *dupCandidate) bool { return c.f.size > partialBlock }, func() func(*dupCandidate) {
		buf, h := make([]byte, readBlock), xxh3.New()
		return func(c *dupCandidate) { c.rest, c.ok = w.hashRest(buf, h, c.f) }
	})
	if err != nil {
		return nil, err
	}
	var groups []DupGroup
	for _, run := range sameRuns(slices.DeleteFunc(cands, notRead), func(a, b dupCandidate) int {
		return cmp.Or(cmp.Compare(a.f.size, b.f.size), compare128(a.partial, b.partial), compare128(a.rest, b.rest))
	}) {
		g := DupGroup{Size: run[0].f.size, Paths: make([]string, len(run))}
		for i := range run {
			g.Paths[i] = run[i].f.path()
		}
		slices.Sort(g.Paths)
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(a, b DupGroup) int {
		return cmp.Or(cmp.Compare(b.Reclaimable(), a.Reclaimable()), strings.Compare(a.Paths[0], b.Paths[0]))
	})
	return groups, nil
}

// twins keeps the candidates read well that still share their key with
// another, in place.
func twins(cands []dupCandidate, key func(a, b dupCandidate) int) []dupCandidate {
	kept := cands[:0]
	for _, run := range sameRuns(slices.DeleteFunc(cands, notRead), key) {
		kept = append(kept, run...) // runs only move forward: copy copes
	}
	return slices.Clip(kept)
}

func notRead(c dupCandidate) bool { return !c.ok }

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

// hashEach hashes the candidates that need it with o.Workers goroutines,
// each running a hash function of its own (with its own buffer), in inode
// order. It stops early, with ctx's error, when ctx ends.
func (w *walker) hashEach(cands []dupCandidate, need func(*dupCandidate) bool, newWorker func() func(*dupCandidate)) error {
	var todo []*dupCandidate
	for i := range cands {
		if need(&cands[i]) {
			todo = append(todo, &cands[i])
		}
	}
	slices.SortFunc(todo, func(a, b *dupCandidate) int { return a.f.id.compare(b.f.id) })
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(w.o.Workers, len(todo)) {
		hash := newWorker()
		wg.Go(func() {
			for w.ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(len(todo)) {
					return
				}
				hash(todo[i])
			}
		})
	}
	wg.Wait()
	return w.ctx.Err()
}

// hashHead hashes the first partialBlock bytes of f (all of it if smaller).
func (w *walker) hashHead(buf []byte, f *fileRec) (xxh3.Uint128, bool) {
	file := w.openMeasured(f)
	if file == nil {
		return xxh3.Uint128{}, false
	}
	defer file.Close()
	n := min(f.size, partialBlock)
	if _, err := io.ReadFull(file, buf[:n]); err != nil {
		w.readFailed(f, err)
		return xxh3.Uint128{}, false
	}
	w.hashed.Add(n)
	return xxh3.Hash128(buf[:n]), true
}

// hashRest hashes the bytes of f after its first partialBlock.
func (w *walker) hashRest(buf []byte, h *xxh3.Hasher, f *fileRec) (xxh3.Uint128, bool) {
	file := w.openMeasured(f)
	if file == nil {
		return xxh3.Uint128{}, false
	}
	defer file.Close()
	if _, err := file.Seek(partialBlock, io.SeekStart); err != nil {
		w.readFailed(f, err)
		return xxh3.Uint128{}, false
	}
	h.Reset()
	for left := f.size - partialBlock; left > 0; {
		if w.ctx.Err() != nil {
			return xxh3.Uint128{}, false
		}
		n := min(left, int64(len(buf)))
		if _, err := io.ReadFull(file, buf[:n]); err != nil {
			w.readFailed(f, err)
			return xxh3.Uint128{}, false
		}
		h.Write(buf[:n])
		w.hashed.Add(n)
		left -= n
	}
	return h.Sum128(), true
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
	st, err := statOpen(file)
	if err != nil || st.size != f.size || st.mtime != f.mtime || st.id != f.id {
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
	if vanished(err) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return
	}
	w.errs.add(f.path(), err)
}

func compare128(a, b xxh3.Uint128) int {
	return cmp.Or(cmp.Compare(a.Hi, b.Hi), cmp.Compare(a.Lo, b.Lo))
}
