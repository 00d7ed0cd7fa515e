package nn_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/nn"
)

// fashionDir is $TUNE_DATA_DIR/fashion-mnist, or the repository's
// ../shared/data/fashion-mnist.
func fashionDir() string {
	root := data.DefaultDataDir()
	if root == "" {
		root = filepath.Join("..", "..", "shared", "data")
	}
	return filepath.Join(root, "fashion-mnist")
}

// BenchmarkFashionMLPEpoch times one epoch of the seed chapter's MLP
// (Flatten, Dense 300 relu, Dense 100 relu, Dense 10 softmax) on the
// 55,000 Fashion-MNIST training images, batch 32, SGD with learning rate
// 0.01, shuffled, with the accuracy metric: 1,719 training steps per
// iteration. Allocations per iteration are per epoch (logs, history, the
// shuffle order), none per batch. It skips when the data are missing.
//
//	go test ./nn/ -run '^$' -bench FashionMLPEpoch -benchtime 3x
func BenchmarkFashionMLPEpoch(b *testing.B) {
	dir := fashionDir()
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("Fashion-MNIST not found (%v); set %s or put the data in ../shared/data", err, data.DirEnv)
	}
	x, y, _, _, err := data.FashionMNIST(dir)
	if err != nil {
		b.Fatal(err)
	}
	x, y, _, _, err = data.SplitLast(x, y, 5000)
	if err != nil {
		b.Fatal(err)
	}
	m := nn.NewSequential(nn.Input(28, 28), nn.Flatten(),
		nn.Dense(300, nn.ReLU), nn.Dense(100, nn.ReLU), nn.Dense(10, nn.Softmax))
	if err := m.Compile(nn.CompileConfig{Loss: "sparse_categorical_crossentropy",
		Optimizer: &nn.SGD{LearningRate: 0.01}, Metrics: []string{"accuracy"}}); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	// Warm up: size the batch buffers.
	if _, err := m.Fit(ctx, x.Slice(0, 64), y.Slice(0, 64), nn.FitConfig{Epochs: 1}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu0, cpuOK := processCPU()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := m.Fit(ctx, x, y, nn.FitConfig{Epochs: i + 1, InitialEpoch: i, BatchSize: 32}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(x.Rows), "ns/sample")
	if cpu1, ok := processCPU(); ok && cpuOK {
		b.ReportMetric((cpu1-cpu0).Seconds()/float64(b.N), "cpu-s/epoch")
	}
}
