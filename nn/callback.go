package nn

import (
	"fmt"
	"math"
	"strings"
)

// Callback observes and steers Fit, like a Keras callback. Fit calls the
// methods of each callback in order; an error from any of them stops Fit,
// which returns it wrapped. Call m.StopTraining to end training gracefully.
//
// The Logs given to OnBatchEnd are reused for every batch and must not be
// retained; those given to OnEpochEnd and OnTrainEnd are fresh per epoch.
// Epoch Logs hold "loss", the compiled metrics and, with validation data,
// the same names prefixed with "val_".
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

// EarlyStopping stops training when a monitored value has stopped
// improving, with the semantics of Keras 3's EarlyStopping:
//
// At the end of each epoch, the value counts as an improvement if it beats
// the best so far by more than MinDelta. Otherwise a wait counter grows, and
// once it reaches Patience (and the epoch is not epoch 0) training stops.
// With RestoreBestWeights the weights of the best epoch are put back when
// training ends, whether or not it stopped early. Its state is reset by
// OnTrainBegin, so a value can be reused for several Fit calls (but not
// shared by concurrent ones).
//
// It is used as a pointer: &EarlyStopping{Monitor: "val_accuracy", Patience: 3}.
type EarlyStopping struct {
	BaseCallback
	// Monitor is the Logs key to watch; "" means "val_loss". A key missing
	// from the epoch logs is an error.
	Monitor string
	// MinDelta is the smallest change that counts as an improvement; its
	// sign is ignored.
	MinDelta float64
	// Patience is the number of epochs without improvement after which
	// training stops.
	Patience int
	// Mode is "min", "max" or "auto" (or ""): auto maximises accuracies and
	// minimises the loss, mse, mae and rmse, and is an error for other names.
	Mode string
	// RestoreBestWeights restores the weights of the best epoch at the end
	// of training.
	RestoreBestWeights bool

	monitor      string
	maximize     bool
	wait         int
	best         float64
	bestEpoch    int
	stoppedEpoch int
	bestWeights  []float32
	haveWeights  bool
}

// Clone returns an EarlyStopping with the same settings and fresh state, so
// that trainings running at the same time (a tuner's trials) each get one.
func (e *EarlyStopping) Clone() Callback {
	return &EarlyStopping{Monitor: e.Monitor, MinDelta: e.MinDelta, Patience: e.Patience,
		Mode: e.Mode, RestoreBestWeights: e.RestoreBestWeights}
}

// OnTrainBegin checks the settings and resets the state.
func (e *EarlyStopping) OnTrainBegin(*Model) error {
	e.monitor = e.Monitor
	if e.monitor == "" {
		e.monitor = "val_loss"
	}
	if e.Patience < 0 {
		return fmt.Errorf("%w: EarlyStopping.Patience is %d, want 0 or more", ErrInvalidConfig, e.Patience)
	}
	if math.IsNaN(e.MinDelta) || math.IsInf(e.MinDelta, 0) {
		return fmt.Errorf("%w: EarlyStopping.MinDelta is %v", ErrInvalidConfig, e.MinDelta)
	}
	switch e.Mode {
	case "min":
		e.maximize = false
	case "max":
		e.maximize = true
	case "", "auto":
		name := strings.TrimPrefix(e.monitor, "val_")
		k, known := metricKinds[name]
		switch {
		case name == "loss":
			e.maximize = false
		case name == "accuracy" || name == "acc":
			e.maximize = true
		case known:
			e.maximize = k == metricBinaryAccuracy || k == metricCategoricalAccuracy || k == metricSparseCategoricalAccuracy
		default:
			return fmt.Errorf("%w: EarlyStopping cannot tell whether %q should be minimised or maximised; set Mode to \"min\" or \"max\"",
				ErrInvalidConfig, e.monitor)
		}
	default:
		return fmt.Errorf("%w: EarlyStopping.Mode is %q, want \"auto\", \"min\" or \"max\"", ErrInvalidConfig, e.Mode)
	}
	e.best = math.Inf(1)
	if e.maximize {
		e.best = math.Inf(-1)
	}
	e.wait, e.bestEpoch, e.stoppedEpoch, e.haveWeights = 0, 0, 0, false
	return nil
}

// OnEpochEnd updates the best value and stops training when patience runs out.
func (e *EarlyStopping) OnEpochEnd(m *Model, epoch int, logs Logs) error {
	current, ok := logs[e.monitor]
	if !ok {
		return fmt.Errorf("%w: EarlyStopping monitors %q, which is not in the logs (%s)",
			ErrInvalidConfig, e.monitor, strings.Join(sortedKeys(logs), ", "))
	}
	if e.RestoreBestWeights && !e.haveWeights {
		e.bestWeights = m.appendWeights(e.bestWeights[:0])
		e.haveWeights, e.bestEpoch = true, epoch
	}
	e.wait++
	if e.isImprovement(current) {
		e.best, e.bestEpoch, e.wait = current, epoch, 0
		if e.RestoreBestWeights {
			e.bestWeights = m.appendWeights(e.bestWeights[:0])
		}
		return nil
	}
	if e.wait >= e.Patience && epoch > 0 {
		e.stoppedEpoch = epoch
		m.StopTraining()
	}
	return nil
}

// OnTrainEnd restores the best weights if RestoreBestWeights is set.
func (e *EarlyStopping) OnTrainEnd(m *Model, _ Logs) error {
	if e.RestoreBestWeights && e.haveWeights {
		m.setWeights(e.bestWeights)
	}
	return nil
}

func (e *EarlyStopping) isImprovement(v float64) bool {
	d := math.Abs(e.MinDelta)
	if e.maximize {
		return v-d > e.best
	}
	return v+d < e.best
}

// BestEpoch returns the epoch with the best monitored value of the last Fit.
func (e *EarlyStopping) BestEpoch() int { return e.bestEpoch }

// StoppedEpoch returns the epoch at which the last Fit was stopped by this
// callback, or 0 if it was not.
func (e *EarlyStopping) StoppedEpoch() int { return e.stoppedEpoch }
