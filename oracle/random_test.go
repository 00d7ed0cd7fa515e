package oracle

import (
	"errors"
	"testing"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

func mustSpace(t *testing.T, params ...hp.Param) *hp.Space {
	t.Helper()
	s, err := hp.NewSpace(params...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// run asks o for proposals until it ends, storing each as a trial.
func run(t *testing.T, o Oracle, s State, max int) ([]*trials.Trial, error) {
	t.Helper()
	for len(s.Trials) < max {
		p, err := o.Next(s)
		if err != nil {
			return s.Trials, err
		}
		if err := s.Space.Validate(p.Values); err != nil {
			t.Fatalf("proposal %d: %v", len(s.Trials)+1, err)
		}
		s.Trials = append(s.Trials, &trials.Trial{ID: len(s.Trials) + 1, Values: p.Values, Status: trials.Completed})
	}
	return s.Trials, nil
}

func TestRandomSearchExhaustsASmallSpace(t *testing.T) {
	space := mustSpace(t,
		hp.Param{Name: "layers", Kind: hp.KindInt, Min: 1, Max: 3},
		hp.Param{Name: "opt", Kind: hp.KindChoice, Values: []any{"sgd", "adam"}},
	)
	ts, err := run(t, &RandomSearch{}, State{Space: space, Seed: 1}, 100)
	if !errors.Is(err, ErrExhausted) {
		t.Fatalf("got %v after %d trials, want ErrExhausted", err, len(ts))
	}
	// 3 × 2 combinations; with 20 collisions allowed per draw, all six are
	// found with overwhelming probability (1 − (5/6)^21 for the last one).
	if len(ts) != 6 {
		t.Fatalf("%d distinct trials, want 6", len(ts))
	}
	seen := map[string]bool{}
	for _, tr := range ts {
		if seen[tr.Values.Key()] {
			t.Fatalf("values %v proposed twice", tr.Values)
		}
		seen[tr.Values.Key()] = true
	}
}

func TestRandomSearchCollisionLimit(t *testing.T) {
	space := mustSpace(t, hp.Param{Name: "only", Kind: hp.KindFixed, Values: []any{3}})
	ts, err := run(t, &RandomSearch{MaxCollisions: 1}, State{Space: space}, 10)
	if !errors.Is(err, ErrExhausted) || len(ts) != 1 {
		t.Fatalf("got %d trials and %v", len(ts), err)
	}
}

func TestRandomSearchIsSeeded(t *testing.T) {
	space := mustSpace(t, hp.Param{Name: "lr", Kind: hp.KindFloat, Min: 1e-4, Max: 1, Sampling: hp.Log})
	draw := func(seed int64) []string {
		ts, err := run(t, &RandomSearch{}, State{Space: space, Seed: seed}, 5)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, tr := range ts {
			keys = append(keys, tr.Values.Key())
		}
		return keys
	}
	a, b, c := draw(1), draw(1), draw(2)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("seed 1 drew %v then %v", a, b)
		}
	}
	if a[0] == c[0] {
		t.Errorf("seeds 1 and 2 drew the same first value %s", a[0])
	}
	// A proposal depends on the trial number, not on earlier draws: asking
	// again with the same history gives the same answer.
	s := State{Space: space, Seed: 1}
	p1, _ := (&RandomSearch{}).Next(s)
	p2, _ := (&RandomSearch{}).Next(s)
	if p1.Values.Key() != p2.Values.Key() {
		t.Errorf("same state, different proposals")
	}
}

func TestRandomSearchRespectsConditions(t *testing.T) {
	space := mustSpace(t,
		hp.Param{Name: "model", Kind: hp.KindChoice, Values: []any{"linear", "mlp"}},
		hp.Param{Name: "units", Kind: hp.KindInt, Min: 8, Max: 64, Conditions: []hp.Condition{{Parent: "model", Values: []any{"mlp"}}}},
	)
	ts, err := run(t, &RandomSearch{}, State{Space: space, Seed: 3}, 30)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range ts {
		_, hasUnits := tr.Values["units"]
		if hasUnits != (tr.Values["model"] == "mlp") {
			t.Errorf("trial %d: %v", tr.ID, tr.Values)
		}
	}
}

func TestNew(t *testing.T) {
	o, err := New("random", []byte(`{"max_collisions": 5}`))
	if err != nil || o.(*RandomSearch).MaxCollisions != 5 {
		t.Fatalf("got %+v, %v", o, err)
	}
	if _, err := New("random", []byte(`{"max_colisions": 5}`)); err == nil {
		t.Error("a misspelt setting was accepted")
	}
	if _, err := New("annealing", nil); !errors.Is(err, ErrUnknown) {
		t.Errorf("unknown oracle: %v", err)
	}
}
