//go:build !linux && !windows

package process

import "errors"

// LowerPriority is supported on Linux and Windows only.
func LowerPriority() error {
	return errors.New("process: lowering the priority is supported on Linux and Windows only")
}
