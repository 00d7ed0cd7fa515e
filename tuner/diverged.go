package tuner

import (
	"fmt"
	"math"
)

// trainingHint is the DivergedError hint of a trained model.
const trainingHint = "training diverged; lower the learning rate, or scale a large target"

// MaxLoss bounds the loss of a trial that trains a model: an epoch whose
// training or validation loss (as the model computed it, that is on the
// scaled target when the study scales it) exceeds it in magnitude has
// diverged. Past it float32 training has lost the data's scale — an
// exploding learning rate gives 1e29 and then NaN — and an unscaled
// target this large should be scaled first.
const MaxLoss = 1e15

// DivergedError fails a trial whose metrics diverged: a metric that became
// NaN or infinite, or a training loss above MaxLoss. Its message is a plain
// reason, stored as the trial's error.
type DivergedError struct {
	Metric string  // the metric's name, such as "loss" or "val_loss"
	Value  float64 // its value
	Epoch  int     // the 0-based epoch
	// Hint, if set, says what to change (for a trained model: the
	// learning rate, the target's scale).
	Hint string
}

func (e *DivergedError) Error() string {
	what := fmt.Sprintf("became %v", e.Value)
	if !math.IsNaN(e.Value) && !math.IsInf(e.Value, 0) {
		what = fmt.Sprintf("reached %.3g, beyond %g", e.Value, float64(MaxLoss))
	}
	msg := fmt.Sprintf("%s %s at epoch %d", e.Metric, what, e.Epoch+1)
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

// checkFinite returns a *DivergedError for the first metric (in name
// order) that is NaN or infinite, with hint.
func checkFinite(names []string, metrics Metrics, epoch int, hint string) error {
	for _, k := range names {
		if v := metrics[k]; math.IsNaN(v) || math.IsInf(v, 0) {
			return &DivergedError{Metric: k, Value: v, Epoch: epoch, Hint: hint}
		}
	}
	return nil
}

// checkLoss returns a *DivergedError when a model's loss (its "_scaled"
// value where a callback converted it to the target's units) is beyond
// MaxLoss.
func checkLoss(metrics Metrics, epoch int) error {
	for _, k := range []string{"loss", "val_loss"} {
		name := k
		if _, ok := metrics[k+"_scaled"]; ok {
			name = k + "_scaled"
		}
		if v, ok := metrics[name]; ok && math.Abs(v) > MaxLoss {
			return &DivergedError{Metric: name, Value: v, Epoch: epoch, Hint: trainingHint}
		}
	}
	return nil
}
