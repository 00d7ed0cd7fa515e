package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// poolStep compiles layers with the pooling kernels on or off, runs one
// training step on x and y (n samples) and returns the loss, every unit's
// output and every trainable tensor's gradient, and the model.
func poolStep(t *testing.T, layers []Layer, x, y []float32, n int, kernels bool) (float64, [][]float32, [][]float32, *Model) {
	t.Helper()
	saved := poolKernels
	poolKernels = kernels
	defer func() { poolKernels = saved }()
	m := mustCompile(t, NewSequential(layers...), CompileConfig{Loss: "sparse_categorical_crossentropy", Optimizer: &SGD{}, Seed: 4})
	m.reserve(n + 3)
	loss := m.computeGradients([][]float32{x}, [][]float32{y}, nil, n)
	var outs, grads [][]float32
	for _, u := range m.units {
		outs = append(outs, append([]float32(nil), u.base().out...)) // nil for a fused Conv2D
		for _, ts := range u.base().tensors {
			grads = append(grads, append([]float32(nil), ts.g...))
		}
	}
	return loss, outs, grads, m
}

// TestConvPoolFused checks a Conv2D running its max pooling chunk by chunk
// (conv_pool.go) against the general loops on random shapes: the same
// outputs and loss, bit for bit, and the same gradients (the kernel's, the
// bias's and, through a Dense before the convolution, the input's) up to
// the rounding of adding the chunks' products; with a Dropout after the
// pooling, run by the Conv2D too where the pooled values fill mask words;
// and that a Conv2D with another activation, or used twice, is not fused.
func TestConvPoolFused(t *testing.T) {
	if !poolKernels {
		t.Skip("no pooling kernels on this CPU or build")
	}
	r := rand.New(rand.NewPCG(9, 10))
	acts := []Activation{ReLU, Linear, Tanh}
	inPlaceTrials := 0
	for trial := range 24 {
		c, k, f, p := 1+r.IntN(3), 1+r.IntN(3), []int{1, 5, 16, 17, 32, 33, 64}[r.IntN(7)], 1+r.IntN(3)
		oh, ow := 1+r.IntN(12/p), 1+r.IntN(12/p)
		act := acts[trial%3]
		var opts []LayerOption
		h, w := oh*p+k-1, ow*p+k-1
		if r.IntN(3) == 0 {
			opts = append(opts, Padding(PaddingSame))
			h, w = oh*p, ow*p
		}
		if r.IntN(4) == 0 {
			opts = append(opts, UseBias(false))
		}
		in := h * w * c
		layers := []Layer{Input(in), Dense(in, Tanh), Reshape([]int{h, w, c}), Conv2D(f, k, act, opts...),
			MaxPooling2D(p), Flatten(), Dense(3, Softmax)}
		dropout := trial%2 == 0
		if dropout {
			layers = slices.Insert(layers, 5, Dropout(0.3))
		}
		name := fmt.Sprintf("trial %d: %dx%dx%d conv %d@%dx%d %s (%d options) pool %d dropout %v",
			trial, h, w, c, f, k, k, act, len(opts), p, dropout)
		// Several chunks, the last one partial.
		positions := (h - k + 1) * (w - k + 1)
		if len(opts) > 0 {
			positions = h * w
		}
		chunk := max(1, (256<<10)/4/(positions*k*k*c))
		n := 1 + r.IntN(min(3*chunk, 150))
		x, y := make([]float32, n*in), make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		for i := range y {
			y[i] = float32(r.IntN(3))
		}
		l0, o0, g0, _ := poolStep(t, layers, x, y, n, false)
		l1, o1, g1, m := poolStep(t, layers, x, y, n, true)
		conv := m.units[3].(*conv)
		if fused := conv.pool != nil; fused != (act != Tanh) {
			t.Fatalf("%s: fused %v", name, fused)
		}
		inPlace := dropout && act != Tanh && oh*ow*f%64 == 0
		if inPlace {
			inPlaceTrials++
		}
		if d, ok := m.units[5].(*dropoutUnit); ok && d.inPlace != inPlace {
			t.Fatalf("%s: dropout in place %v", name, d.inPlace)
		}
		if l0 != l1 {
			t.Errorf("%s: loss %v fused, %v by the loops", name, l1, l0)
		}
		for i := range o1 {
			if _, ok := m.units[i].(*pool); ok && inPlace {
				continue // the Dropout's output, masked in place
			}
			if o1[i] != nil && !same(o0[i], o1[i]) {
				t.Errorf("%s: the output of %s differs", name, m.units[i].base().name)
			}
		}
		for i := range g0 {
			scale := 0.0
			for _, v := range g0[i] {
				scale = max(scale, math.Abs(float64(v)))
			}
			for j := range g0[i] {
				if d := math.Abs(float64(g1[i][j] - g0[i][j])); d > 1e-5*(1+scale)*math.Sqrt(float64(n)) {
					t.Fatalf("%s (n=%d): tensor %d gradient %d: %v fused, %v by the loops", name, n, i, j, g1[i][j], g0[i][j])
				}
			}
		}
	}
	if inPlaceTrials < 2 {
		t.Errorf("%d trials ran the Dropout in place", inPlaceTrials)
	}
	// The convolution's output used twice: not fused.
	a := NewInput("x", 8, 8, 1)
	cv := Conv2D(4, 3, ReLU).Apply(a)
	out := Dense(2, Softmax).Apply(Concatenate().Apply(Flatten().Apply(MaxPooling2D(2).Apply(cv)), Flatten().Apply(cv)))
	m, err := NewModel([]*Node{a}, []*Node{out})
	if err != nil {
		t.Fatal(err)
	}
	mustCompile(t, m, CompileConfig{Loss: "sparse_categorical_crossentropy"})
	for _, u := range m.units {
		if c, ok := u.(*conv); ok && c.pool != nil {
			t.Error("a Conv2D used twice runs its pooling")
		}
	}
}
