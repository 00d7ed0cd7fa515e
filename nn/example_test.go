package nn_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/tunekit/tune/nn"
)

// The classic MNIST multilayer perceptron.
func ExampleModel_Summary() {
	m := nn.NewSequential(
		nn.Input(28, 28),
		nn.Flatten(),
		nn.Dense(300, nn.ReLU),
		nn.Dense(100, nn.ReLU),
		nn.Dense(10, nn.Softmax),
	)
	fmt.Print(m.Summary())
	fmt.Println(m.CountParams())
	// Output:
	// Model: "sequential"
	// _________________________________________________________________
	//  Layer (type)                Output Shape              Param #
	// =================================================================
	//  flatten (Flatten)           (None, 784)               0
	//  dense (Dense)               (None, 300)               235500
	//  dense_1 (Dense)             (None, 100)               30100
	//  dense_2 (Dense)             (None, 10)                1010
	// =================================================================
	// Total params: 266,610
	// Trainable params: 266,610
	// Non-trainable params: 0
	// _________________________________________________________________
	// 266610
}

// Learning XOR with a small network.
func ExampleModel_Fit() {
	x := nn.NewMatrixFrom(4, 2, []float32{0, 0, 0, 1, 1, 0, 1, 1})
	y := nn.NewMatrixFrom(4, 1, []float32{0, 1, 1, 0})

	m := nn.NewSequential(nn.Input(2), nn.Dense(8, nn.Tanh), nn.Dense(1, nn.Sigmoid))
	err := m.Compile(nn.CompileConfig{
		Loss:      "binary_crossentropy",
		Optimizer: &nn.Adam{LearningRate: 0.05},
		Metrics:   []string{"accuracy"},
		Seed:      1,
	})
	if err != nil {
		panic(err)
	}
	hist, err := m.Fit(context.Background(), x, y, nn.FitConfig{Epochs: 300, BatchSize: 4})
	if err != nil {
		panic(err)
	}
	fmt.Println("epochs:", len(hist.Epochs), "final accuracy:", hist.Metrics["accuracy"][299])

	p, _ := m.Predict(x)
	for i := range p.Rows {
		fmt.Printf("%v xor %v ≈ %.0f\n", x.At(i, 0), x.At(i, 1), p.At(i, 0))
	}
	// Output:
	// epochs: 300 final accuracy: 1
	// 0 xor 0 ≈ 0
	// 0 xor 1 ≈ 1
	// 1 xor 0 ≈ 1
	// 1 xor 1 ≈ 0
}

// Stopping when the validation loss stops improving, keeping the best weights.
func ExampleEarlyStopping() {
	// Targets are noise: the validation loss cannot keep improving.
	x, y := nn.NewMatrix(64, 1), nn.NewMatrix(64, 1)
	for i := range 64 {
		x.Set(i, 0, float32(i%8))
		y.Set(i, 0, float32((i*37)%11))
	}
	m := nn.NewSequential(nn.Input(1), nn.Dense(1, nn.Linear))
	if err := m.Compile(nn.CompileConfig{Loss: "mse", Optimizer: &nn.SGD{LearningRate: 0.01}}); err != nil {
		panic(err)
	}
	stop := &nn.EarlyStopping{Monitor: "val_loss", Patience: 2, RestoreBestWeights: true}
	hist, err := m.Fit(context.Background(), x, y, nn.FitConfig{
		Epochs: 100, ValidationSplit: 0.25, Callbacks: []nn.Callback{stop},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("stopped early:", len(hist.Epochs) < 100)
	fmt.Println("stopped patience epochs after the best:", stop.StoppedEpoch()-stop.BestEpoch() == 2)
	// Output:
	// stopped early: true
	// stopped patience epochs after the best: true
}

// Saving and restoring weights.
func ExampleModel_MarshalWeights() {
	build := func(seed int64) *nn.Model {
		m := nn.NewSequential(nn.Input(3), nn.Dense(4, nn.ReLU), nn.Dense(2, nn.Softmax))
		if err := m.Compile(nn.CompileConfig{Loss: "categorical_crossentropy", Seed: seed}); err != nil {
			panic(err)
		}
		return m
	}
	a, b := build(1), build(2)
	saved, _ := a.MarshalWeights()
	if err := b.UnmarshalWeights(saved); err != nil {
		panic(err)
	}
	restored, _ := b.MarshalWeights()
	fmt.Println(len(saved), "bytes; identical after restore:", bytes.Equal(saved, restored))

	err := b.UnmarshalWeights(saved[:20])
	fmt.Println(errors.Is(err, nn.ErrWeightsFormat))
	// Output:
	// 160 bytes; identical after restore: true
	// true
}

// Mistakes are reported as errors that name the problem.
func ExampleModel_Compile_errors() {
	m := nn.NewSequential(nn.Input(28, 28), nn.Dense(10, nn.Softmax))
	err := m.Compile(nn.CompileConfig{Loss: "sparse_categorical_crossentropy"})
	fmt.Println(err)
	fmt.Println(errors.Is(err, nn.ErrInvalidModel))

	m = nn.NewSequential(nn.Input(4), nn.Dense(3, nn.Softmax))
	fmt.Println(m.Compile(nn.CompileConfig{Loss: "hinge"}))
	// Output:
	// nn: invalid model: layer 1 (dense): needs a flat input but gets shape (28, 28); add Flatten() before it
	// true
	// nn: unknown loss "hinge" (want mse, mae, binary_crossentropy, categorical_crossentropy or sparse_categorical_crossentropy)
}
