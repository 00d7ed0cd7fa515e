// Command wide_deep tunes the Wide & Deep network with an auxiliary output
// of Hands-On Machine Learning, chapter 10, on the California housing data:
// input_wide (features 0–4) and input_deep (features 2–7), each through its
// own Normalization layer; hidden Dense layers on the deep path; the main
// output on Concatenate(wide, deep) and an auxiliary output on the deep
// path alone, trained with loss weights 1−w and w.
//
// It tunes the deep path's depth and width, the learning rate and the
// auxiliary loss weight w with Bayesian optimization, minimising the main
// output's validation RMSE, then retrains the best configuration on the
// training and validation sets and evaluates it on the test set.
//
// The model has two inputs and two outputs, which a tuner.HyperModel cannot
// train yet (the tuner checks and fits one input matrix and one target), so
// the search is a custom objective: it builds, trains and reports each
// epoch itself.
//
//	go run ./examples/wide_deep [-data ../shared/data] [-trials 10] [-epochs 20]
//
// The data directory holds california-housing/cal_housing.data; it
// defaults to $TUNE_DATA_DIR, or ../shared/data. Without the data the
// program says so and exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/internal/examplesetup"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/tuner"
)

// split is the data of the two inputs and the targets of the two outputs.
type split struct {
	x []*nn.Matrix // wide, deep
	y []*nn.Matrix // the target, twice: main and auxiliary outputs
}

func newSplit(x, y *nn.Matrix) split {
	return split{x: []*nn.Matrix{columns(x, 0, 5), columns(x, 2, 8)}, y: []*nn.Matrix{y, y}}
}

// columns returns the columns [from, to) of x.
func columns(x *nn.Matrix, from, to int) *nn.Matrix {
	out := nn.NewMatrix(x.Rows, to-from)
	for i := range x.Rows {
		copy(out.Row(i), x.Row(i)[from:to])
	}
	return out
}

// config is one trial's hyperparameters.
type config struct {
	nHidden, nNeurons int
	learningRate, aux float64
}

func configOf(h *hp.HyperParameters) config {
	return config{
		nHidden:      h.Int("n_hidden", 1, 4, hp.Default(2)),
		nNeurons:     h.Int("n_neurons", 16, 96, hp.Step(8), hp.Default(32)),
		learningRate: h.Float("learning_rate", 1e-4, 1e-2, hp.Log, hp.Default(1e-3)),
		aux:          h.Float("aux_weight", 0.05, 0.5, hp.Default(0.1)),
	}
}

// build returns the compiled Wide & Deep model; the Normalization layers
// are adapted to the training inputs.
func build(c config, normWide, normDeep *nn.NormalizationLayer) (*nn.Model, error) {
	inputWide := nn.NewInput("input_wide", 5)
	inputDeep := nn.NewInput("input_deep", 6)
	deep := normDeep.Apply(inputDeep)
	for range c.nHidden {
		deep = nn.Dense(c.nNeurons, nn.ReLU).Apply(deep)
	}
	concat := nn.Concatenate().Apply(normWide.Apply(inputWide), deep)
	output := nn.Dense(1, nn.Linear, nn.Name("output")).Apply(concat)
	auxOutput := nn.Dense(1, nn.Linear, nn.Name("aux_output")).Apply(deep)
	m, err := nn.NewModel([]*nn.Node{inputWide, inputDeep}, []*nn.Node{output, auxOutput})
	if err != nil {
		return nil, err
	}
	return m, m.Compile(nn.CompileConfig{
		Losses:      []string{"mse", "mse"},
		LossWeights: []float64{1 - c.aux, c.aux},
		Optimizer:   &nn.Adam{LearningRate: c.learningRate},
		Metrics:     []string{"RootMeanSquaredError"},
	})
}

// reporter passes each epoch's metrics to the tuner: the losses and the
// RMSE of both outputs, the main output's validation RMSE as val_rmse.
type reporter struct {
	nn.BaseCallback
	r *tuner.Reporter
}

func (c reporter) OnEpochEnd(_ *nn.Model, epoch int, logs nn.Logs) error {
	return c.r.Report(epoch, tuner.Metrics{
		"loss":         logs["loss"],
		"val_loss":     logs["val_loss"],
		"rmse":         logs["output_root_mean_squared_error"],
		"val_rmse":     logs["val_output_root_mean_squared_error"],
		"val_aux_rmse": logs["val_aux_output_root_mean_squared_error"],
	})
}

