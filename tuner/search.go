package tuner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
)

// StopDeadline is the StopReason of a search that reached Options.Deadline.
const StopDeadline = "reached the deadline"

// errDone tells a worker the search is over.
var errDone = errors.New("search done")

// errMaxTrials tells next that the history read by Propose holds
// MaxTrials trials already.
var errMaxTrials = errors.New("max trials reached")

// errWaitRunning tells next that the oracle waits for a running trial.
var errWaitRunning = errors.New("oracle waits for a running trial")

// Search runs trials until MaxTrials exist, the oracle is exhausted, too
// many trials fail in a row, or ctx is cancelled. It resumes a project:
// trials left running by a crash run again first.
//
// On cancellation Search returns ctx's error and the project stays
// resumable.
func (t *Tuner) Search(ctx context.Context) error {
	if _, err := t.store.RequeueRunning(); err != nil {
		return fmt.Errorf("tuner: %w", err)
	}
	started := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	for range t.opts.ParallelTrials {
		g.Go(func() error { return t.work(gctx, started) })
	}
	err := g.Wait()
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("tuner: search interrupted; run it again to resume: %w", ctx.Err())
	}
	return err
}

// work runs trials one after another until the search is over.
func (t *Tuner) work(ctx context.Context, started time.Time) error {
	for {
		tr, wait, err := t.next(ctx, started)
		switch {
		case errors.Is(err, errDone):
			return nil
		case err != nil:
			return err
		case tr == nil:
			// Trials of other workers sharing the store end without a
			// word to this one: look again now and then.
			select {
			case <-wait:
			case <-time.After(200 * time.Millisecond):
			case <-ctx.Done():
				return nil
			}
			continue
		}
		if err := t.run(ctx, tr); err != nil {
			return err
		}
	}
}

// next returns the trial to run, or (nil, wait) when the worker should wait
// for a running trial to end.
func (t *Tuner) next(ctx context.Context, started time.Time) (*trials.Trial, <-chan struct{}, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if ctx.Err() != nil {
		return nil, nil, errDone
	}
	t.hist.mu.Lock()
	defer t.hist.mu.Unlock()
	if err := t.hist.sync(t.store); err != nil {
		return nil, nil, fmt.Errorf("tuner: %w", err)
	}
	h := &t.hist.h
	if err := t.checkFailures(h, started); err != nil {
		return nil, nil, err
	}
	if !t.opts.Deadline.IsZero() && !time.Now().Before(t.opts.Deadline) {
		t.stop = StopDeadline
		return nil, nil, errDone
	}
	tr, ok, err := t.store.Claim()
	if err != nil {
		return nil, nil, fmt.Errorf("tuner: %w", err)
	}
	if ok {
		return tr, nil, nil
	}
	stored := h.Len()
	// Until a running trial ends, there may be nothing new to do: a
	// failing trial may be retried, Hyperband may promote, and a custom
	// objective's space is unknown until its first trial has run. Pending
	// trials count as running: with workers sharing the store, another
	// worker may have claimed one since Claim looked, or a dead worker's
	// trial may come back to the queue.
	waitOrDone := func(reason string) (*trials.Trial, <-chan struct{}, error) {
		if len(h.Unended()) > 0 {
			return nil, t.changed, nil
		}
		t.stop = reason
		return nil, nil, errDone
	}
	if stored >= t.opts.MaxTrials {
		return waitOrDone(fmt.Sprintf("reached max trials (%d)", t.opts.MaxTrials))
	}
	if !t.declared {
		// Other workers' trials may have found hyperparameters of the
		// objective that this one's trials have not.
		if err := t.adoptSpace(); err != nil {
			return nil, nil, fmt.Errorf("tuner: %w", err)
		}
	}
	if !t.declared && t.study.Space.Len() == 0 && stored > 0 {
		return waitOrDone("the objective declares no hyperparameters")
	}
	// The oracle proposes inside Store.Propose: with a store shared by
	// several workers, a proposal computed from a history that another
	// worker has since added to is dropped and made again.
	// The oracle reads the tuner's history, brought in step with the
	// store's inside the transaction.
	tr, err = t.store.Propose(func(history []*trials.Trial) (*trials.Trial, error) {
		h.Sync(history)
		if h.Len() >= t.opts.MaxTrials {
			return nil, errMaxTrials
		}
		p, err := t.opts.Oracle.Next(oracle.State{Space: t.study.Space, Objective: t.study.Objective, Objectives: t.study.Objectives, Seed: t.study.Seed, Trials: h.Trials(), History: h, Prior: t.prior})
		if errors.Is(err, oracle.ErrWait) && len(h.Unended()) > 0 {
			return nil, errWaitRunning
		}
		if err != nil {
			return nil, err
		}
		return &trials.Trial{Values: p.Values, Schedule: p.Schedule}, nil
	})
	switch {
	case errors.Is(err, errMaxTrials):
		return waitOrDone(fmt.Sprintf("reached max trials (%d)", t.opts.MaxTrials))
	case errors.Is(err, oracle.ErrExhausted):
		return waitOrDone(err.Error())
	case errors.Is(err, errWaitRunning):
		// The oracle waits for a trial still running here or on another
		// worker.
		return nil, t.changed, nil
	case err != nil:
		return nil, nil, fmt.Errorf("tuner: oracle %s: %w", t.opts.Oracle.Name(), err)
	}
	return tr, nil, nil
}

