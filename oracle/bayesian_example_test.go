package oracle_test

import (
	"fmt"
	"math"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
)

// The oracle proposes, the caller evaluates and records a completed trial,
// and the next proposal uses every trial so far.
func ExampleBayesianOptimization() {
	space, _ := hp.NewSpace(
		hp.Param{Name: "lr", Kind: hp.KindFloat, Min: 1e-4, Max: 1, Sampling: hp.Log},
		hp.Param{Name: "optimizer", Kind: hp.KindChoice, Values: []any{"sgd", "adam", "rmsprop"}},
	)
	o := &oracle.BayesianOptimization{Acquisition: "ei"}
	s := oracle.State{Space: space, Objective: goal.Objective{Name: "val_loss", Direction: goal.Minimize}, Seed: 1}
	for i := range 20 {
		p, err := o.Next(s)
		if err != nil {
			fmt.Println(err)
			return
		}
		// A made-up validation loss: best with adam at lr = 0.003.
		lr, opt := p.Values["lr"].(float64), p.Values["optimizer"]
		loss := math.Pow(math.Log10(lr/0.003), 2)
		if opt != "adam" {
			loss += 0.5
		}
		s.Trials = append(s.Trials, &trials.Trial{ID: i + 1, Status: trials.Completed, Values: p.Values, Score: &loss})
	}
	best := trials.Best(s.Trials, s.Objective, 1, trials.CompletedOnly)[0]
	fmt.Printf("%s, lr ≈ %.3f\n", best.Values["optimizer"], best.Values["lr"])
	// Output: adam, lr ≈ 0.003
}
