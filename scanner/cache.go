package scanner

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/zeebo/xxh3"
)

// The hash cache keeps, per root, the hashes of the duplicate candidates
// of the last walk, so that a rescan reads only the files that changed. A
// file's hashes are reused only when its device, inode (on Windows: volume
// serial number and file index), size, modification time and change time,
// all to the nanosecond, are those recorded: a file rewritten with its size
// and modification time restored has another change time, which no program
// can set back. The cache is a hint, never trusted blindly: a file missing,
// of another version, for another root, truncated, out of order or failing
// its checksum is ignored whole (CacheUse.Ignored says why) and rewritten
// from this walk. It is written to a temporary file renamed over the old
// one, so a reader sees the old cache or the new, whole; of two walks of
// one root at once, the last to finish wins.
//
// A file changed just before the walk is not kept: a file system stamps
// times with a coarse clock (a few milliseconds on Linux, 2 s on FAT), so
// a second change within the same tick, size and modification time
// restored, would leave the change time as it was ("racy git"). Only files
// whose change time is racyMargin older than the walk's start are kept;
// the others are read again next time. A share whose server's clock runs
// late by more than that narrows the margin: keep the clocks in sync (NTP).
//
// The file: cacheMagic, then little-endian uint32 version, uint32
// partialBlock, uint32 length and the root's path, uint64 count, the
// records in strictly increasing (device, inode) order, and the XXH3-64 of
// all that.
const (
	cacheMagic   = "gigascan hashes\n"
	cacheVersion = 1
	// cacheRecord: device, inode, size, mtime, ctime, flags, partial, rest.
	cacheRecord = 5*8 + 1 + 2*16
	// maxCacheRoot bounds the root's path in a cache file.
	maxCacheRoot = 1 << 16
	// racyMargin: see above.
	racyMargin = 2 * time.Second
)

// CacheUse says how a walk used its hash cache (WalkOptions.CacheDir).
type CacheUse struct {
	// Path is the root's cache file.
	Path string
	// Ignored says why a cache file found was not used: it was rebuilt.
	Ignored string
	// Reused counts the files whose hashes came from the cache.
	Reused int64
	// SaveError is why the cache could not be written, if it could not
	// (the walk's figures never depend on the cache).
	SaveError error
}

// hashCache is the cache file of one root.
type hashCache struct {
	dir, root string
	use       CacheUse
	// settled: files changed before it (Unix nanoseconds) may be kept.
	settled int64
	// loaded counts the records of the file read, when trusted is set.
	loaded  uint64
	trusted bool
}

func newHashCache(dir, root string) *hashCache {
	sum := xxh3.HashString128(root).Bytes()
	return &hashCache{dir: dir, root: root, use: CacheUse{
		Path: filepath.Join(dir, hex.EncodeToString(sum[:])+".hashes"),
	}}
}

// load gives the candidates (in inode order, their records in files) the
// hashes the cache holds for them; it gives none when the cache cannot be
// trusted.
func (c *hashCache) load(cands []dupCandidate, files *fileList) {
	f, err := os.Open(c.use.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		c.use.Ignored = err.Error()
		return
	}
	defer f.Close()
	reused, err := c.apply(bufio.NewReaderSize(f, 64<<10), cands, files)
	if err != nil {
		for i := range cands {
			d := &cands[i]
			d.partial, d.rest, d.known, d.reused = xxh3.Uint128{}, xxh3.Uint128{}, 0, 0
		}
		c.use.Ignored = err.Error()
		return
	}
	c.use.Reused, c.trusted = reused, true
}

// apply reads a cache file and gives the candidates that match a record
// its hashes, returning how many did.
func (c *hashCache) apply(r io.Reader, cands []dupCandidate, files *fileList) (int64, error) {
	sum := xxh3.New()
	in := io.TeeReader(r, sum)
	var head [len(cacheMagic) + 12]byte
	if _, err := io.ReadFull(in, head[:]); err != nil || string(head[:len(cacheMagic)]) != cacheMagic {
		return 0, errors.New("not a gigascan hash cache")
	}
	fields := head[len(cacheMagic):]
	if v := binary.LittleEndian.Uint32(fields); v != cacheVersion {
		return 0, fmt.Errorf("written by another version of gigascan (format %d, not %d)", v, cacheVersion)
	}
	if b := binary.LittleEndian.Uint32(fields[4:]); b != partialBlock {
		return 0, fmt.Errorf("first blocks of %d bytes, not %d", b, partialBlock)
	}
	n := binary.LittleEndian.Uint32(fields[8:])
	if n > maxCacheRoot {
		return 0, errors.New("corrupt header")
	}
	root := make([]byte, n+8)
	if _, err := io.ReadFull(in, root); err != nil {
		return 0, errors.New("truncated header")
	}
	if string(root[:n]) != c.root {
		return 0, fmt.Errorf("for another root, %q", root[:n])
	}
	count := binary.LittleEndian.Uint64(root[n:])
	c.loaded = count
	var (
		rec    [cacheRecord]byte
		prev   fileID
		i      int
		reused int64
	)
	for k := range count {
		if _, err := io.ReadFull(in, rec[:]); err != nil {
			return 0, fmt.Errorf("truncated after %d of %d files", k, count)
		}
		e, ok := decodeRecord(rec)
		if !ok || (k > 0 && e.id.compare(prev) <= 0) {
			return 0, fmt.Errorf("corrupt record %d", k)
		}
		prev = e.id
		for i < len(cands) && files.at(int(cands[i].rec)).id.compare(e.id) < 0 {
			i++
		}
		// Windows may give several paths the same ID (hard links).
		for j := i; j < len(cands) && files.at(int(cands[j].rec)).id == e.id; j++ {
			if d, f := &cands[j], files.at(int(cands[j].rec)); !d.failed && f.size == e.size && f.mtime == e.mtime && f.ctime == e.ctime {
				d.partial, d.rest, d.known, d.reused = e.partial, e.rest, e.known, e.known
				reused++
			}
		}
	}
	want := sum.Sum64()
	var tail [9]byte
	if n, _ := io.ReadFull(r, tail[:]); n != 8 || binary.LittleEndian.Uint64(tail[:]) != want {
		c.loaded = 0
		return 0, errors.New("checksum mismatch")
	}
	return reused, nil
}

