package tuner_test

import (
	"context"
	"fmt"
	"os"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/tuner"
)

// A custom objective: anything that turns hyperparameters into metrics.
func ExampleObjectiveFunc() {
	dir, _ := os.MkdirTemp("", "tune-example")
	defer os.RemoveAll(dir)

	quadratic := func(_ context.Context, h *hp.HyperParameters, _ *tuner.Reporter) (tuner.Metrics, error) {
		x := h.Int("x", -3, 3)
		kind := h.ChoiceString("kind", []string{"plain", "shifted"})
		if kind == "shifted" {
			x -= 1
		}
		return tuner.Metrics{"loss": float64(x * x)}, nil
	}
	t, err := tuner.New(tuner.ObjectiveFunc(quadratic), tuner.Options{
		Objective: "loss", Oracle: &oracle.GridSearch{}, ParallelTrials: 1,
		Directory: dir, ProjectName: "quadratic",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer t.Close()
	if err := t.Search(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	best, _ := t.BestTrials(1)
	all, _ := t.Trials()
	fmt.Println(len(all), "trials;", t.StopReason())
	fmt.Println("best:", best[0].Values, "loss", *best[0].Score)
	// Output:
	// 14 trials; search space exhausted
	// best: kind=plain x=0 loss 0
}
