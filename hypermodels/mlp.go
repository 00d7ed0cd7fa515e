package hypermodels

import (
	"context"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/tuner"
)

// MLP is a multilayer perceptron for a task:
//
//	Input(InputShape) → Flatten → Normalization? → n_hidden × [Dense(n_neurons, activation) → BatchNormalization? → Dropout?] → output
//
// Its hyperparameters are DenseHyperparameters; the output, loss and
// metrics follow the Task (see doc.go).
type MLP struct {
	// Task decides the output layer, the loss and the metrics.
	Task Task
	// InputShape is the shape of one sample, such as [28 28] or
	// [features].
	InputShape []int
	// Classes is the number of classes of a Classification task.
	Classes int
	// Tune holds the definitions of the hyperparameters to search (or
	// fix), any of DenseHyperparameters; the others take their Default.
	Tune []hp.Param
	// Normalization, if set, follows Flatten: a model that scales its
	// own inputs.
	Normalization *nn.NormalizationLayer
}

var _ tuner.HyperModel = (*MLP)(nil)

// Build returns the compiled model for the trial's hyperparameters,
// registering the defined ones with h.
func (m *MLP) Build(h *hp.HyperParameters) (*nn.Model, error) {
	c, output, cfg, err := dense{m.Task, m.InputShape, m.Classes, m.Tune}.prepare(h)
	if err != nil {
		return nil, err
	}
	layers := []nn.Layer{nn.Input(m.InputShape...), nn.Flatten()}
	if m.Normalization != nil {
		layers = append(layers, m.Normalization)
	}
	layers = append(layers, c.hidden()...)
	model := nn.NewSequential(append(layers, output)...)
	if err := model.Compile(cfg); err != nil {
		return nil, err
	}
	return model, nil
}

// Fit trains model with cfg, and the trial's batch_size when it is tuned.
func (m *MLP) Fit(ctx context.Context, h *hp.HyperParameters, model *nn.Model, x, y *nn.Matrix, cfg nn.FitConfig) (*nn.History, error) {
	return fitWithBatchSize(ctx, h, model, x, y, cfg)
}
