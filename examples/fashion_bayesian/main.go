// Command fashion_bayesian runs the Bayesian optimization of Hands-On
// Machine Learning, chapter 10, on Fashion-MNIST: the book's build_model
// (0–8 hidden layers of 16–256 units, learning rate 1e-4 to 1e-2 on a log
// scale, SGD or Adam) tuned by BayesianOptimization with alpha 1e-4 and
// beta 2.6, 10 trials of 10 epochs, with early stopping.
//
//	go run ./examples/fashion_bayesian [-data ../shared/data] [-trials 10] [-epochs 10] [-train 10000]
//
// The data directory holds fashion-mnist/ with the four gzip IDX files; it
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

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/internal/examplesetup"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/tuner"
)

func build(h *hp.HyperParameters) (*nn.Model, error) {
	nHidden := h.Int("n_hidden", 0, 8, hp.Default(2))
	nNeurons := h.Int("n_neurons", 16, 256)
	lr := h.Float("learning_rate", 1e-4, 1e-2, hp.Log)
	var opt nn.Optimizer = &nn.SGD{LearningRate: lr}
	if h.ChoiceString("optimizer", []string{"sgd", "adam"}) == "adam" {
		opt = &nn.Adam{LearningRate: lr}
	}
	layers := []nn.Layer{nn.Input(28, 28), nn.Flatten()}
	for range nHidden {
		layers = append(layers, nn.Dense(nNeurons, nn.ReLU))
	}
	layers = append(layers, nn.Dense(10, nn.Softmax))
	m := nn.NewSequential(layers...)
	err := m.Compile(nn.CompileConfig{Loss: "sparse_categorical_crossentropy", Optimizer: opt, Metrics: []string{"accuracy"}})
	return m, err
}

// epochsRun shows how many epochs a trial ran before early stopping ended
// it (or its -epochs ran out).
func epochsRun(t *trials.Trial) string {
	return fmt.Sprintf("[epochs run: %d]", len(t.History))
}

func main() {
	dataDir := flag.String("data", examplesetup.DataDir(), "directory holding fashion-mnist/ with the four gzip IDX files")
	out := flag.String("dir", "my_fashion_mnist", "directory for the project")
	trialsFlag := flag.Int("trials", 10, "max trials")
	epochs := flag.Int("epochs", 10, "epochs per trial")
	train := flag.Int("train", 10000, "training images to use (0: all 55,000)")
	parallel := flag.Int("parallel", 0, "trials at once (0: one per CPU)")
	overwrite := flag.Bool("overwrite", true, "start afresh instead of resuming")
	flag.Parse()

	d, err := examplesetup.FashionMNIST(*dataDir) // the last 5,000 training images for validation
	if examplesetup.Missing(err, "fashion-mnist", *dataDir) {
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	d.LimitTrain(*train)
	fmt.Printf("training on %d images, validating on %d\n", d.TrainX.Rows, d.ValidX.Rows)
	start := time.Now()
	// The book's early stopping: EarlyStopping(patience=2) on val_loss.
	early := &nn.EarlyStopping{Monitor: "val_loss", Patience: 2}
	t, err := tuner.New(&tuner.Training{HyperModel: tuner.BuildFunc(build), X: d.TrainX, Y: d.TrainY, Config: nn.FitConfig{Epochs: *epochs, BatchSize: 32, ValidationX: d.ValidX, ValidationY: d.ValidY,
		Callbacks: []nn.Callback{early}}}, tuner.Options{
		Objective:      "val_accuracy",
		Oracle:         &oracle.BayesianOptimization{NumInitialPoints: 4, Alpha: 1e-4, Beta: 2.6},
		MaxTrials:      *trialsFlag,
		Seed:           42,
		ParallelTrials: *parallel,
		Directory:      *out,
		ProjectName:    "my_bayesian_opt",
		Overwrite:      *overwrite,
		Observer:       examplesetup.Printer{Objective: "val_accuracy", Start: start, Detail: epochsRun},
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
	logs, err := best[0].Evaluate(context.Background(), d.TestX, d.TestY, nn.EvaluateConfig{BatchSize: 1000})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\nsearch took %s; best model on the test set: accuracy %.4f\n", time.Since(start).Round(time.Second), logs["accuracy"])
}
