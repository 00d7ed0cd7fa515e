package nn

import (
	"fmt"

	kernels "github.com/tunekit/tune/nn/internal/gemm"
)

// gemm computes C = op(A)·op(B) + beta·C for dense row-major matrices, where
// op(A) is m×k, op(B) is k×n and C is m×n (leading dimension n), with the
// kernels of ctx (AVX2+FMA assembly where the CPU has it, pure Go
// otherwise; see package internal/gemm).
//
// A is stored m×k (leading dimension k), or k×m (leading dimension m) when
// transA is set; B is stored k×n (leading dimension n), or n×k (leading
// dimension k) when transB is set.
//
// Every matrix product in this package goes through gemm or denseForward.
// Each element of C is accumulated over k in an order that depends only on
// k, so results for one row do not depend on how many rows are computed
// together, nor on ctx.Threads.
//
// gemm panics if a slice is too short for its dimensions: that is a
// programmer error inside this package, never a user error.
func gemm(ctx *kernels.Context, transA, transB bool, m, n, k int, a, b, c []float32, beta float32) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("nn: gemm negative dimension m=%d n=%d k=%d", m, n, k))
	}
	if len(a) < m*k || len(b) < k*n || len(c) < m*n {
		panic(fmt.Sprintf("nn: gemm short slice: m=%d n=%d k=%d len(a)=%d len(b)=%d len(c)=%d",
			m, n, k, len(a), len(b), len(c)))
	}
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		scale(c[:m*n], beta)
		return
	}
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	ctx.Sgemm(transA, transB, m, n, k, 1, a, lda, b, ldb, beta, c, n)
}

// scale multiplies x by beta; beta == 0 clears x (even of NaNs), as BLAS does.
func scale(x []float32, beta float32) {
	switch beta {
	case 1:
	case 0:
		clear(x)
	default:
		for i := range x {
			x[i] *= beta
		}
	}
}

// biasGrad sets db (length f) to the column sums of the rows×f gradient g,
// the gradient of a bias added to every row, as the product gᵀ·1 (vector
// kernels instead of a scalar loop); ones holds at least rows ones.
func biasGrad(ctx *kernels.Context, g []float32, rows, f int, ones, db []float32) {
	gemm(ctx, true, false, f, 1, rows, g, ones, db, 0)
}

// onesVector returns n ones, for biasGrad.
func onesVector(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 1
	}
	return v
}
