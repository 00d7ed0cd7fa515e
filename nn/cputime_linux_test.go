//go:build linux

package nn_test

import (
	"syscall"
	"time"
	"unsafe"
)

// processCPU returns the CPU time used by the process (all threads), for
// benchmarks on shared machines, where wall-clock time includes waiting for
// a core.
func processCPU() (time.Duration, bool) {
	var ts syscall.Timespec
	const clockProcessCPUTimeID = 2
	_, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockProcessCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano()), errno == 0
}
