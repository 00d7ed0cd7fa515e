// Command multiobjective measures the hypervolume of the Pareto front that
// tune's multi-objective oracles (NSGA-II and random) reach on ZDT1, ZDT2
// and DTLZ2 at fixed budgets, as the median over seeds, and prints Optuna
// 3.1's figures (bench/optuna/multiobjective.py, same problems, budgets,
// reference points and seeds) beside them.
//
//	go run ./bench/multiobjective -seeds 10
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
)

// problem is a test problem on [0, 1]^dims.
type problem struct {
	name string
	dims int
	ref  []float64 // hypervolume reference point
	f    func(x []float64) []float64
}

func zdtG(x []float64) float64 {
	s := 0.0
	for _, v := range x[1:] {
		s += v
	}
	return 1 + 9*s/float64(len(x)-1)
}

var problems = []problem{
	{"zdt1", 30, []float64{11, 11}, func(x []float64) []float64 {
		g := zdtG(x)
		return []float64{x[0], g * (1 - math.Sqrt(x[0]/g))}
	}},
	{"zdt2", 30, []float64{11, 11}, func(x []float64) []float64 {
		g := zdtG(x)
		return []float64{x[0], g * (1 - (x[0]/g)*(x[0]/g))}
	}},
	{"dtlz2", 12, []float64{3, 3, 3}, func(x []float64) []float64 {
		g := 0.0
		for _, v := range x[2:] {
			g += (v - 0.5) * (v - 0.5)
		}
		a, b := x[0]*math.Pi/2, x[1]*math.Pi/2
		return []float64{(1 + g) * math.Cos(a) * math.Cos(b), (1 + g) * math.Cos(a) * math.Sin(b), (1 + g) * math.Sin(a)}
	}},
}

// peers holds Optuna 3.1's medians (NSGA-II, TPE; 0: not measured) per
// problem and budget, from /usr/bin/python3 bench/optuna/multiobjective.py
// --seeds 10 (TPE at 100 trials: --seeds 5), measured 2026-12-04.
var peers = map[string]map[int][2]float64{
	"zdt1":  {100: {91.27, 97.61}, 300: {96.94, 0}},
	"zdt2":  {100: {74.15, 79.33}, 300: {81.66, 0}},
	"dtlz2": {100: {23.16, 25.05}, 300: {24.83, 0}},
}

func run(p problem, o oracle.Oracle, seed int64, budget int) ([]float64, error) {
	params := make([]hp.Param, p.dims)
	for i := range params {
		params[i] = hp.Param{Name: fmt.Sprintf("x%02d", i), Kind: hp.KindFloat, Min: 0, Max: 1}
	}
	space, err := hp.NewSpace(params...)
	if err != nil {
		return nil, err
	}
	objs := make([]goal.Objective, len(p.ref))
	for i := range objs {
		objs[i] = goal.Objective{Name: fmt.Sprintf("f%d", i+1), Direction: goal.Minimize}
	}
	var ts []*trials.Trial
	var points [][]float64
	hv := make([]float64, 0, budget)
	for i := range budget {
		prop, err := o.Next(oracle.State{Space: space, Objective: objs[0], Objectives: objs, Seed: seed, Trials: ts})
		if err != nil {
			return nil, err
		}
		x := make([]float64, p.dims)
		for j := range x {
			x[j] = prop.Values[params[j].Name].(float64)
		}
		y := p.f(x)
		m := map[string]float64{}
		for k, v := range y {
			m[objs[k].Name] = v
		}
		ts = append(ts, &trials.Trial{ID: i + 1, Status: trials.Completed, Values: prop.Values, Score: &y[0], Metrics: m})
		points = append(points, y)
		hv = append(hv, oracle.Hypervolume(points, p.ref))
	}
	return hv, nil
}

func main() {
	seeds := flag.Int("seeds", 10, "seeds per problem and method (1…seeds)")
	budgetList := flag.String("budgets", "100,300", "comma-separated numbers of trials")
	flag.Parse()
	var budgets []int
	for _, s := range strings.Split(*budgetList, ",") {
		b, err := strconv.Atoi(s)
		if err != nil || b < 1 {
			log.Fatalf("-budgets %q: want positive numbers", *budgetList)
		}
		budgets = append(budgets, b)
	}
	methods := []struct {
		name string
		new  func() oracle.Oracle
	}{
		{"tune nsga2", func() oracle.Oracle { return &oracle.NSGA2{} }},
		{"tune random", func() oracle.Oracle { return &oracle.RandomSearch{} }},
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "problem\tbudget\tmethod\tmedian hypervolume\toptuna NSGA-II\toptuna TPE\t\n")
	for _, p := range problems {
		for _, m := range methods {
			curves := make([][]float64, *seeds)
			for s := range *seeds {
				hv, err := run(p, m.new(), int64(s+1), slices.Max(budgets))
				if err != nil {
					log.Fatal(err)
				}
				curves[s] = hv
			}
			for _, b := range budgets {
				at := make([]float64, len(curves))
				for i, c := range curves {
					at[i] = c[b-1]
				}
				slices.Sort(at)
				med := (at[(len(at)-1)/2] + at[len(at)/2]) / 2
				peer := peers[p.name][b]
				fmt.Fprintf(w, "%s\t%d\t%s\t%.4g\t%.4g\t%.4g\t\n", p.name, b, m.name, med, peer[0], peer[1])
			}
		}
	}
	w.Flush()
}
