//go:build unix

package etcdstore_test

import (
	"syscall"
	"time"
)

// cpuTime returns the process's user+system CPU time (getrusage): the
// workers' and the embedded etcd member's.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
