//go:build amd64 && !purego

package vec

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// DropoutAvailable reports whether the dropout kernels (AVX-512F and
// AVX512DQ) can run; TUNE_KERNELS=avx2 or generic turns them off.
var DropoutAvailable = Available && cpu.X86.HasAVX512DQ

// DropoutForward sets out (len(x) values) to x masked and scaled, and the
// first len(x) bits of mask (bit i%64 of mask[i/64]: value i kept; the rest
// of the last word cleared), as package nn's dropoutForward: with d the
// 32-bit half i%2 of SplitMix64's draw i/2+1 after state, value i is kept
// if d ≥ thresh and then scaled by keep, else set to +0. It panics if out
// or mask is too short.
func DropoutForward(x, out []float32, mask []uint64, state uint64, thresh uint32, keep float32) {
	n := len(x)
	if n == 0 {
		return
	}
	_ = out[n-1]
	words := mask[:(n+63)/64]
	words[len(words)-1] = 0
	dropoutForward(&x[0], &out[0], (*uint16)(unsafe.Pointer(&words[0])), n, state, thresh, keep)
}

// DropoutBackward sets dst (len(g) values) to g masked and scaled by keep as
// the forward pass that wrote mask did, or with accum adds that to dst.
func DropoutBackward(g, dst []float32, mask []uint64, keep float32, accum bool) {
	n := len(g)
	if n == 0 {
		return
	}
	_ = dst[n-1]
	words := mask[:(n+63)/64]
	dropoutBackward(&g[0], &dst[0], (*uint16)(unsafe.Pointer(&words[0])), n, keep, b2i(accum))
}
