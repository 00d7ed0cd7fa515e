// Command search measures the search quality of tune's oracles on standard
// test functions: for every function, budget and method it runs one
// search per seed and prints the median and quartiles of the simple regret
// (best value found − known minimum).
//
//	go run ./bench/search -seeds 20
//
// The oracles are driven directly: each proposal becomes a completed trial
// with the function's value as its score, and the next call sees the
// grown trial list, as the tuner's would. The budgets are prefixes of one
// run per seed, which is equivalent to separate runs because no oracle
// knows the budget. For comparison it prints the peers' medians on the
// same cells: Optuna 3.1's TPE (univariate and multivariate) and CMA-ES,
// and Keras Tuner's BayesianOptimization.
//
//	go run ./bench/search -methods random,bo-ucb,bo-ei,tpe -seeds 20
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
)

// problem is a test function on a box.
type problem struct {
	name   string
	lo, hi []float64
	min    float64
	f      func(x []float64) float64
}

var problems = []problem{
	{
		name: "branin", lo: []float64{-5, 0}, hi: []float64{10, 15}, min: 0.397887,
		f: func(x []float64) float64 {
			const a, r, s = 1, 6, 10
			b := 5.1 / (4 * math.Pi * math.Pi)
			c := 5 / math.Pi
			t := 1 / (8 * math.Pi)
			u := x[1] - b*x[0]*x[0] + c*x[0] - r
			return a*u*u + s*(1-t)*math.Cos(x[0]) + s
		},
	},
	{
		name: "hartmann6", lo: make([]float64, 6), hi: []float64{1, 1, 1, 1, 1, 1}, min: -3.32237,
		f: hartmann6,
	},
	{
		name: "rosenbrock4", lo: []float64{-5, -5, -5, -5}, hi: []float64{10, 10, 10, 10}, min: 0,
		f: func(x []float64) float64 {
			var s float64
			for i := 0; i+1 < len(x); i++ {
				a, b := x[i+1]-x[i]*x[i], 1-x[i]
				s += 100*a*a + b*b
			}
			return s
		},
	},
}

func hartmann6(x []float64) float64 {
	alpha := [4]float64{1.0, 1.2, 3.0, 3.2}
	a := [4][6]float64{
		{10, 3, 17, 3.5, 1.7, 8},
		{0.05, 10, 17, 0.1, 8, 14},
		{3, 3.5, 1.7, 10, 17, 8},
		{17, 8, 0.05, 10, 0.1, 14},
	}
	p := [4][6]float64{
		{1312, 1696, 5569, 124, 8283, 5886},
		{2329, 4135, 8307, 3736, 1004, 9991},
		{2348, 1451, 3522, 2883, 3047, 6650},
		{4047, 8828, 8732, 5743, 1091, 381},
	}
	var s float64
	for i := range 4 {
		var e float64
		for j := range 6 {
			d := x[j] - p[i][j]*1e-4
			e += a[i][j] * d * d
		}
		s += alpha[i] * math.Exp(-e)
	}
	return -s
}

func (p problem) space() *hp.Space {
	params := make([]hp.Param, len(p.lo))
	for i := range params {
		params[i] = hp.Param{Name: fmt.Sprintf("x%d", i+1), Kind: hp.KindFloat, Min: p.lo[i], Max: p.hi[i]}
	}
	s, err := hp.NewSpace(params...)
	if err != nil {
		panic(err)
	}
	return s
}

// method names an oracle configuration.
type method struct {
	name string
	new  func() oracle.Oracle
}

var methods = []method{
	{"random", func() oracle.Oracle { return &oracle.RandomSearch{} }},
	{"bo-ucb", func() oracle.Oracle { return &oracle.BayesianOptimization{} }},
	{"bo-ei", func() oracle.Oracle { return &oracle.BayesianOptimization{Acquisition: "ei"} }},
	// Without the log transform of the scores (Keras Tuner's model).
	{"bo-ucb-none", func() oracle.Oracle { return &oracle.BayesianOptimization{Transform: "none"} }},
	{"bo-ei-none", func() oracle.Oracle { return &oracle.BayesianOptimization{Acquisition: "ei", Transform: "none"} }},
	{"tpe", func() oracle.Oracle { return &oracle.TPE{} }},
	{"tpe-mv", func() oracle.Oracle { return &oracle.TPE{Multivariate: true} }},
}

// peers holds medians of simple regret measured by others on the same
// functions and budgets (issue 15): Optuna 3.1's TPESampler (univariate and
// multivariate) and CmaEsSampler over 20 seeds, and a reproduction of Keras
// Tuner's BayesianOptimization over 10 seeds.
var peers = map[string]map[int][4]float64{ // function → budget → {TPE, TPE mv, CMA-ES, Keras Tuner BO}
	"branin":      {25: {0.58, 0.46, 2.41, 1.48}, 50: {0.17, 0.16, 0.75, 0.023}},
	"hartmann6":   {25: {1.39, 0.84, 1.54, 0.63}, 50: {0.56, 0.32, 0.73, 0.097}},
	"rosenbrock4": {50: {322, 232, 123, 1352}},
}

var peerNames = [...]string{"optuna TPE", "optuna TPE mv", "optuna CMA-ES", "keras tuner BO"}

