package tuner

import (
	"maps"
	"slices"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
)

// DefaultKeepCheckpoints is Options.KeepCheckpoints' default: enough for
// tune best, predict and a look at the runners-up, while a long study's
// file stops growing by a checkpoint per trial.
const DefaultKeepCheckpoints = 10

// maxDrops bounds the checkpoints one Finish deletes, so that a resumed
// study whose KeepCheckpoints was lowered clears its backlog over several
// trials rather than in one large transaction (etcd bounds a
// transaction's operations).
const maxDrops = 64

// retention decides, as each trial ends, which checkpoints are no longer
// needed: those of ended trials that are neither among the best
// KeepCheckpoints completed trials, nor the parent of a trial not ended
// yet, nor one a
// proposal still to come may continue (oracle.Keeper). The decision goes
// into the trial's Finish, so the deletion and the end that causes it are
// one transaction.
//
// Its state is derived from the history: the best trials so far, and the
// trials that may still hold a checkpoint (from the store's list when it
// has one). Guarded by history.mu.
type retention struct {
	keep   int // best trials to keep; 0: retention is off
	loaded bool
	best   []*trials.Trial // the best completed trials, at most keep, best first
	seen   int             // how many of the history's ended trials best has taken in
	held   map[int]bool    // trials whose checkpoints may still exist and are not yet decided on
}

// load builds the state from the history: when the tuner opens the
// project, so that the first trial's end does not pay for it.
func (r *retention) load(h *trials.History, store trials.Store, o goal.Objective) error {
	held := map[int]bool{}
	if l, ok := store.(trials.CheckpointLister); ok {
		ids, err := l.CheckpointIDs()
		if err != nil {
			return err
		}
		for _, id := range ids {
			held[id] = true
		}
	} else {
		for _, t := range h.Trials() {
			if t.Status.Final() && len(t.History) > 0 {
				held[t.ID] = true
			}
		}
	}
	ended := h.Ended()
	r.loaded, r.held, r.best, r.seen = true, held, trials.Best(ended, o, r.keep, trials.CompletedOnly), len(ended)
	return nil
}

// ranked returns best with ts merged in, at most keep, best first.
func (r *retention) ranked(s oracle.State, ts ...*trials.Trial) []*trials.Trial {
	merged := slices.Clone(r.best)
	for _, t := range ts {
		if !slices.ContainsFunc(merged, func(b *trials.Trial) bool { return b.ID == t.ID }) {
			merged = append(merged, t)
		}
	}
	return trials.Best(merged, s.Objective, r.keep, trials.CompletedOnly)
}

// decide returns the checkpoints to delete when trial id ends with res,
// and a commit to call once that Finish has been stored. s holds the
// history before the end.
func (r *retention) decide(s oracle.State, o oracle.Oracle, store trials.Store, id int, res trials.Result) ([]int, func(), error) {
	h := s.History
	if !r.loaded {
		if err := r.load(h, store, s.Objective); err != nil {
			return nil, nil, err
		}
	}
	if r.seen > len(h.Ended()) {
		r.seen = 0 // the history was rebuilt
	}
	cur := h.Trial(id)
	if cur == nil {
		return nil, func() {}, nil
	}
	ended := *cur
	ended.Status, ended.Score = res.Status, res.Score
	after := h.Trials()
	i, _ := slices.BinarySearchFunc(after, id, func(t *trials.Trial, id int) int { return t.ID - id })
	best := r.ranked(s, append(h.Ended()[r.seen:], &ended)...)

	keep := map[int]bool{}
	for _, t := range best {
		keep[t.ID] = true
	}
	for _, t := range h.Unended() {
		if t.ID != id {
			// Its checkpoint is being written; its parent's may be read
			// again if it is interrupted.
			keep[t.ID], keep[t.Parent] = true, true
		}
	}
	if k, ok := o.(oracle.Keeper); ok {
		after = slices.Clone(after)
		after[i] = &ended
		s.Trials, s.History = after, nil
		ids, err := k.Keep(s)
		if err != nil {
			return nil, nil, err
		}
		for _, id := range ids {
			keep[id] = true
		}
	}
	held := maps.Clone(r.held)
	held[id] = true
	var drop []int
	for _, d := range slices.Sorted(maps.Keys(held)) {
		if !keep[d] && len(drop) < maxDrops {
			drop = append(drop, d)
			delete(held, d)
		}
	}
	seen := len(h.Ended())
	return drop, func() { r.best, r.held, r.seen = best, held, seen }, nil
}

// finish records the end of a trial, deleting with it the checkpoints
// retention no longer needs.
func (t *Tuner) finish(id int, res trials.Result) error {
	if t.opts.KeepCheckpoints < 0 {
		return t.store.Finish(id, res)
	}
	t.mu.Lock()
	st := oracle.State{Space: t.study.Space, Objective: t.study.Objective, Seed: t.study.Seed}
	t.mu.Unlock()
	t.hist.mu.Lock()
	defer t.hist.mu.Unlock()
	if err := t.hist.sync(t.store); err != nil {
		return err
	}
	st.Trials, st.History = t.hist.h.Trials(), &t.hist.h
	drop, commit, err := t.retain.decide(st, t.opts.Oracle, t.store, id, res)
	if err != nil {
		return err
	}
	res.DropCheckpoints = drop
	if err := t.store.Finish(id, res); err != nil {
		return err
	}
	commit()
	return nil
}
