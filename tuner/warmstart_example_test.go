package tuner_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/tuner"
)

// A study warm-started from another: the first project's trials seed the
// second one's oracle without counting as its trials.
func ExampleOptions_warmStart() {
	dir, _ := os.MkdirTemp("", "tune-example")
	defer os.RemoveAll(dir)

	bowl := func(_ context.Context, h *hp.HyperParameters, _ *tuner.Reporter) (tuner.Metrics, error) {
		x, y := h.Float("x", -5, 10), h.Float("y", 0, 15)
		return tuner.Metrics{"loss": (x-2)*(x-2) + (y-7)*(y-7)}, nil
	}
	run := func(opts tuner.Options) (*tuner.Tuner, error) {
		opts.Objective, opts.ParallelTrials, opts.Directory = "loss", 1, dir
		t, err := tuner.New(tuner.ObjectiveFunc(bowl), opts)
		if err != nil {
			return nil, err
		}
		if err := t.Search(context.Background()); err != nil {
			t.Close()
			return nil, err
		}
		return t, nil
	}
	first, err := run(tuner.Options{ProjectName: "first", MaxTrials: 20, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	first.Close()

	// A custom objective declares its space up front for a warm start.
	space, _ := hp.NewSpace(
		hp.Param{Name: "x", Kind: hp.KindFloat, Min: -5, Max: 10, Default: -5.0},
		hp.Param{Name: "y", Kind: hp.KindFloat, Min: 0, Max: 15, Default: 0.0},
	)
	second, err := run(tuner.Options{ProjectName: "second", MaxTrials: 3, Seed: 7,
		Oracle: &oracle.BayesianOptimization{}, HyperParameters: space,
		WarmStart: []string{filepath.Join(dir, "first")}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer second.Close()

	own, _ := second.Trials()
	fmt.Println(second.WarmStart().Len(), "seed trials;", len(own), "trials of its own")
	best, _ := second.BestTrials(1)
	fmt.Println("best loss below 0.1:", *best[0].Score < 0.1)
	// Output:
	// 20 seed trials; 3 trials of its own
	// best loss below 0.1: true
}
