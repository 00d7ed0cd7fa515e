package nn

import (
	"context"
	"testing"
)

// The training step allocates nothing once its buffers exist, for every
// optimizer, fused and unfused losses, Dropout, BatchNormalization,
// Normalization, sample weights, clipping and a partial batch.
func TestTrainStepZeroAllocs(t *testing.T) {
	for name, cfg := range map[string]struct {
		out  Activation
		loss string
		opt  Optimizer
	}{
		"adam softmax+scce":    {Softmax, "sparse_categorical_crossentropy", &Adam{}},
		"sgd nesterov mse":     {Softmax, "mse", &SGD{Momentum: 0.9, Nesterov: true, ClipNorm: 1}},
		"sgd plain cce":        {Softmax, "categorical_crossentropy", &SGD{GlobalClipNorm: 1}},
		"rmsprop momentum bce": {Sigmoid, "binary_crossentropy", &RMSprop{Momentum: 0.5, ClipValue: 0.1}},
		"rmsprop unfused bce":  {Tanh, "binary_crossentropy", &RMSprop{}},
		"adam selu mae":        {SELU, "mae", &Adam{}},
		"adamw huber":          {Linear, "huber", &AdamW{}},
		"adagrad softplus ce":  {Softplus, "sparse_categorical_crossentropy", &Adagrad{}},
	} {
		t.Run(name, func(t *testing.T) {
			norm := Normalization()
			if err := norm.SetStatistics(make([]float32, 64), onesSlice(64)); err != nil {
				t.Fatal(err)
			}
			m := mustCompile(t, NewSequential(Input(8, 8), Flatten(), norm, Dense(32, ReLU), BatchNormalization(), Dropout(0.3),
				Dense(16, ELU), ActivationLayer(Tanh), Dense(4, cfg.out)),
				CompileConfig{Loss: cfg.loss, Optimizer: cfg.opt, Metrics: []string{"accuracy"}})
			const batch = 16
			m.reserve(batch)
			r := newRNG(1, 1)
			x := [][]float32{randSlice(&r, batch*64)}
			y := [][]float32{make([]float32, batch*m.heads[0].ycols)}
			for i := range y[0] {
				y[0][i] = float32(r.intn(2))
			}
			sw := randSlice(&r, batch)
			for _, n := range []int{batch, 5} {
				m.trainStep(x, y, sw, n) // warm up
				if a := testing.AllocsPerRun(20, func() { m.trainStep(x, y, sw, n) }); a != 0 {
					t.Errorf("batch of %d: %v allocations per step, want 0", n, a)
				}
			}
		})
	}
}

// The graph engine of a two-input, two-output model allocates nothing per
// step either.
func TestTrainStepZeroAllocsGraph(t *testing.T) {
	m, _ := wideDeep(t, 1)
	const batch = 8
	m.reserve(batch)
	r := newRNG(2, 2)
	x := [][]float32{randSlice(&r, batch*5), randSlice(&r, batch*6)}
	y := [][]float32{randSlice(&r, batch), randSlice(&r, batch)}
	m.trainStep(x, y, nil, batch)
	if a := testing.AllocsPerRun(20, func() { m.trainStep(x, y, nil, batch) }); a != 0 {
		t.Errorf("%v allocations per step, want 0", a)
	}
}

// Fit's allocations do not grow with the number of batches: the batch loop,
// shuffling, metrics and batch callbacks allocate nothing per batch.
func TestFitAllocsIndependentOfBatches(t *testing.T) {
	m := mustCompile(t, NewSequential(Input(2), Dense(16, ReLU), BatchNormalization(), Dropout(0.2), Dense(3, Softmax)), CompileConfig{
		Loss: "sparse_categorical_crossentropy", Optimizer: &Adam{LearningRate: 0.01}, Metrics: []string{"accuracy"},
	})
	xs, ys := blobs(1, 64*8, 3)
	xl, yl := blobs(1, 64*8*8, 3)
	cbs := []Callback{&TerminateOnNaN{}, &EarlyStopping{Monitor: "loss"}, &BaseCallback{}, &ReduceLROnPlateau{Monitor: "loss"}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fit := func(x, y *Matrix) func() {
		return func() {
			sw := make([]float32, x.Rows)
			for i := range sw {
				sw[i] = 1
			}
			if _, err := m.Fit(ctx, x, y, FitConfig{Epochs: 1, BatchSize: 8, Callbacks: cbs, ValidationSplit: 0.25, SampleWeight: sw}); err != nil {
				t.Fatal(err)
			}
		}
	}
	fit(xl, yl)() // size the buffers
	small := testing.AllocsPerRun(3, fit(xs, ys))
	large := testing.AllocsPerRun(3, fit(xl, yl))
	// The sample weights slice is allocated in the closure, once per call.
	if large != small {
		t.Errorf("Fit of 48 batches: %v allocations; of 384 batches: %v; want equal", small, large)
	}
}

func onesSlice(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = 1
	}
	return s
}
