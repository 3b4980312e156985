//go:build linux

package scanner

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// openNoAtime opens path for reading without updating its access time, so
// that scanning does not make old files look recently used. Linux allows
// O_NOATIME only to the file's owner (or a process with CAP_FOWNER, such as
// root); for anyone else the open fails with EPERM and is retried plainly,
// and the access time then follows the mount's rules (relatime, noatime…).
func openNoAtime(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NOATIME, 0)
	if errors.Is(err, unix.EPERM) {
		return os.Open(path)
	}
	return f, err
}
