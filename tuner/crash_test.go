package tuner

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// slowEpochs is how many epochs slowBranin reports.
const slowEpochs = 5

// branin is a standard test function with minimum 0.397887.
func branin(x1, x2 float64) float64 {
	b := 5.1 / (4 * math.Pi * math.Pi)
	c := 5 / math.Pi
	t := 1 / (8 * math.Pi)
	return math.Pow(x2-b*x1*x1+c*x1-6, 2) + 10*(1-t)*math.Cos(x1) + 10
}

// slowBranin reports slowEpochs epochs converging to Branin's value.
func slowBranin(ctx context.Context, h *hp.HyperParameters, r *Reporter) (Metrics, error) {
	x1 := h.Float("x1", -5, 10)
	x2 := h.Float("x2", 0, 15)
	for e := range slowEpochs {
		select {
		case <-time.After(15 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if err := r.Report(e, Metrics{"loss": branin(x1, x2) + float64(slowEpochs-1-e)}); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// A random search with two trials at a time, killed 20 times at random
// instants and resumed each time, ends with every trial intact and no id
// used twice (killAndResume is in oracles_crash_test.go).
func TestSearchSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	ts, killed := killAndResume(t, "random", 2, 20)
	if killed < 20 {
		t.Fatalf("the search ended after %d kills, before the 20 this test needs", killed)
	}
	_, maxTrials, _ := crashOracle("random")
	if len(ts) != maxTrials {
		t.Fatalf("%d trials, want %d", len(ts), maxTrials)
	}
	checkFullCurves(t, ts)
	distinctValues(t, ts)
}

// checkCompletedSearch asserts that ts are trials 1..n, all completed, each
// with its whole curve, a score equal to its best epoch, and distinct values.
func checkCompletedSearch(t *testing.T, ts []*trials.Trial, n, epochs int) {
	t.Helper()
	if len(ts) != n {
		t.Fatalf("%d trials, want %d", len(ts), n)
	}
	seen := map[string]int{}
	for i, tr := range ts {
		if tr.ID != i+1 {
			t.Fatalf("trial %d has id %d", i+1, tr.ID)
		}
		if tr.Status != trials.Completed {
			t.Fatalf("trial %d: status %s (%s)", tr.ID, tr.Status, tr.Error)
		}
		if prev, ok := seen[tr.Values.Key()]; ok {
			t.Fatalf("trials %d and %d have the same values %v", prev, tr.ID, tr.Values)
		}
		seen[tr.Values.Key()] = tr.ID
		if len(tr.History) != epochs {
			t.Fatalf("trial %d: %d epochs recorded, want %d", tr.ID, len(tr.History), epochs)
		}
		for e, ep := range tr.History {
			if ep.Epoch != e {
				t.Fatalf("trial %d: history entry %d is epoch %d", tr.ID, e, ep.Epoch)
			}
		}
		x1, _ := tr.Values["x1"].(float64)
		x2, _ := tr.Values["x2"].(float64)
		if tr.Score == nil || *tr.Score != branin(x1, x2) || tr.BestEpoch != epochs-1 {
			t.Fatalf("trial %d: score %v at epoch %d, want %v at %d", tr.ID, tr.Score, tr.BestEpoch, branin(x1, x2), epochs-1)
		}
	}
}
