//go:build unix

package scanner

import (
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// hasFileIDs: Unix gives every file a device and an inode number, so hard
// links are counted once and mount points of other file systems are seen.
const hasFileIDs = true

// lstatAt reads name inside the open directory dir without following a
// symbolic link. fstatat resolves the name against the directory, not the
// whole path from the root, which saves the kernel a path walk per entry.
func lstatAt(dir *os.File, dirPath, name string) (fileStat, error) {
	fd := int(dir.Fd())
	var st unix.Stat_t
	err := retryEINTR(func() error { return unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW) })
	if err != nil {
		return fileStat{}, &fs.PathError{Op: "lstat", Path: joinPath(dirPath, name), Err: err}
	}
	return fromStatT(&st), nil
}

// statFollow reads path, following a symbolic link (for the root, which the
// user named).
func statFollow(path string) (fileStat, error) {
	var st unix.Stat_t
	if err := retryEINTR(func() error { return unix.Stat(path, &st) }); err != nil {
		return fileStat{}, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	return fromStatT(&st), nil
}

// statOpen reads an open file, to check it is still the one the walk measured.
func statOpen(f *os.File) (fileStat, error) {
	fd := int(f.Fd())
	var st unix.Stat_t
	if err := retryEINTR(func() error { return unix.Fstat(fd, &st) }); err != nil {
		return fileStat{}, &fs.PathError{Op: "fstat", Path: f.Name(), Err: err}
	}
	return fromStatT(&st), nil
}

// retryEINTR retries a system call interrupted by a signal, which network
// file systems (CIFS, NFS) may report.
func retryEINTR(call func() error) error {
	for {
		if err := call(); err != unix.EINTR {
			return err
		}
	}
}

func fromStatT(st *unix.Stat_t) fileStat {
	kind := kindOther
	switch uint32(st.Mode) & unix.S_IFMT {
	case unix.S_IFREG:
		kind = kindFile
	case unix.S_IFDIR:
		kind = kindDir
	case unix.S_IFLNK:
		kind = kindSymlink
	}
	return fileStat{
		kind:  kind,
		size:  st.Size,
		mtime: unixNano(int64(st.Mtim.Sec), int64(st.Mtim.Nsec)),
		ctime: unixNano(int64(st.Ctim.Sec), int64(st.Ctim.Nsec)),
		id:    fileID{dev: uint64(st.Dev), ino: uint64(st.Ino)},
		nlink: uint64(st.Nlink),
	}
}

// identify gives f what the hash cache keys on: on Unix the walk's lstat
// already did.
func identify(string, *fileRec) error { return nil }
