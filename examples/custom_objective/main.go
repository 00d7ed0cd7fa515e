// Command custom_objective tunes something that is not a neural network:
// the degree of a polynomial and the ridge penalty of a least-squares fit
// to noisy samples of a curve, scored by the mean squared error on held-out
// points. The objective is a plain Go function given to tuner.New as a
// tuner.ObjectiveFunc; the search is Bayesian optimization, and every trial
// is stored and resumable like any other.
//
// The function reports a curve, as a training loop reports epochs: the
// errors of the fits of degree 1, 2, … up to the trial's max_degree. The
// trial is scored on its best "epoch", so the best degree is its best
// epoch + 1; tune show and tune plot draw the curves, and a pruner could
// stop a trial early.
//
//	go run ./examples/custom_objective [-trials 30] [-dir DIR]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"

	"gonum.org/v1/gonum/mat"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/tuner"
)

// samples draws n noisy points of f on [-1, 1].
func samples(n int, seed uint64) (x, y []float64) {
	r := rand.New(rand.NewPCG(seed, 7))
	for range n {
		v := r.Float64()*2 - 1
		x = append(x, v)
		y = append(y, math.Sin(3*v)+0.5*v*v+r.NormFloat64()*0.1)
	}
	return x, y
}

// fit returns the ridge-regression coefficients of a polynomial of the
// given degree: (XᵀX + λI)⁻¹ Xᵀy, with an unpenalised intercept.
func fit(x, y []float64, degree int, lambda float64) ([]float64, error) {
	n, p := len(x), degree+1
	X := mat.NewDense(n, p, nil)
	for i, v := range x {
		for j := range p {
			X.Set(i, j, math.Pow(v, float64(j)))
		}
	}
	var a mat.Dense
	a.Mul(X.T(), X)
	for j := 1; j < p; j++ {
		a.Set(j, j, a.At(j, j)+lambda)
	}
	var b mat.VecDense
	b.MulVec(X.T(), mat.NewVecDense(n, y))
	var w mat.VecDense
	if err := w.SolveVec(&a, &b); err != nil {
		return nil, fmt.Errorf("degree %d, lambda %g: %w", degree, lambda, err)
	}
	return w.RawVector().Data, nil
}

// mse is the mean squared error of the polynomial w on (x, y).
func mse(w, x, y []float64) float64 {
	s := 0.0
	for i, v := range x {
		pred := 0.0
		for j := len(w) - 1; j >= 0; j-- {
			pred = pred*v + w[j]
		}
		s += (pred - y[i]) * (pred - y[i])
	}
	return s / float64(len(x))
}

func main() {
	dir := flag.String("dir", os.TempDir(), "directory for the project")
	trialsFlag := flag.Int("trials", 30, "max trials")
	flag.Parse()

	trainX, trainY := samples(40, 1)
	validX, validY := samples(200, 2)

	objective := func(ctx context.Context, h *hp.HyperParameters, r *tuner.Reporter) (tuner.Metrics, error) {
		maxDegree := h.Int("max_degree", 1, 15, hp.Default(3))
		lambda := h.Float("lambda", 1e-8, 10, hp.Log, hp.Default(1e-3))
		// The curve: each degree up to max_degree, as an "epoch".
		for d := 1; d <= maxDegree; d++ {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			w, err := fit(trainX, trainY, d, lambda)
			if err != nil {
				return nil, err
			}
			m := tuner.Metrics{"mse": mse(w, trainX, trainY), "val_mse": mse(w, validX, validY)}
			if err := r.Report(d-1, m); err != nil {
				return nil, err
			}
		}
		return nil, nil // scored on the best degree reported
	}

	t, err := tuner.New(tuner.ObjectiveFunc(objective), tuner.Options{
		Objective:   "val_mse",
		Oracle:      &oracle.BayesianOptimization{NumInitialPoints: 6},
		MaxTrials:   *trialsFlag,
		Seed:        42,
		Directory:   *dir,
		ProjectName: "polynomial",
		Overwrite:   true,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()
	if err := t.Search(context.Background()); err != nil {
		log.Fatal(err)
	}
	if err := t.ResultsSummary(os.Stdout, 3); err != nil {
		log.Fatal(err)
	}
	best, err := t.BestTrials(1)
	if err != nil {
		log.Fatal(err)
	}
	ts, _ := t.Trials()
	fmt.Printf("\n%d trials; the best fit is degree %d with lambda %.3g: validation MSE %.5f (the noise variance is 0.01)\n",
		len(ts), best[0].BestEpoch+1, best[0].Values["lambda"], *best[0].Score)
	fmt.Printf("see it with: go run ./cmd/tune show %d --project %s/polynomial\n", best[0].ID, *dir)
}
