package oracle

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// gridOrder runs a grid search to its end and returns the values in order.
func gridOrder(t *testing.T, space *hp.Space) []hp.Values {
	t.Helper()
	ts, err := run(t, &GridSearch{}, State{Space: space}, 10000)
	if !errors.Is(err, ErrExhausted) {
		t.Fatalf("after %d trials: %v, want ErrExhausted", len(ts), err)
	}
	out := make([]hp.Values, len(ts))
	for i, tr := range ts {
		out[i] = tr.Values
	}
	return out
}

func formatValues(vs []hp.Values) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "%v; ", v)
	}
	return b.String()
}

func TestGridOrderDefaultsFirstLastFastest(t *testing.T) {
	space := mustSpace(t,
		hp.Param{Name: "act", Kind: hp.KindChoice, Values: []any{"relu", "tanh", "gelu"}, Default: "tanh"},
		hp.Param{Name: "layers", Kind: hp.KindInt, Min: 1, Max: 3, Default: 2},
	)
	got := formatValues(gridOrder(t, space))
	want := "act=tanh layers=2; act=tanh layers=1; act=tanh layers=3; " +
		"act=relu layers=2; act=relu layers=1; act=relu layers=3; " +
		"act=gelu layers=2; act=gelu layers=1; act=gelu layers=3; "
	if got != want {
		t.Errorf("order\n got %s\nwant %s", got, want)
	}
}

func TestGridKindsOfHyperparameters(t *testing.T) {
	space := mustSpace(t,
		hp.Param{Name: "fixed", Kind: hp.KindFixed, Values: []any{"x"}},
		hp.Param{Name: "bn", Kind: hp.KindBoolean},
		hp.Param{Name: "units", Kind: hp.KindInt, Min: 32, Max: 256, Step: 2, Sampling: hp.Log, Default: 64},
		hp.Param{Name: "drop", Kind: hp.KindFloat, Min: 0, Max: 0.4, Step: 0.2},
	)
	got := gridOrder(t, space)
	// 1 × 2 × 4 × 3 combinations.
	if len(got) != 24 {
		t.Fatalf("%d combinations, want 24: %s", len(got), formatValues(got))
	}
	want := "bn=false drop=0 fixed=x units=64; bn=false drop=0.2 fixed=x units=64; bn=false drop=0.4 fixed=x units=64; " +
		"bn=false drop=0 fixed=x units=32; "
	if s := formatValues(got[:4]); s != want {
		t.Errorf("first four\n got %s\nwant %s", s, want)
	}
	if s := formatValues(got[12:13]); s != "bn=true drop=0 fixed=x units=64; " {
		t.Errorf("13th %s", s)
	}
}

// A continuous range contributes its default and 10 values at the centres
// of ten equal cells of its unit-interval encoding.
func TestGridContinuousRangesGiveTenValues(t *testing.T) {
	for _, tc := range []struct {
		p    hp.Param
		want []float64
	}{
		{hp.Param{Name: "x", Kind: hp.KindFloat, Min: 0, Max: 1},
			[]float64{0, 0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95}},
		{hp.Param{Name: "x", Kind: hp.KindFloat, Min: 0, Max: 1, Default: 0.45},
			[]float64{0.45, 0.05, 0.15, 0.25, 0.35, 0.55, 0.65, 0.75, 0.85, 0.95}},
		{hp.Param{Name: "x", Kind: hp.KindFloat, Min: 1e-4, Max: 1, Sampling: hp.Log},
			[]float64{1e-4, 1e-4 * math.Pow(10, 0.2), 1e-4 * math.Pow(10, 0.6), 1e-4 * math.Pow(10, 1.0), 1e-4 * math.Pow(10, 1.4),
				1e-4 * math.Pow(10, 1.8), 1e-4 * math.Pow(10, 2.2), 1e-4 * math.Pow(10, 2.6), 1e-4 * math.Pow(10, 3.0),
				1e-4 * math.Pow(10, 3.4), 1e-4 * math.Pow(10, 3.8)}},
	} {
		got := gridOrder(t, mustSpace(t, tc.p))
		if len(got) != len(tc.want) {
			t.Fatalf("%v: %d values %s, want %d", tc.p, len(got), formatValues(got), len(tc.want))
		}
		for i, v := range got {
			if x := v["x"].(float64); math.Abs(x-tc.want[i]) > 1e-12*math.Max(1, tc.want[i]) {
				t.Errorf("%v: value %d is %v, want %v", tc.p, i, x, tc.want[i])
			}
		}
	}
	// A rounded log Int keeps its distinct values only.
	got := gridOrder(t, mustSpace(t, hp.Param{Name: "n", Kind: hp.KindInt, Min: 1, Max: 4, Sampling: hp.Log}))
	if s := formatValues(got); s != "n=1; n=2; n=3; n=4; " {
		t.Errorf("rounded log int: %s", s)
	}
}

