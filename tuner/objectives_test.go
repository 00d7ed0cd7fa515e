package tuner

import (
	"context"
	"errors"
	"testing"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
)

// twoObjectives trades a cost off against a quality, both from x.
func twoObjectives(_ context.Context, h *hp.HyperParameters, r *Reporter) (Metrics, error) {
	x := h.Float("x", 0, 1)
	y := h.Float("y", 0, 1)
	for e := range 2 {
		if err := r.Report(e, Metrics{"cost": x + y/float64(e+1), "quality": x * x}); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func TestMultiObjectiveSearch(t *testing.T) {
	objs := []goal.Objective{{Name: "cost"}, {Name: "quality", Direction: goal.Maximize}}
	dir := t.TempDir()
	_, err := New(ObjectiveFunc(twoObjectives), Options{Objectives: objs, Oracle: &oracle.TPE{}, Directory: dir})
	if err == nil {
		t.Fatal("TPE accepted for two objectives")
	}
	if _, err := New(ObjectiveFunc(twoObjectives), Options{Objectives: objs, Directory: dir}); err == nil {
		t.Fatal("an objective without an inferable direction was accepted")
	}
	objs[0].Direction = goal.Minimize
	tu := search(t, twoObjectives, Options{Objectives: objs, Oracle: &oracle.NSGA2{PopulationSize: 4}, MaxTrials: 12,
		Pruner: &oracle.ParetoStopping{}, ParallelTrials: 2, Seed: 3, Directory: dir})
	st, err := tu.Store().Study()
	if err != nil || len(st.Objectives) != 2 || st.Objective.Name != "cost" || st.Objectives[1].Direction != goal.Maximize {
		t.Fatalf("stored study objectives %+v, %v", st, err)
	}
	front, err := tu.ParetoFront()
	if err != nil {
		t.Fatal(err)
	}
	ts := allTrials(t, tu)
	if len(ts) != 12 || len(front) == 0 {
		t.Fatalf("%d trials, front of %d", len(ts), len(front))
	}
	for _, f := range front {
		for _, o := range ts {
			if o.Status == "completed" && o.Metrics["cost"] <= f.Metrics["cost"] && o.Metrics["quality"] >= f.Metrics["quality"] &&
				(o.Metrics["cost"] < f.Metrics["cost"] || o.Metrics["quality"] > f.Metrics["quality"]) {
				t.Errorf("trial %d dominates front trial %d", o.ID, f.ID)
			}
		}
	}
	// Reopening with other objectives is a mismatch.
	tu.Close()
	_, err = New(ObjectiveFunc(twoObjectives), Options{Objectives: objs[:1], Directory: dir})
	if !errors.Is(err, ErrStudyMismatch) {
		t.Errorf("other objectives: err = %v, want ErrStudyMismatch", err)
	}
}
