package nn

import (
	"context"
	"testing"
)

// mnistLike returns n rows of 784 synthetic inputs in [0, 1) with 10 classes.
func mnistLike(n int) (*Matrix, *Matrix) {
	r := newRNG(3, 3)
	x, y := NewMatrix(n, 784), NewMatrix(n, 1)
	for i := range n {
		c := r.intn(10)
		y.Set(i, 0, float32(c))
		row := x.Row(i)
		for j := range row {
			row[j] = float32(r.float64())
			if j%10 == c {
				row[j] += 0.5 // a learnable class signal
			}
		}
	}
	return x, y
}

func mlp(b testing.TB, opt Optimizer) *Model {
	return mustCompile(b, NewSequential(Input(28, 28), Flatten(), Dense(300, ReLU), Dense(100, ReLU), Dense(10, Softmax)),
		CompileConfig{Loss: "sparse_categorical_crossentropy", Optimizer: opt, Metrics: []string{"accuracy"}})
}

// BenchmarkFit is one epoch of the 784-300-100-10 MLP over 2,048 rows in
// batches of 32 (64 Adam steps), shuffled, with metrics.
func BenchmarkFit(b *testing.B) {
	x, y := mnistLike(2048)
	m := mlp(b, &Adam{})
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := m.Fit(ctx, x, y, FitConfig{Epochs: i + 1, InitialEpoch: i, BatchSize: 32}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2048, "ns/row")
}

// BenchmarkTrainStep is one Adam step of the MLP on a batch of 32.
func BenchmarkTrainStep(b *testing.B) {
	x, y := mnistLike(32)
	m := mlp(b, &Adam{})
	m.reserve(32)
	b.ReportAllocs()
	for b.Loop() {
		m.trainStep([][]float32{x.Data}, [][]float32{y.Data}, nil, 32)
	}
}
