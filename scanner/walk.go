package scanner

import (
	"cmp"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	// maxErrorSamples bounds WalkResult.ErrorSamples.
	maxErrorSamples = 10
	// progressEvery throttles WalkOptions.Progress.
	progressEvery = 200 * time.Millisecond
	// namesPerRead is how many directory entries are read at a time, which
	// bounds the memory a huge folder takes.
	namesPerRead = 1024
)

// validate checks what withDefaults cannot mend.
func (o WalkOptions) validate() error {
	if o.Now.IsZero() {
		return errors.New("scanner: WalkOptions.Now is required")
	}
	for _, p := range o.Excludes {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("scanner: exclude %q: %w", p, err)
		}
	}
	if o.MaxReadRate != 0 && o.MaxReadRate < MinReadRate {
		return fmt.Errorf("scanner: MaxReadRate %d is below %d bytes a second", o.MaxReadRate, MinReadRate)
	}
	return nil
}

// Walk measures the tree under root: its files and bytes, duplicates, stale,
// large, empty and badly named files, and empty folders, as the design card
// defines them.
//
//   - Symbolic links are never followed nor counted as files (the root itself
//     is followed: the user named it). Only regular files count.
//   - A file with several hard links counts once, under its first path in
//     byte order.
//   - Folders on another file system than the root's are not entered unless
//     o.CrossDevices (Unix only; so are btrfs subvolumes, like du -x).
//   - A folder is empty when it holds nothing but empty folders, at any
//     depth: a zero-byte file, a symbolic link, a special file, an excluded,
//     unreadable or not entered entry all make it (and its parents) not
//     empty, since deleting it would delete them. The root is never counted.
//   - Timestamps come from lstat during the walk, before any file is read;
//     files are read only to compare same-size candidates, with O_NOATIME on
//     Linux.
//
// Walk returns an error only for invalid options, when the root cannot be
// read, or with ctx.Err() when ctx ends first. Any other entry that cannot be
// read is counted in Errors (a few are kept in ErrorSamples): a folder that
// cannot be listed, an entry that cannot be lstat-ed, a file that cannot be
// read to compare it with another of the same size (a file whose size is
// unique is never opened, so its being unreadable goes unnoticed). An entry
// that vanishes during the walk, or a file that changes before it is
// hashed, is silently left out (of the duplicates, for the latter).
//
// Its memory is a small record per file (see records.go); between its
// phases Walk calls WalkOptions.Release, with which a program may give the
// memory freed back to the system and keep its peak close to that.
func Walk(ctx context.Context, root string, o WalkOptions) (*WalkResult, error) {
	return walkAt(ctx, root, o, time.Now())
}

// walkAt is Walk begun at start, by the clock file times are in: progress
// is timed from it, and the hash cache keeps only files changed at least
// racyMargin before it.
func walkAt(ctx context.Context, root string, o WalkOptions, start time.Time) (*WalkResult, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	root = filepath.Clean(root)
	st, err := statFollow(root)
	if err != nil {
		return nil, fmt.Errorf("scanner: root: %w", err)
	}
	if st.kind != kindDir {
		return nil, fmt.Errorf("scanner: root %s is not a directory", root)
	}
	dir, err := openNoAtime(root)
	if err != nil {
		return nil, fmt.Errorf("scanner: root: %w", err)
	}
	w := newWalker(ctx, o, root, st)
	w.start = start
	if w.cache != nil {
		settled := start.Add(-racyMargin)
		w.cache.settled = unixNano(settled.Unix(), int64(settled.Nanosecond()))
	}
	stopProgress := w.startProgress()
	defer stopProgress()
	t, err := w.walk(&dirNode{path: root, opened: dir})
	if err != nil {
		return nil, err
	}
	return w.result(t)
}

// walker is the state of one walk, shared by its workers.
type walker struct {
	ctx         context.Context
	o           WalkOptions
	rootDev     uint64
	staleBefore int64 // Unix nanoseconds
	start       time.Time

	// The queue of folders to read, depth first; active counts the
	// folders queued or being read, the walk ends when it falls to zero.
	mu      sync.Mutex
	wake    sync.Cond
	queue   []*dirNode
	active  int
	stopped bool

	// dirs is the table of the folders queued, by dirNode.index, which
	// the files' records refer to; it grows under mu.
	dirs []*dirNode

	// seenDirs keeps a folder reached twice (a bind mount) from being read
	// twice, or forever when it loops.
	seenMu   sync.Mutex
	seenDirs map[fileID]struct{}

	// records are the files kept (see records.go), added a batch at a
	// time under recordsMu.
	recordsMu sync.Mutex
	records   fileList

	errs      errorLog
	emptyDirs atomic.Int64
	// Running counts for Progress.
	files, bytes, hashed atomic.Int64
	filesRead            atomic.Int64

	cache *hashCache   // nil without WalkOptions.CacheDir
	limit *readLimiter // nil without WalkOptions.MaxReadRate
}

