package nn_test

import (
	"context"
	"os"
	"testing"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/nn"
)

// seedCNN is the lecture's MNIST network (592,074 parameters).
func seedCNN() *nn.Model {
	return nn.NewSequential(nn.Input(28, 28, 1), nn.Conv2D(32, 5, nn.ReLU), nn.MaxPooling2D(2), nn.Dropout(0.2),
		nn.Flatten(), nn.Dense(128, nn.ReLU), nn.Dense(10, nn.Softmax))
}

// cnnEpochFLOP counts the seed CNN's multiply-adds (×2) per image, forward
// and backward: the convolution (576 positions × 25 × 32) forward and its
// kernel gradient (no input gradient: the input is not trained), and the
// two Dense layers forward, kernel gradient and input gradient.
const cnnImageFLOP = 2 * (2*576*25*32 + 3*4608*128 + 3*128*10)

// BenchmarkMNISTCNNEpoch times one epoch of the seed CNN on 60,000 images
// (Fashion-MNIST's training set when present, random images otherwise:
// speed does not depend on the pixels), batch 200, Adam, one thread. It
// reports wall and CPU seconds per epoch and GFLOP/s of the products.
//
//	go test ./nn/ -run '^$' -bench MNISTCNNEpoch -benchtime 2x
func BenchmarkMNISTCNNEpoch(b *testing.B) {
	const n = 60000
	var x, y *nn.Matrix
	if _, err := os.Stat(fashionDir()); err == nil {
		var err error
		if x, y, _, _, err = data.FashionMNIST(fashionDir()); err != nil {
			b.Fatal(err)
		}
	} else {
		b.Logf("Fashion-MNIST not found at %s (set %s): timing random images", fashionDir(), data.DirEnv)
		x, y = nn.NewMatrix(n, 784), nn.NewMatrix(n, 1)
		for i := range x.Data {
			x.Data[i] = float32(i*7919%256) / 255
		}
		for i := range y.Data {
			y.Data[i] = float32(i % 10)
		}
	}
	m := seedCNN()
	if err := m.Compile(nn.CompileConfig{Loss: "sparse_categorical_crossentropy", Optimizer: &nn.Adam{},
		Metrics: []string{"accuracy"}}); err != nil {
		b.Fatal(err)
	}
	m.SetThreads(1)
	ctx := context.Background()
	if _, err := m.Fit(ctx, x.Slice(0, 400), y.Slice(0, 400), nn.FitConfig{Epochs: 1, BatchSize: 200}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu0, cpuOK := processCPU()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := m.Fit(ctx, x, y, nn.FitConfig{Epochs: i + 1, InitialEpoch: i, BatchSize: 200}); err != nil {
			b.Fatal(err)
		}
	}
	wall := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(wall, "s/epoch")
	b.ReportMetric(cnnImageFLOP*float64(x.Rows)/wall/1e9, "GFLOP/s")
	if cpu1, ok := processCPU(); ok && cpuOK {
		b.ReportMetric((cpu1-cpu0).Seconds()/float64(b.N), "cpu-s/epoch")
	}
}