// run searches p with o for budget evaluations and returns the simple
// regret after each evaluation, and the time spent in the oracle.
func run(p problem, o oracle.Oracle, seed int64, budget int) ([]float64, time.Duration, error) {
	s := oracle.State{
		Space:     p.space(),
		Objective: goal.Objective{Name: "f", Direction: goal.Minimize},
		Seed:      seed,
	}
	regret := make([]float64, 0, budget)
	best := math.Inf(1)
	x := make([]float64, len(p.lo))
	var spent time.Duration
	for len(s.Trials) < budget {
		start := time.Now()
		prop, err := o.Next(s)
		spent += time.Since(start)
		if err != nil {
			return nil, 0, fmt.Errorf("%s seed %d trial %d: %w", o.Name(), seed, len(s.Trials)+1, err)
		}
		for i := range x {
			x[i] = prop.Values[fmt.Sprintf("x%d", i+1)].(float64)
		}
		y := p.f(x)
		best = min(best, y)
		regret = append(regret, best-p.min)
		s.Trials = append(s.Trials, &trials.Trial{
			ID: len(s.Trials) + 1, Status: trials.Completed, Values: prop.Values, Score: &y,
		})
	}
	return regret, spent, nil
}

// quantile is the q-quantile of sorted xs by linear interpolation (as
// numpy's default).
func quantile(xs []float64, q float64) float64 {
	h := q * float64(len(xs)-1)
	i := int(math.Floor(h))
	if i+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[i] + (h-float64(i))*(xs[i+1]-xs[i])
}

func main() {
	seeds := flag.Int("seeds", 20, "number of seeds per function and method")
	firstSeed := flag.Int("first-seed", 1, "the first seed: seeds first-seed … first-seed+seeds−1")
	budgetList := flag.String("budgets", "25,50,100", "comma-separated evaluation budgets")
	funcList := flag.String("funcs", "branin,hartmann6,rosenbrock4", "comma-separated test functions")
	methodList := flag.String("methods", "random,bo-ucb,bo-ei", "comma-separated methods (also tpe-mv, bo-ucb-none, bo-ei-none)")
	parallel := flag.Int("parallel", runtime.GOMAXPROCS(0), "searches run at once")
	flag.Parse()

	var budgets []int
	for _, f := range strings.Split(*budgetList, ",") {
		b, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || b <= 0 {
			fmt.Fprintf(os.Stderr, "search: bad budget %q\n", f)
			os.Exit(2)
		}
		budgets = append(budgets, b)
	}
	maxBudget := slices.Max(budgets)
	pick := func(list string, names []string) []int {
		var idx []int
		for _, n := range strings.Split(list, ",") {
			i := slices.Index(names, strings.TrimSpace(n))
			if i < 0 {
				fmt.Fprintf(os.Stderr, "search: unknown name %q (want one of %s)\n", n, strings.Join(names, ", "))
				os.Exit(2)
			}
			idx = append(idx, i)
		}
		return idx
	}
	var pnames, mnames []string
	for _, p := range problems {
		pnames = append(pnames, p.name)
	}
	for _, m := range methods {
		mnames = append(mnames, m.name)
	}
	pidx, midx := pick(*funcList, pnames), pick(*methodList, mnames)

	type job struct{ p, m, seed int }
	type result struct {
		regret []float64
		spent  time.Duration
	}
	results := make(map[job]result)
	var mu sync.Mutex
	jobs := make(chan job)
	var wg sync.WaitGroup
	var failed error
	for range max(*parallel, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r, spent, err := run(problems[j.p], methods[j.m].new(), int64(j.seed), maxBudget)
				mu.Lock()
				if err != nil && failed == nil {
					failed = err
				}
				results[j] = result{r, spent}
				mu.Unlock()
			}
		}()
	}
	start := time.Now()
	for _, p := range pidx {
		for _, m := range midx {
			for seed := *firstSeed; seed < *firstSeed+*seeds; seed++ {
				jobs <- job{p, m, seed}
			}
		}
	}
	close(jobs)
	wg.Wait()
	if failed != nil {
		fmt.Fprintln(os.Stderr, "search:", failed)
		os.Exit(1)
	}

	fmt.Printf("Simple regret (best found − minimum) over seeds %d…%d; q1, median, q3.\n", *firstSeed, *firstSeed+*seeds-1)
	fmt.Printf("Peers' medians (Optuna 3.1 samplers, Keras Tuner BO) where measured.\n")
	fmt.Printf("ms/suggestion: mean wall time of a proposal over whole runs (initial random ones included).\n\n")
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "function\tbudget\tmethod\tq1\tmedian\tq3\t%s\tms/suggestion\t\n", strings.Join(peerNames[:], "\t"))
	for _, p := range pidx {
		for _, b := range budgets {
			for _, m := range midx {
				var rs []float64
				var spent time.Duration
				for seed := *firstSeed; seed < *firstSeed+*seeds; seed++ {
					r := results[job{p, m, seed}]
					rs = append(rs, r.regret[b-1])
					spent += r.spent
				}
				slices.Sort(rs)
				ref := make([]string, len(peerNames))
				if r, ok := peers[problems[p].name][b]; ok {
					for i, x := range r {
						ref[i] = fmt.Sprintf("%.3g", x)
					}
				}
				perSuggestion := float64(spent.Microseconds()) / 1000 / float64(*seeds*maxBudget)
				fmt.Fprintf(w, "%s\t%d\t%s\t%.4g\t%.4g\t%.4g\t%s\t%.2f\t\n",
					problems[p].name, b, methods[m].name,
					quantile(rs, 0.25), quantile(rs, 0.5), quantile(rs, 0.75), strings.Join(ref, "\t"), perSuggestion)
			}
		}
	}
	w.Flush()
	fmt.Printf("\n%d searches of %d evaluations in %v\n", len(pidx)*len(midx)**seeds, maxBudget, time.Since(start).Round(time.Second))
}
