package hypermodels

import (
	"context"
	"slices"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/tuner"
)

// CNN is a convolutional network for images, channels-last as Keras:
//
//	Input(height, width, channels) → Normalization? →
//	conv_blocks × [Conv2D(filters·2^i, kernel_size, relu, same) → pooling 2×2 (same)] →
//	Flatten → Dense(dense_units, relu)? → Dropout(dropout)? → output
//
// Block i (from 0) has filters·2^i filters, as VGG-style networks double
// the filters each time pooling halves the image; the pooling is max or
// average and pads odd sizes (7 → 4), so any number of blocks fits any
// image. The Dense hidden layer is left out when dense_units is 0, the
// Dropout layer when dropout is 0. Its hyperparameters are
// CNNHyperparameters; CNNSpace is a search space over all of them. The
// output, loss and metrics follow the Task (see doc.go).
type CNN struct {
	// Task decides the output layer, the loss and the metrics.
	Task Task
	// InputShape is one image's shape: (height, width, channels), or
	// (height, width) for one channel, as the IDX loader gives.
	InputShape []int
	// Classes is the number of classes of a Classification task.
	Classes int
	// Tune holds the definitions of the hyperparameters to search (or
	// fix), any of CNNHyperparameters; the others take their Default.
	Tune []hp.Param
	// Normalization, if set, follows the input: a model that scales its
	// own pixels.
	Normalization *nn.NormalizationLayer
}

var _ tuner.HyperModel = (*CNN)(nil)

// maxFilters bounds the filters of the last block.
const maxFilters = 1 << 14

// CNNHyperparameters are the hyperparameters of CNN, in the order its
// Build registers them.
var CNNHyperparameters = []Hyperparameter{
	{Name: "conv_blocks", Type: IntValue, Default: 2, check: atLeast(1),
		Doc: "number of [Conv2D → pooling] blocks, 1 or more"},
	{Name: "filters", Type: IntValue, Default: 32, check: atLeast(1),
		Doc: "filters of the first block, 1 or more; each further block doubles them"},
	{Name: "kernel_size", Type: IntValue, Default: 3, check: atLeast(1),
		Doc: "height and width of the convolution windows, 1 or more"},
	{Name: "pooling", Type: StringValue, Default: "max", check: oneOf("max", "avg"),
		Doc: "max or avg: the 2×2 pooling after every convolution"},
	{Name: "dense_units", Type: IntValue, Default: 128, check: atLeast(0),
		Doc: "units of the Dense relu layer before the output, 0 or more; 0: none"},
	{Name: "dropout", Type: FloatValue, Default: 0.0, check: fraction,
		Doc: "rate of the Dropout layer before the output, in [0, 1); 0: none"},
	optimizerEntry, learningRateEntry, momentumEntry, batchSizeEntry,
}

// CNNSpace returns a search space over every hyperparameter of the CNN,
// for CNN.Tune as it is or edited: 1 to 3 conv blocks from 16 to 64
// filters, 3×3 or 5×5 kernels, max or average pooling, 32 to 256 dense
// units, dropout 0 to 0.5, Adam, RMSprop or SGD (with momentum 0 to 0.9)
// at a learning rate from 1e-4 to 1e-2, and batches of 32 to 256. The
// defaults are a two-block network of 32 and 64 filters trained by Adam.
func CNNSpace() []hp.Param {
	return []hp.Param{
		{Name: "conv_blocks", Kind: hp.KindInt, Min: 1, Max: 3, Step: 1, Default: 2},
		{Name: "filters", Kind: hp.KindInt, Min: 16, Max: 64, Step: 16, Default: 32},
		{Name: "kernel_size", Kind: hp.KindChoice, Values: []any{3, 5}, Default: 3},
		{Name: "pooling", Kind: hp.KindChoice, Values: []any{"max", "avg"}, Default: "max"},
		{Name: "dense_units", Kind: hp.KindInt, Min: 32, Max: 256, Step: 32, Default: 128},
		{Name: "dropout", Kind: hp.KindFloat, Min: 0, Max: 0.5, Step: 0.1, Default: 0.2},
		{Name: "optimizer", Kind: hp.KindChoice, Values: []any{"adam", "rmsprop", "sgd"}, Default: "adam"},
		{Name: "learning_rate", Kind: hp.KindFloat, Min: 1e-4, Max: 1e-2, Sampling: hp.Log, Default: 1e-3},
		{Name: "momentum", Kind: hp.KindFloat, Min: 0, Max: 0.9, Step: 0.1, Default: 0.9,
			Conditions: []hp.Condition{{Parent: "optimizer", Values: []any{"sgd"}}}},
		{Name: "batch_size", Kind: hp.KindChoice, Values: []any{32, 64, 128, 256}, Default: 64},
	}
}

