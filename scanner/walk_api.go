package scanner

import (
	"runtime"
	"time"
)

// WalkOptions configure a walk of one root.
type WalkOptions struct {
	// StaleDays: files not modified for this many days are stale (default 1095).
	StaleDays int
	// LargeBytes: files above this size are large (default 100 MiB).
	LargeBytes int64
	// Excludes are glob patterns (path.Match syntax) matched against each
	// entry's name and its slash-separated path relative to the root; a
	// matching folder is not entered.
	Excludes []string
	// Workers walk the folders and read the files in parallel (default:
	// DefaultWalkers walk, and as many as CPUs, at least 2, read).
	Workers int
	// CrossDevices enters mount points of other file systems (default: stay on the root's).
	CrossDevices bool
	// Now is the instant staleness is measured against (required: no clock inside).
	Now time.Time
	// Names decides which file names are badly named (default DefaultNameRules()).
	Names *NameRules
	// Top bounds each detail list of the result (default 20).
	Top int
	// Progress, when set, is called from time to time with the running counts.
	Progress func(Progress)
	// CacheDir, when set, holds the hash cache: a file per root with the
	// hashes of its duplicate candidates, reused by the next walk for the
	// files that did not change (see CacheUse). The figures are the same
	// with or without it.
	CacheDir string
	// MaxReadRate caps the bytes read per second to compare files (0: no
	// cap, else at least MinReadRate). Walking folders is not capped.
	MaxReadRate int64
	// SizeOnly reads no file: files of the same size count as duplicates,
	// which makes the duplicates an upper bound, for a first estimate.
	SizeOnly bool
	// Release, when set, is called between the walk's phases, once what a
	// phase used is garbage: a program whose walk is its main work passes
	// debug.FreeOSMemory, to give it back to the system and keep its peak
	// close to the walk's records (gigascan does).
	Release func()

	// readers read the files, each with its buffer: Workers, or by default
	// as many as CPUs, which keeps the memory of a walk low.
	readers int
}

// Progress is the running count of a walk.
type Progress struct {
	Files, Bytes int64
	// HashedBytes are the bytes of same-size candidates read so far to find
	// duplicates, after the walk: it keeps moving when Files and Bytes no
	// longer do.
	HashedBytes int64
	Elapsed     time.Duration
}

// Totals are the figures of a walk, as the report carries them.
type Totals struct {
	Files int64
	Bytes int64
	// Duplicates: sets of two or more non-empty files with identical content.
	DupGroups, DupFiles, DupReclaimable int64
	StaleFiles, StaleBytes              int64
	BadlyNamedFiles                     int64
	LargeFiles, LargeBytes              int64
	EmptyFiles, EmptyDirs               int64
	// Errors counts entries that could not be read (permission denied…).
	Errors int64
}

// FileEntry is one file in a detail list.
type FileEntry struct {
	Path    string
	Size    int64
	ModTime time.Time
	// Rule is the badly-named rule the file breaks, for BadlyNamed entries.
	Rule string
}

// DupGroup is one set of identical files.
type DupGroup struct {
	Size  int64
	Paths []string
}

// Reclaimable is what deleting all copies but one frees.
func (g DupGroup) Reclaimable() int64 { return int64(len(g.Paths)-1) * g.Size }

// WalkResult is what a walk measured, with the detail lists a team needs to
// know what to clean (paths never leave the machine unless asked).
type WalkResult struct {
	Totals
	// TopDuplicates: the groups with the most reclaimable bytes, largest first.
	TopDuplicates []DupGroup
	// Largest: the largest files, largest first.
	Largest []FileEntry
	// Oldest: the least recently modified files, oldest first.
	Oldest []FileEntry
	// BadlyNamed: files whose names break a rule, in path order.
	BadlyNamed []FileEntry
	// ErrorSamples: a few of the entries that could not be read, with why.
	ErrorSamples []string
	// FilesRead counts the files opened to compare their contents.
	FilesRead int64
	// Cache says how the hash cache was used (with WalkOptions.CacheDir).
	Cache CacheUse
}

// Defaults of WalkOptions.
const (
	DefaultStaleDays  = 1095
	DefaultLargeBytes = 100 << 20
	DefaultTop        = 20
	// DefaultWalkers: a walk waits one round trip per folder listed and per
	// entry, which on a network share is latency, not work. Measured on a
	// FUSE pass-through adding 1 ms to each request (scripts/benchtree/slowfs,
	// 10 000 files in 1 000 folders), the walk took 9,7 s with 2 walkers,
	// 3,0 s with 8, 1,9 s with 16, 1,0 s with 32 and 64; on a local disk
	// 32 cost no time and 1 Mo. See docs/scanner.md.
	DefaultWalkers = 32
)

// withDefaults fills the options left at zero. Walk and NewReport both
// call it, so a report always states the thresholds the walk used.
func (o WalkOptions) withDefaults() WalkOptions {
	if o.StaleDays <= 0 {
		o.StaleDays = DefaultStaleDays
	}
	if o.LargeBytes <= 0 {
		o.LargeBytes = DefaultLargeBytes
	}
	if o.Top <= 0 {
		o.Top = DefaultTop
	}
	switch {
	case o.readers > 0:
	case o.Workers > 0:
		o.readers = o.Workers
	default:
		o.Workers, o.readers = DefaultWalkers, max(2, runtime.NumCPU())
	}
	if o.Names == nil {
		o.Names = DefaultNameRules()
	}
	return o
}
