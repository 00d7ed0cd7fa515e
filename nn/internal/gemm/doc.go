// Package gemm multiplies float32 matrices: the three products of a Dense
// layer (X·W forward, Xᵀ·dY for the weight gradient, dY·Wᵀ for the input
// gradient) and general row-major SGEMM.
//
// # API
//
// Sgemm is BLAS SGEMM for row-major storage:
//
//	C = alpha·op(A)·op(B) + beta·C
//
// where op(A) is m×k, op(B) is k×n and C is m×n. A is stored m×k (row
// stride lda ≥ k), or k×m (lda ≥ m) when transA is set; likewise B is
// stored k×n (ldb ≥ n), or n×k (ldb ≥ k) when transB is set; C has row
// stride ldc ≥ n. With beta == 0, C is written without being read, so it may
// hold NaNs or garbage. With alpha == 0 or k == 0, A and B are not read.
//
// DenseForward computes y = act(x·w + bias) in one pass: the bias add and
// the activation (an Epilogue) are applied to each register tile of the
// product before it is stored (ReLU inside the assembly kernel, Sigmoid and
// Tanh in Go on the tile just written, while it is in cache). For a Dense
// layer with input x (batch×in), weights w (in×out), bias (out) and upstream
// gradient dy (batch×out), the three products are
//
//	DenseForward(batch, out, in, x, w, bias, y, act)        // y  = act(x·w + bias)
//	Sgemm(true, false, in, out, batch, 1, x, in, dy, out, 0, dw, out)  // dw = xᵀ·dy
//	Sgemm(false, true, batch, in, out, 1, dy, out, w, out, 0, dx, in)  // dx = dy·wᵀ
//
// DenseGradW and DenseGradX are those two Sgemm calls by name.
// Backward passes of ReLU, Sigmoid and Tanh can be computed from the
// activated outputs alone (y > 0, y·(1−y), 1−y²), so the fused forward does
// not need to keep the pre-activations; call it with None to keep them.
//
// # Rules
//
// Dimension or length errors are programmer errors: every function panics
// with a message starting "gemm: " when a dimension is negative, a leading
// dimension is too small or a slice is too short. C (y) must not overlap A,
// B (x, w) or bias.
//
// Calls are single-threaded and allocation-free in steady state: packing
// buffers live in a Context, which the package-level functions take from a
// sync.Pool. A Context may be used by one goroutine at a time; setting its
// Threads field above 1 lets a product of at least 2 MFLOP be shared by
// that many goroutines (a few small allocations per call to start them):
// it is cut into chunks of column (or row) panels that the caller and its
// helpers claim one at a time, and the caller never waits for a helper
// that has not started, so that on a busy machine a second thread costs
// little more than starting it. A call
// costs roughly 0.1 µs besides the arithmetic, a little more through the
// pool: loops over small products should keep a Context of their own.
//
// Results are deterministic for given inputs, dimensions and CPU path:
// every element of C is accumulated over k in an order that depends only on
// k, not on m, n, the position of the element, or Threads, so one row of a
// product does not depend on how many rows are computed together. The
// AVX2/FMA kernels and the pure-Go kernels round differently (fused
// multiply-adds), so results differ in the last bits between the two.
//
// # Implementation
//
// op(B) is taken one k-block (KC ≤ 256, split evenly) at a time, in panels
// of nr columns; A is read in place (rows of A, or columns of Aᵀ), mr rows
// at a time. The micro-kernel keeps an mr×nr tile of C in twelve ymm
// registers (AVX2) and performs k rank-1 updates with FMA (one broadcast of A
// against nr/8 vectors of B), then applies alpha, beta·C, the bias and ReLU
// and stores the tile; partial tiles at the right and bottom edges use
// masked loads and split stores in the same kernel. Panels are 24 columns
// wide (tile 4×24) except at the right edge, where the last 25 to 32
// columns are split 16 + the rest and at most 16 use the 6×16 tile, so
// that a row of C costs ceil(n/8) vectors. One assembly call computes a
// whole run of panels of the same tile, to keep the fixed cost per call
// low for small products.
//
// A full panel of op(B) not transposed is read in place (row stride ldb)
// when the k-block spans at most 32 KiB of B; otherwise, and for
// transposed op(B) (transposed in 8×8 blocks of registers), panels are
// packed into a zero-padded buffer. For m ≤ MC (128), panels are packed a
// few at a time (at most 32 KiB), just before use, so that they stay in L1
// while all m rows of A sweep them; larger m pack an NC-wide block of B
// once and sweep it with MC-row blocks of A.
//
// A narrow C wastes lanes (n = 10 costs 16 lanes a row). When a cost model
// (FMAs, packing and stores, fitted on Zen 3) says so, typically for n ≤
// 24 with larger m or for very short k, the product is computed as
// Cᵀ = op(B)ᵀ·op(A)ᵀ, which puts m in the lanes: the "trans" kernels
// compute register tiles of Cᵀ (4×24 and 6×16), transpose them in
// registers in 4×8 blocks and store them into C, applying the epilogue on
// the way. Each element of C is the same chain of fused multiply-adds over
// k in the same order, followed by the same epilogue instructions, so the
// two orientations give the same bits and one row of C does not depend on
// which was chosen for the call.
//
// With AVX-512, products computed directly use zmm kernels with tiles of
// 8×48 and 12×32 (24 accumulators of the 32 registers), and the same rules
// for panels with 16-lane vectors (48 columns, the last at most 32 with the
// narrow tile); partial panels use opmask loads and stores. Every lane
// executes the instructions the AVX2 kernels execute for it, so the two
// paths give the same bits (TestVectorWidthsAgree); products computed
// transposed keep the AVX2 kernels.
//
// The assembly (kernel_amd64.s, stubs_amd64.go) is generated by the avo
// program in _asm, a separate module so that avo is not a dependency of
// this one; regenerate it with go generate. golang.org/x/sys/cpu chooses
// at start-up: AVX-512F (with AVX2 and FMA), else AVX2 and FMA, else the
// pure-Go kernels in kernel_generic.go, which follow the same blocking and
// orientation; other architectures and builds with -tags purego use those
// too. The environment variable TUNE_KERNELS=avx2 or generic lowers the
// choice (for running a test suite on each path). This package's tests run
// every path the CPU supports in one go test run.
package gemm
