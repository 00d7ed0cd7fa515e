package nn

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Callback observes and steers Fit, like a Keras callback. Fit calls the
// methods of each callback in order; an error from any of them stops Fit,
// which returns it wrapped. Call m.StopTraining to end training gracefully.
//
// The Logs given to OnBatchEnd are reused for every batch and must not be
// retained; those given to OnEpochEnd and OnTrainEnd are fresh per epoch.
// Epoch Logs hold "loss", the outputs' losses and metrics and, with
// validation data, the same names prefixed with "val_".
//
// Callbacks with state (EarlyStopping, ModelCheckpoint, ReduceLROnPlateau)
// reset it in OnTrainBegin and have a Clone method giving a fresh copy, for
// trainings that run at the same time.
type Callback interface {
	OnTrainBegin(m *Model) error
	OnTrainEnd(m *Model, logs Logs) error
	OnEpochBegin(m *Model, epoch int) error
	OnEpochEnd(m *Model, epoch int, logs Logs) error
	OnBatchBegin(m *Model, batch int) error
	OnBatchEnd(m *Model, batch int, logs Logs) error
}

// BaseCallback implements every Callback method as a no-op; embed it and
// override what you need.
type BaseCallback struct{}

// OnTrainBegin does nothing.
func (BaseCallback) OnTrainBegin(*Model) error { return nil }

// OnTrainEnd does nothing.
func (BaseCallback) OnTrainEnd(*Model, Logs) error { return nil }

// OnEpochBegin does nothing.
func (BaseCallback) OnEpochBegin(*Model, int) error { return nil }

// OnEpochEnd does nothing.
func (BaseCallback) OnEpochEnd(*Model, int, Logs) error { return nil }

// OnBatchBegin does nothing.
func (BaseCallback) OnBatchBegin(*Model, int) error { return nil }

// OnBatchEnd does nothing.
func (BaseCallback) OnBatchEnd(*Model, int, Logs) error { return nil }

// TerminateOnNaN stops training as soon as a batch's running loss is NaN
// or infinite. The epoch in progress is still finished and recorded.
type TerminateOnNaN struct{ BaseCallback }

// OnBatchEnd stops training if logs["loss"] is not finite.
func (*TerminateOnNaN) OnBatchEnd(m *Model, _ int, logs Logs) error {
	if l := logs["loss"]; math.IsNaN(l) || math.IsInf(l, 0) {
		m.StopTraining()
	}
	return nil
}

func sortedKeys(l Logs) []string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// monitorMode resolves a callback's Mode for the monitored key: "min",
// "max", or "auto"/"" (maximise accuracies, minimise losses and errors).
func monitorMode(owner, key, mode string) (maximize bool, err error) {
	switch mode {
	case "min":
		return false, nil
	case "max":
		return true, nil
	case "", "auto":
		max, ok := monitorMaximized(key)
		if !ok {
			return false, fmt.Errorf("%w: %s cannot tell whether %q should be minimised or maximised; set Mode to \"min\" or \"max\"",
				ErrInvalidConfig, owner, key)
		}
		return max, nil
	}
	return false, fmt.Errorf("%w: %s.Mode is %q, want \"auto\", \"min\" or \"max\"", ErrInvalidConfig, owner, mode)
}

// monitored returns logs[key] or an error naming the keys there are.
func monitored(owner, key string, logs Logs) (float64, error) {
	v, ok := logs[key]
	if !ok {
		return 0, fmt.Errorf("%w: %s monitors %q, which is not in the logs (%s)",
			ErrInvalidConfig, owner, key, strings.Join(sortedKeys(logs), ", "))
	}
	return v, nil
}
