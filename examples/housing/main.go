// Command housing trains the regression networks of Hands-On Machine
// Learning (3rd ed.), chapter 10, on the California housing data with
// tune's embedded trainer, as the book does with Keras:
//
//   - a Sequential MLP: Normalization (adapted to the training set),
//     3 × Dense 50 relu, Dense 1; mse, Adam 1e-3, 20 epochs, batch 32;
//   - the functional Wide & Deep network with an auxiliary output: inputs
//     wide (features 0–4) and deep (features 2–7), each normalised; two
//     Dense 30 relu on the deep path; Concatenate(wide, deep) → Dense 1 as
//     the main output and Dense 1 on the deep path as the auxiliary
//     output, trained with loss weights 0.9 and 0.1.
//
// The data are split like the book's two train_test_split calls: 25% test,
// then 25% of the rest as validation (with a seeded shuffle). It prints
// each model's summary, its epochs, and its validation and test RMSE.
//
//	go run ./examples/housing [-data ../shared/data] [-epochs 20]
//
// The data directory holds california-housing/cal_housing.data; it
// defaults to $TUNE_DATA_DIR, or ../shared/data. When the data are missing
// the program says so and exits without error.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"os/signal"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/internal/examplesetup"
	"github.com/tunekit/tune/nn"
)

func main() {
	dataDir := flag.String("data", examplesetup.DataDir(), "directory holding california-housing/cal_housing.data")
	epochs := flag.Int("epochs", 20, "epochs")
	seed := flag.Int64("seed", 42, "seed of the splits, the initial weights and the shuffles")
	flag.Parse()

	x, y, err := examplesetup.CaliforniaHousing(*dataDir)
	if examplesetup.Missing(err, "california-housing", *dataDir) {
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	trainFullX, trainFullY, testX, testY, err := data.Split(x, y, 0.25, *seed)
	if err != nil {
		log.Fatal(err)
	}
	trainX, trainY, validX, validY, err := data.Split(trainFullX, trainFullY, 0.25, *seed)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("train %d, validation %d, test %d rows\n\n", trainX.Rows, validX.Rows, testX.Rows)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	mlp(ctx, *epochs, *seed, trainX, trainY, validX, validY, testX, testY)
	fmt.Println()
	wideDeep(ctx, *epochs, *seed, trainX, trainY, validX, validY, testX, testY)
}

func mlp(ctx context.Context, epochs int, seed int64, trainX, trainY, validX, validY, testX, testY *nn.Matrix) {
	norm := nn.Normalization()
	if err := norm.Adapt(trainX); err != nil {
		log.Fatal(err)
	}
	model := nn.NewSequential(nn.Input(8), norm,
		nn.Dense(50, nn.ReLU), nn.Dense(50, nn.ReLU), nn.Dense(50, nn.ReLU), nn.Dense(1, nn.Linear))
	err := model.Compile(nn.CompileConfig{
		Loss:      "mse",
		Optimizer: &nn.Adam{LearningRate: 1e-3},
		Metrics:   []string{"RootMeanSquaredError"},
		Seed:      seed,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(model.Summary())
	hist, err := model.Fit(ctx, trainX, trainY, nn.FitConfig{
		Epochs: epochs, Seed: seed, ValidationX: validX, ValidationY: validY,
		Callbacks: []nn.Callback{nn.NewEpochLogger(os.Stdout, epochs)},
	})
	if err != nil {
		log.Fatal(err)
	}
	test, err := model.Evaluate(context.Background(), testX, testY, nn.EvaluateConfig{})
	if err != nil {
		log.Fatal(err)
	}
	rmse := hist.Metrics["val_root_mean_squared_error"]
	best := 0
	for e, v := range rmse {
		if v < rmse[best] {
			best = e
		}
	}
	fmt.Printf("MLP: validation RMSE %.4f (best %.4f after epoch %d), test RMSE %.4f\n",
		rmse[len(rmse)-1], rmse[best], best+1, test["root_mean_squared_error"])
}

// columns returns the columns [from, to) of x.
func columns(x *nn.Matrix, from, to int) *nn.Matrix {
	out := nn.NewMatrix(x.Rows, to-from)
	for i := range x.Rows {
		copy(out.Row(i), x.Row(i)[from:to])
	}
	return out
}

func wideDeep(ctx context.Context, epochs int, seed int64, trainX, trainY, validX, validY, testX, testY *nn.Matrix) {
	split := func(x *nn.Matrix) []*nn.Matrix { return []*nn.Matrix{columns(x, 0, 5), columns(x, 2, 8)} }
	train, valid, test := split(trainX), split(validX), split(testX)

	normWide, normDeep := nn.Normalization(), nn.Normalization()
	if err := normWide.Adapt(train[0]); err != nil {
		log.Fatal(err)
	}
	if err := normDeep.Adapt(train[1]); err != nil {
		log.Fatal(err)
	}
	inputWide := nn.NewInput("input_wide", 5)
	inputDeep := nn.NewInput("input_deep", 6)
	hidden1 := nn.Dense(30, nn.ReLU).Apply(normDeep.Apply(inputDeep))
	hidden2 := nn.Dense(30, nn.ReLU).Apply(hidden1)
	concat := nn.Concatenate().Apply(normWide.Apply(inputWide), hidden2)
	output := nn.Dense(1, nn.Linear, nn.Name("output")).Apply(concat)
	auxOutput := nn.Dense(1, nn.Linear, nn.Name("aux_output")).Apply(hidden2)
	model, err := nn.NewModel([]*nn.Node{inputWide, inputDeep}, []*nn.Node{output, auxOutput})
	if err != nil {
		log.Fatal(err)
	}
	err = model.Compile(nn.CompileConfig{
		Losses:      []string{"mse", "mse"},
		LossWeights: []float64{0.9, 0.1},
		Optimizer:   &nn.Adam{LearningRate: 1e-3},
		Metrics:     []string{"RootMeanSquaredError"},
		Seed:        seed,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(model.Summary())
	hist, err := model.FitMulti(ctx, train, []*nn.Matrix{trainY, trainY}, nn.FitConfig{
		Epochs: epochs, Seed: seed,
		ValidationInputs: valid, ValidationTargets: []*nn.Matrix{validY, validY},
		Callbacks: []nn.Callback{nn.NewEpochLogger(os.Stdout, epochs)},
	})
	if err != nil {
		log.Fatal(err)
	}
	logs, err := model.EvaluateMulti(ctx, test, []*nn.Matrix{testY, testY}, nn.EvaluateConfig{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("evaluate on the test set:")
	for _, k := range model.MetricsNames() {
		fmt.Printf("  %-36s %.4f\n", k, logs[k])
	}
	last := len(hist.Epochs) - 1
	fmt.Printf("Wide & Deep: validation RMSE %.4f (main output; auxiliary %.4f), test RMSE %.4f (auxiliary %.4f)\n",
		hist.Metrics["val_output_root_mean_squared_error"][last], hist.Metrics["val_aux_output_root_mean_squared_error"][last],
		math.Sqrt(logs["output_loss"]), logs["aux_output_root_mean_squared_error"])
}
