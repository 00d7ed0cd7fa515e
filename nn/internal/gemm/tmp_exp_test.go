package gemm

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

func threadCPU() time.Duration {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 3, uintptr(unsafe.Pointer(&ts)), 0) // CLOCK_THREAD_CPUTIME_ID
	return time.Duration(ts.Nano())
}

// measure returns the best GFLOP/s over samples of about 10ms thread CPU time each.
func measure(flops float64, f func()) (best float64) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	f()
	n := 1
	for {
		t0 := threadCPU()
		for range n {
			f()
		}
		if threadCPU()-t0 > 5*time.Millisecond {
			break
		}
		n *= 2
	}
	for range 15 {
		t0 := threadCPU()
		w0 := time.Now()
		for range n {
			f()
		}
		d := threadCPU() - t0
		wd := time.Since(w0)
		// discard samples where we were heavily descheduled (cache pollution)
		_ = wd
		g := flops * float64(n) / d.Seconds() / 1e9
		best = max(best, g)
	}
	return best
}

type variant struct {
	name  string
	setup func() func()
}

func runExp(t *testing.T, variants []variant, shapes []benchShape) {
	for _, s := range shapes {
		a, lda, bb, ldb, c := s.operands()
		line := fmt.Sprintf("%-22s", s.name)
		for _, v := range variants {
			restore := v.setup()
			var ctx Context
			g := measure(2*float64(s.m*s.n*s.k), func() {
				ctx.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
			})
			restore()
			line += fmt.Sprintf("  %s %6.2f", v.name, g)
		}
		t.Log(line)
	}
}

func TestExp(t *testing.T) {
	if os.Getenv("GEMM_EXP") == "" {
		t.Skip()
	}
	runExp(t, []variant{{"cur", func() func() { return func() {} }}}, benchShapes)
}

func TestExpOverhead(t *testing.T) {
	if os.Getenv("GEMM_EXP") == "" {
		t.Skip()
	}
	a := make([]float32, 4096)
	c := make([]float32, 4096)
	var ctx Context
	for _, s := range [][3]int{{1, 1, 1}, {4, 24, 1}, {4, 24, 8}, {32, 10, 100}, {32, 100, 10}, {100, 10, 32}} {
		g := measure(1e9, func() { ctx.Sgemm(false, false, s[0], s[1], s[2], 1, a, s[2], a, s[1], 0, c, s[1]) })
		t.Logf("%v: %.1f ns/op", s, 1e9/g)
	}
}

func BenchmarkExpTiny(b *testing.B) {
	a := make([]float32, 4096)
	c := make([]float32, 4096)
	var ctx Context
	for b.Loop() {
		ctx.Sgemm(false, false, 1, 1, 1, 1, a, 1, a, 1, 0, c, 1)
	}
}

func TestExpMicro(t *testing.T) {
	if os.Getenv("GEMM_EXP") == "" {
		t.Skip()
	}
	k := 256
	ap := make([]float32, maxMR*k)
	b := make([]float32, maxNR*k)
	for i := range ap { ap[i] = 1 }
	for i := range b { b[i] = 1 }
	var acc [maxMR * maxNR]float32
	for range 3 {
		g := measure(2*4*24*float64(k), func() { microGeneric(tile4x24, k, ap, b, &acc) })
		t.Logf("micro 4x24: %.2f GFLOP/s", g)
	}
}

