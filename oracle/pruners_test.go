package oracle

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/trials"
)

// curve makes a trial that logged loss values at epochs first, first+1, …
func curve(id int, st trials.Status, first int, losses ...float64) *trials.Trial {
	tr := &trials.Trial{ID: id, Status: st}
	for i, v := range losses {
		tr.History = append(tr.History, trials.Epoch{Epoch: first + i, Metrics: map[string]float64{"loss": v, "acc": -v}})
	}
	return tr
}

var (
	minLoss = goal.Objective{Name: "loss", Direction: goal.Minimize}
	maxAcc  = goal.Objective{Name: "acc", Direction: goal.Maximize}
)

// pruneAt asks p about the last epoch tr logged, with tr among ts.
func pruneAt(t *testing.T, p Pruner, obj goal.Objective, ts []*trials.Trial, tr *trials.Trial) bool {
	t.Helper()
	last := tr.History[len(tr.History)-1]
	stop, err := p.Prune(State{Objective: obj, Trials: append(slices.Clone(ts), tr)}, tr, last.Epoch, last.Metrics[obj.Name])
	if err != nil {
		t.Fatal(err)
	}
	return stop
}

func TestMedianStopping(t *testing.T) {
	// Five completed trials; at epoch 1 their losses are 5, 4, 3, 2, 1
	// (median 3), at epoch 2: 4, 3, 2, 1, 0 (median 2).
	var done []*trials.Trial
	for i := range 5 {
		l := float64(5 - i)
		done = append(done, curve(i+1, trials.Completed, 0, l+1, l, l-1))
	}
	// Pruned and failed trials do not count towards the median.
	others := append(slices.Clone(done), curve(6, trials.Pruned, 0, 0, 0), curve(7, trials.Failed, 0, 0, 0), curve(8, trials.Running, 0, 0, 0))
	m := &MedianStopping{}
	for _, tc := range []struct {
		name   string
		losses []float64
		want   bool
	}{
		{"better than the median", []float64{9, 2.5}, false},
		{"at the median", []float64{9, 3}, false},
		{"worse than the median", []float64{9, 3.5}, true},
		{"best so far counts, not the last value", []float64{2.5, 9}, false},
		{"worse than the median at epoch 2", []float64{2.5, 2.5, 2.5}, true},
		{"epoch 0 (median 4)", []float64{4.5}, true},
	} {
		tr := curve(9, trials.Running, 0, tc.losses...)
		if got := pruneAt(t, m, minLoss, others, tr); got != tc.want {
			t.Errorf("%s: pruned %v, want %v", tc.name, got, tc.want)
		}
		// Maximizing the negated metric is the same decision.
		if got := pruneAt(t, m, maxAcc, others, tr); got != tc.want {
			t.Errorf("%s (maximize): pruned %v, want %v", tc.name, got, tc.want)
		}
	}
	bad := curve(9, trials.Running, 0, 9, 9, 9)
	// Warm-up: too few completed trials, or too early an epoch.
	if pruneAt(t, m, minLoss, done[:4], bad) {
		t.Error("pruned with 4 completed trials (warm-up 5)")
	}
	if !pruneAt(t, &MedianStopping{WarmupTrials: -1}, minLoss, done[:1], bad) {
		t.Error("not pruned without warm-up trials")
	}
	if pruneAt(t, &MedianStopping{WarmupEpochs: 3}, minLoss, done, bad) {
		t.Error("pruned at epoch 2 with 3 warm-up epochs")
	}
	if !pruneAt(t, &MedianStopping{WarmupEpochs: 2}, minLoss, done, bad) {
		t.Error("not pruned at epoch 2 with 2 warm-up epochs")
	}
	// No completed trial reached the epoch: no median, no pruning.
	long := curve(9, trials.Running, 0, 9, 9, 9, 9)
	if pruneAt(t, m, minLoss, done, long) {
		t.Error("pruned at an epoch no completed trial reached")
	}
	if pruneAt(t, &MedianStopping{MinTrials: 6}, minLoss, done, bad) {
		t.Error("pruned with fewer than min_trials at the epoch")
	}
	// An even count takes the mean of the middle two: at epoch 1 the
	// losses 5, 4, 3, 2 have median 3.5.
	four := &MedianStopping{WarmupTrials: 4}
	if pruneAt(t, four, minLoss, done[:4], curve(9, trials.Running, 0, 9, 3.4)) ||
		!pruneAt(t, four, minLoss, done[:4], curve(9, trials.Running, 0, 9, 3.6)) {
		t.Error("median of an even count")
	}
}