// cacheEntry is a record of the cache file.
type cacheEntry struct {
	id                 fileID
	size, mtime, ctime int64
	known              uint8
	partial, rest      xxh3.Uint128
}

func decodeRecord(b [cacheRecord]byte) (cacheEntry, bool) {
	le := binary.LittleEndian
	e := cacheEntry{
		id:      fileID{dev: le.Uint64(b[0:]), ino: le.Uint64(b[8:])},
		size:    int64(le.Uint64(b[16:])),
		mtime:   int64(le.Uint64(b[24:])),
		ctime:   int64(le.Uint64(b[32:])),
		known:   b[40],
		partial: xxh3.Uint128{Hi: le.Uint64(b[41:]), Lo: le.Uint64(b[49:])},
		rest:    xxh3.Uint128{Hi: le.Uint64(b[57:]), Lo: le.Uint64(b[65:])},
	}
	restOK := e.rest == (xxh3.Uint128{})
	if e.known&knownRest != 0 {
		restOK = e.size > partialBlock
	}
	return e, e.known&^knownRest == knownPartial && e.size > 0 && restOK
}

func encodeRecord(f *fileRec, c *dupCandidate) [cacheRecord]byte {
	le := binary.LittleEndian
	var b [cacheRecord]byte
	le.PutUint64(b[0:], f.id.dev)
	le.PutUint64(b[8:], f.id.ino)
	le.PutUint64(b[16:], uint64(f.size))
	le.PutUint64(b[24:], uint64(f.mtime))
	le.PutUint64(b[32:], uint64(f.ctime))
	b[40] = c.known
	le.PutUint64(b[41:], c.partial.Hi)
	le.PutUint64(b[49:], c.partial.Lo)
	le.PutUint64(b[57:], c.rest.Hi)
	le.PutUint64(b[65:], c.rest.Lo)
	return b
}

// save writes the hashes known of the candidates as the root's cache,
// sorting them byID first; CacheUse.SaveError tells if it could not.
func (c *hashCache) save(cands []dupCandidate, files *fileList, byID func(a, b dupCandidate) int) {
	if c.unchanged(cands, files) {
		return
	}
	slices.SortFunc(cands, byID)
	if err := c.write(cands, files); err != nil {
		c.use.SaveError = fmt.Errorf("hash cache %s: %w", c.use.Path, err)
	}
}

// keeps tells a candidate whose hashes go in the cache.
func (c *hashCache) keeps(d *dupCandidate, f *fileRec) bool {
	return d.ok() && f.id != (fileID{}) && f.ctime < c.settled
}

// unchanged tells whether the file read holds exactly what would be
// written: every candidate kept came from it, whole, and it held no other.
// (Two paths with one ID, on Windows, count twice here and once in the
// file: the cache is then written again, which is only slower.)
func (c *hashCache) unchanged(cands []dupCandidate, files *fileList) bool {
	if !c.trusted {
		return false
	}
	var count uint64
	for i := range cands {
		if d := &cands[i]; c.keeps(d, files.at(int(d.rec))) {
			if d.reused != d.known {
				return false
			}
			count++
		}
	}
	return count == c.loaded
}

// write writes the cache of the candidates, in inode order.
func (c *hashCache) write(cands []dupCandidate, files *fileList) (err error) {
	rec := func(i int) *fileRec { return files.at(int(cands[i].rec)) }
	keep := func(i int) bool {
		return c.keeps(&cands[i], rec(i)) && (i == 0 || rec(i-1).id != rec(i).id)
	}
	var count uint64
	for i := range cands {
		if keep(i) {
			count++
		}
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(c.dir, filepath.Base(c.use.Path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	buf := bufio.NewWriterSize(tmp, 64<<10)
	sum := xxh3.New()
	out := io.MultiWriter(buf, sum)
	le := binary.LittleEndian
	head := le.AppendUint32([]byte(cacheMagic), cacheVersion)
	head = le.AppendUint32(head, partialBlock)
	head = le.AppendUint32(head, uint32(len(c.root)))
	head = le.AppendUint64(append(head, c.root...), count)
	out.Write(head)
	for i := range cands {
		if keep(i) {
			b := encodeRecord(rec(i), &cands[i])
			out.Write(b[:])
		}
	}
	buf.Write(le.AppendUint64(nil, sum.Sum64()))
	// No fsync: a cache torn by a crash fails its checksum and is rebuilt,
	// and a scan on a busy server need not wait for the disk.
	if err := buf.Flush(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), c.use.Path)
}
