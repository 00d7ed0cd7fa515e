package oracle_test

import (
	"fmt"

	"github.com/tunekit/tune/oracle"
)

func ExampleHyperband() {
	h := &oracle.Hyperband{MaxEpochs: 10, Factor: 3}
	for b := h.Brackets() - 1; b >= 0; b-- {
		fmt.Printf("bracket %d:", b)
		for r := 0; r <= b; r++ {
			fmt.Printf(" %d trials of %d epochs;", h.Size(b, r), h.Epochs(b, r))
		}
		fmt.Println()
	}
	fmt.Println(h.TrialsPerIteration(), "trials per iteration")
	// Output:
	// bracket 2: 12 trials of 2 epochs; 4 trials of 4 epochs; 2 trials of 10 epochs;
	// bracket 1: 6 trials of 4 epochs; 2 trials of 10 epochs;
	// bracket 0: 4 trials of 10 epochs;
	// 30 trials per iteration
}