func newWalker(ctx context.Context, o WalkOptions, rootPath string, root fileStat) *walker {
	staleBefore := o.Now.AddDate(0, 0, -o.StaleDays)
	w := &walker{
		ctx:         ctx,
		o:           o,
		rootDev:     root.id.dev,
		staleBefore: unixNano(staleBefore.Unix(), int64(staleBefore.Nanosecond())),
		seenDirs:    map[fileID]struct{}{root.id: {}},
		limit:       newReadLimiter(o.MaxReadRate),
	}
	if o.CacheDir != "" && !o.SizeOnly {
		w.cache = newHashCache(o.CacheDir, rootPath)
	}
	w.wake.L = &w.mu
	return w
}

// dirNode is a folder of the tree. pending counts its own reading plus its
// subfolders not finished yet: the last one to finish decides whether the
// folder is empty and tells its parent.
type dirNode struct {
	parent  *dirNode
	path    string // in the OS's syntax
	rel     string // slash-separated, relative to the root ("" for the root)
	names   string // its files' names, each ended by a NUL (see records.go)
	index   uint32 // in walker.dirs
	opened  *os.File
	pending atomic.Int32
	content atomic.Bool // holds something else than empty folders
	gone    bool        // vanished before it could be read
}

// entryKind is what an entry is, as lstat tells.
type entryKind uint8

const (
	kindOther   entryKind = iota // device, FIFO, socket, junction: never counted nor entered
	kindFile                     // regular file
	kindDir                      // folder
	kindSymlink                  // symbolic link: never followed
)

// fileID identifies a file on a machine (zero where the OS has none).
type fileID struct{ dev, ino uint64 }

func (a fileID) compare(b fileID) int {
	return cmp.Or(cmp.Compare(a.dev, b.dev), cmp.Compare(a.ino, b.ino))
}

// fileStat is what the walk learns of an entry from lstat.
type fileStat struct {
	kind  entryKind
	size  int64
	mtime int64 // Unix nanoseconds
	ctime int64 // Unix nanoseconds: the inode's last change (Windows: ChangeTime, where known)
	id    fileID
	nlink uint64
}

// tally is what one worker counted; tallies are added up at the end.
type tally struct {
	Totals
	largest, oldest, badlyNamed *ranking
	// kept are the records of the folder being read, added to the walk's
	// files a batch at a time (flush), and names their names (addName).
	kept  []fileRec
	names []byte
	// linked are the files with several hard links, counted after the walk
	// once per inode.
	linked []fileRec
	// reported is what Progress already knows of this tally.
	reportedFiles, reportedBytes int64
}

func (w *walker) newTally() *tally {
	return &tally{
		largest: newRanking(w.o.Top, func(a, b *ranked) int {
			return orByPath(cmp.Compare(b.size, a.size), a.at, b.at)
		}),
		oldest: newRanking(w.o.Top, func(a, b *ranked) int {
			return orByPath(cmp.Compare(a.mtime, b.mtime), a.at, b.at)
		}),
		badlyNamed: newRanking(w.o.Top, func(a, b *ranked) int {
			return a.at.compare(b.at)
		}),
	}
}

// walk reads the tree from root with o.Workers workers and returns their
// summed tally.
func (w *walker) walk(root *dirNode) (*tally, error) {
	root.pending.Store(1)
	w.queue, w.active = append(w.queue, root), 1
	w.dirs = append(w.dirs, root)
	stop := context.AfterFunc(w.ctx, func() {
		w.mu.Lock()
		w.stopped = true
		w.mu.Unlock()
		w.wake.Broadcast()
	})
	defer stop()
	tallies := make([]*tally, w.o.Workers)
	var wg sync.WaitGroup
	for i := range tallies {
		t := w.newTally()
		tallies[i] = t
		wg.Go(func() { w.work(t) })
	}
	wg.Wait()
	if err := w.ctx.Err(); err != nil {
		if root.opened != nil {
			root.opened.Close()
		}
		return nil, err
	}
	sum := tallies[0]
	for _, t := range tallies[1:] {
		sum.add(t)
	}
	return sum, nil
}

