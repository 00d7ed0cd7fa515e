package hypermodels

import (
	"github.com/tunekit/tune/nn"
)

// Task says what a model predicts; it decides the output layer, the loss
// and the metrics of every built-in hypermodel.
type Task string

// The tasks.
const (
	// Classification predicts one of k classes from integer labels
	// 0..k-1 (softmax output, sparse categorical cross-entropy, accuracy).
	Classification Task = "classification"
	// Binary predicts a label 0 or 1 (sigmoid output, binary
	// cross-entropy, accuracy).
	Binary Task = "binary"
	// Regression predicts a real number (linear output, mean squared
	// error, rmse and mae).
	Regression Task = "regression"
)

// Tasks are the tasks in the order the documentation lists them.
var Tasks = []Task{Classification, Binary, Regression}

// Metrics returns the metrics a model of the task reports besides its
// loss, nil for an unknown task.
func (t Task) Metrics() []string {
	switch t {
	case Classification, Binary:
		return []string{"accuracy"}
	case Regression:
		return []string{"rmse", "mae"}
	}
	return nil
}

// head returns the output layer of a model of the task and its compile
// settings without the optimizer: the loss and the metrics.
func (t Task) head(classes int) (nn.Layer, nn.CompileConfig, error) {
	cfg := nn.CompileConfig{Metrics: t.Metrics()}
	switch t {
	case Classification:
		if classes < 2 {
			return nil, cfg, configErrorf("classification needs 2 or more classes, got %d", classes)
		}
		cfg.Loss = "sparse_categorical_crossentropy"
		return nn.Dense(classes, nn.Softmax, nn.Name("output")), cfg, nil
	case Binary:
		cfg.Loss = "binary_crossentropy"
		return nn.Dense(1, nn.Sigmoid, nn.Name("output")), cfg, nil
	case Regression:
		cfg.Loss = "mse"
		return nn.Dense(1, nn.Linear, nn.Name("output")), cfg, nil
	}
	return nil, cfg, configErrorf("unknown task %q (want classification, binary or regression)", t)
}
