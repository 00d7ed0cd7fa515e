package nn

import (
	"fmt"
	"math"
)

// EarlyStopping stops training when a monitored value has stopped
// improving, with the semantics of Keras 3's EarlyStopping:
//
// At the end of each epoch, the value counts as an improvement if it beats
// the best so far by more than MinDelta. Otherwise a wait counter grows, and
// once it reaches Patience (and the epoch is not epoch 0) training stops.
// With RestoreBestWeights the weights of the best epoch (all of them,
// moving statistics included) are put back when training ends, whether or
// not it stopped early. Its state is reset by OnTrainBegin, so a value can
// be reused for several Fit calls (but not shared by concurrent ones: see
// Clone).
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
	// minimises losses, mse, mae and rmse (also with an output's prefix), and
	// is an error for other names.
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
	var err error
	if e.maximize, err = monitorMode("EarlyStopping", e.monitor, e.Mode); err != nil {
		return err
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
	current, err := monitored("EarlyStopping", e.monitor, logs)
	if err != nil {
		return err
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