// cnnConfig is one trial's configuration of a CNN.
type cnnConfig struct {
	convBlocks, filters, kernelSize int
	pooling                         string
	denseUnits                      int
	dropout                         float64
	optimizer                       denseConfig // its optimizer, learningRate and momentum
}

// Build returns the compiled model for the trial's hyperparameters,
// registering the defined ones with h.
func (m *CNN) Build(h *hp.HyperParameters) (*nn.Model, error) {
	shape := slices.Clone(m.InputShape)
	if len(shape) == 2 {
		shape = append(shape, 1)
	}
	if len(shape) != 3 || slices.Min(shape) < 1 {
		return nil, configErrorf("cnn: input shape %v: want images, (height, width, channels)", m.InputShape)
	}
	vals, err := register(h, CNNHyperparameters, m.Tune)
	if err != nil {
		return nil, err
	}
	c, err := cnnConfigOf(vals)
	if err != nil {
		return nil, err
	}
	output, cfg, err := m.Task.head(m.Classes)
	if err != nil {
		return nil, err
	}
	if cfg.Optimizer, err = c.optimizer.newOptimizer(); err != nil {
		return nil, err
	}
	layers := []nn.Layer{nn.Input(shape...)}
	if m.Normalization != nil {
		layers = append(layers, m.Normalization)
	}
	for i := range c.convBlocks {
		layers = append(layers, nn.Conv2D(c.filters<<i, c.kernelSize, nn.ReLU, nn.Padding(nn.PaddingSame)))
		if c.pooling == "max" {
			layers = append(layers, nn.MaxPooling2D(2, nn.Padding(nn.PaddingSame)))
		} else {
			layers = append(layers, nn.AveragePooling2D(2, nn.Padding(nn.PaddingSame)))
		}
	}
	layers = append(layers, nn.Flatten())
	if c.denseUnits > 0 {
		layers = append(layers, nn.Dense(c.denseUnits, nn.ReLU))
	}
	if c.dropout > 0 {
		layers = append(layers, nn.Dropout(c.dropout))
	}
	model := nn.NewSequential(append(layers, output)...)
	if err := model.Compile(cfg); err != nil {
		return nil, err
	}
	return model, nil
}

// Fit trains model with cfg, and the trial's batch_size when it is tuned.
func (m *CNN) Fit(ctx context.Context, h *hp.HyperParameters, model *nn.Model, x, y *nn.Matrix, cfg nn.FitConfig) (*nn.History, error) {
	return fitWithBatchSize(ctx, h, model, x, y, cfg)
}

// cnnConfigOf checks the trial's values (a Go caller's definitions are
// not checked by Convert, as a study file's are) and reads them.
func cnnConfigOf(vals hp.Values) (cnnConfig, error) {
	for _, k := range CNNHyperparameters {
		v := vals[k.Name]
		if v == nil { // not tuned, or inactive
			vals[k.Name] = k.Default
			continue
		}
		x, err := k.value(v)
		if err != nil {
			return cnnConfig{}, configErrorf("cnn: %v", err)
		}
		if err := k.check(x); err != nil {
			return cnnConfig{}, configErrorf("cnn: hyperparameter %q: %v", k.Name, err)
		}
		vals[k.Name] = x
	}
	c := cnnConfig{
		convBlocks: vals["conv_blocks"].(int),
		filters:    vals["filters"].(int),
		kernelSize: vals["kernel_size"].(int),
		pooling:    vals["pooling"].(string),
		denseUnits: vals["dense_units"].(int),
		dropout:    vals["dropout"].(float64),
		optimizer:  denseConfig{optimizer: vals["optimizer"].(string)},
	}
	c.optimizer.learningRate, _ = vals["learning_rate"].(float64)
	c.optimizer.momentum, _ = vals["momentum"].(float64)
	if c.convBlocks > 14 || c.filters<<(c.convBlocks-1) > maxFilters {
		return c, configErrorf("cnn: %d conv blocks from %d filters make more than %d filters", c.convBlocks, c.filters, maxFilters)
	}
	return c, nil
}
