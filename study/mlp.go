package study

import (
	"context"
	"fmt"
	"slices"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/tuner"
)

// MLP is the built-in hypermodel: a multilayer perceptron for the study's
// task,
//
//	Input(InputShape) → Flatten → n_hidden × Dense(n_neurons, activation) → output
//
// whose output, loss and metrics depend on the task:
//
//	classification  Dense(Classes, softmax)  sparse_categorical_crossentropy  accuracy
//	binary          Dense(1, sigmoid)        binary_crossentropy              accuracy
//	regression      Dense(1, linear)         mse                              rmse, mae
//
// compiled with the optimizer (sgd, adam or rmsprop) and learning_rate
// (and sgd's momentum). Build registers the study's hyperparameters with h
// in the order of KnownHyperparameters; the tuner initialises the weights
// from the trial's seed after Build.
type MLP struct {
	// Task decides the output layer, the loss and the metrics.
	Task Task
	// InputShape is the shape of one sample.
	InputShape []int
	// Classes is the number of classes of a classification task.
	Classes int
	// Hyperparameters are the study's definitions; those absent take the
	// built-in defaults.
	Hyperparameters Hyperparameters
}

var _ tuner.HyperModel = (*MLP)(nil)

// MLP returns the study's hypermodel for the data d.
func (s *Study) MLP(d *Dataset) *MLP {
	return &MLP{
		Task:            s.Task,
		InputShape:      slices.Clone(d.InputShape),
		Classes:         d.Classes,
		Hyperparameters: s.Hyperparameters,
	}
}

// Build returns the compiled model for the hyperparameters' values.
func (m *MLP) Build(h *hp.HyperParameters) (*nn.Model, error) {
	c, err := m.Hyperparameters.config(h)
	if err != nil {
		return nil, err
	}
	layers := []nn.Layer{nn.Input(m.InputShape...), nn.Flatten()}
	for range c.nHidden {
		layers = append(layers, nn.Dense(c.nNeurons, nn.Activation(c.activation)))
	}
	cfg := nn.CompileConfig{Metrics: []string{"accuracy"}}
	switch m.Task {
	case Classification:
		if m.Classes < 2 {
			return nil, fmt.Errorf("study: classification needs 2 or more classes, got %d", m.Classes)
		}
		layers = append(layers, nn.Dense(m.Classes, nn.Softmax))
		cfg.Loss = "sparse_categorical_crossentropy"
	case Binary:
		layers = append(layers, nn.Dense(1, nn.Sigmoid))
		cfg.Loss = "binary_crossentropy"
	case Regression:
		layers = append(layers, nn.Dense(1, nn.Linear))
		cfg.Loss = "mse"
		cfg.Metrics = []string{"rmse", "mae"}
	default:
		return nil, fmt.Errorf("study: unknown task %q", m.Task)
	}
	switch c.optimizer {
	case "sgd":
		cfg.Optimizer = &nn.SGD{LearningRate: c.learningRate, Momentum: c.momentum}
	case "adam":
		cfg.Optimizer = &nn.Adam{LearningRate: c.learningRate}
	case "rmsprop":
		cfg.Optimizer = &nn.RMSprop{LearningRate: c.learningRate}
	default:
		return nil, fmt.Errorf("study: unknown optimizer %q", c.optimizer)
	}
	model := nn.NewSequential(layers...)
	if err := model.Compile(cfg); err != nil {
		return nil, err
	}
	return model, nil
}

// Fit trains the model with the tuner's settings.
func (m *MLP) Fit(ctx context.Context, _ *hp.HyperParameters, model *nn.Model, x, y *nn.Matrix, cfg nn.FitConfig) (*nn.History, error) {
	return model.Fit(ctx, x, y, cfg)
}