func TestGridConditionalHyperparameters(t *testing.T) {
	space := mustSpace(t,
		hp.Param{Name: "model", Kind: hp.KindChoice, Values: []any{"linear", "mlp"}},
		hp.Param{Name: "units", Kind: hp.KindInt, Min: 8, Max: 16, Step: 8, Default: 16,
			Conditions: []hp.Condition{{Parent: "model", Values: []any{"mlp"}}}},
		hp.Param{Name: "act", Kind: hp.KindChoice, Values: []any{"relu", "tanh"},
			Conditions: []hp.Condition{{Parent: "units", Values: []any{8}}}},
		hp.Param{Name: "lr", Kind: hp.KindChoice, Values: []any{0.1, 0.01}},
	)
	got := formatValues(gridOrder(t, space))
	want := "lr=0.1 model=linear; lr=0.01 model=linear; " +
		"lr=0.1 model=mlp units=16; lr=0.01 model=mlp units=16; " +
		"act=relu lr=0.1 model=mlp units=8; act=relu lr=0.01 model=mlp units=8; " +
		"act=tanh lr=0.1 model=mlp units=8; act=tanh lr=0.01 model=mlp units=8; "
	if got != want {
		t.Errorf("order\n got %s\nwant %s", got, want)
	}
}

func TestGridSkipsTriedValuesAndWaits(t *testing.T) {
	space := mustSpace(t, hp.Param{Name: "n", Kind: hp.KindInt, Min: 1, Max: 4})
	trial := func(id, n int, st trials.Status) *trials.Trial {
		return &trials.Trial{ID: id, Values: hp.Values{"n": n}, Status: st}
	}
	g := &GridSearch{}
	// Trials 1, 2 and 4 exist (one still running): the next is 3.
	s := State{Space: space, Trials: []*trials.Trial{trial(1, 1, trials.Completed), trial(2, 2, trials.Failed), trial(3, 4, trials.Running)}}
	p, err := g.Next(s)
	if err != nil || p.Values["n"] != 3 {
		t.Fatalf("got %v, %v; want n=3", p.Values, err)
	}
	s.Trials = append(s.Trials, trial(4, 3, trials.Running))
	if _, err := g.Next(s); !errors.Is(err, ErrWait) {
		t.Errorf("all tried, two running: %v, want ErrWait", err)
	}
	s.Trials[2].Status, s.Trials[3].Status = trials.Completed, trials.Pruned
	if _, err := g.Next(s); !errors.Is(err, ErrExhausted) {
		t.Errorf("all tried and ended: %v, want ErrExhausted", err)
	}
}

