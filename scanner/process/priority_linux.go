package process

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Linux priorities: nice 10 (of 19) for the CPU, and for the disks the
// best-effort class at its lowest level, 7: the scan still progresses on a
// busy server (the idle class could starve it for hours). The I/O priority
// counts with the BFQ and mq-deadline schedulers (not with "none", usual on
// NVMe, nor on a network file system, whose server decides).
const (
	niceness         = 10
	ioprioWhoProcess = 1
	ioprioClassBE    = 2
	ioprioClassShift = 13
	ioprioLowest     = ioprioClassBE<<ioprioClassShift | 7
)

// LowerPriority lowers the CPU and I/O priority of every thread of the
// process. Linux keeps both per thread and a new thread inherits them
// from the thread that starts it, so the threads the Go runtime starts
// later inherit them too. A process already nicer keeps its niceness.
func LowerPriority() error {
	done := map[int]bool{}
	for {
		tids, err := threads()
		if err != nil {
			return err
		}
		lowered := 0
		for _, tid := range tids {
			if done[tid] {
				continue
			}
			if err := lower(tid); err != nil {
				return err
			}
			done[tid] = true
			lowered++
		}
		// A thread started meanwhile, from a thread not lowered yet, would
		// have been missed: list them again until none is new.
		if lowered == 0 {
			return nil
		}
	}
}

func lower(tid int) error {
	// getpriority returns 20 - nice, so that it is never negative.
	raw, err := unix.Getpriority(unix.PRIO_PROCESS, tid)
	if err != nil {
		return fmt.Errorf("process: getpriority: %w", err)
	}
	if 20-raw < niceness {
		if err := unix.Setpriority(unix.PRIO_PROCESS, tid, niceness); err != nil {
			return fmt.Errorf("process: setpriority: %w", err)
		}
	}
	if _, _, e := unix.Syscall(unix.SYS_IOPRIO_SET, ioprioWhoProcess, uintptr(tid), ioprioLowest); e != 0 {
		return fmt.Errorf("process: ioprio_set: %w", e)
	}
	return nil
}

// threads lists the process's threads.
func threads() ([]int, error) {
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, fmt.Errorf("process: %w", err)
	}
	tids := make([]int, 0, len(entries))
	for _, e := range entries {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	return tids, nil
}