// checkFailures ends the search when the last trials that ended since it
// started all failed. Failures of earlier runs do not count, so a user who
// fixed the cause can resume.
func (t *Tuner) checkFailures(h *trials.History, started time.Time) error {
	limit := t.opts.MaxConsecutiveFailedTrials
	if limit < 0 {
		return nil
	}
	ended := h.Ended()
	streak := 0
	for i := len(ended) - 1; i >= 0 && ended[i].Status == trials.Failed && !ended[i].Ended.Before(started); i-- {
		streak++
	}
	if streak >= limit {
		last := ended[len(ended)-1]
		return fmt.Errorf("tuner: %d trials failed in a row, the last (trial %d): %s: %w", streak, last.ID, last.Error, ErrTooManyFailures)
	}
	return nil
}

// run runs one trial and records how it ended. Only store failures are
// returned: anything else fails the trial, not the search, and a trial
// whose claim was lost (trials.ErrClaimLost) is dropped; the observer
// sees it end still Running, with that error.
func (t *Tuner) run(ctx context.Context, tr *trials.Trial) error {
	if obs := t.opts.Observer; obs != nil {
		obs.TrialStarted(tr)
	}
	res, err := t.execute(ctx, tr)
	var se *storeError
	switch {
	case errors.As(err, &se):
		err = se.err
	case ctx.Err() != nil:
		// Interrupted: the trial runs again on resume.
		err = t.store.Requeue(tr.ID, trials.RequeueReason)
	case err != nil && errors.As(err, new(*DivergedError)):
		// The plain reason, without the layers that wrapped it.
		var de *DivergedError
		errors.As(err, &de)
		err = t.store.Finish(tr.ID, trials.Result{Status: trials.Failed, Error: de.Error(), Values: res.Values})
	case err != nil && tr.Attempt < t.opts.MaxRetriesPerTrial:
		err = t.store.Requeue(tr.ID, err.Error())
	case err != nil:
		err = t.finish(tr.ID, trials.Result{Status: trials.Failed, Error: err.Error(), Values: res.Values})
	default:
		err = t.finish(tr.ID, res)
	}
	lost := errors.Is(err, trials.ErrClaimLost)
	if err != nil && !lost {
		return fmt.Errorf("tuner: trial %d: %w", tr.ID, err)
	}
	t.mu.Lock()
	close(t.changed)
	t.changed = make(chan struct{})
	t.mu.Unlock()
	obs := t.opts.Observer
	switch {
	case obs == nil:
	case lost:
		// A store shared by workers gave the trial to another worker (this
		// one was cut off past its lease): this worker drops it and goes
		// on, and the other worker's record stands.
		dropped := *tr
		dropped.Error = err.Error()
		obs.TrialEnded(&dropped)
	default:
		if done, err := t.store.Trial(tr.ID); err == nil {
			obs.TrialEnded(done)
		}
	}
	return nil
}
