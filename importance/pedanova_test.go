package importance

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

func mustSpace(t *testing.T, ps ...hp.Param) *hp.Space {
	t.Helper()
	s, err := hp.NewSpace(ps...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sample draws n points of space and scores them with f.
func sample(space *hp.Space, n int, seed uint64, f func(hp.Values) float64) []Observation {
	rng := rand.New(rand.NewPCG(seed, 1))
	obs := make([]Observation, n)
	for i := range obs {
		v := space.Sample(rng)
		obs[i] = Observation{Values: v, Score: f(v)}
	}
	return obs
}

func shares(t *testing.T, imp []Importance) map[string]float64 {
	t.Helper()
	m := map[string]float64{}
	var sum float64
	for _, x := range imp {
		m[x.Name] = x.Share
		sum += x.Share
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Fatalf("shares sum to %v, want 1: %+v", sum, imp)
	}
	t.Logf("%+v", imp)
	return m
}

func f64(v hp.Values, name string) float64 { return v[name].(float64) }

func TestOneHyperparameterMatters(t *testing.T) {
	space := mustSpace(t,
		hp.Param{Name: "x1", Kind: hp.KindFloat, Min: -5, Max: 5},
		hp.Param{Name: "x2", Kind: hp.KindFloat, Min: -5, Max: 5},
		hp.Param{Name: "x3", Kind: hp.KindFloat, Min: 1e-4, Max: 1, Sampling: hp.Log})
	for _, seed := range []uint64{1, 2, 3} {
		obs := sample(space, 400, seed, func(v hp.Values) float64 { return (f64(v, "x1") - 1) * (f64(v, "x1") - 1) })
		imp, err := PEDANOVA(space, obs, goal.Minimize, nil)
		if err != nil {
			t.Fatal(err)
		}
		m := shares(t, imp)
		if m["x1"] < 0.9 || imp[0].Name != "x1" {
			t.Errorf("seed %d: importance of x1 = %.3f, want >= 0.9: %+v", seed, m["x1"], imp)
		}
	}
}

func TestTwoEqualTermsShareEvenly(t *testing.T) {
	space := mustSpace(t,
		hp.Param{Name: "a", Kind: hp.KindFloat, Min: 0, Max: 1},
		hp.Param{Name: "b", Kind: hp.KindFloat, Min: 0, Max: 1},
		hp.Param{Name: "noise", Kind: hp.KindInt, Min: 1, Max: 10})
	obs := sample(space, 1000, 7, func(v hp.Values) float64 {
		return math.Sin(3*f64(v, "a")) + math.Sin(3*f64(v, "b")) // maximized
	})
	imp, err := PEDANOVA(space, obs, goal.Maximize, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := shares(t, imp)
	if math.Abs(m["a"]-m["b"]) > 0.1 || m["noise"] > 0.1 {
		t.Errorf("shares a %.3f, b %.3f, noise %.3f: want a ≈ b and noise small", m["a"], m["b"], m["noise"])
	}
}

func TestDirectionMatters(t *testing.T) {
	// The best trials of a maximized x1 gather near 5: reversing the
	// direction must still find x1, not swap to noise.
	space := mustSpace(t,
		hp.Param{Name: "x1", Kind: hp.KindFloat, Min: 0, Max: 5},
		hp.Param{Name: "x2", Kind: hp.KindFloat, Min: 0, Max: 5})
	obs := sample(space, 300, 4, func(v hp.Values) float64 { return f64(v, "x1") })
	for _, d := range []goal.Direction{goal.Minimize, goal.Maximize} {
		imp, err := PEDANOVA(space, obs, d, nil)
		if err != nil {
			t.Fatal(err)
		}
		if m := shares(t, imp); m["x1"] < 0.9 {
			t.Errorf("%s: x1 share %.3f, want >= 0.9", d, m["x1"])
		}
	}
}

func TestCategoricalAndConditional(t *testing.T) {
	space := mustSpace(t,
		hp.Param{Name: "optimizer", Kind: hp.KindChoice, Values: []any{"adam", "sgd", "rmsprop"}},
		hp.Param{Name: "momentum", Kind: hp.KindFloat, Min: 0, Max: 0.9,
			Conditions: []hp.Condition{{Parent: "optimizer", Values: []any{"sgd"}}}},
		hp.Param{Name: "units", Kind: hp.KindInt, Min: 16, Max: 128, Step: 16},
		hp.Param{Name: "bn", Kind: hp.KindBoolean})
	// Only the optimizer matters: adam is best.
	obs := sample(space, 600, 11, func(v hp.Values) float64 {
		switch v["optimizer"] {
		case "adam":
			return 0.9
		case "sgd":
			return 0.5
		}
		return 0.4
	})
	for i := range obs {
		obs[i].Score += 0.01 * float64(i%7) // ties broken by noise
	}
	imp, err := PEDANOVA(space, obs, goal.Maximize, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := shares(t, imp)
	if m["optimizer"] < 0.6 || imp[0].Name != "optimizer" {
		t.Errorf("optimizer share %.3f, want the largest and >= 0.6: %+v", m["optimizer"], imp)
	}
	// momentum is active only for sgd, never among the best: it matters
	// through being inactive, more than units or bn, which do not.
	if m["momentum"] <= m["units"] || m["momentum"] <= m["bn"] {
		t.Errorf("momentum %.3f should exceed units %.3f and bn %.3f", m["momentum"], m["units"], m["bn"])
	}
	if m["units"] > 0.05 || m["bn"] > 0.05 {
		t.Errorf("units %.3f and bn %.3f should be near 0", m["units"], m["bn"])
	}
}

func TestConditionalValueMatters(t *testing.T) {
	// Among sgd trials momentum decides; adam trials are all mediocre.
	space := mustSpace(t,
		hp.Param{Name: "optimizer", Kind: hp.KindChoice, Values: []any{"adam", "sgd"}},
		hp.Param{Name: "momentum", Kind: hp.KindFloat, Min: 0, Max: 0.9,
			Conditions: []hp.Condition{{Parent: "optimizer", Values: []any{"sgd"}}}},
		hp.Param{Name: "x", Kind: hp.KindFloat, Min: 0, Max: 1})
	obs := sample(space, 800, 5, func(v hp.Values) float64 {
		if v["optimizer"] == "adam" {
			return 0.5
		}
		return f64(v, "momentum") // up to 0.9: the best trials are sgd with high momentum
	})
	imp, err := PEDANOVA(space, obs, goal.Maximize, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := shares(t, imp)
	if m["momentum"] < m["x"]*5 || imp[len(imp)-1].Name != "x" {
		t.Errorf("momentum %.3f should dwarf x %.3f: %+v", m["momentum"], m["x"], imp)
	}
}

func TestErrors(t *testing.T) {
	space := mustSpace(t, hp.Param{Name: "x", Kind: hp.KindFloat, Min: 0, Max: 1},
		hp.Param{Name: "k", Kind: hp.KindFixed, Values: []any{3}})
	obs := []Observation{{hp.Values{"x": 0.1, "k": 3}, 1}, {hp.Values{"x": 0.2, "k": 3}, math.NaN()}, {hp.Values{"x": 0.3, "k": 3}, 2}}
	if _, err := PEDANOVA(space, obs, goal.Minimize, nil); !errors.Is(err, ErrTooFewTrials) {
		t.Errorf("two finite scores: %v, want ErrTooFewTrials", err)
	}
	fixed := mustSpace(t, hp.Param{Name: "k", Kind: hp.KindFixed, Values: []any{3}})
	obs = []Observation{{hp.Values{"k": 3}, 1}, {hp.Values{"k": 3}, 2}, {hp.Values{"k": 3}, 3}}
	if _, err := PEDANOVA(fixed, obs, goal.Minimize, nil); !errors.Is(err, ErrNoSpace) {
		t.Errorf("only a fixed hyperparameter: %v, want ErrNoSpace", err)
	}
	if _, err := PEDANOVA(space, obs, goal.Minimize, &Options{Quantile: 1.5}); err == nil {
		t.Error("quantile 1.5 accepted")
	}
}

func TestFromTrialsUsesCompleted(t *testing.T) {
	space := mustSpace(t, hp.Param{Name: "x", Kind: hp.KindFloat, Min: 0, Max: 1},
		hp.Param{Name: "y", Kind: hp.KindFloat, Min: 0, Max: 1})
	st := &trials.StudyRecord{Objective: goal.Objective{Name: "loss", Direction: goal.Minimize}, Space: space}
	var ts []*trials.Trial
	rng := rand.New(rand.NewPCG(3, 3))
	for i := range 200 {
		v := space.Sample(rng)
		s := f64(v, "x")
		tr := &trials.Trial{ID: i + 1, Status: trials.Completed, Values: v, Score: &s}
		if i%5 == 0 { // failed and pruned trials carry misleading scores
			tr.Status = trials.Failed
			bad := -1.0
			tr.Score = &bad
		}
		ts = append(ts, tr)
	}
	imp, err := FromTrials(st, ts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := shares(t, imp); m["x"] < 0.9 {
		t.Errorf("x share %.3f, want >= 0.9", m["x"])
	}
}

func BenchmarkPEDANOVA10000(b *testing.B) {
	space, _ := hp.NewSpace(
		hp.Param{Name: "lr", Kind: hp.KindFloat, Min: 1e-4, Max: 1e-1, Sampling: hp.Log},
		hp.Param{Name: "units", Kind: hp.KindInt, Min: 16, Max: 512, Step: 16},
		hp.Param{Name: "layers", Kind: hp.KindInt, Min: 1, Max: 5},
		hp.Param{Name: "dropout", Kind: hp.KindFloat, Min: 0, Max: 0.5},
		hp.Param{Name: "optimizer", Kind: hp.KindChoice, Values: []any{"adam", "sgd"}})
	obs := sample(space, 10000, 1, func(v hp.Values) float64 { return math.Log(f64(v, "lr")) })
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PEDANOVA(space, obs, goal.Minimize, nil); err != nil {
			b.Fatal(err)
		}
	}
}
