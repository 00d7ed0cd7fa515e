package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// Tile sizes for gemm. Gonum's Sgemm goes parallel (spawning goroutines,
// which allocate) once C spans 4 or more 64×64 blocks; tiles of 64×192
// (3 blocks) keep every call on its serial path, so training stays
// single-threaded, deterministic and allocation-free.
const (
	gemmTileRows = 64
	gemmTileCols = 192
)

// gemm computes C = op(A)·op(B) + beta·C for dense row-major matrices, where
// op(A) is m×k, op(B) is k×n and C is m×n (leading dimension n).
//
// A is stored m×k (leading dimension k), or k×m (leading dimension m) when
// transA is set; B is stored k×n (leading dimension n), or n×k (leading
// dimension k) when transB is set.
//
// Every matrix product in this package goes through gemm, so that it can be
// replaced by faster kernels in one place. Each element of C is accumulated
// over k in a fixed order that does not depend on m, so results for one row
// do not depend on how many rows are computed together.
//
// gemm panics if a slice is too short for its dimensions: that is a
// programmer error inside this package, never a user error.
func gemm(transA, transB bool, m, n, k int, a, b, c []float32, beta float32) {
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
	tA, lda := blas.NoTrans, k
	if transA {
		tA, lda = blas.Trans, m
	}
	tB, ldb := blas.NoTrans, n
	if transB {
		tB, ldb = blas.Trans, k
	}
	impl := blas32.Implementation()
	for i := 0; i < m; i += gemmTileRows {
		mi := min(gemmTileRows, m-i)
		var at []float32
		if transA { // columns i..i+mi of the k×m matrix A
			at = a[i : (k-1)*lda+i+mi]
		} else { // rows i..i+mi of the m×k matrix A
			at = a[i*lda : (i+mi-1)*lda+k]
		}
		for j := 0; j < n; j += gemmTileCols {
			nj := min(gemmTileCols, n-j)
			var bt []float32
			if transB { // rows j..j+nj of the n×k matrix B
				bt = b[j*ldb : (j+nj-1)*ldb+k]
			} else { // columns j..j+nj of the k×n matrix B
				bt = b[j : (k-1)*ldb+j+nj]
			}
			ct := c[i*n+j : (i+mi-1)*n+j+nj]
			impl.Sgemm(tA, tB, mi, nj, k, 1, at, lda, bt, ldb, beta, ct, n)
		}
	}
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
