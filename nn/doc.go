// Package nn is a small Keras-like neural-network trainer in float32: models
// built from layers, compiled with losses, metrics and an optimizer,
// trained with Fit, used with Evaluate and Predict, saved and loaded whole.
//
// # Models
//
// A Sequential model stacks layers:
//
//	m := nn.NewSequential(
//		nn.Input(28, 28),
//		nn.Flatten(),
//		nn.Dense(300, nn.ReLU),
//		nn.Dense(100, nn.ReLU),
//		nn.Dense(10, nn.Softmax),
//	)
//	err := m.Compile(nn.CompileConfig{
//		Loss:      "sparse_categorical_crossentropy",
//		Optimizer: &nn.SGD{LearningRate: 0.01},
//		Metrics:   []string{"accuracy"},
//	})
//	hist, err := m.Fit(ctx, x, y, nn.FitConfig{Epochs: 30, ValidationSplit: 0.1})
//
// The functional API connects layers into a graph with named inputs and
// outputs: Layer.Apply calls a layer on earlier layers' outputs (Nodes),
// NewInput makes the inputs, NewModel the model. This is the seed chapter's
// Wide & Deep network with an auxiliary output:
//
//	wide, deep := nn.NewInput("wide", 5), nn.NewInput("deep", 6)
//	h1 := nn.Dense(30, nn.ReLU).Apply(deep)
//	h2 := nn.Dense(30, nn.ReLU).Apply(h1)
//	out := nn.Dense(1, nn.Linear, nn.Name("main")).Apply(nn.Concatenate().Apply(wide, h2))
//	aux := nn.Dense(1, nn.Linear, nn.Name("aux")).Apply(h2)
//	m, err := nn.NewModel([]*nn.Node{wide, deep}, []*nn.Node{out, aux})
//	err = m.Compile(nn.CompileConfig{Losses: []string{"mse", "mse"}, LossWeights: []float64{0.9, 0.1},
//		Optimizer: &nn.Adam{}, Metrics: []string{"rmse"}})
//	hist, err := m.FitMulti(ctx, []*nn.Matrix{xWide, xDeep}, []*nn.Matrix{y, y}, nn.FitConfig{Epochs: 20})
//
// A Sequential model is a convenience: it builds the same graph (one input,
// one output) and trains with the same engine. Fit, Evaluate and Predict
// take one matrix each; FitMulti, EvaluateMulti and PredictMulti take one
// per input and per output, in order (see InputNames, OutputNames). With
// several outputs the total "loss" is the weighted sum of the outputs'
// losses, and each output's loss and metrics are logged under its layer's
// name: "aux_loss", "val_main_rmse". Summary prints Keras' table of layers,
// output shapes and parameter counts (total, trainable, non-trainable).
//
// # Building blocks
//
// Layers: Input / NewInput, Dense, Flatten, ActivationLayer, Dropout (active
// only in training), BatchNormalization (batch statistics in training,
// moving statistics at inference), Normalization (mean and variance learned
// by Adapt, not trained), Concatenate, and for images stored channels-last
// as (height, width, channels) samples: Conv2D (filters, square kernel,
// Strides, Padding valid or same, UseBias, initialisers), MaxPooling2D,
// AveragePooling2D, GlobalAveragePooling2D and Reshape. Options
// (LayerOption) name layers and set initialisers, strides, padding and
// BatchNormalization settings. Conv2D copies the input windows into rows
// (im2col) and multiplies them by its kernel with the same packed kernels
// as Dense, bias and ReLU fused into the product.
//
// Activations: linear, relu, sigmoid, tanh, softmax, softplus, elu, selu,
// leaky_relu. Initializers: glorot_uniform (Dense's default), glorot_normal,
// he_normal, he_uniform, lecun_normal, lecun_uniform, random_normal,
// random_uniform, zeros, ones, all drawn from CompileConfig.Seed.
//
// Losses: mse, mae, huber (CompileConfig.HuberDelta), binary_crossentropy,
// categorical_crossentropy, sparse_categorical_crossentropy, all
// numerically stable and sample-weighted. Metrics: accuracy (resolved from
// the loss as Keras does), binary_accuracy, categorical_accuracy,
// sparse_categorical_accuracy, mse, rmse, mae. Optimizers: SGD (momentum,
// Nesterov), Adam, AdamW, RMSprop, Adagrad, each with gradient clipping by
// value, norm or global norm. Callbacks: EarlyStopping, ModelCheckpoint,
// ReduceLROnPlateau, LearningRateScheduler, TerminateOnNaN, EpochLogger.
//
// # Rules
//
//   - Data are Matrix values, one sample per row, stored row-major in
//     float32. Shaped inputs are stored flattened; Input records the shape.
//     Targets are one column per output unit, or one column of class indices
//     for sparse_categorical_crossentropy.
//   - Names follow Keras: layers, activations, initializers, losses,
//     metrics, optimizer defaults, fit semantics (epochs, initial epoch,
//     validation split taken from the end before shuffling, class and sample
//     weights, stop_training, callbacks), logs and history keys.
//   - Errors, never panics, for anything a caller can cause: unknown names,
//     bad settings, data that do not match the model, corrupt weight bytes
//     or model files. Every such error wraps a sentinel of errors.go and
//     reads "nn: ...". Panics (prefixed "nn: ") only signal a bug inside the
//     package, such as a kernel called with slices that do not match its
//     dimensions.
//   - Deterministic: weights are a function of CompileConfig.Seed, shuffles
//     and dropout masks of FitConfig.Seed and the epoch index; training is
//     single-threaded and the same inputs give bit-identical weights and
//     History. Evaluate and Predict do not depend on the batch size.
//   - No allocation per batch: each layer owns its activation and gradient
//     buffers and the optimizer its state, sized once for the batch and
//     reused (a shorter last batch uses a prefix).
//   - Every matrix product goes through one function, gemm in gemm.go, so
//     that faster kernels can replace it in one place.
//   - Cross-entropy after the matching output activation (softmax,
//     sigmoid) is computed from the pre-activations (log-sum-exp) and its
//     gradient as a − y, which is exact and stable.
//   - A Model is used by one goroutine at a time (StopTraining excepted);
//     models share nothing mutable, so many can train concurrently.
//
// # Saving
//
// Save (SaveFile, MarshalBinary) writes a whole compiled model to one file
// and Load (LoadFile, UnmarshalModel) reads it back: architecture, compile
// settings, every weight including moving and normalization statistics,
// and the optimizer's state. A loaded model predicts bit-identically and
// continues training exactly as the saved one would (given the same
// FitConfig.Seed and InitialEpoch). MarshalWeights and UnmarshalWeights
// write and read the weights alone, as a tuner's checkpoints.
//
// # FORMAT
//
// A model file, version 2, is little-endian throughout:
//
//	offset  size  content
//	0       4     magic "TNNM"
//	4       4     format version, uint32 (2; version 1 files still load)
//	8             three sections, in this order, each:
//	                4 bytes  tag: "ARCH", "WGHT", "OPTS"
//	                8 bytes  payload length L, uint64
//	                L bytes  payload
//	end−4   4     CRC-32 (IEEE) of every byte before it
//
// ARCH is UTF-8 JSON describing the model (unknown fields are an error):
//
//	{"name": "sequential" | "model", "sequential": bool,
//	 "layers": [{"name", "type", "inputs": [earlier layers' names], ...settings}],
//	 "inputs": [names], "outputs": [names],
//	 "compile": {"losses": [...], "loss_weights": [...], "huber_delta", "metrics": [...],
//	             "seed", "optimizer": {"type", "learning_rate", ...}}}
//
// Layers are listed in topological order; each names its inputs, which
// must be listed before it. Their types are Keras' class names with Keras'
// setting names: InputLayer (shape), Dense (units, activation,
// kernel_initializer, bias_initializer), Flatten, Activation (activation),
// Dropout (rate), BatchNormalization (momentum, epsilon), Normalization,
// Concatenate, Conv2D (filters, kernel_size, strides, padding, activation,
// use_bias, kernel_initializer, bias_initializer), MaxPooling2D and
// AveragePooling2D (pool_size, strides, padding), GlobalAveragePooling2D,
// Reshape (target_shape). A sequential model's layers form a chain from its InputLayer.
// The optimizer's type is SGD, Adam, AdamW, RMSprop or Adagrad with its
// resolved settings (learning_rate is the configured one).
//
// WGHT is a tensor list: every weight of the model, per layer in the order
// of "layers", in Keras' get_weights order (Dense: kernel (in, out)
// row-major, bias; Conv2D: kernel (kh, kw, in channels, filters), bias
// unless use_bias is false; BatchNormalization: gamma, beta, moving_mean,
// moving_variance; Normalization: mean, variance, count as a scalar):
//
//	uint32 count, then per tensor:
//	uint32 name length, name bytes ("dense_1/kernel"),
//	uint32 rank (0–4), rank × uint32 dimensions,
//	product(dimensions) × float32 values
//
// OPTS is the optimizer state: uint64 step count, float64 current learning
// rate, then a tensor list of its slots (named after their weight and kind:
// "dense/kernel/m"; SGD momentum "momentum", Adam and AdamW "m" then "v",
// RMSprop "velocity" then "momentum", Adagrad "accumulator"), all first
// slots of every weight, then all second slots.
//
// A reader checks the magic, version and checksum before anything else,
// then every length against the bytes that remain; the architecture's
// weight count must fit in the WGHT section before any weight is
// allocated, so a truncated, corrupt or hostile file is an ErrModelFormat
// error and never a panic or an allocation much larger than the file.
// Every tensor's name and shape must match the model the architecture
// describes.
//
// A weight checkpoint (MarshalWeights), version 2, is "TNNW", uint32
// version 2, the WGHT tensor list and a CRC-32 of the bytes before it.
// Version 1 checkpoints (tensors without names, Dense weights only) are
// still read.
package nn
