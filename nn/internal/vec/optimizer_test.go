package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestOptimizerKernels checks that the kernels give the bits of the Go
// loops, for lengths around the 8-lane blocks.
func TestOptimizerKernels(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{1, 7, 8, 9, 16, 31, 100, 1027} {
		rnd := func() []float32 {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(rng.NormFloat64())
			}
			return x
		}
		w, g, m, v := rnd(), rnd(), rnd(), rnd()
		for i := range v {
			v[i] = v[i] * v[i]
		}
		run := func(kernels bool) (w1, m1, v1, w2 []float32) {
			defer func(saved bool) { useAVX2 = saved }(useAVX2)
			useAVX2 = kernels
			w1, m1, v1 = append([]float32(nil), w...), append([]float32(nil), m...), append([]float32(nil), v...)
			Adam(w1, g, m1, v1, 0.01, 0.1, 0.001, 1e-7)
			w2 = append([]float32(nil), w...)
			SGD(w2, g, 0.03)
			return
		}
		a := [4][]float32{}
		b := [4][]float32{}
		a[0], a[1], a[2], a[3] = run(false)
		b[0], b[1], b[2], b[3] = run(true)
		for k, name := range []string{"Adam w", "Adam m", "Adam v", "SGD w"} {
			for i := range a[k] {
				if math.Float32bits(a[k][i]) != math.Float32bits(b[k][i]) {
					t.Fatalf("n=%d: %s[%d]: kernel %v, loop %v", n, name, i, b[k][i], a[k][i])
				}
			}
		}
		if a[0][0] == w[0] || a[3][0] == w[0] {
			t.Fatalf("n=%d: no update", n)
		}
	}
}
