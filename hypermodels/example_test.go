package hypermodels_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/hypermodels"
	"github.com/tunekit/tune/nn"
)

// An MLP for three spiral arms: the number of hidden layers and their
// width are tuned, the optimizer is fixed, the rest take their defaults.
func ExampleMLP() {
	x, y := data.Spirals(90, 3, 0.1, 1)
	hm := &hypermodels.MLP{
		Task:       hypermodels.Classification,
		InputShape: []int{2},
		Classes:    3,
		Tune: []hp.Param{
			{Name: "n_hidden", Kind: hp.KindInt, Min: 1, Max: 3},
			{Name: "n_neurons", Kind: hp.KindChoice, Values: []any{8, 16, 32}},
			{Name: "optimizer", Kind: hp.KindFixed, Values: []any{"sgd"}},
		},
	}
	// The first build registers the space and takes every default.
	h := hp.New()
	m, err := hm.Build(h)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(h.Space())
	fmt.Println("defaults:", m.CountParams(), "parameters")

	// A trial's values: 2 hidden layers of 16 units, trained for 3 epochs
	// in batches of 30.
	h = hp.FromValues(h.Space(), hp.Values{"n_hidden": 2, "n_neurons": 16, "optimizer": "sgd"})
	if m, err = hm.Build(h); err != nil {
		fmt.Println(err)
		return
	}
	if err := m.InitWeights(1); err != nil {
		fmt.Println(err)
		return
	}
	hist, err := hm.Fit(context.Background(), h, m, x, y, nn.FitConfig{Epochs: 3, BatchSize: 30})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("trial:", m.CountParams(), "parameters")
	fmt.Println("epochs", hist.Epochs, "metrics", slices.Sorted(func(yield func(string) bool) {
		for k := range hist.Metrics {
			if !yield(k) {
				return
			}
		}
	}))
	// Output:
	// Search space: 3 hyperparameters
	// n_hidden (int): [1, 3] step 1 linear, default 1
	// n_neurons (choice): [8 16 32] ordered, default 8
	// optimizer (fixed): sgd
	// defaults: 51 parameters
	// trial: 371 parameters
	// epochs [0 1 2] metrics [accuracy loss]
}

// A Wide & Deep network for a regression on 8 features: the inputs reach
// the output directly and through one hidden layer of 30 units.
func ExampleWideDeep() {
	hm := &hypermodels.WideDeep{
		Task:       hypermodels.Regression,
		InputShape: []int{8},
		Tune: []hp.Param{
			{Name: "n_hidden", Kind: hp.KindFixed, Values: []any{1}},
			{Name: "n_neurons", Kind: hp.KindFixed, Values: []any{30}},
		},
	}
	m, err := hm.Build(hp.New())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(m.Summary())
	// Output:
	// Model: "model"
	// __________________________________________________________________________________________________
	//  Layer (type)                   Output Shape         Param #     Connected to
	// ==================================================================================================
	//  input (InputLayer)             [(None, 8)]          0           []
	//  flatten (Flatten)              (None, 8)            0           ['input[0][0]']
	//  dense (Dense)                  (None, 30)           270         ['flatten[0][0]']
	//  concatenate (Concatenate)      (None, 38)           0           ['flatten[0][0]',
	//                                                                   'dense[0][0]']
	//  output (Dense)                 (None, 1)            39          ['concatenate[0][0]']
	// ==================================================================================================
	// Total params: 309
	// Trainable params: 309
	// Non-trainable params: 0
	// __________________________________________________________________________________________________
}

// Lookup finds a built-in hypermodel by the name a study file gives it,
// with the hyperparameters it takes.
func ExampleLookup() {
	b, _ := hypermodels.Lookup("wide_deep")
	hm := b.New(hypermodels.Config{Task: hypermodels.Binary, InputShape: []int{4}})
	m, err := hm.Build(hp.New())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hypermodels.Names())
	for _, k := range b.Hyperparameters[:3] {
		fmt.Printf("%s (%s, default %v)\n", k.Name, k.Type, k.Default)
	}
	fmt.Println(m.CountParams(), "parameters")
	// Output:
	// [mlp wide_deep cnn]
	// n_hidden (whole numbers, default 2)
	// n_neurons (whole numbers, default 64)
	// activation (names, default relu)
	// 4549 parameters
}

// A CNN for 28×28 grey images of 10 classes over CNNSpace, with one conv
// block fixed and 5×5 kernels: the first build registers the space and
// takes the defaults; a trial's values then build its network.
func ExampleCNN() {
	tune := hypermodels.CNNSpace()
	for i, p := range tune {
		switch p.Name {
		case "conv_blocks":
			tune[i] = hp.Param{Name: p.Name, Kind: hp.KindFixed, Values: []any{1}}
		case "kernel_size":
			tune[i] = hp.Param{Name: p.Name, Kind: hp.KindFixed, Values: []any{5}}
		}
	}
	hm := &hypermodels.CNN{Task: hypermodels.Classification, InputShape: []int{28, 28, 1}, Classes: 10, Tune: tune}
	h := hp.New()
	m, err := hm.Build(h)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(h.Space())
	fmt.Println("defaults:", m.CountParams(), "parameters")

	// A trial: 16 filters, 28×28 → 14×14 by the pooling, Dense 64.
	values := h.Space().Defaults()
	values["filters"], values["dense_units"] = 16, 64
	if m, err = hm.Build(hp.FromValues(h.Space(), values)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("trial:", m.CountParams(), "parameters")
	// Output:
	// Search space: 10 hyperparameters
	// conv_blocks (fixed): 1
	// filters (int): [16, 64] step 16 linear, default 32
	// kernel_size (fixed): 5
	// pooling (choice): [max avg], default max
	// dense_units (int): [32, 256] step 32 linear, default 128
	// dropout (float): [0, 0.5] step 0.1 linear, default 0.2
	// optimizer (choice): [adam rmsprop sgd], default adam
	// learning_rate (float): [0.0001, 0.01] log, default 0.001
	// momentum (float): [0, 0.9] step 0.1 linear, default 0.9, when optimizer in [sgd]
	// batch_size (choice): [32 64 128 256] ordered, default 64
	// defaults: 805066 parameters
	// trial: 201834 parameters
}
