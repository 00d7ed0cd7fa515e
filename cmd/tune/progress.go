package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// trialPrinter is a tuner.Observer that prints one plain line per trial
// that ends:
//
//	trial 3 completed  val_accuracy=0.8512 (epoch 7)  n_hidden=2 n_neurons=120
//	trial 4 failed  loss became NaN at epoch 2  n_hidden=8 learning_rate=0.0093
//
// The tuner calls it from its trial goroutines; lines are written whole.
type trialPrinter struct {
	mu        sync.Mutex
	w         io.Writer
	objective string
	order     []string // hyperparameter names in the study's order
}

func newTrialPrinter(w io.Writer, objective string, order []string) *trialPrinter {
	return &trialPrinter{w: w, objective: objective, order: order}
}

// TrialStarted does nothing.
func (p *trialPrinter) TrialStarted(*trials.Trial) {}

// EpochEnded does nothing.
func (p *trialPrinter) EpochEnded(*trials.Trial, trials.Epoch) {}

// TrialEnded prints the trial's line.
func (p *trialPrinter) TrialEnded(t *trials.Trial) {
	var b strings.Builder
	fmt.Fprintf(&b, "trial %d ", t.ID)
	switch {
	case t.Status == trials.Pending && t.Error == "interrupted":
		b.WriteString("interrupted; it runs again on resume")
	case t.Status == trials.Pending:
		fmt.Fprintf(&b, "failed, will retry: %s", oneLine(t.Error))
	case t.Score != nil:
		fmt.Fprintf(&b, "%s  %s=%.4f (epoch %d)", t.Status, p.objective, *t.Score, t.BestEpoch)
	case t.Error != "":
		fmt.Fprintf(&b, "%s  %s", t.Status, oneLine(t.Error))
	default:
		b.WriteString(string(t.Status))
	}
	if v := formatValues(t.Values, p.order); v != "" {
		b.WriteString("  ")
		b.WriteString(v)
	}
	b.WriteByte('\n')
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(p.w, b.String())
}

// formatValues writes name=value pairs, names in order first, then any
// others sorted; floats with 4 significant digits.
func formatValues(v hp.Values, order []string) string {
	var parts []string
	for _, name := range orderedNames(v, order) {
		parts = append(parts, name+"="+formatValue(v[name], 'g', 4))
	}
	return strings.Join(parts, " ")
}

// orderedNames returns the names of v: those in order first, in that
// order, then the others sorted.
func orderedNames(v hp.Values, order []string) []string {
	var names []string
	for _, n := range order {
		if _, ok := v[n]; ok {
			names = append(names, n)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(v)) {
		if !slices.Contains(order, n) {
			names = append(names, n)
		}
	}
	return names
}