// A search resumed from any prefix of the stored trials proposes what the
// uninterrupted search did.
func TestGridResumes(t *testing.T) {
	space := mustSpace(t,
		hp.Param{Name: "a", Kind: hp.KindChoice, Values: []any{"x", "y", "z"}},
		hp.Param{Name: "b", Kind: hp.KindFloat, Min: -1, Max: 1, Default: 0.5},
	)
	all := gridOrder(t, space)
	// The default 0.5 is one of b's ten cell centres -0.9, -0.7, …, 0.9.
	if len(all) != 30 {
		t.Fatalf("%d combinations, want 30", len(all))
	}
	for k := range all {
		var s State
		s.Space = space
		for i, v := range all[:k] {
			s.Trials = append(s.Trials, &trials.Trial{ID: i + 1, Values: v, Status: trials.Completed})
		}
		p, err := (&GridSearch{}).Next(s)
		if err != nil || p.Values.Key() != all[k].Key() {
			t.Fatalf("resumed after %d: %v %v, want %v", k, p.Values, err, all[k])
		}
	}
}

// Hyperparameters discovered while trials run (a custom objective's, or a
// branch a build reaches first) are explored from the trial that found
// them, starting at their defaults.
func TestGridGrowingSpace(t *testing.T) {
	g := &GridSearch{}
	empty := mustSpace(t)
	p, err := g.Next(State{Space: empty})
	if err != nil || len(p.Values) != 0 {
		t.Fatalf("empty space: %v, %v", p.Values, err)
	}
	// The first trial ran with the defaults of what it declared.
	space := mustSpace(t,
		hp.Param{Name: "a", Kind: hp.KindInt, Min: 0, Max: 1},
		hp.Param{Name: "b", Kind: hp.KindInt, Min: 0, Max: 1},
	)
	// Trial 1 met c (its record holds the default c ran with); trial 2 was
	// created before c was known and is running.
	s := State{Space: space, Trials: []*trials.Trial{{ID: 1, Values: hp.Values{"a": 0, "b": 0, "c": 0}, Status: trials.Completed}}}
	s.Trials = append(s.Trials, &trials.Trial{ID: 2, Values: hp.Values{"a": 0, "b": 1}, Status: trials.Running})
	if err := s.Space.Add(hp.Param{Name: "c", Kind: hp.KindInt, Min: 0, Max: 1}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		p, err := g.Next(s)
		if errors.Is(err, ErrWait) {
			// It met c too, and ran with its default.
			s.Trials[1].Status, s.Trials[1].Values["c"] = trials.Completed, 0
			continue
		}
		if err != nil {
			break
		}
		got = append(got, p.Values.String())
		s.Trials = append(s.Trials, &trials.Trial{ID: len(s.Trials) + 1, Values: p.Values, Status: trials.Completed})
	}
	// Trial 2 is varied along c once its record shows it met c.
	want := "[a=0 b=0 c=1 a=1 b=0 c=0 a=1 b=0 c=1 a=1 b=1 c=0 a=1 b=1 c=1 a=0 b=1 c=1]"
	if fmt.Sprint(got) != want {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

// Keras Tuner's test_new_hp: a build that declares choice1 only when bool
// is true and choice2 only when it is false, without conditions. A trial
// is varied only along the hyperparameters it met, so the grid runs 3
// trials with bool false and 3×3 with bool true, 12 as Keras Tuner does
// (varying every known name everywhere would run 18).
func TestGridNewHyperparameterInABranch(t *testing.T) {
	g := &GridSearch{}
	s := State{Space: mustSpace(t)}
	run := func(v hp.Values) hp.Values {
		h := hp.FromValues(s.Space, v)
		if h.Boolean("bool") {
			h.ChoiceInt("choice1", []int{0, 1, 2})
		} else {
			h.ChoiceInt("choice2", []int{3, 4, 5})
		}
		s.Space = h.Space()
		return h.Values()
	}
	for {
		p, err := g.Next(s)
		if errors.Is(err, ErrExhausted) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		met := run(p.Values)
		s.Trials = append(s.Trials, &trials.Trial{ID: len(s.Trials) + 1, Values: met, Status: trials.Completed})
	}
	if len(s.Trials) != 12 {
		t.Errorf("%d trials, want 12 (Keras Tuner's count)", len(s.Trials))
	}
	falses := 0
	for _, tr := range s.Trials {
		if tr.Values["bool"] == false {
			falses++
		}
	}
	if falses != 3 {
		t.Errorf("%d trials with bool false, want 3", falses)
	}
}
