package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/tuner"
)

// searchInfo is what progress reports need to know about a search.
type searchInfo struct {
	objective goal.Objective
	order     []string // hyperparameter names in the study's order
	maxTrials int      // 0: unknown
	epochs    int      // epochs of a trial that does not set its own
	trainRows int      // rows of the training data
	batchSize int      // the study's batch size
	existing  []*trials.Trial
}

// batches returns the number of batches per epoch of a trial.
func (s *searchInfo) batches(t *trials.Trial) int {
	b := s.batchSize
	if v, ok := t.Values["batch_size"].(int); ok && v > 0 {
		b = v
	}
	if b <= 0 || s.trainRows <= 0 {
		return 0
	}
	return (s.trainRows + b - 1) / b
}

// progress is a tuner observer that reports a search and is closed when
// the search ends.
type progress interface {
	tuner.Observer
	Close()
}

// plainProgress prints whole lines, for output that is not a terminal:
// one per finished epoch and one per finished trial,
//
//	trial 3 epoch 2/10  loss=0.4123 accuracy=0.8501 val_loss=0.4415 val_accuracy=0.8433
//	trial 3 completed  val_accuracy=0.8512 (epoch 7)  n_hidden=2 n_neurons=120
//	trial 4 failed  loss became NaN at epoch 2  n_hidden=8 learning_rate=0.0093
//
// Epochs are counted from 1 in everything the command prints or exports,
// as Keras' fit log counts them (the store counts from 0).
//
// The tuner calls it from its trial goroutines; each line is written with
// one Write under a lock, so lines of parallel trials never mix.
type plainProgress struct {
	mu     sync.Mutex
	w      io.Writer
	info   *searchInfo
	epochs bool // print the epoch lines
}

func newPlainProgress(w io.Writer, info *searchInfo, epochs bool) *plainProgress {
	return &plainProgress{w: w, info: info, epochs: epochs}
}

// TrialStarted does nothing.
func (p *plainProgress) TrialStarted(*trials.Trial) {}

// EpochEnded prints the epoch's line.
func (p *plainProgress) EpochEnded(t *trials.Trial, e trials.Epoch) {
	if p.epochs {
		p.write(epochLine(t, e, trialEpochs(t, p.info.epochs)))
	}
}

// TrialEnded prints the trial's line.
func (p *plainProgress) TrialEnded(t *trials.Trial) {
	p.write(formatTrialLine(t, p.info.objective.Name, p.info.order))
}

// Close does nothing.
func (p *plainProgress) Close() {}

func (p *plainProgress) write(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(p.w, line)
}

// epochLine is a finished epoch, with its metrics.
func epochLine(t *trials.Trial, e trials.Epoch, epochs int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "trial %d ", t.ID)
	if e.Execution > 0 {
		fmt.Fprintf(&b, "execution %d ", e.Execution+1)
	}
	fmt.Fprintf(&b, "epoch %d/%d ", e.Epoch+1, epochs)
	for _, name := range sortedMetrics(e.Metrics) {
		fmt.Fprintf(&b, " %s=%s", name, formatMetric(e.Metrics[name]))
	}
	b.WriteByte('\n')
	return b.String()
}

// formatTrialLine is the line of a trial that ended.
func formatTrialLine(t *trials.Trial, objective string, order []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "trial %d ", t.ID)
	switch {
	case t.Status == trials.Pending && t.Error == "interrupted":
		b.WriteString("interrupted; it runs again on resume")
	case t.Status == trials.Pending:
		fmt.Fprintf(&b, "failed, will retry: %s", oneLine(t.Error))
	case t.Status == trials.Running:
		// Dropped by this worker: another one runs it now.
		fmt.Fprintf(&b, "dropped: %s; another worker runs it", oneLine(t.Error))
	case t.Score != nil:
		fmt.Fprintf(&b, "%s  %s=%.4f (epoch %d)", t.Status, objective, *t.Score, t.BestEpoch+1)
	case t.Error != "":
		fmt.Fprintf(&b, "%s  %s", t.Status, oneLine(t.Error))
	default:
		b.WriteString(string(t.Status))
	}
	if v := formatValues(t.Values, order); v != "" {
		b.WriteString("  ")
		b.WriteString(v)
	}
	b.WriteByte('\n')
	return b.String()
}

// sortedMetrics orders metric names: loss first, then the others sorted,
// training metrics before validation ones.
func sortedMetrics(m map[string]float64) []string {
	return metricNames([]*trials.Trial{{Metrics: m}})
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
