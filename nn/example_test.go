package nn_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"

	"github.com/tunekit/tune/nn"
)

// The classic MNIST multilayer perceptron of the seed chapter.
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

// Learning XOR with a small Sequential network.
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

// houses returns n rows of a synthetic regression with 8 features.
func houses(n int) (*nn.Matrix, *nn.Matrix) {
	x, y := nn.NewMatrix(n, 8), nn.NewMatrix(n, 1)
	for i := range n {
		row := x.Row(i)
		for j := range row {
			row[j] = float32(math.Sin(float64(i*(j+3)))*float64(j+1) + float64(10*j))
		}
		y.Set(i, 0, float32(math.Tanh(float64(row[0]))+0.01*float64(row[3]-30)*float64(row[3]-30)))
	}
	return x, y
}

// A regression MLP whose inputs are standardised by a Normalization layer
// adapted to the training data (its statistics are non-trainable weights).
func ExampleNormalizationLayer_Adapt() {
	x, y := houses(500)
	norm := nn.Normalization()
	if err := norm.Adapt(x); err != nil {
		panic(err)
	}
	m := nn.NewSequential(nn.Input(8), norm,
		nn.Dense(50, nn.ReLU), nn.Dense(50, nn.ReLU), nn.Dense(50, nn.ReLU), nn.Dense(1, nn.Linear))
	if err := m.Compile(nn.CompileConfig{Loss: "mse", Optimizer: &nn.Adam{LearningRate: 1e-3}, Metrics: []string{"RootMeanSquaredError"}}); err != nil {
		panic(err)
	}
	fmt.Print(m.Summary())
	hist, err := m.Fit(context.Background(), x, y, nn.FitConfig{Epochs: 20, ValidationSplit: 0.2})
	if err != nil {
		panic(err)
	}
	rmse := hist.Metrics["val_root_mean_squared_error"]
	fmt.Println("validation RMSE improved:", rmse[19] < rmse[0]/2)
	// Output:
	// Model: "sequential"
	// _________________________________________________________________
	//  Layer (type)                Output Shape              Param #
	// =================================================================
	//  normalization (Normalization) (None, 8)               17
	//  dense (Dense)               (None, 50)                450
	//  dense_1 (Dense)             (None, 50)                2550
	//  dense_2 (Dense)             (None, 50)                2550
	//  dense_3 (Dense)             (None, 1)                 51
	// =================================================================
	// Total params: 5,618
	// Trainable params: 5,601
	// Non-trainable params: 17
	// _________________________________________________________________
	// validation RMSE improved: true
}

