package process

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestLowerPriority: every thread ends at nice 10 (or stays nicer, as
// under "nice -n 19": LowerPriority never raises a priority) with the
// lowest best-effort I/O priority.
func TestLowerPriority(t *testing.T) {
	raw, err := unix.Getpriority(unix.PRIO_PROCESS, 0) // 20 - nice
	if err != nil {
		t.Fatal(err)
	}
	want := strconv.Itoa(max(niceness, 20-raw))
	if err := LowerPriority(); err != nil {
		t.Fatal(err)
	}
	tids, err := threads()
	if err != nil || len(tids) < 2 {
		t.Fatalf("threads: %v %v", tids, err)
	}
	for _, tid := range tids {
		stat, err := os.ReadFile("/proc/self/task/" + strconv.Itoa(tid) + "/stat")
		if err != nil {
			t.Fatal(err)
		}
		// The fields after the command's closing parenthesis; nice is the 19th field of the line.
		_, rest, _ := strings.Cut(string(stat), ") ")
		if nice := strings.Fields(rest)[16]; nice != want {
			t.Errorf("thread %d: nice %s, want %s", tid, nice, want)
		}
		prio, _, e := unix.Syscall(unix.SYS_IOPRIO_GET, ioprioWhoProcess, uintptr(tid), 0)
		if e != 0 || prio != ioprioLowest {
			t.Errorf("thread %d: I/O priority %#x (%v), want %#x", tid, prio, e, ioprioLowest)
		}
	}
	// Called again, it changes nothing and does not fail.
	if err := LowerPriority(); err != nil {
		t.Error(err)
	}
}
