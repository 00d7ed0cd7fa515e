package tuner

import (
	"context"
	"errors"
	"testing"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
)

// checkQueuedFirst asserts that trials 1..len(queued) ran the queued
// values in order, marked Enqueued, and that no other fresh trial did
// (Hyperband's promotions go on with their parents' values).
func checkQueuedFirst(t *testing.T, ts []*trials.Trial, queued []hp.Values) {
	t.Helper()
	keys := map[string]bool{}
	for _, v := range queued {
		keys[v.Key()] = true
	}
	for i, tr := range ts {
		if i < len(queued) {
			if !tr.Enqueued || tr.Values.Key() != queued[i].Key() || tr.Status != trials.Completed {
				t.Errorf("trial %d = %v (enqueued %v, %s), want the queued %v, completed", tr.ID, tr.Values, tr.Enqueued, tr.Status, queued[i])
			}
			continue
		}
		if tr.Enqueued || tr.Fresh() && keys[tr.Values.Key()] {
			t.Errorf("trial %d = %v (enqueued %v) runs queued values again", tr.ID, tr.Values, tr.Enqueued)
		}
	}
}

func TestEnqueueRunsFirstOnceWithParallelWorkers(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Objective: "loss", MaxTrials: 9, ParallelTrials: 3, Seed: 2, Directory: dir}
	// A first trial lets the custom objective declare its space.
	first := search(t, quickBranin, Options{Objective: "loss", MaxTrials: 1, Seed: 2, Directory: dir})
	var queued []hp.Values
	for _, v := range []hp.Values{{"x1": 3.0, "x2": 2.0}, {"x1": -1}, {"x2": 14.5, "x1": 9.5}, {"x1": 3.0, "x2": 2.0}} {
		got, err := first.Enqueue(v)
		if err != nil {
			t.Fatalf("Enqueue(%v): %v", v, err)
		}
		queued = append(queued, got)
	}
	// Defaults fill what is left out, and an int is taken for a float.
	if want := (hp.Values{"x1": -1.0, "x2": 0.0}); queued[1].Key() != want.Key() {
		t.Errorf("Enqueue(x1=-1) queued %v, want %v", queued[1], want)
	}
	for _, bad := range []struct {
		v    hp.Values
		want error
	}{
		{hp.Values{"x1": 11.0}, hp.ErrInvalid},
		{hp.Values{"x2": "a"}, hp.ErrInvalid},
	} {
		if _, err := first.Enqueue(bad.v); !errors.Is(err, bad.want) {
			t.Errorf("Enqueue(%v): err = %v, want %v", bad.v, err, bad.want)
		}
	}
	first.Close()

	tu := search(t, quickBranin, opts)
	ts := allTrials(t, tu)
	if len(ts) != 9 {
		t.Fatalf("%d trials, want 9", len(ts))
	}
	// Trial 1 ran before anything was queued; the queue comes next, the
	// same values twice as asked.
	checkQueuedFirst(t, ts[1:5], queued)
	for _, tr := range ts[5:] {
		if tr.Enqueued {
			t.Errorf("trial %d is marked enqueued", tr.ID)
		}
	}
	if q, err := tu.Store().Queued(); err != nil || len(q) != 0 {
		t.Errorf("queue after the search = %v, %v", q, err)
	}
}

// Enqueued values take the place of Hyperband's new trials, so its schedule
// stays whole.
func TestEnqueueWithHyperband(t *testing.T) {
	dir := t.TempDir()
	hb := &oracle.Hyperband{MaxEpochs: 9, Factor: 3}
	opts := Options{Objective: "loss", Oracle: hb, Seed: 4, Epochs: 3, Directory: dir, ParallelTrials: 2}
	tu, err := New(ObjectiveFunc(curveObjective), opts)
	if err != nil {
		t.Fatal(err)
	}
	queued := []hp.Values{{"x1": 9.4, "x2": 0.0}, {"x1": 3.1, "x2": 7.5}}
	for _, v := range queued {
		if _, err := tu.Enqueue(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := tu.Search(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := allTrials(t, tu)
	tu.Close()
	checkQueuedFirst(t, ts, queued)
	checkHyperbandSchedule(t, hb, ts, 1)
}

// Queued values survive kills: each runs exactly once, first, however the
// search was interrupted.
func TestEnqueueSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	o, maxTrials, _ := crashOracle("queued")
	tu, err := New(ObjectiveFunc(curveObjective), Options{
		Objective: "loss", Oracle: o, MaxTrials: maxTrials, Seed: 11, Epochs: oraclesEpochs,
		Directory: dir, ProjectName: "oracles",
	})
	if err != nil {
		t.Fatal(err)
	}
	var queued []hp.Values
	for i := range 12 {
		v, err := tu.Enqueue(hp.Values{"x1": float64(i) - 4.5, "x2": 7.5})
		if err != nil {
			t.Fatal(err)
		}
		queued = append(queued, v)
	}
	tu.Close()
	ts, _ := killAndResumeIn(t, dir, "queued", 2, 8)
	if len(ts) != maxTrials {
		t.Fatalf("%d trials, want %d", len(ts), maxTrials)
	}
	checkFullCurves(t, ts)
	checkQueuedFirst(t, ts, queued)
}
