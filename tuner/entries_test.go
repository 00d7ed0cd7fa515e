package tuner

import (
	"errors"
	"testing"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
)

// Keras Tuner's hyperparameters=, tune_new_entries and allow_new_entries.
func TestPredefinedHyperParameters(t *testing.T) {
	pre, err := hp.NewSpace(hp.Param{Name: "lr", Kind: hp.KindFixed, Values: []any{0.01}})
	if err != nil {
		t.Fatal(err)
	}
	// lr is pinned, the other names fixed at their defaults: every trial
	// runs units=4 activation=relu lr=0.01, and the models rebuild.
	tu, _, _ := searchModel(t, Options{Objective: "val_accuracy", MaxTrials: 2, ParallelTrials: 1, Directory: t.TempDir(),
		HyperParameters: pre, FixNewEntries: true})
	for _, tr := range allTrials(t, tu) {
		if tr.Values["lr"] != 0.01 || tr.Values["units"] != 4 || tr.Values["activation"] != "relu" {
			t.Errorf("trial %d ran %v", tr.ID, tr.Values)
		}
	}
	if p, _ := tu.Space().Param("units"); p.Kind != hp.KindFixed {
		t.Errorf("units is %s, want fixed", p.Kind)
	}
	if _, err := tu.BestModels(1); err != nil {
		t.Errorf("BestModels: %v", err)
	}
	// Without FixNewEntries the other names are tuned.
	tu, _, _ = searchModel(t, Options{Objective: "val_accuracy", MaxTrials: 3, ParallelTrials: 1, Seed: 1, Directory: t.TempDir(), HyperParameters: pre})
	units := map[any]bool{}
	for _, tr := range allTrials(t, tu) {
		units[tr.Values["units"]] = true
		if tr.Values["lr"] != 0.01 {
			t.Errorf("trial %d: lr %v, want the predefined 0.01", tr.ID, tr.Values["lr"])
		}
	}
	if len(units) < 2 {
		t.Errorf("units not tuned: %v", units)
	}
	// RefuseNewEntries: the build's other names are errors.
	x, y, _, _ := spirals(t)
	_, err = New(&Training{HyperModel: BuildFunc(buildMLP), X: x, Y: y, Config: nn.FitConfig{Epochs: 1}},
		Options{Objective: "accuracy", Directory: t.TempDir(), HyperParameters: pre, RefuseNewEntries: true})
	if !errors.Is(err, hp.ErrNewEntry) {
		t.Errorf("RefuseNewEntries: err = %v, want ErrNewEntry", err)
	}
}
