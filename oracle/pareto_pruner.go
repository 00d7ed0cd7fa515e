package oracle

import (
	"math"

	"github.com/tunekit/tune/trials"
)

// ParetoStopping prunes with several objectives (no peer has such a rule;
// Optuna refuses pruning in multi-objective studies). After an epoch, a
// trial's vector there (every objective's metric at that epoch, of its
// current execution) is compared with the vectors completed trials logged
// at the same epoch (the mean of their executions): the trial stops when
// at least DominatedShare of them dominate it — better or equal on every
// objective and better on one. A trial that is best on any one objective,
// or trades them off in a way no finished trial beats, is never stopped,
// so the rule cannot cut the extremes of the front that a one-objective
// pruner would. With one objective and the default share it is close to
// the median rule, on the current value rather than the best so far.
//
// The rule waits for WarmupTrials completed trials, lets every trial train
// WarmupEpochs epochs, and needs MinTrials completed trials that logged
// every objective at the epoch. Metrics a trial only has at its end (such
// as prediction latency) are missing from epochs, so a study whose
// objectives include one is never pruned by this rule.
type ParetoStopping struct {
	// WarmupTrials is how many trials must have completed before any is
	// pruned; 0 means 5, negative none.
	WarmupTrials int `json:"warmup_trials,omitempty"`
	// WarmupEpochs is how many epochs a trial runs before it can be
	// pruned; default 0.
	WarmupEpochs int `json:"warmup_epochs,omitempty"`
	// MinTrials is how many completed trials must have logged the epoch;
	// default 1.
	MinTrials int `json:"min_trials,omitempty"`
	// DominatedShare is the share of those trials that must dominate the
	// trial to stop it, in (0, 1]; default 0.5.
	DominatedShare float64 `json:"dominated_share,omitempty"`
}

// Name returns "pareto".
func (p *ParetoStopping) Name() string { return "pareto" }

// Validate checks the settings.
func (p *ParetoStopping) Validate() error {
	switch {
	case p.WarmupEpochs < 0:
		return settingErrorf("warmup_epochs", "pareto pruner: warmup_epochs %d must not be negative", p.WarmupEpochs)
	case p.MinTrials < 0:
		return settingErrorf("min_trials", "pareto pruner: min_trials %d must not be negative", p.MinTrials)
	case p.DominatedShare < 0 || p.DominatedShare > 1:
		return settingErrorf("dominated_share", "pareto pruner: dominated_share %v must be in (0, 1]", p.DominatedShare)
	}
	return nil
}

// Prune reports whether enough completed trials dominate trial at epoch.
func (p *ParetoStopping) Prune(s State, trial *trials.Trial, epoch int, _ float64) (bool, error) {
	if err := p.Validate(); err != nil {
		return false, err
	}
	warmup := p.WarmupTrials
	if warmup == 0 {
		warmup = 5
	}
	share := p.DominatedShare
	if share == 0 {
		share = 0.5
	}
	if trial == nil || epoch < p.WarmupEpochs {
		return false, nil
	}
	objs := s.objectives()
	x, _ := currentExecution(trial, epoch)
	var mine map[string]float64
	for _, e := range trial.History {
		if e.Execution == x && e.Epoch == epoch {
			mine = e.Metrics
		}
	}
	v, ok := Vector(mine, objs)
	if !ok {
		return false, nil
	}
	completed, compared, dominating := 0, 0, 0
	at := make(map[string]float64, len(objs))
	for _, t := range s.Trials {
		if t.Status != trials.Completed || t.ID == trial.ID {
			continue
		}
		completed++
		clear(at)
		for _, o := range objs {
			if m, ok := valueAt(t, o.Name, epoch); ok {
				at[o.Name] = m
			}
		}
		w, ok := Vector(at, objs)
		if !ok {
			continue
		}
		compared++
		if Dominates(w, v) {
			dominating++
		}
	}
	if completed < warmup || compared < max(p.MinTrials, 1) {
		return false, nil
	}
	return dominating >= int(math.Ceil(share*float64(compared))), nil
}
