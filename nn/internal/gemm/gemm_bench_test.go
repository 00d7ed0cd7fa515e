package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// benchShape is one product of the benchmarks: C (m×n) = op(A)·op(B), k
// the inner dimension.
type benchShape struct {
	name           string
	transA, transB bool
	m, n, k        int
}

// benchShapes are the products of the seed MLP (784-300-100-10, batch 32)
// and square matrices. For a Dense layer with x (32×in) and w (in×out):
// forward x·w is m=32, n=out, k=in; the weight gradient xᵀ·dy is m=in,
// n=out, k=32; the input gradient dy·wᵀ is m=32, n=in, k=out.
var benchShapes = func() []benchShape {
	var s []benchShape
	for _, l := range [][2]int{{784, 300}, {300, 100}, {100, 10}} {
		in, out := l[0], l[1]
		s = append(s,
			benchShape{fmt.Sprintf("mlp%dx%d/fwd", in, out), false, false, 32, out, in},
			benchShape{fmt.Sprintf("mlp%dx%d/gradW", in, out), true, false, in, out, 32},
			benchShape{fmt.Sprintf("mlp%dx%d/gradX", in, out), false, true, 32, in, out},
		)
	}
	for _, n := range []int{256, 512, 1024} {
		s = append(s, benchShape{fmt.Sprintf("square%d", n), false, false, n, n, n})
	}
	return s
}()

// operands returns op(A), op(B) and C for s with random contents, and the
// leading dimensions.
func (s benchShape) operands() (a []float32, lda int, b []float32, ldb int, c []float32) {
	rng := rand.New(rand.NewPCG(1, 1))
	a = make([]float32, s.m*s.k)
	b = make([]float32, s.k*s.n)
	c = make([]float32, s.m*s.n)
	fill(rng, a, uniform)
	fill(rng, b, uniform)
	lda, ldb = s.k, s.n
	if s.transA {
		lda = s.m
	}
	if s.transB {
		ldb = s.k
	}
	return a, lda, b, ldb, c
}

// benchLoop runs f b.N times (after one untimed call that sizes the
// buffers) and reports GFLOP/s for an m×n×k product: by wall-clock time,
// and by the process's CPU time (cpu-GFLOP/s, Linux only), which on a
// shared machine leaves out the time spent waiting for a core.
func benchLoop(b *testing.B, m, n, k int, f func()) {
	b.ReportAllocs()
	f()
	cpu0, ok := processCPU()
	for b.Loop() {
		f()
	}
	cpu1, _ := processCPU()
	flops := 2 * float64(m) * float64(n) * float64(k) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if ok && cpu1 > cpu0 {
		b.ReportMetric(flops/(cpu1-cpu0).Seconds()/1e9, "cpu-GFLOP/s")
	}
}

// slowerImpls returns the assembly kernel sets below the one in use (AVX2
// on an AVX-512 machine), for comparisons in the same run.
func slowerImpls() []kernelImpl {
	var s []kernelImpl
	impls := kernelImpls()
	for _, impl := range impls[1 : len(impls)-1] {
		s = append(s, impl)
	}
	return s
}

// BenchmarkGemm times Sgemm (tune; tune-avx2-fma for the AVX2 kernels on
// an AVX-512 machine) against gonum's blas32.Gemm (gonum) on
// the same shapes. Run it with -cpu 1 for single-core figures: gonum
// splits large products across GOMAXPROCS goroutines (and then its
// cpu-GFLOP/s is per core, not per call).
func BenchmarkGemm(b *testing.B) {
	for _, s := range benchShapes {
		a, lda, bb, ldb, c := s.operands()
		b.Run(s.name+"/tune", func(b *testing.B) {
			var ctx Context
			benchLoop(b, s.m, s.n, s.k, func() {
				ctx.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
			})
		})
		for _, impl := range slowerImpls() {
			b.Run(s.name+"/tune-"+impl.name, func(b *testing.B) {
				defer impl.use()()
				var ctx Context
				benchLoop(b, s.m, s.n, s.k, func() {
					ctx.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
				})
			})
		}
		b.Run(s.name+"/gonum", func(b *testing.B) {
			tA, tB := blas.NoTrans, blas.NoTrans
			ar, ac, br, bc := s.m, s.k, s.k, s.n
			if s.transA {
				tA, ar, ac = blas.Trans, s.k, s.m
			}
			if s.transB {
				tB, br, bc = blas.Trans, s.n, s.k
			}
			ga := blas32.General{Rows: ar, Cols: ac, Stride: lda, Data: a}
			gb := blas32.General{Rows: br, Cols: bc, Stride: ldb, Data: bb}
			gc := blas32.General{Rows: s.m, Cols: s.n, Stride: s.n, Data: c}
			benchLoop(b, s.m, s.n, s.k, func() { blas32.Gemm(tA, tB, 1, ga, gb, 0, gc) })
		})
	}
}

// BenchmarkDenseForward times the fused forward pass y = relu(x·w + b)
// (tune) against gonum with the bias and ReLU as separate passes, as
// package nn did (gonum).
func BenchmarkDenseForward(b *testing.B) {
	for _, l := range [][2]int{{784, 300}, {300, 100}, {100, 10}} {
		m, k, n := 32, l[0], l[1]
		rng := rand.New(rand.NewPCG(2, 2))
		x := make([]float32, m*k)
		w := make([]float32, k*n)
		bias := make([]float32, n)
		y := make([]float32, m*n)
		fill(rng, x, uniform)
		fill(rng, w, uniform)
		fill(rng, bias, uniform)
		name := fmt.Sprintf("mlp%dx%d", k, n)
		b.Run(name+"/tune", func(b *testing.B) {
			var ctx Context
			benchLoop(b, m, n, k, func() { ctx.DenseForward(m, n, k, x, w, bias, y, ReLU) })
		})
		b.Run(name+"/gonum", func(b *testing.B) {
			gx := blas32.General{Rows: m, Cols: k, Stride: k, Data: x}
			gw := blas32.General{Rows: k, Cols: n, Stride: n, Data: w}
			gy := blas32.General{Rows: m, Cols: n, Stride: n, Data: y}
			benchLoop(b, m, n, k, func() {
				for r := range m {
					copy(y[r*n:(r+1)*n], bias)
				}
				blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, gx, gw, 1, gy)
				for i, v := range y {
					y[i] = max(v, 0)
				}
			})
		})
	}
}

// cnnShapes are the products of one training step of the lecture CNN
// (batch 200): the 5×5 convolution over im2col rows (115,200 positions ×
// 25) forward and its kernel gradient, and Dense 4608→128 forward, kernel
// gradient and input gradient.
var cnnShapes = []benchShape{
	{"cnn-conv/fwd", false, false, 115200, 32, 25},
	{"cnn-conv/gradW", true, false, 25, 32, 115200},
	{"cnn4608x128/fwd", false, false, 200, 128, 4608},
	{"cnn4608x128/gradW", true, false, 4608, 128, 200},
	{"cnn4608x128/gradX", false, true, 200, 4608, 128},
}

// BenchmarkGemmThreads times Sgemm split across Context.Threads goroutines,
// one and two, on every benchmarked shape and the CNN's.
func BenchmarkGemmThreads(b *testing.B) {
	for _, s := range append(append([]benchShape(nil), benchShapes...), cnnShapes...) {
		a, lda, bb, ldb, c := s.operands()
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", s.name, threads), func(b *testing.B) {
				ctx := Context{Threads: threads}
				benchLoop(b, s.m, s.n, s.k, func() {
					ctx.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
				})
			})
		}
	}
}
