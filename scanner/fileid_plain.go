//go:build !unix && !windows

package scanner

import (
	"errors"
	"os"
)

// statOpen reads an open file, to check it is still the one the walk measured.
func statOpen(f *os.File) (fileStat, error) {
	fi, err := f.Stat()
	if err != nil {
		return fileStat{}, err
	}
	return fromFileInfo(fi), nil
}

// identify fails: this system gives no file IDs, which the hash cache keys on.
func identify(string, *fileRec) error {
	return errors.New("no file IDs on this system")
}
