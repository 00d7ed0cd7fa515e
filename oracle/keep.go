package oracle

import "github.com/tunekit/tune/trials"

// Keeper is implemented by oracles whose proposals continue stored trials
// from their checkpoints (Hyperband): checkpoint retention keeps the
// checkpoints Keep names, whatever their scores.
type Keeper interface {
	// Keep returns the ids of the ended trials that a proposal still to
	// come may continue. Like Next, it is a function of s.
	Keep(s State) ([]int, error)
}

// Keep returns the completed trials of unfinished rounds, which may all
// still be promoted, and those of ended rounds that are due for promotion
// but not promoted yet. A promoted trial's checkpoint is needed until its
// child has ended; that is the caller's rule, for any oracle.
func (h *Hyperband) Keep(s State) ([]int, error) {
	c, err := h.settings()
	if err != nil {
		return nil, err
	}
	brackets, err := c.group(s.Trials, c.brackets())
	if err != nil {
		return nil, err
	}
	var keep []int
	for _, k := range brackets {
		for r := 1; r <= k.b; r++ {
			prev, ended := k.rounds[r-1], true
			for _, t := range prev {
				ended = ended && t.Status.Final()
			}
			promoted := make(map[int]bool, len(k.rounds[r]))
			for _, t := range k.rounds[r] {
				promoted[t.Parent] = true
			}
			n := c.size(k.b, r)
			if !ended {
				n = 0 // any of them
			}
			for _, t := range trials.Best(prev, s.Objective, n, trials.CompletedOnly) {
				if !promoted[t.ID] {
					keep = append(keep, t.ID)
				}
			}
		}
	}
	return keep, nil
}