func TestMedianStoppingExecutions(t *testing.T) {
	// A completed trial counts by the mean of its executions: (1+3)/2 = 2
	// at epoch 0.
	done := &trials.Trial{ID: 1, Status: trials.Completed, History: []trials.Epoch{
		{Execution: 0, Epoch: 0, Metrics: map[string]float64{"loss": 1}},
		{Execution: 1, Epoch: 0, Metrics: map[string]float64{"loss": 3}},
	}}
	// The running trial's second execution is judged on its own curve.
	tr := &trials.Trial{ID: 2, Status: trials.Running, History: []trials.Epoch{
		{Execution: 0, Epoch: 0, Metrics: map[string]float64{"loss": 0.5}},
		{Execution: 1, Epoch: 0, Metrics: map[string]float64{"loss": 2.5}},
	}}
	m := &MedianStopping{WarmupTrials: 1}
	if !pruneAt(t, m, minLoss, []*trials.Trial{done}, tr) {
		t.Error("execution 1 at 2.5 is worse than the median 2")
	}
}

func TestSuccessiveHalvingRungs(t *testing.T) {
	for _, tc := range []struct {
		h     SuccessiveHalving
		epoch int
		want  []int
	}{
		{SuccessiveHalving{}, 30, []int{0, 2, 8, 26}},
		{SuccessiveHalving{}, 25, []int{0, 2, 8}},
		{SuccessiveHalving{MinEarlyStoppingRate: 1}, 30, []int{2, 8, 26}},
		{SuccessiveHalving{MinEpochs: 2, ReductionFactor: 2}, 7, []int{1, 3, 7}},
		{SuccessiveHalving{MinEpochs: 3, ReductionFactor: 4, MinEarlyStoppingRate: 2}, 40, nil},
		{SuccessiveHalving{MinEpochs: 3, ReductionFactor: 4, MinEarlyStoppingRate: 2}, 47, []int{47}},
	} {
		if got := tc.h.Rungs(tc.epoch); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%+v up to epoch %d: rungs %v, want %v", tc.h, tc.epoch, got, tc.want)
		}
	}
	if err := (&SuccessiveHalving{ReductionFactor: 1}).Validate(); err == nil {
		t.Error("reduction factor 1 accepted")
	}
	if _, err := (&SuccessiveHalving{MinEpochs: -1}).Prune(State{}, nil, 0, 0); err == nil {
		t.Error("min_epochs -1 accepted")
	}
}

