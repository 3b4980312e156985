//go:build !unix

package scanner

import (
	"io/fs"
	"os"
)

// hasFileIDs: outside Unix (Windows above all) the walker has no inode
// number without opening every file (Windows gives a file ID to an open
// file only: see identify), so each path counts as a file of its own: a hard-linked file (rare on Windows shares) counts once per link, and
// mount points cannot be told apart from folders by device. Junctions and
// volume mount points are reparse points, which Go reports as irregular:
// they are never entered, like symbolic links.
const hasFileIDs = false

// lstatAt reads name inside the directory dirPath without following a
// symbolic link.
func lstatAt(_ *os.File, dirPath, name string) (fileStat, error) {
	fi, err := os.Lstat(joinPath(dirPath, name))
	if err != nil {
		return fileStat{}, err
	}
	return fromFileInfo(fi), nil
}

// statFollow reads path, following a symbolic link (for the root, which the
// user named).
func statFollow(path string) (fileStat, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStat{}, err
	}
	return fromFileInfo(fi), nil
}

func fromFileInfo(fi fs.FileInfo) fileStat {
	mode := fi.Mode()
	kind := kindOther
	switch {
	case mode&fs.ModeSymlink != 0:
		kind = kindSymlink
	case mode&fs.ModeIrregular != 0:
		// Junctions, mount points, cloud placeholders: never entered nor counted.
	case mode.IsDir():
		kind = kindDir
	case mode.IsRegular():
		kind = kindFile
	}
	t := fi.ModTime()
	return fileStat{kind: kind, size: fi.Size(), mtime: unixNano(t.Unix(), int64(t.Nanosecond())), nlink: 1}
}
