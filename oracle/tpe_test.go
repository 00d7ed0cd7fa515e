package oracle

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// searchScored runs o for n trials on space, scoring each with f.
func searchScored(t *testing.T, o Oracle, space *hp.Space, dir goal.Direction, n int, f func(hp.Values) float64) []*trials.Trial {
	t.Helper()
	s := State{Space: space, Seed: 7, Objective: goal.Objective{Name: "f", Direction: dir}}
	for len(s.Trials) < n {
		p, err := o.Next(s)
		if err != nil {
			t.Fatalf("trial %d: %v", len(s.Trials)+1, err)
		}
		if err := space.Validate(p.Values); err != nil {
			t.Fatalf("trial %d: invalid proposal %v: %v", len(s.Trials)+1, p.Values, err)
		}
		y := f(p.Values)
		s.Trials = append(s.Trials, &trials.Trial{ID: len(s.Trials) + 1, Status: trials.Completed, Values: p.Values, Score: &y})
	}
	return s.Trials
}

func TestTPEConcentratesNearTheMinimum(t *testing.T) {
	space := mustSpace(t, hp.Param{Name: "x", Kind: hp.KindFloat, Min: -10, Max: 10})
	for _, mv := range []bool{false, true} {
		ts := searchScored(t, &TPE{Multivariate: mv}, space, goal.Minimize, 60, func(v hp.Values) float64 {
			x := v["x"].(float64) - 3
			return x * x
		})
		// Random proposals land within 1 of the minimum with probability
		// 0.1; TPE's guided ones (after 10 random) should do so mostly.
		near := 0
		for _, tr := range ts[10:] {
			if math.Abs(tr.Values["x"].(float64)-3) < 1 {
				near++
			}
		}
		if near < 12 {
			t.Errorf("multivariate %v: %d of 50 guided proposals within 1 of the minimum, want at least 12 (random: 5)", mv, near)
		}
	}
}

func TestTPEMaximizesAndLearnsChoices(t *testing.T) {
	space := mustSpace(t,
		hp.Param{Name: "opt", Kind: hp.KindChoice, Values: []any{"sgd", "adam", "rmsprop", "adagrad"}},
		hp.Param{Name: "lr", Kind: hp.KindFloat, Min: 1e-4, Max: 1, Sampling: hp.Log},
	)
	ts := searchScored(t, &TPE{}, space, goal.Maximize, 60, func(v hp.Values) float64 {
		acc := 0.5
		if v["opt"] == "adam" {
			acc = 0.9
		}
		return acc - 0.01*math.Abs(math.Log10(v["lr"].(float64))+2)
	})
	adam := 0
	for _, tr := range ts[10:] {
		if tr.Values["opt"] == "adam" {
			adam++
		}
	}
	// Random picks adam a quarter of the time (12.5 of 50).
	if adam < 30 {
		t.Errorf("%d of 50 guided proposals chose the best optimizer, want at least 30", adam)
	}
}

func TestTPEConditionalSpace(t *testing.T) {
	space := mustSpace(t,
		hp.Param{Name: "model", Kind: hp.KindChoice, Values: []any{"linear", "mlp"}},
		hp.Param{Name: "units", Kind: hp.KindInt, Min: 8, Max: 256, Step: 8,
			Conditions: []hp.Condition{{Parent: "model", Values: []any{"mlp"}}}},
		hp.Param{Name: "l2", Kind: hp.KindFloat, Min: 1e-6, Max: 1e-1, Sampling: hp.Log},
	)
	for _, mv := range []bool{false, true} {
		ts := searchScored(t, &TPE{Multivariate: mv}, space, goal.Minimize, 50, func(v hp.Values) float64 {
			if v["model"] == "linear" {
				return 1
			}
			u := float64(v["units"].(int))
			return math.Abs(u-128) / 128
		})
		mlp := 0
		for _, tr := range ts[10:] {
			_, hasUnits := tr.Values["units"]
			if hasUnits != (tr.Values["model"] == "mlp") {
				t.Fatalf("units active %v with model %v", hasUnits, tr.Values["model"])
			}
			if hasUnits {
				mlp++
			}
		}
		if mlp < 28 {
			t.Errorf("multivariate %v: %d of 40 guided proposals in the better branch, want at least 28", mv, mlp)
		}
	}
}

func TestTPEIsAPureFunctionOfTheTrials(t *testing.T) {
	space := mustSpace(t,
		hp.Param{Name: "a", Kind: hp.KindFloat, Min: 0, Max: 1},
		hp.Param{Name: "b", Kind: hp.KindInt, Min: 1, Max: 9},
	)
	ts := searchScored(t, &TPE{}, space, goal.Minimize, 20, func(v hp.Values) float64 {
		return v["a"].(float64) * float64(v["b"].(int))
	})
	s := State{Space: space, Seed: 7, Objective: goal.Objective{Direction: goal.Minimize}, Trials: ts}
	p1, err1 := (&TPE{}).Next(s)
	p2, err2 := (&TPE{}).Next(s)
	if err1 != nil || err2 != nil || p1.Values.Key() != p2.Values.Key() {
		t.Fatalf("two calls on the same trials: %v (%v) and %v (%v)", p1.Values, err1, p2.Values, err2)
	}
	// A running trial joins the bad group: the proposal moves away.
	running := append(ts[:len(ts):len(ts)], &trials.Trial{ID: 21, Status: trials.Running, Values: p1.Values})
	p3, err := (&TPE{}).Next(State{Space: space, Seed: 7, Trials: running})
	if err != nil || p3.Values.Key() == p1.Values.Key() {
		t.Fatalf("with %v running, proposed %v (%v)", p1.Values, p3.Values, err)
	}
}

func TestTPESettings(t *testing.T) {
	o, err := New("tpe", json.RawMessage(`{"num_startup_trials": 5, "multivariate": true}`))
	if err != nil {
		t.Fatal(err)
	}
	if tpe := o.(*TPE); tpe.NumStartupTrials != 5 || !tpe.Multivariate {
		t.Fatalf("decoded %+v", tpe)
	}
	for _, bad := range []string{`{"num_candidates": -1}`, `{"prior_weight": -2}`, `{"gamma": 1}`} {
		if _, err := New("tpe", json.RawMessage(bad)); err == nil {
			t.Errorf("settings %s accepted", bad)
		}
	}
}

func TestTPEWeights(t *testing.T) {
	w := tpeWeights(30)
	if w[0] != 1.0/30 || w[4] != 1 || w[29] != 1 || !(w[2] > w[1] && w[1] > w[0]) {
		t.Fatalf("weights %v", w)
	}
	for _, x := range tpeWeights(25) {
		if x != 1 {
			t.Fatalf("weights for 25: %v", tpeWeights(25))
		}
	}
}
