package nn

import (
	kernels "github.com/tunekit/tune/nn/internal/gemm"

	"math"
	"strings"
	"testing"
)

func naiveGemm(transA, transB bool, m, n, k int, a, b, c []float32, beta float32) []float64 {
	out := make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s float64
			for l := range k {
				av := a[i*k+l]
				if transA {
					av = a[l*m+i]
				}
				bv := b[l*n+j]
				if transB {
					bv = b[j*k+l]
				}
				s += float64(av) * float64(bv)
			}
			if beta != 0 {
				s += float64(beta) * float64(c[i*n+j])
			}
			out[i*n+j] = s
		}
	}
	return out
}

func randSlice(r *rng, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(2*r.float64() - 1)
	}
	return s
}

func TestGemmMatchesNaive(t *testing.T) {
	r := newRNG(1, 0)
	// Sizes straddle the 64×192 tiles in every dimension.
	for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 2}, {64, 192, 9}, {65, 193, 17}, {130, 400, 70}, {7, 3, 300}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for _, beta := range []float32{0, 1, 0.5} {
					a, b, c := randSlice(&r, m*k), randSlice(&r, k*n), randSlice(&r, m*n)
					if beta == 0 {
						for i := range c {
							c[i] = float32(math.NaN()) // beta 0 must overwrite, not scale
						}
					}
					want := naiveGemm(tA, tB, m, n, k, a, b, c, beta)
					gemm(&kernels.Context{}, tA, tB, m, n, k, a, b, c, beta)
					for i, w := range want {
						if d := math.Abs(float64(c[i]) - w); !(d <= 1e-5*(1+float64(k))) {
							t.Fatalf("m=%d n=%d k=%d tA=%v tB=%v beta=%v: c[%d]=%v, want %v", m, n, k, tA, tB, beta, i, c[i], w)
						}
					}
				}
			}
		}
	}
}

func TestGemmEdgeCases(t *testing.T) {
	c := []float32{1, 2, 3, 4}
	gemm(&kernels.Context{}, false, false, 2, 2, 0, nil, nil, c, 0.5)
	if c[0] != 0.5 || c[3] != 2 {
		t.Fatalf("k=0 should scale C by beta, got %v", c)
	}
	gemm(&kernels.Context{}, false, false, 0, 2, 3, nil, make([]float32, 6), nil, 0) // no-op, no panic

	defer func() {
		msg, _ := recover().(string)
		if !strings.HasPrefix(msg, "nn: gemm") {
			t.Fatalf("short slice: recovered %q, want an nn: gemm panic", msg)
		}
	}()
	gemm(&kernels.Context{}, false, false, 2, 2, 2, make([]float32, 3), make([]float32, 4), make([]float32, 4), 0)
}

// A model's products reuse its kernel context: no allocation per product
// once the context's buffers exist.
func TestGemmNoAllocs(t *testing.T) {
	r := newRNG(2, 0)
	m, n, k := 128, 300, 100
	a, b, c := randSlice(&r, m*k), randSlice(&r, k*n), make([]float32, m*n)
	ctx := &kernels.Context{}
	for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}} {
		if got := testing.AllocsPerRun(2, func() { gemm(ctx, tr[0], tr[1], m, n, k, a, b, c, 0) }); got != 0 {
			t.Errorf("trans %v: %v allocations per gemm, want 0", tr, got)
		}
	}
}

func TestRNGShuffleIsPermutation(t *testing.T) {
	r := newRNG(42, 7)
	p := make([]int, 1000)
	for i := range p {
		p[i] = i
	}
	r.shuffle(p)
	seen := make([]bool, len(p))
	moved := 0
	for i, v := range p {
		if seen[v] {
			t.Fatalf("value %d twice", v)
		}
		seen[v] = true
		if v != i {
			moved++
		}
	}
	if moved < 900 {
		t.Fatalf("only %d of 1000 elements moved", moved)
	}
	r1, r2, r3 := newRNG(1, 0), newRNG(1, 0), newRNG(1, 1)
	a, b, c := r1.next(), r2.next(), r3.next()
	if a != b || a == c {
		t.Fatalf("streams: same seed/stream %x %x, other stream %x", a, b, c)
	}
	for range 10000 {
		if v := r1.intn(3); v < 0 || v >= 3 {
			t.Fatalf("intn(3) = %d", v)
		}
		if f := r1.float64(); f < 0 || f >= 1 {
			t.Fatalf("float64() = %v", f)
		}
	}
}
