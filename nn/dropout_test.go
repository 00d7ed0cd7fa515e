package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tunekit/tune/nn/internal/vec"
)

// withDropoutKernels runs f with the dropout kernels on or off.
func withDropoutKernels(on bool, f func()) {
	saved := dropoutKernels
	dropoutKernels = on
	defer func() { dropoutKernels = saved }()
	f()
}

// TestDropoutKernels checks that the vector kernels give the bits of the Go
// loops (outputs, mask bits, input gradients written and added) for lengths
// around the 16-value blocks and 64-bit mask words, random thresholds and
// states, and values with signed zeros, NaNs and infinities.
func TestDropoutKernels(t *testing.T) {
	if !dropoutKernels {
		t.Skip("no dropout kernels on this CPU or build")
	}
	r := rand.New(rand.NewPCG(7, 8))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	for _, n := range []int{1, 2, 15, 16, 17, 31, 63, 64, 65, 127, 128, 129, 1000, 1001} {
		for range 4 {
			x, g, d0 := make([]float32, n), make([]float32, n), make([]float32, n)
			for i := range x {
				x[i], g[i], d0[i] = float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64())
				if r.IntN(8) == 0 {
					x[i], g[i], d0[i] = special[r.IntN(len(special))], special[r.IntN(len(special))], special[r.IntN(len(special))]
				}
			}
			state, thresh := r.Uint64(), r.Uint32()
			keep := float32(1 / (1 - float64(thresh)/(1<<32)))
			words := (n + 63) / 64
			out0, out1 := make([]float32, n), make([]float32, n)
			mask0, mask1 := make([]uint64, words), make([]uint64, words)
			for i := range mask1 {
				mask1[i] = ^uint64(0) // must be overwritten
			}
			dropoutForward(x, out0, mask0, state, thresh, keep)
			vec.DropoutForward(x, out1, mask1, state, thresh, keep)
			for i := range mask0 {
				if mask0[i] != mask1[i] {
					t.Fatalf("n=%d: mask word %d: kernel %#x, loop %#x", n, i, mask1[i], mask0[i])
				}
			}
			sameBits(t, "output", n, out1, out0)
			for _, accum := range []bool{false, true} {
				dl, dk := append([]float32(nil), d0...), append([]float32(nil), d0...)
				dropoutBackward(g, dl, mask0, keep, accum)
				vec.DropoutBackward(g, dk, mask0, keep, accum)
				sameBits(t, "input gradient", n, dk, dl)
			}
		}
	}
}

func sameBits(t *testing.T, what string, n int, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("n=%d: %s %d: kernel %v, loop %v", n, what, i, got[i], want[i])
		}
	}
}

// TestDropoutStatistics checks, with and without the kernels, that a
// training pass drops each value with probability rate, independently of
// its neighbour (the two halves of one draw), scales the kept ones by
// 1/(1 − rate), and that its backward pass applies the same mask; and that
// the masks depend on the seed and the epoch only.
func TestDropoutStatistics(t *testing.T) {
	for _, kernels := range []bool{false, true} {
		if kernels && !dropoutKernels {
			continue
		}
		withDropoutKernels(kernels, func() {
			for _, rate := range []float64{0.2, 0.5, 0.9} {
				checkDropoutStatistics(t, rate, kernels)
			}
		})
	}
}

func checkDropoutStatistics(t *testing.T, rate float64, kernels bool) {
	const rows, cols = 64, 3001 // odd: pairs cross rows
	m := mustCompile(t, NewSequential(Input(cols), Dropout(rate), Dense(1, Linear)), CompileConfig{Loss: "mse", Seed: 3})
	m.reserve(rows)
	d := m.units[1].(*dropoutUnit)
	x := make([]float32, rows*cols)
	for i := range x {
		x[i] = float32(i%7) + 1
	}
	m.forward([][]float32{x}, rows, true)
	first := append([]float32(nil), d.out...)
	n := float64(len(x))
	dropped, both := 0, 0
	for i, v := range d.out {
		switch {
		case v == 0:
			dropped++
			if i%2 == 1 && d.out[i-1] == 0 {
				both++
			}
		case v != x[i]*float32(1/(1-rate)):
			t.Fatalf("kernels %v rate %v: kept value %v, want %v/(1-rate)", kernels, rate, v, x[i])
		}
		if v != x[i]*d.scaleAt(i) {
			t.Fatalf("kernels %v rate %v: value %d is %v but its mask says %v", kernels, rate, i, v, d.scaleAt(i))
		}
	}
	// Binomial counts, within 5 standard deviations.
	if f, sd := float64(dropped)/n, math.Sqrt(rate*(1-rate)/n); math.Abs(f-rate) > 5*sd {
		t.Errorf("kernels %v: dropped %v of the values, want %v ± %v", kernels, f, rate, 5*sd)
	}
	pairs, p2 := n/2, rate*rate
	if f, sd := float64(both)/pairs, math.Sqrt(p2*(1-p2)/pairs); math.Abs(f-p2) > 5*sd {
		t.Errorf("kernels %v: dropped both of %v of the pairs, want %v ± %v", kernels, f, p2, 5*sd)
	}
	d.g = make([]float32, len(x))
	for i := range d.g {
		d.g[i] = 1
	}
	d.ins[0].g, d.ins[0].wantsGrad = make([]float32, len(x)), true
	d.backward(rows)
	for i, v := range d.ins[0].g {
		if v != d.scaleAt(i) {
			t.Fatalf("kernels %v: gradient %d is %v, want the mask's %v", kernels, i, v, d.scaleAt(i))
		}
	}
	// The next batch draws new values; the same seed and epoch draw the first again.
	m.forward([][]float32{x}, rows, true)
	if same(first, d.out) {
		t.Errorf("kernels %v: two batches drew the same mask", kernels)
	}
	d.reseed(3, 0)
	m.forward([][]float32{x}, rows, true)
	if !same(first, d.out) {
		t.Errorf("kernels %v: reseeding to the same seed and epoch drew another mask", kernels)
	}
	d.reseed(3, 1)
	m.forward([][]float32{x}, rows, true)
	if same(first, d.out) {
		t.Errorf("kernels %v: epochs 0 and 1 drew the same mask", kernels)
	}
}

func same(a, b []float32) bool {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return len(a) == len(b)
}
