package tuner

import (
	"fmt"

	"github.com/tunekit/tune/hp"
)

// Enqueue queues values to run before the oracle's proposals, as Optuna's
// enqueue_trial: the next new trial a search creates (on any worker, or
// in a later run after a kill) takes them, and the store's transaction that
// creates it removes them from the queue, so they run exactly once.
// Hyperparameters left out take their defaults; a name the space does not
// hold, a value out of range or off the choices, or a value for an inactive
// hyperparameter is an error naming it, and nothing is queued. It returns
// the values as they will run.
//
// A custom objective's space is only known once it has run, so names it
// has not registered yet are queued as given and checked when the trial
// registers them.
//
// Enqueued trials count toward MaxTrials, and run only while the search
// creates trials: an oracle that is exhausted (a finished grid) or waits
// (Hyperband between rounds) leaves them queued until it proposes again.
func (t *Tuner) Enqueue(v hp.Values) (hp.Values, error) {
	t.mu.Lock()
	space := t.study.Space
	t.mu.Unlock()
	known, unknown := v, hp.Values(nil)
	if !t.declared {
		known, unknown = hp.Values{}, hp.Values{}
		for name, x := range v {
			if _, ok := space.Param(name); ok {
				known[name] = x
			} else {
				unknown[name] = x
			}
		}
	}
	out, err := space.Complete(known)
	if err != nil {
		return nil, fmt.Errorf("tuner: enqueue: %w", err)
	}
	for name, x := range unknown {
		out[name] = x
	}
	if err := t.store.Enqueue(out); err != nil {
		return nil, fmt.Errorf("tuner: enqueue: %w", err)
	}
	return out, nil
}
