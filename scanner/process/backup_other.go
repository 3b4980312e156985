//go:build !windows

package process

import "errors"

// EnableBackup is Windows only: on Linux, run the scan as root, or as an
// account with CAP_DAC_READ_SEARCH, to read every file.
func EnableBackup() error {
	return errors.New("process: the backup privilege is Windows only (on Linux, run as root or with CAP_DAC_READ_SEARCH)")
}
