package nn

import (
	"context"
	"testing"
)

// The training step allocates nothing once its buffers exist, for every
// optimizer, fused and unfused losses, and a partial batch.
func TestTrainStepZeroAllocs(t *testing.T) {
	for name, cfg := range map[string]struct {
		out  Activation
		loss string
		opt  Optimizer
	}{
		"adam softmax+scce":       {Softmax, "sparse_categorical_crossentropy", &Adam{}},
		"sgd nesterov mse":        {Softmax, "mse", &SGD{Momentum: 0.9, Nesterov: true}},
		"sgd plain cce":           {Softmax, "categorical_crossentropy", &SGD{}},
		"rmsprop momentum bce":    {Sigmoid, "binary_crossentropy", &RMSprop{Momentum: 0.5}},
		"rmsprop unfused bce":     {Tanh, "binary_crossentropy", &RMSprop{}},
		"adam selu mae":           {SELU, "mae", &Adam{}},
		"sgd softplus unfused ce": {Softplus, "sparse_categorical_crossentropy", &SGD{}},
	} {
		t.Run(name, func(t *testing.T) {
			m := mustCompile(t, NewSequential(Input(8, 8), Flatten(), Dense(32, ReLU), Dense(16, ELU), Dense(4, cfg.out)),
				CompileConfig{Loss: cfg.loss, Optimizer: cfg.opt, Metrics: []string{"accuracy"}})
			const batch = 16
			m.reserve(batch)
			r := newRNG(1, 1)
			x := randSlice(&r, batch*64)
			y := make([]float32, batch*m.loss.yCols(4))
			for i := range y {
				y[i] = float32(r.intn(2))
			}
			for _, n := range []int{batch, 5} {
				m.trainStep(x, y, n) // warm up
				if a := testing.AllocsPerRun(20, func() { m.trainStep(x, y, n) }); a != 0 {
					t.Errorf("batch of %d: %v allocations per step, want 0", n, a)
				}
			}
		})
	}
}

// Fit's allocations do not grow with the number of batches: the batch loop,
// shuffling, metrics and batch callbacks allocate nothing per batch.
func TestFitAllocsIndependentOfBatches(t *testing.T) {
	m := blobModel(t, 1)
	xs, ys := blobs(1, 64*8, 3)
	xl, yl := blobs(1, 64*8*8, 3)
	cbs := []Callback{&TerminateOnNaN{}, &EarlyStopping{Monitor: "loss"}, &BaseCallback{}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fit := func(x, y *Matrix) func() {
		return func() {
			if _, err := m.Fit(ctx, x, y, FitConfig{Epochs: 1, BatchSize: 8, Callbacks: cbs, ValidationSplit: 0.25}); err != nil {
				t.Fatal(err)
			}
		}
	}
	fit(xl, yl)() // size the buffers
	small := testing.AllocsPerRun(3, fit(xs, ys))
	large := testing.AllocsPerRun(3, fit(xl, yl))
	if large != small {
		t.Errorf("Fit of 48 batches: %v allocations; of 384 batches: %v; want equal", small, large)
	}
}
