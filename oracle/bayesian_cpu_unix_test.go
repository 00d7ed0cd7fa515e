//go:build unix

package oracle

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user + system) the process has used, so that a
// benchmark can report its cost apart from waiting on a loaded machine.
func bayesCPUTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
