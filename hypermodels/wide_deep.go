package hypermodels

import (
	"context"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/tuner"
)

// WideDeep is the Wide & Deep network of Hands-On Machine Learning,
// chapter 10: the inputs (the wide path) are concatenated with the last
// hidden layer (the deep path) before the output, so that the model learns
// both simple rules and deep patterns.
//
//	Input → Flatten → Normalization? ─┬─────────────────────────────────────┐
//	                                  └→ n_hidden × [Dense → BN? → Dropout?] → Concatenate → output
//
// With n_hidden 0 it is the wide path alone. Its hyperparameters are
// DenseHyperparameters; the output, loss and metrics follow the Task.
type WideDeep struct {
	// Task decides the output layer, the loss and the metrics.
	Task Task
	// InputShape is the shape of one sample.
	InputShape []int
	// Classes is the number of classes of a Classification task.
	Classes int
	// Tune holds the definitions of the hyperparameters to search (or
	// fix), any of DenseHyperparameters; the others take their Default.
	Tune []hp.Param
	// Normalization, if set, follows Flatten, on both paths.
	Normalization *nn.NormalizationLayer
}

var _ tuner.HyperModel = (*WideDeep)(nil)

// Build returns the compiled model for the trial's hyperparameters,
// registering the defined ones with h.
func (m *WideDeep) Build(h *hp.HyperParameters) (*nn.Model, error) {
	c, output, cfg, err := dense{m.Task, m.InputShape, m.Classes, m.Tune}.prepare(h)
	if err != nil {
		return nil, err
	}
	in := nn.NewInput("input", m.InputShape...)
	wide := nn.Flatten().Apply(in)
	if m.Normalization != nil {
		wide = m.Normalization.Apply(wide)
	}
	top := wide
	if hidden := c.hidden(); len(hidden) > 0 {
		deep := wide
		for _, l := range hidden {
			deep = l.Apply(deep)
		}
		top = nn.Concatenate().Apply(wide, deep)
	}
	model, err := nn.NewModel([]*nn.Node{in}, []*nn.Node{output.Apply(top)})
	if err != nil {
		return nil, err
	}
	if err := model.Compile(cfg); err != nil {
		return nil, err
	}
	return model, nil
}

// Fit trains model with cfg, and the trial's batch_size when it is tuned.
func (m *WideDeep) Fit(ctx context.Context, h *hp.HyperParameters, model *nn.Model, x, y *nn.Matrix, cfg nn.FitConfig) (*nn.History, error) {
	return fitWithBatchSize(ctx, h, model, x, y, cfg)
}
