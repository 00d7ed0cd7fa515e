package oracle

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// benchState is a study of 8 hyperparameters (six floats, one of them
// log-scaled, an int and a boolean: 8 model coordinates) with n completed
// random trials scored by a smooth function.
func bayesBenchState(b testing.TB, n int) State {
	params := []hp.Param{
		{Name: "lr", Kind: hp.KindFloat, Min: 1e-5, Max: 1e-1, Sampling: hp.Log},
		{Name: "units", Kind: hp.KindInt, Min: 16, Max: 512},
		{Name: "nesterov", Kind: hp.KindBoolean},
	}
	for i := range 5 {
		params = append(params, hp.Param{Name: fmt.Sprintf("x%d", i), Kind: hp.KindFloat, Min: 0, Max: 1})
	}
	space, err := hp.NewSpace(params...)
	if err != nil {
		b.Fatal(err)
	}
	s := State{Space: space, Objective: goal.Objective{Name: "loss", Direction: goal.Minimize}, Seed: 1}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		v := space.Sample(r)
		u, _ := space.ToUnit(v)
		var y float64
		for k, x := range u {
			y += math.Sin(3*x+float64(k)) * float64(k+1)
		}
		s.Trials = append(s.Trials, &trials.Trial{ID: i + 1, Status: trials.Completed, Values: v, Score: &y})
	}
	return s
}

// BenchmarkBayesianSuggest times one proposal with 100, 400 and 1,000
// completed trials over 8 dimensions: the model fit with restarts and the
// acquisition search. It reports CPU time too: the machine may be shared.
func BenchmarkBayesianSuggest(b *testing.B) {
	for _, n := range []int{100, 400, 1000} {
		for _, acq := range []string{"ucb", "ei"} {
			b.Run(fmt.Sprintf("%s/n=%d", acq, n), func(b *testing.B) {
				benchSuggest(b, &BayesianOptimization{Acquisition: acq}, bayesBenchState(b, n))
			})
		}
	}
}

// BenchmarkTPESuggest times one TPE proposal on the same studies.
func BenchmarkTPESuggest(b *testing.B) {
	for _, n := range []int{100, 400, 1000} {
		for _, mv := range []bool{false, true} {
			b.Run(fmt.Sprintf("multivariate=%v/n=%d", mv, n), func(b *testing.B) {
				benchSuggest(b, &TPE{Multivariate: mv}, bayesBenchState(b, n))
			})
		}
	}
}

func benchSuggest(b *testing.B, o Oracle, s State) {
	b.ReportAllocs()
	cpu0, ok := bayesCPUTime()
	for b.Loop() {
		if _, err := o.Next(s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/suggestion")
	if cpu1, _ := bayesCPUTime(); ok {
		// On a loaded machine wall time overstates the cost.
		b.ReportMetric(float64((cpu1-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/suggestion")
	}
}

// BenchmarkBayesianSuggestTrials shows how a proposal's cost grows with
// the number of completed trials (8 dimensions, UCB).
func BenchmarkBayesianSuggestTrials(b *testing.B) {
	for _, n := range []int{25, 50, 200} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			s := bayesBenchState(b, n)
			o := &BayesianOptimization{}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := o.Next(s); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/suggestion")
		})
	}
}