// auxRMSE shows the auxiliary output's validation RMSE at the trial's best
// epoch, which the reporter passes to the tuner as val_aux_rmse.
func auxRMSE(t *trials.Trial) string {
	return fmt.Sprintf("val_aux_rmse=%.4f", t.Metrics["val_aux_rmse"])
}

func main() {
	dataDir := flag.String("data", examplesetup.DataDir(), "directory holding california-housing/cal_housing.data")
	out := flag.String("dir", "my_california_housing", "directory for the project")
	trialsFlag := flag.Int("trials", 10, "max trials")
	epochs := flag.Int("epochs", 20, "epochs per trial")
	parallel := flag.Int("parallel", 0, "trials at once (0: one per CPU)")
	seed := flag.Int64("seed", 42, "seed of the splits and the search")
	flag.Parse()

	x, y, err := examplesetup.CaliforniaHousing(*dataDir)
	if examplesetup.Missing(err, "california-housing", *dataDir) {
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fullX, fullY, testX, testY, err := data.Split(x, y, 0.25, *seed)
	if err != nil {
		log.Fatal(err)
	}
	trainX, trainY, validX, validY, err := data.Split(fullX, fullY, 0.25, *seed)
	if err != nil {
		log.Fatal(err)
	}
	train, valid, test := newSplit(trainX, trainY), newSplit(validX, validY), newSplit(testX, testY)
	normWide, normDeep := nn.Normalization(), nn.Normalization()
	if err := normWide.Adapt(train.x[0]); err != nil {
		log.Fatal(err)
	}
	if err := normDeep.Adapt(train.x[1]); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("train %d, validation %d, test %d rows\n", trainX.Rows, validX.Rows, testX.Rows)

	objective := func(ctx context.Context, h *hp.HyperParameters, r *tuner.Reporter) (tuner.Metrics, error) {
		m, err := build(configOf(h), normWide, normDeep)
		if err != nil {
			return nil, err
		}
		if err := m.InitWeights(r.Seed()); err != nil {
			return nil, err
		}
		_, err = m.FitMulti(ctx, train.x, train.y, nn.FitConfig{
			Epochs: r.Epochs(), InitialEpoch: r.InitialEpoch(), Seed: r.Seed(),
			ValidationInputs: valid.x, ValidationTargets: valid.y,
			Callbacks: []nn.Callback{reporter{r: r}, &nn.TerminateOnNaN{}},
		})
		return nil, err // scored on its best reported epoch
	}
	start := time.Now()
	t, err := tuner.New(tuner.ObjectiveFunc(objective), tuner.Options{
		Epochs:         *epochs,
		Objective:      "val_rmse",
		Oracle:         &oracle.BayesianOptimization{NumInitialPoints: 4},
		MaxTrials:      *trialsFlag,
		Seed:           *seed,
		ParallelTrials: *parallel,
		Directory:      *out,
		ProjectName:    "wide_deep",
		Overwrite:      true,
		Observer:       examplesetup.Printer{Objective: "val_rmse", Start: start, Detail: auxRMSE},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := t.Search(ctx); err != nil {
		log.Fatal(err)
	}
	if err := t.ResultsSummary(os.Stdout, 3); err != nil {
		log.Fatal(err)
	}

	// Retrain the best configuration on training + validation data for as
	// many epochs as its best epoch, and test it.
	best, err := t.BestTrials(1)
	if err != nil {
		log.Fatal(err)
	}
	c := configOf(hp.FromValues(t.Space(), best[0].Values))
	m, err := build(c, normWide, normDeep)
	if err != nil {
		log.Fatal(err)
	}
	if err := m.InitWeights(*seed); err != nil {
		log.Fatal(err)
	}
	all := newSplit(fullX, fullY)
	if _, err := m.FitMulti(ctx, all.x, all.y, nn.FitConfig{Epochs: best[0].BestEpoch + 1, Seed: *seed}); err != nil {
		log.Fatal(err)
	}
	logs, err := m.EvaluateMulti(ctx, test.x, test.y, nn.EvaluateConfig{BatchSize: 1000})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\nsearch took %s; the best configuration retrained on %d rows for %d epochs: test RMSE %.4f (auxiliary output %.4f)\n",
		time.Since(start).Round(time.Second), fullX.Rows, best[0].BestEpoch+1,
		logs["output_root_mean_squared_error"], logs["aux_output_root_mean_squared_error"])
}
