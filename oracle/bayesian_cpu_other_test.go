//go:build !unix

package oracle

import "time"

func cpuTime() (time.Duration, bool) { return 0, false }
