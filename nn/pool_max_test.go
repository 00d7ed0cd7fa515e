package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// runMaxPool runs a max pooling forward and backward over n samples x with
// output gradient g, with or without the kernels, and returns the outputs,
// argmaxes and input gradient; with relu the ReLU's derivative (of an input
// x) is applied, by the kernels (which record an argmax whose input is not
// positive as −1) or after the loops as the ReLU layer would.
func runMaxPool(t *testing.T, w window, x, g []float32, n int, kernels, relu bool) ([]float32, []int32, []float32) {
	t.Helper()
	saved := poolKernels
	poolKernels = kernels
	defer func() { poolKernels = saved }()
	in := &unitBase{out: x, g: make([]float32, len(x)), wantsGrad: true}
	for i := range in.g {
		in.g[i] = float32(math.NaN()) // must be overwritten
	}
	u := &pool{unitBase: unitBase{size: w.outH * w.outW * w.inC, ins: []*unitBase{in}, accum: []bool{false}, g: g},
		win: w, max: true, reluIn: relu && kernels}
	u.reserve(n)
	if kernels != u.fastMax() {
		t.Fatalf("kernels %v but fastMax %v", kernels, u.fastMax())
	}
	u.forward(n, true)
	u.backward(n)
	if relu && !kernels {
		activationBackward(actReLU, x, x, in.g, n, w.inSize())
	}
	return u.out, u.arg, in.g
}

// TestMaxPoolingKernels checks that the kernels give the bits of the
// general loops (outputs, argmaxes, input gradients, with and without the
// fused ReLU derivative) over tiled windows of every channel count around
// the 16-lane groups, with ties, signed zeros, NaNs and infinities.
func TestMaxPoolingKernels(t *testing.T) {
	if !poolKernels {
		t.Skip("no pooling kernels on this CPU or build")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 2, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	for _, c := range []int{1, 3, 16, 17, 32, 33} {
		for _, k := range []int{1, 2, 3} {
			for _, out := range [][2]int{{1, 1}, {2, 3}, {3, 2}} {
				w, err := newWindow([]int{out[0] * k, out[1] * k, c}, k, k, k, k, PaddingValid)
				if err != nil {
					t.Fatal(err)
				}
				const n = 2
				x := make([]float32, n*w.inSize())
				for i := range x {
					if rng.IntN(4) == 0 {
						x[i] = special[rng.IntN(len(special))]
					} else {
						x[i] = float32(rng.IntN(5) - 2) // ties
					}
				}
				g := make([]float32, n*w.outH*w.outW*c)
				for i := range g {
					g[i] = float32(rng.NormFloat64())
				}
				for _, relu := range []bool{false, true} {
					y0, a0, d0 := runMaxPool(t, w, x, g, n, false, relu)
					y1, a1, d1 := runMaxPool(t, w, x, g, n, true, relu)
					for i := range y0 {
						if relu && x[i/(w.outH*w.outW*c)*w.inSize()+int(a0[i])] <= 0 {
							a0[i] = -1 // passes no gradient
						}
						if math.Float32bits(y0[i]) != math.Float32bits(y1[i]) || a0[i] != a1[i] {
							t.Fatalf("c=%d k=%d out=%v: output %d: kernel %v from %d, loops %v from %d", c, k, out, i, y1[i], a1[i], y0[i], a0[i])
						}
					}
					for i := range d0 {
						if math.Float32bits(d0[i]) != math.Float32bits(d1[i]) {
							t.Fatalf("c=%d k=%d out=%v relu=%v: input gradient %d: kernel %v, loops %v", c, k, out, relu, i, d1[i], d0[i])
						}
					}
				}
			}
		}
	}
}
