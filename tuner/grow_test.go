package tuner

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// TestParallelTrialsGrowTheSpace runs trials in parallel whose objective
// declares a new hyperparameter in every trial, so that the study's space
// is replaced while other trials start executions and read their seeds.
// Under -race it fails if any of those reads is unguarded.
func TestParallelTrialsGrowTheSpace(t *testing.T) {
	const maxTrials, executions = 12, 2
	var mu sync.Mutex
	seeds := map[[2]int]int64{}
	grow := func(_ context.Context, h *hp.HyperParameters, r *Reporter) (Metrics, error) {
		x := h.Int("x", 0, 9)
		extra := h.Int(fmt.Sprintf("extra_%02d", r.Trial()), 0, 3, hp.Default(1))
		mu.Lock()
		seeds[[2]int{r.Trial(), r.Execution()}] = r.Seed()
		mu.Unlock()
		return Metrics{"loss": float64(x + extra)}, nil
	}
	tu := search(t, grow, Options{Objective: "loss", MaxTrials: maxTrials, ExecutionsPerTrial: executions,
		ParallelTrials: 4, Seed: 9, Directory: t.TempDir()})
	ts := allTrials(t, tu)
	if len(ts) != maxTrials {
		t.Fatalf("%d trials, want %d", len(ts), maxTrials)
	}
	space := tu.Space()
	if space.Len() != 1+maxTrials {
		t.Errorf("space has %d hyperparameters, want x and one per trial (%d): %v", space.Len(), 1+maxTrials, space)
	}
	for _, tr := range ts {
		name := fmt.Sprintf("extra_%02d", tr.ID)
		if tr.Status != trials.Completed || tr.Values[name] != 1 {
			t.Errorf("trial %d: %s with values %v, want completed with %s=1 recorded", tr.ID, tr.Status, tr.Values, name)
		}
		for e := range executions {
			if got, want := seeds[[2]int{tr.ID, e}], trialSeed(9, tr.ID, e); got != want {
				t.Errorf("trial %d execution %d ran with seed %d, want %d", tr.ID, e, got, want)
			}
		}
	}
}
