package trials

import (
	"cmp"
	"slices"

	"github.com/tunekit/tune/goal"
)

// Best returns up to n scored trials (completed, or pruned with a score
// when includePruned), best first; ties go to the lower id. n <= 0 means all.
func Best(ts []*Trial, o goal.Objective, n int, includePruned bool) []*Trial {
	var out []*Trial
	for _, t := range ts {
		if t.Score != nil && (t.Status == Completed || includePruned && t.Status == Pruned) {
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
