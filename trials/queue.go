package trials

import "github.com/tunekit/tune/hp"

// Queued trials: values a user asks to run before the oracle's proposals
// (Optuna's enqueue_trial). They wait in the store as records of their own,
// not as trials, so they hold no trial id and no oracle sees them; the
// transaction that creates a proposed trial takes the oldest of them. See
// Store.Enqueue.

// Fresh reports whether t starts training from scratch (no parent, from
// epoch 0): only a fresh proposal takes queued values, so a Hyperband
// promotion keeps its parent's values.
func (t *Trial) Fresh() bool { return t.Parent == 0 && t.InitialEpoch == 0 }

// WithQueued returns the trial a Store creates for proposal p when v is
// the oldest queued set of values (nil: none), and whether v was used: a
// copy of p with v as its values and Enqueued set. It does not change p.
func WithQueued(p *Trial, v hp.Values) (*Trial, bool) {
	if v == nil || !p.Fresh() {
		return p, false
	}
	n := *p
	n.Values, n.Enqueued = v.Clone(), true
	return &n, true
}
