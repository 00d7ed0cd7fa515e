package tuner

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// execute runs every execution of a trial and scores it.
func (t *Tuner) execute(ctx context.Context, tr *trials.Trial) (trials.Result, error) {
	if tr.Epochs == 0 {
		tr.Epochs = t.opts.Epochs
	}
	space := t.Space()
	var reps []*Reporter
	var used hp.Values
	trialBest := t.opts.objective.Worst()
	for e := range t.opts.ExecutionsPerTrial {
		// The seed is the options' (equal to the stored study's): t.study
		// may be replaced by another trial while this one runs.
		r := &Reporter{t: t, trial: tr, execution: e, seed: trialSeed(t.opts.Seed, tr.ID, e), trialBest: &trialBest}
		h := hp.FromValues(space, tr.Values)
		h.SetEntries(t.opts.entries())
		err := t.evaluate(ctx, h, r)
		used = h.Values()
		if err == nil && !r.seen {
			err = fmt.Errorf("objective %q was never reported", t.opts.Objective)
		}
		if errors.Is(err, ErrPruned) && r.seen {
			// A pruned trial keeps its curve and its best epoch so far.
			res := summarize(append(reps, r), t.opts.objective)
			res.Status, res.Values = trials.Pruned, used
			return res, nil
		}
		if err != nil {
			return trials.Result{Values: used}, err
		}
		reps = append(reps, r)
	}
	res := summarize(reps, t.opts.objective)
	res.Values = used
	for _, o := range t.opts.multi() {
		if _, ok := res.Metrics[o.Name]; !ok {
			return trials.Result{Values: used}, fmt.Errorf("objective %q is not among the metrics %v", o.Name, slices.Sorted(maps.Keys(res.Metrics)))
		}
	}
	return res, nil
}

// evaluate runs the evaluator once.
func (t *Tuner) evaluate(ctx context.Context, h *hp.HyperParameters, r *Reporter) error {
	final, err := t.eval.Evaluate(ctx, h, r)
	if herr := h.Err(); herr != nil {
		return herr
	}
	// The space grows even when the objective failed: its calls to h
	// registered hyperparameters all the same.
	if gerr := t.growSpace(h.Space()); gerr != nil {
		return gerr
	}
	if err != nil {
		return err
	}
	if final == nil {
		return nil
	}
	v, ok := final[t.opts.Objective]
	if !ok {
		return fmt.Errorf("objective %q is not among the returned metrics %v", t.opts.Objective, slices.Sorted(maps.Keys(final)))
	}
	// Final metrics replace whatever was reported per epoch.
	r.best, r.bestEpoch, r.bestLogs, r.seen = v, 0, final, true
	return nil
}

// summarize averages the executions' best epochs.
func summarize(reps []*Reporter, obj goal.Objective) trials.Result {
	res := trials.Result{Status: trials.Completed, Metrics: map[string]float64{}}
	score := 0.0
	best := reps[0]
	for _, r := range reps {
		score += r.best
		for k, v := range r.bestLogs {
			res.Metrics[k] += v / float64(len(reps))
		}
		if obj.Better(r.best, best.best) {
			best = r
		}
	}
	score /= float64(len(reps))
	res.Score = &score
	res.BestEpoch = best.bestEpoch
	return res
}

// trialSeed derives the seed of one execution of one trial (SplitMix64).
func trialSeed(seed int64, trial, execution int) int64 {
	z := uint64(seed) + uint64(trial)*0x9e3779b97f4a7c15 + uint64(execution)*0xbf58476d1ce4e5b9
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return int64(z ^ (z >> 31))
}
