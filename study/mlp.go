package study

import (
	"context"
	"fmt"
	"slices"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/tuner"
)

// MLP is the built-in hypermodel. With Model "mlp" (the default) it is a
// multilayer perceptron for the study's task,
//
//	Input(InputShape) → Flatten → n_hidden × [Dense(n_neurons, activation) → BatchNormalization? → Dropout?] → output
//
// and with Model "wide_deep" the Wide & Deep network of Hands-On Machine
// Learning, chapter 10, which concatenates the inputs (the wide path)
// with the last hidden layer (the deep path) before the output:
//
//	Input → Flatten ─┬──────────────────────────────────┐
//	                 └→ n_hidden × [Dense → BN? → Dropout?] → Concatenate → output
//
// The output, loss and metrics depend on the task:
//
//	classification  Dense(Classes, softmax)  sparse_categorical_crossentropy  accuracy
//	binary          Dense(1, sigmoid)        binary_crossentropy              accuracy
//	regression      Dense(1, linear)         mse                              rmse, mae
//
// compiled with the optimizer (sgd, adam or rmsprop) and learning_rate
// (and sgd's momentum). BatchNormalization layers follow the hidden Dense
// layers when batch_norm is true, Dropout layers when dropout is above 0.
// Build registers the study's hyperparameters with h in the order of
// KnownHyperparameters (batch_size too, which Fit applies); the tuner
// initialises the weights from the trial's seed after Build.
type MLP struct {
	// Model is ModelMLP or ModelWideDeep; "" means ModelMLP.
	Model string
	// Task decides the output layer, the loss and the metrics.
	Task Task
	// InputShape is the shape of one sample.
	InputShape []int
	// Classes is the number of classes of a classification task.
	Classes int
	// Hyperparameters are the study's definitions; those absent take the
	// built-in defaults.
	Hyperparameters Hyperparameters
	// Normalization, if set, is put right after Flatten: a model that
	// scales its own inputs (tune retrain saves such models).
	Normalization *nn.NormalizationLayer
}

var _ tuner.HyperModel = (*MLP)(nil)

// MLP returns the study's hypermodel for the data d.
func (s *Study) MLP(d *Dataset) *MLP {
	return s.HyperModel(&DataInfo{InputShape: d.InputShape, Classes: d.Classes})
}

// HyperModel returns the study's hypermodel for data described by info,
// such as FromConfig returns.
func (s *Study) HyperModel(info *DataInfo) *MLP {
	return &MLP{
		Model:           s.Model,
		Task:            s.Task,
		InputShape:      slices.Clone(info.InputShape),
		Classes:         info.Classes,
		Hyperparameters: s.Hyperparameters,
	}
}

// Build returns the compiled model for the hyperparameters' values.
func (m *MLP) Build(h *hp.HyperParameters) (*nn.Model, error) {
	c, err := m.Hyperparameters.config(h)
	if err != nil {
		return nil, err
	}
	var hidden []nn.Layer
	for range c.nHidden {
		hidden = append(hidden, nn.Dense(c.nNeurons, nn.Activation(c.activation)))
		if c.batchNorm {
			hidden = append(hidden, nn.BatchNormalization())
		}
		if c.dropout > 0 {
			hidden = append(hidden, nn.Dropout(c.dropout))
		}
	}
	cfg := nn.CompileConfig{Metrics: []string{"accuracy"}}
	var output nn.Layer
	switch m.Task {
	case Classification:
		if m.Classes < 2 {
			return nil, fmt.Errorf("study: classification needs 2 or more classes, got %d", m.Classes)
		}
		output = nn.Dense(m.Classes, nn.Softmax, nn.Name("output"))
		cfg.Loss = "sparse_categorical_crossentropy"
	case Binary:
		output = nn.Dense(1, nn.Sigmoid, nn.Name("output"))
		cfg.Loss = "binary_crossentropy"
	case Regression:
		output = nn.Dense(1, nn.Linear, nn.Name("output"))
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

	var model *nn.Model
	switch m.Model {
	case ModelMLP, "":
		layers := []nn.Layer{nn.Input(m.InputShape...), nn.Flatten()}
		if m.Normalization != nil {
			layers = append(layers, m.Normalization)
		}
		layers = append(layers, hidden...)
		model = nn.NewSequential(append(layers, output)...)
	case ModelWideDeep:
		in := nn.NewInput("input", m.InputShape...)
		wide := nn.Flatten().Apply(in)
		if m.Normalization != nil {
			wide = m.Normalization.Apply(wide)
		}
		top := wide
		if len(hidden) > 0 {
			deep := wide
			for _, l := range hidden {
				deep = l.Apply(deep)
			}
			top = nn.Concatenate().Apply(wide, deep)
		}
		if model, err = nn.NewModel([]*nn.Node{in}, []*nn.Node{output.Apply(top)}); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("study: unknown model %q", m.Model)
	}
	if err := model.Compile(cfg); err != nil {
		return nil, err
	}
	return model, nil
}

// Fit trains the model with the tuner's settings, and the trial's
// batch_size when the study tunes it.
func (m *MLP) Fit(ctx context.Context, h *hp.HyperParameters, model *nn.Model, x, y *nn.Matrix, cfg nn.FitConfig) (*nn.History, error) {
	if b := BatchSize(h.Values(), 0); b > 0 {
		cfg.BatchSize = b
	}
	return model.Fit(ctx, x, y, cfg)
}

// BatchSize returns a trial's batch_size value, or def when the study does
// not tune it.
func BatchSize(values hp.Values, def int) int {
	if b, ok := values["batch_size"].(int); ok && b > 0 {
		return b
	}
	return def
}
