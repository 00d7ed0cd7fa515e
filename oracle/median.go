package oracle

import (
	"slices"

	"github.com/tunekit/tune/trials"
)

// MedianStopping is the median stopping rule (Optuna's MedianPruner): after
// an epoch, a trial stops if the best value of the objective it reached so
// far is worse than the median of the values that completed trials logged
// at that same epoch.
//
// The rule waits for WarmupTrials completed trials and lets every trial
// train WarmupEpochs epochs first; it needs at least MinTrials completed
// trials that logged the epoch. Pruned and failed trials do not count
// towards the median. With several executions per trial, a trial's curve
// is that of its current execution, and a completed trial counts by the
// mean of its executions at the epoch.
type MedianStopping struct {
	// WarmupTrials is how many trials must have completed before any is
	// pruned; 0 means 5 (Optuna's n_startup_trials), negative none.
	WarmupTrials int `json:"warmup_trials,omitempty"`
	// WarmupEpochs is how many epochs (0-based epochs 0..WarmupEpochs-1)
	// a trial runs before it can be pruned (Optuna's n_warmup_steps);
	// default 0.
	WarmupEpochs int `json:"warmup_epochs,omitempty"`
	// MinTrials is how many completed trials must have logged the epoch
	// for the median to count (Optuna's n_min_trials); default 1.
	MinTrials int `json:"min_trials,omitempty"`
}

// Name returns "median".
func (m *MedianStopping) Name() string { return "median" }

// Validate checks the settings.
func (m *MedianStopping) Validate() error {
	switch {
	case m.WarmupEpochs < 0:
		return settingErrorf("warmup_epochs", "median pruner: warmup_epochs %d must not be negative", m.WarmupEpochs)
	case m.MinTrials < 0:
		return settingErrorf("min_trials", "median pruner: min_trials %d must not be negative", m.MinTrials)
	}
	return nil
}

// Prune reports whether trial's best value so far is worse than the median
// of completed trials at epoch.
func (m *MedianStopping) Prune(s State, trial *trials.Trial, epoch int, value float64) (bool, error) {
	if err := m.Validate(); err != nil {
		return false, err
	}
	warmup := m.WarmupTrials
	if warmup == 0 {
		warmup = 5
	}
	minTrials := max(m.MinTrials, 1)
	if epoch < m.WarmupEpochs {
		return false, nil
	}
	id := 0
	if trial != nil {
		id = trial.ID
	}
	completed := 0
	var at []float64
	for _, t := range s.Trials {
		if t.Status != trials.Completed || t.ID == id {
			continue
		}
		completed++
		if v, ok := valueAt(t, s.Objective.Name, epoch); ok {
			at = append(at, v)
		}
	}
	if completed < warmup || len(at) < minTrials {
		return false, nil
	}
	best := value
	if trial != nil {
		x, _ := currentExecution(trial, epoch)
		if b, ok := bestSoFar(trial, s.Objective, x, epoch); ok && !s.Objective.Better(value, b) {
			best = b
		}
	}
	return s.Objective.Better(median(at), best), nil
}

// median returns the median of xs (the mean of the middle two for an even
// count), which it sorts.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