func (w *walker) work(t *tally) {
	for d := w.next(); d != nil; d = w.next() {
		w.readDir(t, d)
		w.flushProgress(t)
		w.release(d)
		w.mu.Lock()
		w.active--
		if w.active == 0 {
			w.wake.Broadcast()
		}
		w.mu.Unlock()
	}
}

// next waits for a folder to read; nil means the walk is over.
func (w *walker) next() *dirNode {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.queue) == 0 && w.active > 0 && !w.stopped {
		w.wake.Wait()
	}
	if w.stopped || len(w.queue) == 0 {
		return nil
	}
	d := w.queue[len(w.queue)-1]
	w.queue = w.queue[:len(w.queue)-1]
	return d
}

func (w *walker) push(dirs []*dirNode) {
	if len(dirs) == 0 {
		return
	}
	w.mu.Lock()
	for _, d := range dirs {
		d.index = uint32(len(w.dirs))
		w.dirs = append(w.dirs, d)
	}
	w.queue = append(w.queue, dirs...)
	w.active += len(dirs)
	w.mu.Unlock()
	// One worker woken per folder: waking them all would have most go back
	// to sleep, a system call each.
	for range min(len(dirs), w.o.Workers) {
		w.wake.Signal()
	}
}

// readDir reads one folder, counts its files and queues its subfolders.
func (w *walker) readDir(t *tally, d *dirNode) {
	f := d.opened
	d.opened = nil
	if f == nil {
		var err error
		if f, err = openNoAtime(d.path); err != nil {
			if vanished(err) {
				d.gone = true
			} else {
				w.unreadable(d, d.path, err)
			}
			return
		}
	}
	defer f.Close()
	defer t.keepNames(d)
	var subdirs []*dirNode
	for w.ctx.Err() == nil {
		names, err := f.Readdirnames(namesPerRead)
		for _, name := range names {
			if sub := w.visit(t, d, f, name); sub != nil {
				subdirs = append(subdirs, sub)
			}
		}
		w.push(subdirs)
		subdirs = subdirs[:0]
		w.flush(t)
		if err == io.EOF {
			return
		}
		if err != nil {
			w.unreadable(d, d.path, err)
			return
		}
	}
}

// visit counts one entry of folder d, and returns it when it is a folder to
// read.
func (w *walker) visit(t *tally, d *dirNode, dir *os.File, name string) *dirNode {
	rel := joinRel(d.rel, name)
	if w.excluded(name, rel) {
		d.content.Store(true)
		return nil
	}
	st, err := lstatAt(dir, d.path, name)
	if err != nil {
		if !vanished(err) {
			w.unreadable(d, joinPath(d.path, name), err)
		}
		return nil
	}
	switch st.kind {
	case kindDir:
		if !w.enter(st.id) {
			d.content.Store(true)
			return nil
		}
		sub := &dirNode{parent: d, path: joinPath(d.path, name), rel: rel}
		sub.pending.Store(1)
		d.pending.Add(1)
		return sub
	case kindFile:
		d.content.Store(true)
		f := fileRec{size: st.size, mtime: st.mtime, ctime: st.ctime, id: st.id, dir: d.index}
		linked := hasFileIDs && st.nlink > 1
		if linked || f.size > 0 {
			f.name = t.addName(name)
		}
		if linked {
			t.linked = append(t.linked, f)
		} else {
			w.count(t, f, filePath{dir: d, name: name}, rel)
		}
	default:
		d.content.Store(true)
	}
	return nil
}

// unreadable records an entry of folder d (or d itself) that could not be
// read: what it holds is unknown, so d is not empty.
func (w *walker) unreadable(d *dirNode, path string, err error) {
	d.content.Store(true)
	w.errs.add(path, err)
}

