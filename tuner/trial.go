package tuner

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/trials"
)

// execute runs every execution of a trial and scores it.
func (t *Tuner) execute(ctx context.Context, tr *trials.Trial, d *searchData) (trials.Result, error) {
	if tr.Epochs == 0 {
		tr.Epochs = d.fit.Epochs
	}
	space := t.Space()
	var reps []*Reporter
	var used hp.Values
	trialBest := t.opts.objective().Worst()
	for e := range t.opts.ExecutionsPerTrial {
		r := &Reporter{t: t, trial: tr, execution: e, seed: trialSeed(t.study.Seed, tr.ID, e)}
		h := hp.FromValues(space, tr.Values)
		var err error
		if t.model != nil {
			err = t.fitModel(ctx, h, r, d, &trialBest)
		} else {
			err = t.callObjective(ctx, h, r)
		}
		used = h.Values()
		if err == nil && !r.seen {
			err = fmt.Errorf("objective %q was never reported", t.opts.Objective)
		}
		if errors.Is(err, ErrPruned) && r.seen {
			// A pruned trial keeps its curve and its best epoch so far.
			res := summarize(append(reps, r), t.opts.objective())
			res.Status, res.Values = trials.Pruned, used
			return res, nil
		}
		if err != nil {
			return trials.Result{Values: used}, err
		}
		reps = append(reps, r)
	}
	res := summarize(reps, t.opts.objective())
	res.Values = used
	return res, nil
}

// fitModel builds and trains one model, saving a checkpoint whenever it
// beats every earlier epoch of the trial.
func (t *Tuner) fitModel(ctx context.Context, h *hp.HyperParameters, r *Reporter, d *searchData, trialBest *float64) error {
	m, err := t.model.Build(h)
	if herr := h.Err(); herr != nil {
		err = herr
	}
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	if m == nil {
		return fmt.Errorf("build returned no model")
	}
	if err := t.growSpace(h.Space()); err != nil {
		return err
	}
	if err := m.InitWeights(r.seed); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	// Trials train single-threaded; when there are fewer trials than cores,
	// each trial's products use the spare ones.
	m.SetThreads(runtime.GOMAXPROCS(0) / t.opts.ParallelTrials)
	if p := r.trial.Parent; p != 0 {
		ck, err := t.store.Checkpoint(p)
		if err != nil {
			return &storeError{fmt.Errorf("warm start from trial %d: %w", p, err)}
		}
		if err := m.UnmarshalWeights(ck); err != nil {
			return fmt.Errorf("warm start from trial %d: %w", p, err)
		}
	}
	obj := t.opts.objective()
	r.improved = func() error {
		if !obj.Better(r.best, *trialBest) {
			return nil
		}
		*trialBest = r.best
		w, err := m.MarshalWeights()
		if err == nil {
			err = t.store.PutCheckpoint(r.trial.ID, w)
		}
		if err != nil {
			return &storeError{fmt.Errorf("checkpoint: %w", err)}
		}
		return nil
	}
	cfg := d.fit
	cfg.Epochs = r.trial.Epochs
	cfg.InitialEpoch = r.trial.InitialEpoch
	cfg.Seed = r.seed
	cfg.Callbacks = make([]nn.Callback, 0, len(d.fit.Callbacks)+1)
	for _, c := range d.fit.Callbacks {
		// Stateful callbacks such as EarlyStopping are copied per trial,
		// as Keras Tuner deep-copies them.
		if cl, ok := c.(interface{ Clone() nn.Callback }); ok {
			c = cl.Clone()
		}
		cfg.Callbacks = append(cfg.Callbacks, c)
	}
	cb := &callback{r: r}
	cb.batch, _ = t.opts.Observer.(BatchObserver)
	cfg.Callbacks = append(cfg.Callbacks, cb)
	_, err = t.model.Fit(ctx, h, m, d.x, d.y, cfg)
	// A HyperModel may declare hyperparameters in Fit too (batch size,
	// preprocessing).
	if herr := h.Err(); herr != nil {
		return herr
	}
	if gerr := t.growSpace(h.Space()); gerr != nil {
		return gerr
	}
	return err
}

// callObjective runs a custom objective once.
func (t *Tuner) callObjective(ctx context.Context, h *hp.HyperParameters, r *Reporter) error {
	final, err := t.fn(ctx, h, r)
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
func summarize(reps []*Reporter, obj trials.Objective) trials.Result {
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
