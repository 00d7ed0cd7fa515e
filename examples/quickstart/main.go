// Command quickstart tunes a small neural network on a synthetic two-spirals
// dataset: the whole of tune in one file, finishing in under a minute.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/tuner"
)

// build defines the search space by run, as a Keras Tuner build(hp) does.
func build(h *hp.HyperParameters) (*nn.Model, error) {
	layers := []nn.Layer{nn.Input(2)}
	for range h.Int("n_hidden", 1, 3, hp.Default(2)) {
		layers = append(layers, nn.Dense(h.Int("units", 8, 64, hp.Step(8)), nn.Activation(h.ChoiceString("activation", []string{"relu", "tanh"}))))
	}
	layers = append(layers, nn.Dense(2, nn.Softmax))
	m := nn.NewSequential(layers...)
	var opt nn.Optimizer = &nn.Adam{LearningRate: h.Float("learning_rate", 1e-3, 3e-2, hp.Log)}
	err := m.Compile(nn.CompileConfig{Loss: "sparse_categorical_crossentropy", Optimizer: opt, Metrics: []string{"accuracy"}})
	return m, err
}

func main() {
	dir := flag.String("dir", os.TempDir(), "directory for the project")
	trialsFlag := flag.Int("trials", 12, "max trials")
	overwrite := flag.Bool("overwrite", true, "start afresh instead of resuming")
	flag.Parse()

	x, y := data.Spirals(2000, 2, 0.1, 1)
	trainX, trainY, valX, valY, err := data.SplitLast(x, y, 400)
	if err != nil {
		log.Fatal(err)
	}
	t, err := tuner.New(&tuner.Training{HyperModel: tuner.BuildFunc(build), X: trainX, Y: trainY, Config: nn.FitConfig{Epochs: 20, BatchSize: 32, ValidationX: valX, ValidationY: valY}}, tuner.Options{
		Objective:   "val_accuracy",
		Oracle:      &oracle.RandomSearch{},
		MaxTrials:   *trialsFlag,
		Seed:        42,
		Directory:   *dir,
		ProjectName: "quickstart",
		Overwrite:   *overwrite,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()
	fmt.Print(t.SearchSpaceSummary())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err = t.Search(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println()
	if err := t.ResultsSummary(os.Stdout, 3); err != nil {
		log.Fatal(err)
	}
	best, err := t.BestModels(1)
	if err != nil {
		log.Fatal(err)
	}
	logs, err := best[0].Evaluate(context.Background(), valX, valY, nn.EvaluateConfig{BatchSize: 256})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\nbest model, reloaded from its checkpoint: val_accuracy %.4f\n", logs["accuracy"])
}
