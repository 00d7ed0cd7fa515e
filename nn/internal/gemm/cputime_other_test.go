//go:build !linux

package gemm

import "time"

func processCPU() (time.Duration, bool) { return 0, false }
