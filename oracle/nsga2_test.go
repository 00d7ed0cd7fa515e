package oracle

import (
	"fmt"
	"math"
	"testing"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// zdt1 is the ZDT1 problem on [0, 1]^n: two objectives, a convex front
// f2 = 1 − √f1 where x2…xn are 0.
func zdt1(x []float64) (float64, float64) {
	g := 0.0
	for _, v := range x[1:] {
		g += v
	}
	g = 1 + 9*g/float64(len(x)-1)
	return x[0], g * (1 - math.Sqrt(x[0]/g))
}

var moObjectives = []goal.Objective{{Name: "f1", Direction: goal.Minimize}, {Name: "f2", Direction: goal.Minimize}}

// searchMO runs o for n trials on ZDT1 in dims dimensions and returns the
// trials.
func searchMO(t *testing.T, o Oracle, dims, n int, seed int64) []*trials.Trial {
	t.Helper()
	params := make([]hp.Param, dims)
	for i := range params {
		params[i] = hp.Param{Name: fmt.Sprintf("x%d", i), Kind: hp.KindFloat, Min: 0, Max: 1}
	}
	space := mustSpace(t, params...)
	var ts []*trials.Trial
	for i := range n {
		p, err := o.Next(State{Space: space, Objective: moObjectives[0], Objectives: moObjectives, Seed: seed, Trials: ts})
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float64, dims)
		for j := range x {
			x[j] = p.Values[fmt.Sprintf("x%d", j)].(float64)
		}
		f1, f2 := zdt1(x)
		ts = append(ts, &trials.Trial{ID: i + 1, Status: trials.Completed, Values: p.Values, Score: &f1,
			Metrics: map[string]float64{"f1": f1, "f2": f2}})
	}
	return ts
}

func frontHypervolume(ts []*trials.Trial) float64 {
	var points [][]float64
	for _, t := range FrontTrials(ts, moObjectives) {
		v, _ := Vector(t.Metrics, moObjectives)
		points = append(points, v)
	}
	return Hypervolume(points, []float64{1.1, 1.1})
}

func TestNSGA2BeatsRandomOnZDT1(t *testing.T) {
	for seed := int64(1); seed <= 2; seed++ {
		ga := frontHypervolume(searchMO(t, &NSGA2{PopulationSize: 20}, 6, 300, seed))
		rnd := frontHypervolume(searchMO(t, &RandomSearch{}, 6, 300, seed))
		t.Logf("seed %d: hypervolume nsga2 %.3f, random %.3f (best 0.87)", seed, ga, rnd)
		if !(ga > rnd+0.05) {
			t.Errorf("seed %d: NSGA-II's hypervolume %.3f is not above random's %.3f", seed, ga, rnd)
		}
	}
}

func TestNSGA2IsAPureFunctionOfTheTrials(t *testing.T) {
	o := &NSGA2{PopulationSize: 8}
	ts := searchMO(t, o, 3, 40, 5)
	space := mustSpace(t, hp.Param{Name: "x0", Kind: hp.KindFloat, Min: 0, Max: 1},
		hp.Param{Name: "x1", Kind: hp.KindFloat, Min: 0, Max: 1}, hp.Param{Name: "x2", Kind: hp.KindFloat, Min: 0, Max: 1})
	s := State{Space: space, Objective: moObjectives[0], Objectives: moObjectives, Seed: 5, Trials: ts}
	a, err := o.Next(s)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := o.Next(s)
	if a.Values.Key() != b.Values.Key() {
		t.Errorf("two calls on one history propose %v and %v", a.Values, b.Values)
	}
	// A running, failed or pruned trial is no parent: the proposal is the
	// same with such trials' metrics changed.
	ts[len(ts)-1].Status = trials.Running
	c, _ := o.Next(s)
	ts[len(ts)-1].Metrics = map[string]float64{"f1": -100, "f2": -100}
	d, _ := o.Next(s)
	if c.Values.Key() != d.Values.Key() {
		t.Errorf("a running trial's metrics changed the proposal")
	}
}

func TestNSGA2Settings(t *testing.T) {
	for _, cfg := range []string{`{"population_size":1}`, `{"crossover_prob":2}`, `{"mutation_prob":-1}`} {
		if _, err := New("nsga2", []byte(cfg)); err == nil {
			t.Errorf("nsga2 %s accepted", cfg)
		}
	}
	if o, err := New("nsga2", []byte(`{"population_size":10}`)); err != nil || o.(*NSGA2).PopulationSize != 10 {
		t.Errorf("New(nsga2) = %v, %v", o, err)
	}
}

func TestParetoStopping(t *testing.T) {
	epochOf := func(id int, f1, f2 float64, status trials.Status) *trials.Trial {
		return &trials.Trial{ID: id, Status: status, History: []trials.Epoch{{Epoch: 0, Metrics: map[string]float64{"f1": f1, "f2": f2}}}}
	}
	var done []*trials.Trial
	for i, p := range [][2]float64{{1, 1}, {2, 2}, {3, 0.5}, {0.5, 3}, {2, 1}} {
		done = append(done, epochOf(i+1, p[0], p[1], trials.Completed))
	}
	p := &ParetoStopping{}
	for _, tc := range []struct {
		f1, f2 float64
		want   bool
	}{
		{4, 4, true},     // dominated by all five
		{2.5, 2.5, true}, // by (1,1), (2,2), (2,1): three of five
		{2.5, 1.5, false},
		{0.1, 9, false}, // best on f1: on the front whatever its f2
		{9, 0.1, false},
	} {
		cur := epochOf(9, tc.f1, tc.f2, trials.Running)
		s := State{Objective: moObjectives[0], Objectives: moObjectives, Trials: append(append([]*trials.Trial(nil), done...), cur)}
		got, err := p.Prune(s, cur, 0, tc.f1)
		if err != nil || got != tc.want {
			t.Errorf("(%v, %v): prune = %v, %v, want %v", tc.f1, tc.f2, got, err, tc.want)
		}
	}
	// Fewer completed trials than the warm-up: nothing is pruned.
	cur := epochOf(9, 4, 4, trials.Running)
	if got, _ := p.Prune(State{Objectives: moObjectives, Trials: append(done[:4:4], cur)}, cur, 0, 4); got {
		t.Error("pruned before 5 trials completed")
	}
}
