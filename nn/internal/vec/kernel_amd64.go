//go:build amd64 && !purego

package vec

import (
	"os"

	"golang.org/x/sys/cpu"
)

// Available reports whether the im2col and max-pooling kernels (AVX-512F)
// can run; useAVX2 whether the optimizer kernels can. The environment variable
// TUNE_KERNELS=avx2 turns the first off and TUNE_KERNELS=generic both, as
// for package gemm.
var (
	Available = cpu.X86.HasAVX512F && os.Getenv("TUNE_KERNELS") != "avx2" && os.Getenv("TUNE_KERNELS") != "generic"
	useAVX2   = cpu.X86.HasAVX2 && os.Getenv("TUNE_KERNELS") != "generic"
)

// MaxRowForward computes one row of outW outputs (see maxRowForward) from
// x, the input starting at the row's first window, into y and arg (outW·c
// each). base is the index of x[0] within its sample, stride the input's
// row stride in elements; with relu, an argmax whose input is ≤ 0 is
// recorded as −1, so that the backward pass applies a ReLU's derivative
// without the input. It panics if the slices are too short.
func MaxRowForward(x, y []float32, arg []int32, base, outW, kh, kw, stride, c int, relu bool) {
	_ = x[(kh-1)*stride+outW*kw*c-1]
	_ = y[outW*c-1]
	_ = arg[outW*c-1]
	maxRowForward(&x[0], &y[0], &arg[0], base, outW, kh, kw, stride, c, b2i(relu))
}

// MaxRowBackward writes d (laid out as the forward pass's x, stride
// apart) for one row of windows from the output gradient g and arg: g
// where arg points, +0 elsewhere.
func MaxRowBackward(g, d []float32, arg []int32, base, outW, kh, kw, stride, c int) {
	_ = d[(kh-1)*stride+outW*kw*c-1]
	_ = g[outW*c-1]
	_ = arg[outW*c-1]
	maxRowBackward(&g[0], &d[0], &arg[0], base, outW, kh, kw, stride, c)
}

// Im2colRun writes the im2col rows of n window positions whose windows lie
// inside the input (see im2colRun): x starts at the first window's first
// value, consecutive positions start step values apart and a window's kh
// runs of rowLen values stride apart; row p of cols starts at cols[p·ld]
// and receives kh·rowLen values (the rest of the row is left alone). It
// panics if a slice is too short or a size is below 1.
func Im2colRun(x, cols []float32, n, kh, rowLen, stride, step, ld int) {
	if n < 1 || kh < 1 || rowLen < 1 || stride < 0 || step < 0 || ld < kh*rowLen {
		panic("vec: Im2colRun sizes")
	}
	_ = x[(n-1)*step+(kh-1)*stride+rowLen-1]
	_ = cols[(n-1)*ld+kh*rowLen-1]
	im2colRun(&x[0], &cols[0], n, kh, rowLen, stride, step, ld)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
