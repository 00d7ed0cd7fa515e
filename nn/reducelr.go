package nn

import (
	"fmt"
	"math"
)

// ReduceLROnPlateau multiplies the learning rate by Factor when a monitored
// value has not improved for Patience epochs, like Keras'
// ReduceLROnPlateau: after a reduction it waits Cooldown epochs before
// counting again, and never goes below MinLR. It adds the learning rate in
// use to each epoch's Logs as "learning_rate" (after History recorded
// them). The learning rate is part of the optimizer state that Save keeps.
//
// Zero fields: Monitor "val_loss", Factor 0.1; Patience, MinDelta
// (improvement means beating the best by more than MinDelta), Cooldown and
// MinLR are used as given (Keras' defaults are 10, 1e-4, 0 and 0).
type ReduceLROnPlateau struct {
	BaseCallback
	Monitor  string
	Factor   float64
	Patience int
	Mode     string
	MinDelta float64
	Cooldown int
	MinLR    float64

	monitor  string
	factor   float64
	maximize bool
	best     float64
	wait     int
	cooldown int
}

// Clone returns a ReduceLROnPlateau with the same settings and fresh state.
func (r *ReduceLROnPlateau) Clone() Callback {
	return &ReduceLROnPlateau{Monitor: r.Monitor, Factor: r.Factor, Patience: r.Patience, Mode: r.Mode,
		MinDelta: r.MinDelta, Cooldown: r.Cooldown, MinLR: r.MinLR}
}

// OnTrainBegin checks the settings and resets the state.
func (r *ReduceLROnPlateau) OnTrainBegin(*Model) error {
	r.monitor = r.Monitor
	if r.monitor == "" {
		r.monitor = "val_loss"
	}
	r.factor = orDefault(r.Factor, 0.1)
	switch {
	case !(r.factor > 0 && r.factor < 1):
		return fmt.Errorf("%w: ReduceLROnPlateau.Factor is %v, want a value in (0, 1)", ErrInvalidConfig, r.Factor)
	case r.Patience < 0 || r.Cooldown < 0:
		return fmt.Errorf("%w: ReduceLROnPlateau.Patience and Cooldown are %d and %d, want 0 or more", ErrInvalidConfig, r.Patience, r.Cooldown)
	case !(r.MinLR >= 0) || math.IsInf(r.MinLR, 0) || math.IsNaN(r.MinDelta) || math.IsInf(r.MinDelta, 0):
		return fmt.Errorf("%w: ReduceLROnPlateau.MinLR is %v and MinDelta %v", ErrInvalidConfig, r.MinLR, r.MinDelta)
	}
	var err error
	if r.maximize, err = monitorMode("ReduceLROnPlateau", r.monitor, r.Mode); err != nil {
		return err
	}
	r.best = math.Inf(1)
	if r.maximize {
		r.best = math.Inf(-1)
	}
	r.wait, r.cooldown = 0, 0
	return nil
}

// OnEpochEnd reduces the learning rate when the plateau is long enough.
func (r *ReduceLROnPlateau) OnEpochEnd(m *Model, _ int, logs Logs) error {
	logs["learning_rate"] = m.LearningRate()
	current, err := monitored("ReduceLROnPlateau", r.monitor, logs)
	if err != nil {
		return err
	}
	if r.cooldown > 0 {
		r.cooldown--
		r.wait = 0
	}
	d := math.Abs(r.MinDelta)
	if r.maximize && current > r.best+d || !r.maximize && current < r.best-d {
		r.best, r.wait = current, 0
		return nil
	}
	if r.cooldown > 0 {
		return nil
	}
	r.wait++
	if r.wait >= r.Patience {
		if lr := m.LearningRate(); lr > r.MinLR {
			if err := m.SetLearningRate(max(lr*r.factor, r.MinLR)); err != nil {
				return err
			}
			r.cooldown, r.wait = r.Cooldown, 0
		}
	}
	return nil
}

// LearningRateScheduler sets the learning rate at the start of every epoch
// to Schedule(epoch, current learning rate), like Keras'
// LearningRateScheduler. Since the learning rate is saved with the model,
// a resumed training continues the schedule exactly.
type LearningRateScheduler struct {
	BaseCallback
	Schedule func(epoch int, lr float64) float64
}

// OnEpochBegin applies the schedule.
func (s *LearningRateScheduler) OnEpochBegin(m *Model, epoch int) error {
	if s.Schedule == nil {
		return fmt.Errorf("%w: LearningRateScheduler.Schedule is nil", ErrInvalidConfig)
	}
	return m.SetLearningRate(s.Schedule(epoch, m.LearningRate()))
}
