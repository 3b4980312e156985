package process

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// LowerPriority puts the process in the below-normal priority class, which
// Windows applies to its threads' CPU scheduling. (A task of Task Scheduler
// at priority 7, deploy/windows' default, also gets a lower I/O priority.)
func LowerPriority() error {
	if err := windows.SetPriorityClass(windows.CurrentProcess(), windows.BELOW_NORMAL_PRIORITY_CLASS); err != nil {
		return fmt.Errorf("process: SetPriorityClass: %w", err)
	}
	return nil
}
