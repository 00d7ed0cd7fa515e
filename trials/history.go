package trials

import (
	"cmp"
	"slices"
)

// History is the trials of a study in id order with the indexes that
// oracles, pruners and the tuner ask of them (the sets of values tried,
// the running trials, the order trials ended in), kept up to date trial by
// trial instead of rebuilt on every question. It is derived from the
// store: Sync brings it in step with the trials a store returns.
//
// A History holds the trials it is given, not copies: nobody may change
// them (a store's change is a new *Trial, as in the Bolt store's cache).
// A History is not safe for concurrent use.
type History struct {
	trials  []*Trial
	key     []string       // Values.Key() of trials[i]
	keys    map[string]int // how many trials hold each key
	running int
	ended   []*Trial // final trials by (Ended, ID)
	unended []*Trial // the others, by ID
}

// Sync makes h hold ts, every trial of a store in id order. Only the
// trials that are not the same *Trial as the one h holds are indexed
// again, so a store that hands out its own unchanged trials (Lender) costs
// one pointer comparison per trial; a history whose ids no longer match
// (after a Reset) is rebuilt.
func (h *History) Sync(ts []*Trial) {
	if len(ts) < len(h.trials) {
		h.rebuild(ts)
		return
	}
	for i, t := range ts[:len(h.trials)] {
		if t == h.trials[i] {
			continue
		}
		if t.ID != h.trials[i].ID {
			h.rebuild(ts)
			return
		}
		h.remove(i)
		h.trials[i] = t
		h.add(i)
	}
	for _, t := range ts[len(h.trials):] {
		h.trials = append(h.trials, t)
		h.key = append(h.key, "")
		h.add(len(h.trials) - 1)
	}
}

func (h *History) rebuild(ts []*Trial) {
	*h = History{}
	h.Sync(ts)
}

// add indexes trials[i].
func (h *History) add(i int) {
	t := h.trials[i]
	if h.keys == nil {
		h.keys = make(map[string]int)
	}
	h.key[i] = t.Values.Key()
	h.keys[h.key[i]]++
	if t.Status == Running {
		h.running++
	}
	if !t.Status.Final() {
		j, _ := slices.BinarySearchFunc(h.unended, t.ID, byID)
		h.unended = slices.Insert(h.unended, j, t)
		return
	}
	// Trials end in about the order they are seen: the search starts from
	// the end.
	j := len(h.ended)
	for j > 0 && endedOrder(h.ended[j-1], t) > 0 {
		j--
	}
	h.ended = slices.Insert(h.ended, j, t)
}

func byID(t *Trial, id int) int { return cmp.Compare(t.ID, id) }

// remove drops trials[i] from the indexes.
func (h *History) remove(i int) {
	t := h.trials[i]
	if n := h.keys[h.key[i]] - 1; n > 0 {
		h.keys[h.key[i]] = n
	} else {
		delete(h.keys, h.key[i])
	}
	if t.Status == Running {
		h.running--
	}
	if !t.Status.Final() {
		if j, ok := slices.BinarySearchFunc(h.unended, t.ID, byID); ok {
			h.unended = slices.Delete(h.unended, j, j+1)
		}
	} else if j := slices.Index(h.ended, t); j >= 0 {
		h.ended = slices.Delete(h.ended, j, j+1)
	}
}

func endedOrder(a, b *Trial) int {
	if c := a.Ended.Compare(b.Ended); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// Trials returns the trials in id order. The slice is h's: read it, do not
// change it or keep it past the next Sync.
func (h *History) Trials() []*Trial { return slices.Clip(h.trials) }

// Len returns the number of trials.
func (h *History) Len() int { return len(h.trials) }

// Trial returns the trial with id, or nil.
func (h *History) Trial(id int) *Trial {
	i, ok := slices.BinarySearchFunc(h.trials, id, byID)
	if !ok {
		return nil
	}
	return h.trials[i]
}

// Tried reports whether a trial holds values whose hp.Values.Key is key.
func (h *History) Tried(key string) bool { return h.keys[key] > 0 }

// Running returns how many trials are Running.
func (h *History) Running() int { return h.running }

// Ended returns the trials with a final status in the order they ended
// (by Ended, then id). The slice is h's, as for Trials.
func (h *History) Ended() []*Trial { return slices.Clip(h.ended) }

// Unended returns the trials that are not final (running and pending), in
// id order. The slice is h's, as for Trials.
func (h *History) Unended() []*Trial { return slices.Clip(h.unended) }

// Lender is implemented by stores that can lend their trials without
// copying them, for a History to Sync with at the cost of a pointer
// comparison per unchanged trial.
type Lender interface {
	// Lend calls fn with every trial in id order, as the store holds them:
	// fn must not change them, nor keep the slice (it may keep the
	// trials). Writes wait until fn returns.
	Lend(fn func(ts []*Trial) error) error
}

// CheckpointLister is implemented by stores that can list which trials
// have a checkpoint without reading them, for checkpoint retention to
// know what there is to delete.
type CheckpointLister interface {
	CheckpointIDs() ([]int, error)
}
