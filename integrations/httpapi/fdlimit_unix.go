//go:build unix

package httpapi

import "golang.org/x/sys/unix"

// fdReserve is what the process keeps for everything but the HTTP
// connections: the listener, Redis's pool, the chat platform, files.
const fdReserve = 128

// fitFileLimit returns the largest connection cap, at most want, that
// the process's open-files limit allows, and that limit; ok is false when
// the limit is unknown or does not bind.
func fitFileLimit(want int) (fit int, limit uint64, ok bool) {
	var r unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &r); err != nil || r.Cur == unix.RLIM_INFINITY {
		return want, 0, false
	}
	cur := uint64(r.Cur) // int64 on some systems
	if cur >= uint64(want)+fdReserve {
		return want, cur, true
	}
	return max(int(cur)-fdReserve, int(cur)/2, 1), cur, true
}
