package tuner

import (
	"sync"

	"github.com/tunekit/tune/trials"
)

// history is the tuner's decoded view of the stored trials, read by the
// oracle, the pruner and the failure check. It is derived from the store
// and nothing else: sync brings it in step before every use, so it starts
// from the store when the tuner opens and follows every commit, its own
// workers' and other processes'. With a store that lends its trials
// (trials.Lender, the bbolt store) that costs a pointer comparison per
// unchanged trial and indexing only the trials that changed; with any
// other store, a read of every trial.
type history struct {
	mu sync.Mutex // held across sync and the reads that follow
	h  trials.History
}

// sync brings h in step with store. The caller holds mu.
func (h *history) sync(store trials.Store) error {
	if l, ok := store.(trials.Lender); ok {
		return l.Lend(func(ts []*trials.Trial) error {
			h.h.Sync(ts)
			return nil
		})
	}
	ts, err := store.Trials()
	if err != nil {
		return err
	}
	h.h.Sync(ts)
	return nil
}