// vanished tells an entry removed (or replaced by a file) during the walk.
func vanished(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

func (w *walker) excluded(name, rel string) bool {
	for _, p := range w.o.Excludes {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
		if ok, _ := path.Match(p, rel); ok {
			return true
		}
	}
	return false
}

// enter tells whether to read a folder: not on another file system unless
// asked, and not twice.
func (w *walker) enter(id fileID) bool {
	if !hasFileIDs {
		return true
	}
	if id.dev != w.rootDev && !w.o.CrossDevices {
		return false
	}
	w.seenMu.Lock()
	defer w.seenMu.Unlock()
	if _, seen := w.seenDirs[id]; seen {
		return false
	}
	w.seenDirs[id] = struct{}{}
	return true
}

// count adds one file (one inode), at p, to the tally; a file that is not
// empty is kept, a duplicate candidate.
func (w *walker) count(t *tally, f fileRec, p filePath, rel string) {
	t.Files++
	t.Bytes += f.size
	if f.size == 0 {
		t.EmptyFiles++
	} else {
		t.kept = append(t.kept, f)
		t.largest.offer(f, p, "")
	}
	if f.mtime < w.staleBefore {
		t.StaleFiles++
		t.StaleBytes += f.size
	}
	if f.size > w.o.LargeBytes {
		t.LargeFiles++
		t.LargeBytes += f.size
	}
	t.oldest.offer(f, p, "")
	if rule, bad := w.o.Names.Check(rel, p.name); bad {
		t.BadlyNamedFiles++
		t.badlyNamed.offer(f, p, rule)
	}
}

// flush adds the files t kept to the walk's.
func (w *walker) flush(t *tally) {
	if len(t.kept) == 0 {
		return
	}
	w.recordsMu.Lock()
	w.records.add(t.kept)
	w.recordsMu.Unlock()
	t.kept = t.kept[:0]
}

// maxNamesScratch bounds the buffer of names a worker keeps between
// folders: a huge folder's is let go.
const maxNamesScratch = 64 << 10

// keepNames gives folder d, read, the names of its files that t kept.
func (t *tally) keepNames(d *dirNode) {
	d.names = string(t.names)
	t.names = t.names[:0]
	if cap(t.names) > maxNamesScratch {
		t.names = nil
	}
}

// release ends the reading of folder d; the last of a folder's readings
// decides whether it is empty and passes its content up.
func (w *walker) release(d *dirNode) {
	for ; d != nil; d = d.parent {
		if d.pending.Add(-1) > 0 {
			return
		}
		switch {
		case d.gone:
		case d.content.Load():
			if d.parent != nil {
				d.parent.content.Store(true)
			}
		case d.parent != nil:
			w.emptyDirs.Add(1)
		}
	}
}

// countLinked counts the files with several hard links once per inode,
// under the first of their paths.
func (w *walker) countLinked(t *tally) {
	linked := t.linked
	t.linked = nil
	slices.SortFunc(linked, func(a, b fileRec) int {
		return orByPath(a.id.compare(b.id), w.pathOf(&a), w.pathOf(&b))
	})
	for i, f := range linked {
		if i > 0 && linked[i-1].id == f.id {
			continue
		}
		p := w.pathOf(&f)
		w.count(t, f, p, joinRel(p.dir.rel, p.name))
	}
	w.flush(t)
}

func (w *walker) result(t *tally) (*WalkResult, error) {
	w.countLinked(t)
	w.flushProgress(t)
	sets, err := w.duplicates()
	if err != nil {
		return nil, err
	}
	w.records = fileList{}
	r := &WalkResult{
		Totals:     t.Totals,
		Largest:    t.largest.entries(),
		Oldest:     t.oldest.entries(),
		BadlyNamed: t.badlyNamed.entries(),
	}
	for _, d := range sets {
		r.DupGroups++
		r.DupFiles += int64(len(d.files))
		r.DupReclaimable += d.reclaimable()
	}
	for _, d := range sets[:min(len(sets), w.o.Top)] {
		r.TopDuplicates = append(r.TopDuplicates, d.group())
	}
	r.EmptyDirs = w.emptyDirs.Load()
	r.Errors, r.ErrorSamples = w.errs.snapshot()
	r.FilesRead = w.filesRead.Load()
	if w.cache != nil {
		r.Cache = w.cache.use
	}
	return r, nil
}

func (t *tally) add(o *tally) {
	t.Files += o.Files
	t.Bytes += o.Bytes
	t.StaleFiles += o.StaleFiles
	t.StaleBytes += o.StaleBytes
	t.BadlyNamedFiles += o.BadlyNamedFiles
	t.LargeFiles += o.LargeFiles
	t.LargeBytes += o.LargeBytes
	t.EmptyFiles += o.EmptyFiles
	t.largest.merge(o.largest)
	t.oldest.merge(o.oldest)
	t.badlyNamed.merge(o.badlyNamed)
	t.linked = append(t.linked, o.linked...)
	t.reportedFiles += o.reportedFiles
	t.reportedBytes += o.reportedBytes
}

func (w *walker) flushProgress(t *tally) {
	w.files.Add(t.Files - t.reportedFiles)
	w.bytes.Add(t.Bytes - t.reportedBytes)
	t.reportedFiles, t.reportedBytes = t.Files, t.Bytes
}

// startProgress calls o.Progress every progressEvery from one goroutine,
// until the returned function is called.
func (w *walker) startProgress() (stop func()) {
	if w.o.Progress == nil {
		return func() {}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(progressEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				w.o.Progress(Progress{
					Files: w.files.Load(), Bytes: w.bytes.Load(), HashedBytes: w.hashed.Load(),
					Elapsed: time.Since(w.start),
				})
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// ranked is a file in a ranking, with where it is: its folder's names
// are not complete before the walk is over.
type ranked struct {
	fileRec
	at   filePath
	rule string
}

// entry is r as a detail list shows it.
func (r *ranked) entry() FileEntry {
	return FileEntry{Path: r.at.String(), Size: r.size, ModTime: time.Unix(0, r.mtime), Rule: r.rule}
}

// ranking keeps the n first files by compare: a heap whose root is the
// last one kept, so a file that would rank after it costs one comparison.
type ranking struct {
	n       int
	compare func(a, b *ranked) int
	items   []ranked
	// next holds the file offered, so that comparing it allocates nothing.
	next ranked
}

func newRanking(n int, compare func(a, b *ranked) int) *ranking {
	return &ranking{n: n, compare: compare}
}

func (r *ranking) offer(f fileRec, at filePath, rule string) {
	r.next = ranked{fileRec: f, at: at, rule: rule}
	if len(r.items) < r.n {
		heap.Push(r, r.next)
	} else if r.compare(&r.next, &r.items[0]) < 0 {
		r.items[0] = r.next
		heap.Fix(r, 0)
	}
}

func (r *ranking) merge(o *ranking) {
	for _, c := range o.items {
		r.offer(c.fileRec, c.at, c.rule)
	}
}

// entries returns the files kept, in order: popping the heap yields the
// last first.
func (r *ranking) entries() []FileEntry {
	out := make([]FileEntry, len(r.items))
	for i := len(out) - 1; i >= 0; i-- {
		last := heap.Pop(r).(ranked)
		out[i] = last.entry()
	}
	return out
}

// heap.Interface, the root being the item that ranks last.
func (r *ranking) Len() int           { return len(r.items) }
func (r *ranking) Less(i, j int) bool { return r.compare(&r.items[i], &r.items[j]) > 0 }
func (r *ranking) Swap(i, j int)      { r.items[i], r.items[j] = r.items[j], r.items[i] }
func (r *ranking) Push(x any)         { r.items = append(r.items, x.(ranked)) }
func (r *ranking) Pop() any {
	last := r.items[len(r.items)-1]
	r.items = r.items[:len(r.items)-1]
	return last
}

// errorLog counts the entries that could not be read and keeps a few, the
// first in path order, so that the samples do not depend on scheduling.
type errorLog struct {
	mu      sync.Mutex
	count   int64
	samples []string
}

func (l *errorLog) add(path string, err error) {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	s := path + ": " + err.Error()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.count++
	if i, _ := slices.BinarySearch(l.samples, s); i < maxErrorSamples {
		l.samples = slices.Insert(l.samples, i, s)
		l.samples = l.samples[:min(len(l.samples), maxErrorSamples)]
	}
}

func (l *errorLog) snapshot() (int64, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.count, slices.Clone(l.samples)
}

// joinPath joins a folder's path and an entry's name in the OS's syntax;
// unlike filepath.Join it does not clean, which names need not.
func joinPath(dir, name string) string {
	if os.IsPathSeparator(dir[len(dir)-1]) {
		return dir + name
	}
	return dir + string(filepath.Separator) + name
}

// joinRel joins a folder's path relative to the root and an entry's name.
func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// unixNano is sec and nsec in Unix nanoseconds, saturated: a file dated
// before 1678 or after 2262 (a broken clock) still sorts right.
func unixNano(sec, nsec int64) int64 {
	const maxSec = math.MaxInt64/int64(time.Second) - 1
	switch {
	case sec > maxSec:
		return math.MaxInt64
	case sec < -maxSec:
		return math.MinInt64
	}
	return sec*int64(time.Second) + nsec
}
