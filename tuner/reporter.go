package tuner

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
)

// Reporter records the epochs of one execution of a trial as they finish.
type Reporter struct {
	t         *Tuner
	trial     *trials.Trial
	execution int
	seed      int64

	best      float64 // best objective value of this execution
	bestEpoch int
	bestLogs  Metrics
	seen      bool

	// trialBest is the best value of every execution of the trial so far;
	// improved, if set, is called when this execution beats it, to save a
	// checkpoint.
	trialBest *float64
	improved  func() error
}

// Trial returns the id of the trial being run.
func (r *Reporter) Trial() int { return r.trial.ID }

// Execution returns which execution of the trial this is (0-based).
func (r *Reporter) Execution() int { return r.execution }

// Seed returns the seed for this execution's random draws.
func (r *Reporter) Seed() int64 { return r.seed }

// Epochs returns the epoch to train up to; InitialEpoch the one to start at.
func (r *Reporter) Epochs() int { return r.trial.Epochs }

// InitialEpoch returns the first epoch to run.
func (r *Reporter) InitialEpoch() int { return r.trial.InitialEpoch }

// Report stores the metrics of one finished epoch. It returns an error,
// which the objective should return, when a metric is NaN or infinite (a
// *DivergedError) or the store fails.
func (r *Reporter) Report(epoch int, metrics Metrics) error {
	if epoch < 0 || epoch >= trials.MaxEpoch || (r.trial.Epochs > 0 && epoch >= r.trial.Epochs) {
		// The store refuses such a record as damage.
		return fmt.Errorf("epoch %d reported, beyond the trial's %d epochs (Reporter.Epochs)", epoch+1, r.trial.Epochs)
	}
	if err := checkFinite(slices.Sorted(maps.Keys(metrics)), metrics, epoch, ""); err != nil {
		return err
	}
	e := trials.Epoch{Execution: r.execution, Epoch: epoch, Metrics: maps.Clone(metrics)}
	if err := r.t.store.AppendEpoch(r.trial.ID, e); err != nil {
		return &storeError{err}
	}
	if obs := r.t.opts.Observer; obs != nil {
		obs.EpochEnded(r.trial, e)
	}
	v, ok := metrics[r.t.opts.Objective]
	if !ok {
		return fmt.Errorf("objective %q is not among the metrics %v", r.t.opts.Objective, slices.Sorted(maps.Keys(metrics)))
	}
	obj := r.t.opts.objective
	if !r.seen || obj.Better(v, r.best) {
		r.best, r.bestEpoch, r.bestLogs, r.seen = v, epoch, e.Metrics, true
		if obj.Better(r.best, *r.trialBest) {
			*r.trialBest = r.best
			if r.improved != nil {
				if err := r.improved(); err != nil {
					return err
				}
			}
		}
	}
	return r.t.prune(r.trial, epoch, v)
}

// callback adapts a Reporter to an nn training loop.
type callback struct {
	nn.BaseCallback
	r     *Reporter
	batch BatchObserver // nil unless the observer wants batches
	epoch int

	// Built-in metrics added to every epoch's logs when an objective
	// names them: params when positive, epoch_seconds when epochTime.
	params    float64
	epochTime bool
	began     time.Time
}

func (c *callback) OnEpochBegin(_ *nn.Model, epoch int) error {
	c.epoch, c.began = epoch, time.Now()
	return nil
}

func (c *callback) OnBatchEnd(_ *nn.Model, batch int, logs nn.Logs) error {
	if c.batch != nil {
		c.batch.BatchEnded(c.r.trial, c.epoch, batch, logs)
	}
	return nil
}

func (c *callback) OnEpochEnd(_ *nn.Model, epoch int, logs nn.Logs) error {
	if err := checkFinite(slices.Sorted(maps.Keys(logs)), Metrics(logs), epoch, trainingHint); err != nil {
		return err
	}
	if err := checkLoss(Metrics(logs), epoch); err != nil {
		return err
	}
	if c.params > 0 || c.epochTime {
		logs = maps.Clone(logs)
		if c.params > 0 {
			logs[MetricParams] = c.params
		}
		if c.epochTime {
			logs[MetricEpochSeconds] = time.Since(c.began).Seconds()
		}
	}
	return c.r.Report(epoch, Metrics(logs))
}

// storeError marks a failure of the store, which ends the search; every
// other error inside a trial only fails that trial.
type storeError struct{ err error }

func (e *storeError) Error() string { return e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// prune asks the pruner whether the trial should stop after this epoch.
// It reads the tuner's history without holding t.mu, so that a pruner does
// not wait for the oracle; the pruner is a function of the history it is
// given.
func (t *Tuner) prune(tr *trials.Trial, epoch int, value float64) error {
	if t.opts.Pruner == nil {
		return nil
	}
	space := t.Space() // before hist.mu: next takes t.mu, then hist.mu
	t.hist.mu.Lock()
	defer t.hist.mu.Unlock()
	if err := t.hist.sync(t.store); err != nil {
		return &storeError{err}
	}
	h := &t.hist.h
	stop, err := t.opts.Pruner.Prune(oracle.State{Space: space, Objective: t.opts.objective, Objectives: t.opts.multi(), Seed: t.opts.Seed, Trials: h.Trials(), History: h}, h.Trial(tr.ID), epoch, value)
	if err != nil {
		return fmt.Errorf("pruner %s: %w", t.opts.Pruner.Name(), err)
	}
	if stop {
		return ErrPruned
	}
	return nil
}
