package main

import (
	"fmt"
	"io"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/trials"
)

// writeSummary writes the best trials like Keras Tuner's results_summary:
// each trial's hyperparameters (in the space's order), score and best
// epoch (counted from 1).
func writeSummary(w io.Writer, dir string, o goal.Objective, best []*trials.Trial, order []string) {
	fmt.Fprintf(w, "Results summary\nResults in %s\nObjective: %s (%s)\nShowing %d best trials\n", dir, o.Name, o.Direction, len(best))
	for _, t := range best {
		fmt.Fprintf(w, "\nTrial %d summary\nHyperparameters:\n", t.ID)
		for _, name := range orderedNames(t.Values, order) {
			fmt.Fprintf(w, "  %s: %s\n", name, formatValue(t.Values[name], 'g', -1))
		}
		fmt.Fprintf(w, "Score: %s (epoch %d)\n", formatScore(t.Score), t.BestEpoch+1)
	}
}
