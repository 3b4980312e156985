//go:build !linux

package scanner

import "os"

// openNoAtime opens path for reading. Only Linux has O_NOATIME: elsewhere
// reading a file updates its access time as the mount (or, on Windows, the
// NtfsDisableLastAccessUpdate setting) decides; modification times, which
// the report uses, are never touched.
func openNoAtime(path string) (*os.File, error) {
	return os.Open(path)
}
