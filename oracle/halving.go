package oracle

import (
	"cmp"
	"slices"

	"github.com/tunekit/tune/trials"
)

// SuccessiveHalving is asynchronous successive halving (ASHA, Optuna's
// SuccessiveHalvingPruner). Rung k is reached after
//
//	MinEpochs · ReductionFactor^(MinEarlyStoppingRate + k)
//
// epochs (after 0-based epoch index that number minus 1). When a trial
// reaches a rung it continues only if its best value so far is among the
// top 1/ReductionFactor of the values every trial had when it reached that
// rung, itself included: with n such trials, it must be at least as good
// as the max(1, ⌊n/ReductionFactor⌋)-th best. Until ReductionFactor trials
// have reached a rung, only one that is the best so far continues (as in
// Optuna). Trials are compared as they arrive, never waiting for others,
// and whatever their status (running, completed, pruned or failed).
//
// A trial is valued by its best epoch so far rather than its last, as the
// tuner scores trials. A trial whose first epoch is past a rung (a
// Hyperband promotion with an initial epoch) is judged at that rung by its
// first epoch. With several executions per trial, the current execution's
// curve counts, and other trials count by the mean of their executions.
type SuccessiveHalving struct {
	// MinEpochs is the epochs of the first rung (Optuna's min_resource);
	// default 1.
	MinEpochs int `json:"min_epochs,omitempty"`
	// ReductionFactor is the factor f between rungs; at least 2, default
	// 3 as Hyperband's (Optuna's default is 4).
	ReductionFactor int `json:"reduction_factor,omitempty"`
	// MinEarlyStoppingRate s places the first rung at MinEpochs·f^s
	// epochs; default 0.
	MinEarlyStoppingRate int `json:"min_early_stopping_rate,omitempty"`
}

// Name returns "successive_halving".
func (h *SuccessiveHalving) Name() string { return "successive_halving" }

// Validate checks the settings.
func (h *SuccessiveHalving) Validate() error {
	switch {
	case h.MinEpochs < 0:
		return settingErrorf("min_epochs", "successive halving: min_epochs %d must be positive", h.MinEpochs)
	case h.ReductionFactor != 0 && h.ReductionFactor < 2:
		return settingErrorf("reduction_factor", "successive halving: reduction_factor %d must be at least 2", h.ReductionFactor)
	case h.MinEarlyStoppingRate < 0:
		return settingErrorf("min_early_stopping_rate", "successive halving: min_early_stopping_rate %d must not be negative", h.MinEarlyStoppingRate)
	}
	return nil
}

// Rungs returns the 0-based epochs, up to epoch inclusive, after which
// trials are compared.
func (h *SuccessiveHalving) Rungs(epoch int) []int {
	f := h.ReductionFactor
	if f == 0 {
		f = 3
	}
	res := max(h.MinEpochs, 1)
	if h.Validate() != nil {
		return nil
	}
	for range h.MinEarlyStoppingRate {
		if res > epoch+1 {
			return nil
		}
		res *= f
	}
	var out []int
	for res <= epoch+1 {
		out = append(out, res-1)
		if res > (epoch+1)/f {
			break
		}
		res *= f
	}
	return out
}

// Prune reports whether trial, reaching a rung at epoch, falls outside the
// top 1/ReductionFactor there.
func (h *SuccessiveHalving) Prune(s State, trial *trials.Trial, epoch int, value float64) (bool, error) {
	if err := h.Validate(); err != nil {
		return false, err
	}
	f := h.ReductionFactor
	if f == 0 {
		f = 3
	}
	obj := s.Objective
	id, execution, prev := 0, 0, -1
	if trial != nil {
		id = trial.ID
		execution, prev = currentExecution(trial, epoch)
	}
	mine := value
	if trial != nil {
		if b, ok := bestSoFar(trial, obj, execution, epoch); ok && !obj.Better(value, b) {
			mine = b
		}
	}
	for _, rung := range h.Rungs(epoch) {
		if rung <= prev {
			continue // decided when the trial reached it
		}
		vals := []float64{mine}
		for _, t := range s.Trials {
			if t.ID == id {
				continue
			}
			if v, ok := bestWhenReached(t, obj, rung); ok {
				vals = append(vals, v)
			}
		}
		slices.SortFunc(vals, func(a, b float64) int {
			switch {
			case obj.Better(a, b):
				return -1
			case obj.Better(b, a):
				return 1
			}
			return cmp.Compare(a, b)
		})
		k := max(len(vals)/f, 1)
		if obj.Better(vals[k-1], mine) {
			return true, nil
		}
	}
	return false, nil
}
