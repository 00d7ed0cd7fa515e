package tuner

import (
	"context"
	"slices"
	"testing"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
)

// epochCurve reports the epochs of a loss that falls towards x.
func epochCurve(_ context.Context, h *hp.HyperParameters, r *Reporter) (Metrics, error) {
	x := h.Float("x", 0, 10)
	for e := r.InitialEpoch(); e < r.Epochs(); e++ {
		if err := r.Report(e, Metrics{"loss": x + 5/float64(e+1)}); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// The pruners stop trials through the tuner: one trial at a time, every
// decision is the pruner's on the history as it stood, a pruned trial keeps
// its curve and is scored on its best epoch so far.
func TestPrunersInASearch(t *testing.T) {
	for _, p := range []oracle.Pruner{
		&oracle.MedianStopping{WarmupTrials: 3, WarmupEpochs: 1},
		&oracle.SuccessiveHalving{MinEpochs: 1, ReductionFactor: 2},
	} {
		t.Run(p.Name(), func(t *testing.T) {
			tu, err := New(ObjectiveFunc(epochCurve), Options{Objective: "loss", MaxTrials: 16, ParallelTrials: 1, Seed: 8, Epochs: 6,
				Pruner: p, Directory: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer tu.Close()
			if err := tu.Search(context.Background()); err != nil {
				t.Fatal(err)
			}
			ts := allTrials(t, tu)
			obj := goal.Objective{Name: "loss", Direction: goal.Minimize}
			pruned := 0
			for k, tr := range ts {
				if tr.Status == trials.Pruned {
					pruned++
				} else if tr.Status != trials.Completed {
					t.Fatalf("trial %d: %s %s", tr.ID, tr.Status, tr.Error)
				}
				for i, e := range tr.History {
					if e.Epoch != i {
						t.Fatalf("trial %d: history entry %d is epoch %d", tr.ID, i, e.Epoch)
					}
					cur := *tr
					cur.Status, cur.History = trials.Running, tr.History[:i+1]
					s := oracle.State{Space: tu.Space(), Objective: obj, Trials: append(slices.Clone(ts[:k]), &cur)}
					stop, err := p.Prune(s, &cur, e.Epoch, e.Metrics["loss"])
					if err != nil {
						t.Fatal(err)
					}
					last := i == len(tr.History)-1
					if stop != (last && tr.Status == trials.Pruned) {
						t.Fatalf("trial %d epoch %d: the pruner says %v, the trial is %s after %d epochs", tr.ID, e.Epoch, stop, tr.Status, len(tr.History))
					}
				}
				best := tr.History[len(tr.History)-1].Metrics["loss"]
				if tr.Score == nil || *tr.Score != best {
					t.Fatalf("trial %d: score %v, want %v", tr.ID, tr.Score, best)
				}
			}
			if pruned == 0 || pruned == len(ts) {
				t.Errorf("%d of %d trials pruned", pruned, len(ts))
			}
			t.Logf("%d of %d trials pruned", pruned, len(ts))
		})
	}
}
