package trials

import (
	"cmp"
	"slices"

	"github.com/tunekit/tune/goal"
)

// Ranked says which scored trials Best ranks.
type Ranked int

const (
	// CompletedOnly ranks the completed trials.
	CompletedOnly Ranked = iota
	// WithPruned ranks the pruned trials that have a score too (their
	// best epoch's), as a report of everything run does.
	WithPruned
)

// Best returns up to n scored trials of those which says, best first; ties
// go to the lower id. n <= 0 means all.
func Best(ts []*Trial, o goal.Objective, n int, which Ranked) []*Trial {
	var out []*Trial
	for _, t := range ts {
		if t.Score != nil && (t.Status == Completed || which == WithPruned && t.Status == Pruned) {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b *Trial) int {
		switch {
		case o.Better(*a.Score, *b.Score):
			return -1
		case o.Better(*b.Score, *a.Score):
			return 1
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}
