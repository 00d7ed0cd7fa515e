//go:build !unix

package oracle

import "time"

func bayesCPUTime() (time.Duration, bool) { return 0, false }
