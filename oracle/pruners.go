package oracle

import (
	"maps"
	"slices"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/trials"
)

// Helpers shared by the pruners. A trial's curve for one execution is the
// objective's values at the epochs it logged; a trial trained by several
// executions counts by the mean over the executions that reached an epoch.

// currentExecution returns the execution of the trial's entry for epoch
// (the one just logged), and the epoch that execution logged before it, or
// -1 if none.
func currentExecution(t *trials.Trial, epoch int) (execution, prev int) {
	prev = -1
	if t == nil {
		return 0, prev
	}
	for i := len(t.History) - 1; i >= 0; i-- {
		if e := t.History[i]; e.Epoch == epoch {
			execution = e.Execution
			break
		}
	}
	for _, e := range t.History {
		if e.Execution == execution && e.Epoch < epoch && e.Epoch > prev {
			prev = e.Epoch
		}
	}
	return execution, prev
}

// bestSoFar returns the best value of metric logged by one execution of t
// at epochs up to epoch; ok is false if there is none.
func bestSoFar(t *trials.Trial, obj goal.Objective, execution, epoch int) (best float64, ok bool) {
	for _, e := range t.History {
		if e.Execution != execution || e.Epoch > epoch {
			continue
		}
		if v, has := e.Metrics[obj.Name]; has && (!ok || obj.Better(v, best)) {
			best, ok = v, true
		}
	}
	return best, ok
}

// valueAt returns the mean over t's executions of the value each logged at
// epoch.
func valueAt(t *trials.Trial, metric string, epoch int) (float64, bool) {
	sum, n := 0.0, 0
	for _, e := range t.History {
		if v, ok := e.Metrics[metric]; ok && e.Epoch == epoch {
			sum += v
			n++
		}
	}
	return sum / float64(n), n > 0
}

// bestWhenReached returns the mean over t's executions that logged an
// epoch at or after epoch of the best value each had at the first such
// epoch: its standing when it reached epoch.
func bestWhenReached(t *trials.Trial, obj goal.Objective, epoch int) (float64, bool) {
	first := map[int]int{} // execution → first epoch ≥ epoch
	for _, e := range t.History {
		if _, ok := e.Metrics[obj.Name]; !ok || e.Epoch < epoch {
			continue
		}
		if f, ok := first[e.Execution]; !ok || e.Epoch < f {
			first[e.Execution] = e.Epoch
		}
	}
	sum, n := 0.0, 0
	for _, x := range slices.Sorted(maps.Keys(first)) {
		if v, ok := bestSoFar(t, obj, x, first[x]); ok {
			sum += v
			n++
		}
	}
	return sum / float64(n), n > 0
}
