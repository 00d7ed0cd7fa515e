// Command housing_search tunes a regression MLP on the California housing
// data, as Hands-On Machine Learning, chapter 10, builds it: a
// Normalization layer adapted to the training set, hidden Dense layers,
// one linear output, mse loss and RMSE as the metric. It searches the
// number and width of the hidden layers, the learning rate and the
// optimizer with Bayesian optimization, minimising the validation RMSE,
// then evaluates the best model on the test set.
//
//	go run ./examples/housing_search [-data ../shared/data] [-trials 12] [-epochs 20]
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
	"math"
	"os"
	"os/signal"
	"time"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/internal/examplesetup"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/tuner"
)

// builder returns the build function; norm is adapted to the training set
// (each model copies its statistics when compiled).
func builder(norm *nn.NormalizationLayer) tuner.BuildFunc {
	return func(h *hp.HyperParameters) (*nn.Model, error) {
		layers := []nn.Layer{nn.Input(8), norm}
		nHidden := h.Int("n_hidden", 1, 4, hp.Default(3))
		nNeurons := h.Int("n_neurons", 16, 128, hp.Step(16), hp.Default(48))
		for range nHidden {
			layers = append(layers, nn.Dense(nNeurons, nn.ReLU))
		}
		layers = append(layers, nn.Dense(1, nn.Linear))
		lr := h.Float("learning_rate", 1e-4, 3e-2, hp.Log, hp.Default(1e-3))
		var opt nn.Optimizer = &nn.Adam{LearningRate: lr}
		if h.ChoiceString("optimizer", []string{"adam", "sgd"}) == "sgd" {
			opt = &nn.SGD{LearningRate: lr, Momentum: 0.9}
		}
		m := nn.NewSequential(layers...)
		return m, m.Compile(nn.CompileConfig{Loss: "mse", Optimizer: opt, Metrics: []string{"rmse"}})
	}
}

func main() {
	dataDir := flag.String("data", examplesetup.DataDir(), "directory holding california-housing/cal_housing.data")
	out := flag.String("dir", "my_california_housing", "directory for the project")
	trialsFlag := flag.Int("trials", 12, "max trials")
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
	// The book's two train_test_split calls: 25% test, then 25% of the rest.
	fullX, fullY, testX, testY, err := data.Split(x, y, 0.25, *seed)
	if err != nil {
		log.Fatal(err)
	}
	trainX, trainY, validX, validY, err := data.Split(fullX, fullY, 0.25, *seed)
	if err != nil {
		log.Fatal(err)
	}
	norm := nn.Normalization()
	if err := norm.Adapt(trainX); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("train %d, validation %d, test %d rows\n", trainX.Rows, validX.Rows, testX.Rows)

	start := time.Now()
	early := &nn.EarlyStopping{Monitor: "val_rmse", Patience: 4, RestoreBestWeights: true}
	t, err := tuner.New(&tuner.Training{HyperModel: builder(norm), X: trainX, Y: trainY, Config: nn.FitConfig{Epochs: *epochs, ValidationX: validX, ValidationY: validY,
		Callbacks: []nn.Callback{early, &nn.TerminateOnNaN{}}}}, tuner.Options{
		Objective:      "val_rmse",
		Oracle:         &oracle.BayesianOptimization{NumInitialPoints: 5},
		MaxTrials:      *trialsFlag,
		Seed:           *seed,
		ParallelTrials: *parallel,
		Directory:      *out,
		ProjectName:    "housing_bayesian",
		Overwrite:      true,
		Observer:       examplesetup.Printer{Objective: "val_rmse", Start: start},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err = t.Search(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := t.ResultsSummary(os.Stdout, 3); err != nil {
		log.Fatal(err)
	}
	best, err := t.BestModels(1)
	if err != nil {
		log.Fatal(err)
	}
	logs, err := best[0].Evaluate(context.Background(), testX, testY, nn.EvaluateConfig{BatchSize: 1000})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\nsearch took %s; best model on the test set: RMSE %.4f (mse %.4f, sqrt %.4f)\n",
		time.Since(start).Round(time.Second), logs["rmse"], logs["loss"], math.Sqrt(logs["loss"]))
}