func TestSuccessiveHalving(t *testing.T) {
	// Rungs at epochs 0, 2 and 8 (f = 3). Five trials reached epoch 0
	// with losses 1..5; three reached epoch 2 with best values 0.5, 1.5,
	// 2.5, whatever their status.
	others := []*trials.Trial{
		curve(1, trials.Completed, 0, 1, 0.8, 0.5),
		curve(2, trials.Pruned, 0, 2, 1.5, 1.6),
		curve(3, trials.Running, 0, 3, 2.8, 2.5),
		curve(4, trials.Pruned, 0, 4),
		curve(5, trials.Failed, 0, 5),
	}
	h := &SuccessiveHalving{}
	for _, tc := range []struct {
		name   string
		losses []float64
		want   bool
	}{
		// Six at rung 0: the top ⌊6/3⌋ = 2 go on, so the value must be
		// at least as good as the second best.
		{"rung 0, second of six", []float64{1.5}, false},
		{"rung 0, tied second", []float64{2}, false},
		{"rung 0, third of six", []float64{2.5}, true},
		// Between rungs nothing is decided.
		{"epoch 1", []float64{1.5, 9}, false},
		// Four at rung 2: ⌊4/3⌋ = 1, only the best goes on.
		{"rung 2, best", []float64{1.5, 9, 0.4}, false},
		{"rung 2, second", []float64{1.5, 9, 0.6}, true},
		// The best value so far counts.
		{"rung 2, best earlier", []float64{0.3, 9, 9}, false},
	} {
		tr := curve(9, trials.Running, 0, tc.losses...)
		if got := pruneAt(t, h, minLoss, others, tr); got != tc.want {
			t.Errorf("%s: pruned %v, want %v", tc.name, got, tc.want)
		}
		if got := pruneAt(t, h, maxAcc, others, tr); got != tc.want {
			t.Errorf("%s (maximize): pruned %v, want %v", tc.name, got, tc.want)
		}
	}
	// Fewer than f trials at a rung: only a best-so-far value goes on.
	if pruneAt(t, h, minLoss, others[:1], curve(9, trials.Running, 0, 0.9)) ||
		!pruneAt(t, h, minLoss, others[:1], curve(9, trials.Running, 0, 1.1)) {
		t.Error("with two trials at the rung, only the better should go on")
	}
	// The first trial of all goes on.
	if pruneAt(t, h, minLoss, nil, curve(9, trials.Running, 0, 100)) {
		t.Error("the first trial was pruned")
	}
	// A trial that starts past rungs (a Hyperband promotion from epoch 2)
	// is judged at each of them by its first epoch, and at epoch 3 by
	// none.
	if !pruneAt(t, h, minLoss, others, curve(9, trials.Running, 2, 2.6)) {
		t.Error("a promoted trial worse than the rest at rung 2 was not pruned")
	}
	if pruneAt(t, h, minLoss, others, curve(9, trials.Running, 2, 0.1)) {
		t.Error("a promoted trial best at rungs 0 and 2 was pruned")
	}
	if pruneAt(t, h, minLoss, others, curve(9, trials.Running, 2, 0.1, 9)) {
		t.Error("pruned between rungs")
	}
}

// The settings read from a study's JSON as oracle.New reads them.
func TestSettingsJSON(t *testing.T) {
	for _, tc := range []struct {
		v    any
		json string
	}{
		{&Hyperband{MaxEpochs: 10, Factor: 3, HyperbandIterations: 2, MinEpochs: 1}, `{"max_epochs":10,"factor":3,"hyperband_iterations":2,"min_epochs":1}`},
		{&GridSearch{}, `{}`},
		{&MedianStopping{WarmupTrials: 5, WarmupEpochs: 2, MinTrials: 1}, `{"warmup_trials":5,"warmup_epochs":2,"min_trials":1}`},
		{&SuccessiveHalving{MinEpochs: 1, ReductionFactor: 3, MinEarlyStoppingRate: 1}, `{"min_epochs":1,"reduction_factor":3,"min_early_stopping_rate":1}`},
	} {
		b, err := json.Marshal(tc.v)
		if err != nil || string(b) != tc.json {
			t.Errorf("%T: %s, %v; want %s", tc.v, b, err, tc.json)
		}
		back := reflect.New(reflect.TypeOf(tc.v).Elem()).Interface()
		dec := json.NewDecoder(strings.NewReader(tc.json))
		dec.DisallowUnknownFields()
		if err := dec.Decode(back); err != nil || !reflect.DeepEqual(back, tc.v) {
			t.Errorf("%T: decoded %+v, %v", tc.v, back, err)
		}
	}
}