// The seed chapter's Wide & Deep network with an auxiliary output: two
// named inputs, a layer applied to earlier outputs, Concatenate, and two
// outputs trained with loss weights 0.9 and 0.1.
func ExampleNewModel() {
	x, y := houses(500)
	xWide, xDeep := nn.NewMatrix(x.Rows, 5), nn.NewMatrix(x.Rows, 6)
	for i := range x.Rows {
		copy(xWide.Row(i), x.Row(i)[:5])
		copy(xDeep.Row(i), x.Row(i)[2:])
	}
	normWide, normDeep := nn.Normalization(), nn.Normalization()
	_ = normWide.Adapt(xWide)
	_ = normDeep.Adapt(xDeep)

	inputWide := nn.NewInput("input_wide", 5)
	inputDeep := nn.NewInput("input_deep", 6)
	hidden1 := nn.Dense(30, nn.ReLU).Apply(normDeep.Apply(inputDeep))
	hidden2 := nn.Dense(30, nn.ReLU).Apply(hidden1)
	concat := nn.Concatenate().Apply(normWide.Apply(inputWide), hidden2)
	output := nn.Dense(1, nn.Linear, nn.Name("output")).Apply(concat)
	auxOutput := nn.Dense(1, nn.Linear, nn.Name("aux_output")).Apply(hidden2)
	m, err := nn.NewModel([]*nn.Node{inputWide, inputDeep}, []*nn.Node{output, auxOutput})
	if err != nil {
		panic(err)
	}
	err = m.Compile(nn.CompileConfig{
		Losses:      []string{"mse", "mse"},
		LossWeights: []float64{0.9, 0.1},
		Optimizer:   &nn.Adam{LearningRate: 1e-3},
		Metrics:     []string{"RootMeanSquaredError"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Print(m.Summary())

	inputs, targets := []*nn.Matrix{xWide, xDeep}, []*nn.Matrix{y, y}
	if _, err := m.FitMulti(context.Background(), inputs, targets, nn.FitConfig{Epochs: 10}); err != nil {
		panic(err)
	}
	logs, err := m.EvaluateMulti(context.Background(), inputs, targets, nn.EvaluateConfig{})
	if err != nil {
		panic(err)
	}
	fmt.Println(m.MetricsNames())
	total := 0.9*logs["output_loss"] + 0.1*logs["aux_output_loss"]
	fmt.Println("loss is the weighted sum:", math.Abs(logs["loss"]-total) < 1e-9)
	// Output:
	// Model: "model"
	// __________________________________________________________________________________________________
	//  Layer (type)                   Output Shape         Param #     Connected to
	// ==================================================================================================
	//  input_wide (InputLayer)        [(None, 5)]          0           []
	//  input_deep (InputLayer)        [(None, 6)]          0           []
	//  normalization (Normalization)  (None, 5)            11          ['input_wide[0][0]']
	//  normalization_1 (Normalization) (None, 6)           13          ['input_deep[0][0]']
	//  dense (Dense)                  (None, 30)           210         ['normalization_1[0][0]']
	//  dense_1 (Dense)                (None, 30)           930         ['dense[0][0]']
	//  concatenate (Concatenate)      (None, 35)           0           ['normalization[0][0]',
	//                                                                   'dense_1[0][0]']
	//  output (Dense)                 (None, 1)            36          ['concatenate[0][0]']
	//  aux_output (Dense)             (None, 1)            31          ['dense_1[0][0]']
	// ==================================================================================================
	// Total params: 1,231
	// Trainable params: 1,207
	// Non-trainable params: 24
	// __________________________________________________________________________________________________
	// [loss output_loss aux_output_loss output_root_mean_squared_error aux_output_root_mean_squared_error]
	// loss is the weighted sum: true
}

// Saving a whole model (architecture, weights, statistics, optimizer state)
// and loading it: the copy predicts bit-identically and trains on exactly
// as the original does.
func ExampleModel_Save() {
	x, y := houses(200)
	norm := nn.Normalization()
	_ = norm.Adapt(x)
	m := nn.NewSequential(nn.Input(8), norm, nn.Dense(16, nn.ReLU), nn.BatchNormalization(), nn.Dropout(0.2), nn.Dense(1, nn.Linear))
	if err := m.Compile(nn.CompileConfig{Loss: "mse", Optimizer: &nn.Adam{}, Seed: 7}); err != nil {
		panic(err)
	}
	ctx := context.Background()
	if _, err := m.Fit(ctx, x, y, nn.FitConfig{Epochs: 2, Seed: 1}); err != nil {
		panic(err)
	}

	var file bytes.Buffer
	if err := m.Save(&file); err != nil {
		panic(err)
	}
	loaded, err := nn.Load(bytes.NewReader(file.Bytes()))
	if err != nil {
		panic(err)
	}
	p1, _ := m.Predict(x)
	p2, _ := loaded.Predict(x)
	fmt.Println("same predictions:", reflect.DeepEqual(p1, p2))

	more := nn.FitConfig{Epochs: 4, InitialEpoch: 2, Seed: 1}
	h1, _ := m.Fit(ctx, x, y, more)
	h2, _ := loaded.Fit(ctx, x, y, more)
	fmt.Println("same training:", reflect.DeepEqual(h1, h2))

	_, err = nn.Load(bytes.NewReader(file.Bytes()[:100]))
	fmt.Println(errors.Is(err, nn.ErrModelFormat))
	// Output:
	// same predictions: true
	// same training: true
	// true
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

// Saving and restoring weights only, as a tuner's checkpoints do.
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
	// 224 bytes; identical after restore: true
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

	in := nn.NewInput("x", 4)
	_, err = nn.NewModel([]*nn.Node{in}, []*nn.Node{nn.Concatenate().Apply(in)})
	fmt.Println(err)
	// Output:
	// nn: invalid model: layer 1 (dense): needs a flat input but gets shape (28, 28); add Flatten() before it
	// true
	// nn: unknown loss "hinge" (want mse, mae, huber, binary_crossentropy, categorical_crossentropy or sparse_categorical_crossentropy)
	// nn: invalid model: layer "concatenate" (Concatenate): takes at least 2 input(s), got 1
}

// The lecture's convolutional network for MNIST: 28×28 grey images as
// (height, width, channels) inputs.
func ExampleConv2D() {
	m := nn.NewSequential(
		nn.Input(28, 28, 1),
		nn.Conv2D(32, 5, nn.ReLU),
		nn.MaxPooling2D(2),
		nn.Dropout(0.2),
		nn.Flatten(),
		nn.Dense(128, nn.ReLU),
		nn.Dense(10, nn.Softmax),
	)
	fmt.Print(m.Summary())
	// Output:
	// Model: "sequential"
	// _________________________________________________________________
	//  Layer (type)                Output Shape              Param #
	// =================================================================
	//  conv2d (Conv2D)             (None, 24, 24, 32)        832
	//  max_pooling2d (MaxPooling2D) (None, 12, 12, 32)       0
	//  dropout (Dropout)           (None, 12, 12, 32)        0
	//  flatten (Flatten)           (None, 4608)              0
	//  dense (Dense)               (None, 128)               589952
	//  dense_1 (Dense)             (None, 10)                1290
	// =================================================================
	// Total params: 592,074
	// Trainable params: 592,074
	// Non-trainable params: 0
	// _________________________________________________________________
}
